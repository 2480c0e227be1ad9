/**
 * The suite catches real bugs: it runs against deliberately broken backends derived from the
 * core's reference backend, and each must fail the checks that guard what it broke. The
 * intact reference must pass every check, on its fused and its basic-op path (no false alarms).
 */

import type { Backend, FusedActivation, Matrix } from '@twostep/core/backend';
import { referenceBackend, withoutFusedKernels } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import { checks } from '../src/index.js';

/** The names of the checks that fail on backends from `create`, with their messages. */
async function failures(create: () => Backend): Promise<{ name: string; message: string }[]> {
  const failed: { name: string; message: string }[] = [];
  for (const c of checks) {
    const backend = create();
    if (c.applies && !c.applies(backend)) continue;
    try {
      await c.run(backend);
    } catch (error) {
      failed.push({ name: `${c.area}: ${c.name}`, message: (error as Error).message });
    }
  }
  return failed;
}

/** The reference with some members replaced; `base` is the intact instance. */
function broken(patch: (base: Backend) => Partial<Backend>): () => Backend {
  return () => {
    const base: Backend = referenceBackend();
    const overrides = patch(base);
    return new Proxy(base, {
      get(target, property) {
        if (Object.hasOwn(overrides, property)) return overrides[property as keyof Backend];
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
}

const cases: [string, () => Backend, RegExp][] = [
  [
    'a matMul that ignores transposeB',
    broken((b) => ({
      matMul: (x: Matrix, y: Matrix, o = {}) => b.matMul(x, y, { ...o, transposeB: false }),
    })),
    /^ops: matMul with transposeA = (false|true), transposeB = true$/,
  ],
  [
    'a sigmoid whose derivative is evaluated at X instead of Y',
    broken((b) => ({
      deltaDown: (up: Matrix, y: Matrix, act: FusedActivation) =>
        b.deltaDown!(up, act.kind === 'sigmoid' ? b.activate!(y, act) : y, act),
    })),
    /^(fused kernels: activate and deltaDown for sigmoid|section 4: .*σ = sigmoid)/,
  ],
  [
    'a copy that hands back its operand (disposing the copy frees the weights)',
    broken(() => ({ copy: (a: Matrix) => a })),
    /^ops: copy is a new matrix with the data, independent of its source$/,
  ],
  [
    'a sum that drops the last column',
    broken((b) => ({
      sum: (a: Matrix) => b.sum(a.cols > 1 ? b.sliceCols(a, 0, a.cols - 1) : a),
    })),
    /^ops: sum on every edge shape$/,
  ],
  [
    'a leaking scope (every matMul leaves a temporary behind)',
    broken((b) => ({
      matMul: (x: Matrix, y: Matrix, o?: object) => {
        b.fill(1, 1, 0);
        return b.matMul(x, y, o);
      },
    })),
    /^memory: live matrices and bytes stay flat/,
  ],
  [
    'a backend that returns float32 when asked for float64',
    broken((b) => ({
      read: async (m: Matrix) => Float32Array.from(await b.read(m)),
      readSync: (m: Matrix) => Float32Array.from(b.readSync!(m)),
    })),
    /^ops: fromArray and read return the data/,
  ],
];

describe('the suite fails broken backends', () => {
  it.each(cases)('%s', async (_, create, expected) => {
    const failed = await failures(create);
    expect(
      failed.map((f) => f.name).filter((n) => expected.test(n)),
      `failed: ${failed.map((f) => f.name).join('; ')}`,
    ).not.toEqual([]);
  });

  it('and passes the intact reference, with and without its fused kernels', async () => {
    expect(await failures(referenceBackend)).toEqual([]);
    expect(await failures(() => withoutFusedKernels(referenceBackend()))).toEqual([]);
  });

  it('names the op and the shapes in its messages', async () => {
    const [, create] = cases[0]!;
    const failed = await failures(create);
    const message = failed.find((f) => /transposeB = true/.test(f.name))!.message;
    expect(message).toMatch(/matMul/);
    expect(message).toMatch(/\d+×\d+/);
  });
});
