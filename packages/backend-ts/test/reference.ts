/**
 * Seeded test matrices and comparison helpers; expected values come from the core's float64
 * reference (`@twostep/core/reference`). A float32 backend stores its inputs rounded to
 * float32, so expected values are computed in doubles on those rounded inputs and rounded
 * once at the end, then compared with a relative tolerance.
 */
import { type DType, Random } from '@twostep/core';
import { expect } from 'vitest';
import { createBackend, type TsBackend, type TsMatrix } from '../src/index.js';

export const DTYPES_UNDER_TEST = ['float32', 'float64'] as const;

/** A logical rows × cols matrix, row-major, in doubles. */
export interface Dense {
  rows: number;
  cols: number;
  data: number[];
}

export const TOLERANCE: Record<DType, number> = { float32: 1e-6, float64: 1e-12 };

/** Seeded values in [−scale, scale). */
export function dense(rows: number, cols: number, seed = 1, scale = 1): Dense {
  const random = new Random(seed);
  return {
    rows,
    cols,
    data: Array.from({ length: rows * cols }, () => random.uniform(-1, 1) * scale),
  };
}

/** The values a backend of `dtype` actually holds for `data`. */
export function stored(dtype: DType, data: readonly number[]): number[] {
  return dtype === 'float32' ? data.map(Math.fround) : [...data];
}

/** A backend matrix from a logical one, and the logical matrix of the values it holds. */
export function upload(k: TsBackend, m: Dense): [TsMatrix, Dense] {
  return [k.fromArray(m.data, m.rows, m.cols), { ...m, data: stored(k.dtype, m.data) }];
}

/**
 * Leaves `count` disposed buffers of `rows × cols` NaNs in the pool, so the next results of
 * that size reuse them: an op that does not overwrite all of its result shows NaN.
 */
export function poisonPool(k: TsBackend, rows: number, cols: number, count = 3): void {
  const stale = Array.from({ length: count }, () => k.fill(rows, cols, Number.NaN));
  for (const m of stale) k.dispose(m);
}

/**
 * `actual` equals `expected` (doubles, rounded here to the dtype) within the dtype's
 * relative tolerance; errors are measured against max(|expected|, floor).
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  dtype: DType,
  floor = 1e-300,
): void {
  expect(actual.length).toBe(expected.length);
  const tol = TOLERANCE[dtype];
  for (let i = 0; i < expected.length; i++) {
    const e = dtype === 'float32' ? Math.fround(expected[i]!) : expected[i]!;
    const a = actual[i]!;
    if (!Number.isFinite(e)) {
      expect(a, `entry ${i}`).toBe(e);
      continue;
    }
    const error = Math.abs(a - e);
    if (!(error <= tol * Math.max(Math.abs(e), floor))) {
      expect.fail(`entry ${i}: got ${a}, expected ${e} (error ${error})`);
    }
  }
}

/** A matrix's contents equal a logical or a reference (host) matrix's, shape included. */
export function expectMatrix(
  k: TsBackend,
  m: TsMatrix,
  expected: { readonly rows: number; readonly cols: number; readonly data: ArrayLike<number> },
  floor?: number,
): void {
  expect([m.rows, m.cols]).toEqual([expected.rows, expected.cols]);
  expectClose(k.readSync(m), expected.data, k.dtype, floor);
}

export const backends = () => DTYPES_UNDER_TEST.map((dtype) => createBackend({ dtype }));

/** Each dtype with matrix products in WebAssembly SIMD and in plain TypeScript. */
export const kernels = () =>
  DTYPES_UNDER_TEST.flatMap((dtype) => [true, false].map((simd) => createBackend({ dtype, simd })));
