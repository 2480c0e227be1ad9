/**
 * A check is one assertion about a backend, written without any test runner, so the same
 * checks run under Vitest (`runConformance`) and directly (the self-test runs them against
 * broken backends). Every failure message names the op, the shapes and what differed.
 */
import type { Backend, DType } from '@twostep/core';
import type { BackendOptions } from '@twostep/core/backend';

export interface Check {
  /** The area of the contract, e.g. `ops`, `gradients`, `memory`. */
  readonly area: string;
  readonly name: string;
  /**
   * Runs against a fresh backend instance; throws a ConformanceError when it fails. `create`
   * makes another instance, for checks that compare two (determinism) or pass matrices from
   * one to the other (op errors); `create({ dtype })` asks for one of another of `dtypes`.
   */
  run(backend: Backend, create?: CreateBackend): void | Promise<void>;
  /** When given, the check only applies to backends for which it returns true. */
  readonly applies?: (backend: Backend) => boolean;
}

/** Makes a fresh instance of the backend under test, of `options.dtype` when given. */
export type CreateBackend = (options?: BackendOptions) => Backend | Promise<Backend>;

/** A backend broke the contract. */
export class ConformanceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceError';
  }
}

export function fail(message: string): never {
  throw new ConformanceError(message);
}

/** The dtype's machine epsilon ε (the gap from 1 to the next number). */
export const EPSILON: Record<DType, number> = { float32: 2 ** -23, float64: 2 ** -52 };

/** The dtype's smallest normal number; below it, numbers are subnormal. */
export const MIN_NORMAL: Record<DType, number> = { float32: 2 ** -126, float64: 2 ** -1022 };

/**
 * How far an op's result may be from the float64 reference, entry by entry, in ulps: a few
 * roundings, and library exp, log and tanh within a few ulps each. A sum of k terms (a matrix
 * product's inner size, `sum`, a column of `logSoftmax`) may add k more: rounding each partial
 * sum costs up to one ulp of the sum of the terms' magnitudes (Higham's γ_k bound).
 */
export const OP_ULPS = 16;

/**
 * The rule every op's result is held to: entry i passes when
 *
 *     |actualᵢ − expectedᵢ| ≤ ulps · ε · max(scaleᵢ, smallest normal)
 *
 * where `scaleᵢ` is the magnitude of what the entry is computed from (|expectedᵢ| by default;
 * Σ|aᵢₖ·bₖⱼ| for a matrix product, |s·a| + |t| for `scale`, …). Each entry is held to its own
 * magnitude, so a small entry beside large ones is checked as closely as they are, and the
 * floor is `ulps` steps of the dtype's subnormal spacing: a result that should be subnormal
 * must not be flushed to zero, unless the backend declares `supports.flushesSubnormals`: then
 * each of the `ulps` roundings may also lose up to the smallest normal number (a flushed
 * result or a flushed term of a sum). `ulps: 0` asks for the exact value. NaN must match NaN,
 * and ±Infinity must match exactly.
 */
export interface EntryTolerance {
  readonly ulps: number;
  /** The backend's `supports.flushesSubnormals` (default false). */
  readonly flushesSubnormals?: boolean;
  /** Per entry, the magnitude its error is measured against (default |expected|). */
  readonly scale?: ArrayLike<number>;
  /** Columns of the matrix, to name an entry by (row, column) (default: by index). */
  readonly cols?: number;
}

/** `actual` equals `expected` entry by entry within the rule of {@link EntryTolerance}. */
export function expectEntries(
  what: string,
  dtype: DType,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { ulps, scale, cols, flushesSubnormals = false }: EntryTolerance,
): void {
  if (actual.length !== expected.length) {
    fail(`${what}: ${actual.length} values, expected ${expected.length}.`);
  }
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const s = Math.max(Math.abs(scale ? scale[i]! : e), MIN_NORMAL[dtype]);
    const tol = ulps * (EPSILON[dtype] * s + (flushesSubnormals ? MIN_NORMAL[dtype] : 0));
    const same = Number.isFinite(e)
      ? Math.abs(a - e) <= tol
      : Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e));
    if (!same) {
      const entry = cols ? `(${Math.floor(i / cols)}, ${i % cols})` : String(i);
      const allowed = ulps === 0 ? 'exactly' : `within ${tol} (${ulps} ulps of ${s})`;
      fail(`${what}: entry ${entry} is ${a}, expected ${e} ${allowed}; off by ${Math.abs(a - e)}.`);
    }
  }
}

/**
 * Tolerances of the rule's checks, from the dtype the backend declares: `closedForm`, the
 * paper's Section 4 gradients (absolute, on values of order 1); `gradient`, the F-adjoint
 * against central finite differences (relative norm error); `training`, weights after
 * several steps against the reference run (relative to the largest weight).
 */
export const TOLERANCES: Record<DType, { closedForm: number; gradient: number; training: number }> =
  {
    // float64: a handful of roundings in ≈1e-16 arithmetic (closedForm); five-point central
    // differences at h = 1e-3 leave an error of order h⁴ + ε/h ≈ 1e-13, well below 1e-7
    // (gradient); a few training steps compound a few roundings (training).
    float64: { closedForm: 1e-12, gradient: 1e-7, training: 1e-10 },
    // float32: ε = 1.2e-7; a sum of k products is off by up to ≈ k·ε relative to the largest
    // term, so 64 terms stay within 1e-5 (closedForm); the F-adjoint of a small network
    // compounds a few such errors (gradient, 1e-4); a few training steps, a few more (training).
    float32: { closedForm: 1e-5, gradient: 1e-4, training: 1e-4 },
  };

export const tolerance = (backend: Backend) => TOLERANCES[backend.dtype];

/**
 * `actual` equals `expected` within `tol` times the largest |expected| (at least 1): for
 * whole quantities of the rule (gradients, trained weights, predictions), not single ops.
 * NaN must match NaN, ±Infinity must match exactly.
 */
export function expectClose(
  what: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
): void {
  if (actual.length !== expected.length) {
    fail(`${what}: ${actual.length} values, expected ${expected.length}.`);
  }
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    if (Number.isFinite(e)) scale = Math.max(scale, Math.abs(e));
  }
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const same = Number.isFinite(e)
      ? Math.abs(a - e) <= tol * scale
      : Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e));
    if (!same) {
      fail(`${what}: entry ${i} is ${a}, expected ${e} (tolerance ${tol} × ${scale}).`);
    }
  }
}

/** `fn` must throw an error of class `type` whose message matches `message`. */
export function expectThrows(
  what: string,
  fn: () => unknown,
  type: abstract new (...args: never[]) => Error,
  message?: RegExp,
): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof type)) {
      fail(
        `${what}: threw ${(error as Error)?.name ?? typeof error} (${(error as Error)?.message}), expected ${type.name}.`,
      );
    }
    if (message && !message.test((error as Error).message)) {
      fail(
        `${what}: the ${type.name} says "${(error as Error).message}", which does not match ${message}.`,
      );
    }
    return;
  }
  fail(`${what}: did not throw; expected ${type.name}.`);
}

/** As `expectThrows`, for a promise. */
export async function expectRejects(
  what: string,
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => Error,
  message?: RegExp,
): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expectThrows(
    what,
    () => {
      if (error) throw error;
    },
    type,
    message,
  );
}
