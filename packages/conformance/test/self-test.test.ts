/**
 * The suite catches real bugs: it runs against deliberately broken backends derived from
 * backend-ts, and each must fail the checks that guard what it broke. An intact backend-ts
 * must pass every check (no false alarms).
 */

import { createBackend } from '@twostep/backend-ts';
import {
  type Backend,
  type FusedActivation,
  type Matrix,
  SPECIFICATION_VERSION,
} from '@twostep/core';
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

/** backend-ts with some members replaced; `base` is the intact instance. */
function broken(
  dtype: 'float32' | 'float64',
  patch: (base: Backend) => Partial<Backend>,
): () => Backend {
  return () => {
    const base = createBackend({ dtype }) as unknown as Backend;
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
    broken('float64', (b) => ({
      matMul: (x: Matrix, y: Matrix, o = {}) => b.matMul(x, y, { ...o, transposeB: false }),
    })),
    /^ops: matMul with transposeA = (false|true), transposeB = true$/,
  ],
  [
    'a sigmoid whose derivative is evaluated at X instead of Y',
    broken('float64', (b) => ({
      deltaDown: (up: Matrix, y: Matrix, act: FusedActivation) =>
        b.deltaDown!(up, act.kind === 'sigmoid' ? b.activate!(y, act) : y, act),
    })),
    /^(fused kernels: activate and deltaDown for sigmoid|section 4: .*σ = sigmoid)/,
  ],
  [
    'a row sum that drops the last column',
    broken('float32', (b) => ({
      sumRows: (a: Matrix) => b.sumRows(a.cols > 1 ? b.sliceCols(a, 0, a.cols - 1) : a),
    })),
    /^ops: sum and sumRows on every edge shape$/,
  ],
  [
    'a leaking scope (every matMul leaves a temporary behind)',
    broken('float64', (b) => ({
      matMul: (x: Matrix, y: Matrix, o?: object) => {
        b.fill(1, 1, 0);
        return b.matMul(x, y, o);
      },
    })),
    /^memory: live matrices and bytes stay flat/,
  ],
  [
    'a backend that returns float32 when asked for float64',
    broken('float64', (b) => ({
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

  it('and passes intact backend-ts in both dtypes', async () => {
    for (const dtype of ['float32', 'float64'] as const) {
      expect(await failures(() => createBackend({ dtype }) as unknown as Backend)).toEqual([]);
    }
  });

  it('names the op and the shapes in its messages', async () => {
    const [, create] = cases[0]!;
    const failed = await failures(create);
    const message = failed.find((f) => /transposeB = true/.test(f.name))!.message;
    expect(message).toMatch(/matMul/);
    expect(message).toMatch(/\d+×\d+/);
  });
});
