import {
  ConfigError,
  DisposedMatrixError,
  DTypeError,
  ForeignMatrixError,
  type FusedActivation,
  ShapeError,
  type UnaryOp,
} from '@twostep/core/backend';
import { describe, expect, it } from 'vitest';
import { createBackend, type TsBackend, type TsMatrix } from '../src/index.js';
import { backends } from './reference.js';

const ADAM = { stepSize: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
const SIGMOID: FusedActivation = { kind: 'sigmoid', alpha: 0 };

/** Every op taking matrices, called with `x` (3×2) in each operand position in turn. */
function calls(k: TsBackend, x: TsMatrix): [string, () => unknown][] {
  const m = () => k.fill(3, 2, 1);
  return [
    ['copy', () => k.copy(x)],
    ['read', () => k.read(x)],
    ['readSync', () => k.readSync(x)],
    ['matMul a', () => k.matMul(x, m(), { transposeB: true })],
    ['matMul b', () => k.matMul(m(), x, { transposeA: true })],
    ...(['add', 'sub', 'mul', 'div'] as const).flatMap((op): [string, () => unknown][] => [
      [`${op} a`, () => k[op](x, m())],
      [`${op} b`, () => k[op](m(), x)],
    ]),
    ['scale', () => k.scale(x, 2, 1)],
    ['unary', () => k.unary('exp', x)],
    ['clamp', () => k.clamp(x, 0, 1)],
    ['sum', () => k.sum(x)],
    ['logSoftmax', () => k.logSoftmax(x)],
    ['sliceCols', () => k.sliceCols(x, 0, 1)],
    ['concatRows a', () => k.concatRows(x, m())],
    ['concatRows b', () => k.concatRows(m(), x)],
    ['activate', () => k.activate(x, SIGMOID)],
    ['deltaDown deltaUp', () => k.deltaDown(x, m(), SIGMOID)],
    ['deltaDown y', () => k.deltaDown(m(), x, SIGMOID)],
    ...(['w', 'g', 'm', 'v'] as const).map((slot, i): [string, () => unknown] => [
      `adam ${slot}`,
      () =>
        k.adam(
          ...([0, 1, 2, 3].map((j) => (j === i ? x : m())) as [
            TsMatrix,
            TsMatrix,
            TsMatrix,
            TsMatrix,
          ]),
          ADAM,
        ),
    ]),
  ];
}

/** Runs `call`, sync or async, and returns what it threw. */
async function thrown(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('errors', () => {
  it("rejects dtypes other than float32 and float64, naming the backend's dtypes", () => {
    for (const dtype of ['float16', 'int32', 'bfloat16']) {
      expect(() => createBackend({ dtype: dtype as 'float32' })).toThrow(DTypeError);
      expect(() => createBackend({ dtype: dtype as 'float32' })).toThrow(/float32, float64/);
    }
  });

  it('rejects a poolBytes that is not a byte count and a simd that is not a boolean', () => {
    for (const poolBytes of [
      -1,
      Number.NaN,
      1.5,
      Number.POSITIVE_INFINITY,
      '64' as unknown as number,
    ]) {
      expect(() => createBackend({ poolBytes })).toThrow(
        new ConfigError(
          `createBackend: poolBytes is ${String(poolBytes)}; it must be a whole number of bytes ≥ 0 (0 keeps no freed buffer), e.g. { poolBytes: 67108864 } (the default, 64 MiB).`,
        ),
      );
    }
    expect(() => createBackend({ simd: 'no' as unknown as boolean })).toThrow(
      'createBackend: simd is "no"; it must be true (the WebAssembly SIMD kernel where the runtime has it, the default) or false (plain TypeScript).',
    );
    expect(createBackend({ poolBytes: 0, simd: false }).matMulKernel).toBe('typescript');
  });

  describe.each(backends())('$dtype', (k) => {
    it.each([
      [0, 3],
      [3, 0],
      [0, 0],
      [-1, 2],
      [1.5, 2],
      [Number.NaN, 1],
    ])('rejects the shape %s×%s in fromArray and fill', (rows, cols) => {
      expect(() => k.fill(rows, cols, 0)).toThrow(ShapeError);
      expect(() => k.fromArray([], rows, cols)).toThrow(ShapeError);
      expect(() => k.fromArray([1, 2, 3], rows, cols)).toThrow(/invalid/);
    });

    it('rejects data of the wrong length', () => {
      expect(() => k.fromArray([1, 2, 3], 2, 2)).toThrow(ShapeError);
      expect(() => k.fromArray(new Float64Array(5), 2, 2)).toThrow(/5 values cannot fill a 2×2/);
    });

    it('rejects operands that cannot be combined, allocating nothing', () => {
      const a = k.fill(3, 2, 1);
      const wide = k.fill(3, 4, 1);
      const row = k.fill(1, 2, 1);
      const column = k.fill(3, 1, 1);
      const short = k.fill(2, 1, 1);
      const bad: (() => unknown)[] = [
        () => k.add(a, row),
        () => k.sub(a, wide),
        () => k.mul(a, short),
        () => k.div(column, a), // only b broadcasts
        () => k.matMul(a, a),
        () => k.matMul(a, wide, { transposeA: true, transposeB: true }),
        () => k.sliceCols(a, 1, 1),
        () => k.sliceCols(a, -1, 1),
        () => k.sliceCols(a, 0, 3),
        () => k.sliceCols(a, 0.5, 1),
        () => k.concatRows(a, wide),
        () => k.deltaDown(a, wide, SIGMOID),
        () => k.deltaDown(a, column, SIGMOID),
        () => k.adam(a, a, a, wide, ADAM),
        () => k.adam(a, column, a, a, ADAM),
      ];
      const before = k.memory();
      for (const call of bad) expect(call).toThrow(ShapeError);
      expect(k.memory()).toEqual(before);
      expect(() => k.add(a, row)).toThrow(/cannot combine a 3×2 with b 1×2/);
      expect(() => k.adam(a, a, a, wide, ADAM)).toThrow(/adam: v is 3×4 but w is 3×2/);
    });

    it('rejects disposed operands in every op and position', async () => {
      for (const [name, call] of calls(k, k.fill(3, 2, 1))) {
        const x = k.fill(3, 2, 1);
        k.dispose(x);
        const [, callOnDisposed] = calls(k, x).find(([n]) => n === name)!;
        const error = await thrown(callOnDisposed);
        expect(error, name).toBeInstanceOf(DisposedMatrixError);
        expect(String(error), name).toMatch(/Matrix\(3×2, float(32|64)\) was disposed/);
        await call(); // the same call on a live matrix works
      }
    });

    it('rejects matrices of another dtype', async () => {
      const other = createBackend({ dtype: k.dtype === 'float32' ? 'float64' : 'float32' });
      for (const [name, call] of calls(k, other.fill(3, 2, 1))) {
        const error = await thrown(call);
        expect(error, name).toBeInstanceOf(DTypeError);
        expect(String(error), name).toMatch(`but this backend computes in ${k.dtype}`);
      }
    });

    it('rejects matrices of another instance of the same dtype, counting nothing', async () => {
      const other = createBackend({ dtype: k.dtype });
      const x = other.fill(3, 2, 3);
      expect(x.backend).toBe(other);
      const before = other.memory();
      for (const [name, call] of calls(k, x)) {
        const error = await thrown(call);
        expect(error, name).toBeInstanceOf(ForeignMatrixError);
        expect(String(error), name).toMatch(/was created by another ts instance/);
      }
      expect(other.memory()).toEqual(before);
    });

    it('rejects unknown unary ops and activation kinds', () => {
      const x = k.fill(2, 2, 1);
      const before = k.memory();
      expect(() => k.unary('cube' as UnaryOp, x)).toThrow(ConfigError);
      expect(() => k.unary('cube' as UnaryOp, x)).toThrow(/unknown op "cube"/);
      const gelu = { kind: 'gelu', alpha: 0 } as unknown as FusedActivation;
      expect(() => k.activate(x, gelu)).toThrow(ConfigError);
      expect(() => k.deltaDown(x, x, gelu)).toThrow(ConfigError);
      expect(k.memory()).toEqual(before);
    });
  });
});
