import { tidy, tracked } from '@twostep/core';
import {
  affineShape,
  type Backend,
  checkOperands,
  DisposedMatrixError,
  DTypeError,
  ForeignMatrixError,
  type Matrix,
  ShapeError,
} from '@twostep/core/backend';
import { referenceBackend, withoutFusedKernels } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';

/** A float32 matrix that says it comes from `backend` (the reference computes in float64 only). */
const float32Of = (backend: Backend): Matrix => ({
  rows: 1,
  cols: 1,
  dtype: 'float32',
  isDisposed: false,
  backend,
  toString: () => 'Matrix(1×1, float32)',
});

describe('checkOperands', () => {
  it('accepts the matrices of the instance computing', () => {
    const k = referenceBackend();
    expect(() => checkOperands('add', k, k.fill(1, 1, 0), k.fill(1, 1, 1))).not.toThrow();
  });

  it('rejects a matrix of another instance of the same dtype with a ForeignMatrixError', () => {
    const k = referenceBackend();
    const other = referenceBackend();
    const call = () => checkOperands('matMul', k, k.fill(1, 1, 0), other.fill(1, 1, 0));
    expect(call).toThrow(ForeignMatrixError);
    expect(call).toThrow(
      /^matMul: Matrix\(1×1, float64\) was created by another reference instance.*fromArray\(await other\.read/,
    );
    expect(() => k.add(k.fill(1, 1, 0), other.fill(1, 1, 0))).toThrow(ForeignMatrixError);
  });

  it('checks in order: disposed, then dtype, then instance', () => {
    const k = referenceBackend();
    const other = referenceBackend();
    const gone = other.fill(1, 1, 0);
    other.dispose(gone);
    expect(() => checkOperands('sum', k, gone)).toThrow(DisposedMatrixError);
    expect(() => checkOperands('sum', k, float32Of(other))).toThrow(DTypeError);
    expect(() => checkOperands('sum', k, float32Of(k))).toThrow(
      /^sum: Matrix\(1×1, float32\) is float32 but this backend computes in float64/,
    );
    // over all operands: a disposed one wins wherever it is, then another dtype
    const foreign = other.fill(1, 1, 0);
    expect(() => checkOperands('add', k, foreign, gone)).toThrow(DisposedMatrixError);
    expect(() => checkOperands('add', k, foreign, float32Of(k))).toThrow(DTypeError);
  });

  it('names the first operand of the highest-ranked problem, wherever the others are', () => {
    const k = referenceBackend();
    const other = referenceBackend();
    /** A 1×1 matrix named `name`, of `backend`, in `dtype`, disposed or not. */
    const fake = (name: string, backend: Backend, dtype: Matrix['dtype'], isDisposed = false) =>
      ({ rows: 1, cols: 1, dtype, isDisposed, backend, toString: () => name }) as Matrix;
    const ok = fake('ok', k, 'float64');
    const gone = fake('gone', k, 'float64', true);
    const gone2 = fake('gone2', other, 'float32', true);
    const f32 = fake('f32', k, 'float32');
    const f32b = fake('f32b', k, 'float32');
    const alien = fake('alien', other, 'float64');
    const alien2 = fake('alien2', other, 'float64');
    const both = fake('both', other, 'float32');
    const cases: [Matrix[], new (message: string) => Error, string][] = [
      [[alien, f32, ok, gone], DisposedMatrixError, 'adam: gone was disposed.'],
      [[both, gone2, gone], DisposedMatrixError, 'adam: gone2 was disposed.'],
      [[alien, both, f32], DTypeError, 'adam: both is float32 but'],
      [[ok, alien, f32b, f32], DTypeError, 'adam: f32b is float32 but'],
      [[ok, alien2, alien, ok], ForeignMatrixError, 'adam: alien2 was created by another'],
    ];
    for (const [operands, kind, message] of cases) {
      const call = () => checkOperands('adam', k, ...operands);
      expect(call).toThrow(kind);
      expect(call).toThrow(message);
    }
  });

  it("holds through the core's proxies, which call the instance as `this`", () => {
    const k = referenceBackend();
    for (const view of [tracked(k), withoutFusedKernels(k), tracked(withoutFusedKernels(k))]) {
      const m = tidy(view, () => view.sum(view.add(view.fill(2, 2, 1), k.fill(2, 1, 1))));
      // k.fill: a matrix of the instance behind the view is the view's own.
      expect(m.backend).toBe(k);
      expect(() => view.copy(referenceBackend().fill(1, 1, 0))).toThrow(ForeignMatrixError);
    }
  });
});

describe('affineShape', () => {
  const k = referenceBackend();
  const m = (rows: number, cols: number) => k.fill(rows, cols, 1);

  it("gives each fusedBias kernel's result shape: Wh is Nh × (N(h−1) + 1), X(h−1) has no row of ones", () => {
    expect(affineShape('affine', m(3, 5), m(4, 7))).toEqual([3, 7]);
    expect(affineShape('affineGradient', m(3, 7), m(4, 7))).toEqual([3, 5]);
    expect(affineShape('affineDeltaUp', m(3, 5), m(3, 7))).toEqual([4, 7]);
    expect(affineShape('affine', m(1, 2), m(1, 1))).toEqual([1, 1]);
    expect(affineShape('affineDeltaUp', m(1, 2), m(1, 1))).toEqual([1, 1]);
  });

  it('names the op, both shapes and the fix', () => {
    const cases: [Parameters<typeof affineShape>, RegExp][] = [
      [
        ['affine', m(3, 5), m(5, 7)],
        /^affine: .*W 3×5 and X 5×7.*X\.rows \+ 1 = 6 columns.*row of ones/,
      ],
      [['affine', m(3, 5), m(3, 7)], /^affine: .*W 3×5 and X 3×7.*X\.rows \+ 1 = 4 columns/],
      [
        ['affineGradient', m(3, 7), m(4, 6)],
        /^affineGradient: δdown 3×7 and X 4×6 hold 7 and 6 samples/,
      ],
      [['affineDeltaUp', m(3, 1), m(3, 7)], /^affineDeltaUp: W 3×1 has only its bias column/],
      [
        ['affineDeltaUp', m(3, 5), m(4, 7)],
        /^affineDeltaUp: .*W 3×5 and δdown 4×7: δdown needs W's 3 rows/,
      ],
    ];
    for (const [args, message] of cases) {
      expect(() => affineShape(...args)).toThrow(ShapeError);
      expect(() => affineShape(...args)).toThrow(message);
    }
  });

  it('comes after the operand checks in the reference, as for every op', () => {
    const gone = m(2, 2);
    k.dispose(gone);
    expect(() => k.affine!(m(3, 5), gone)).toThrow(DisposedMatrixError);
    expect(() => k.affineDeltaUp!(referenceBackend().fill(3, 1, 0), m(4, 4))).toThrow(
      ForeignMatrixError,
    );
    expect(() => k.affineGradient!(m(3, 2), m(2, 3))).toThrow(ShapeError);
  });
});
