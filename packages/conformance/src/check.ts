/**
 * A check is one assertion about a backend, written without any test runner, so the same
 * checks run under Vitest (`runConformance`) and directly (the self-test runs them against
 * broken backends). Every failure message names the op, the shapes and what differed.
 */
import type { Backend, DType } from '@twostep/core';

export interface Check {
  /** The area of the contract, e.g. `ops`, `gradients`, `memory`. */
  readonly area: string;
  readonly name: string;
  /** Runs against a fresh backend instance; throws a ConformanceError when it fails. */
  run(backend: Backend): void | Promise<void>;
  /** When given, the check only applies to backends for which it returns true. */
  readonly applies?: (backend: Backend) => boolean;
}

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

/**
 * Tolerances, stated once, from the dtype the backend declares. `op`: one op against the
 * float64 reference, relative to the largest reference magnitude of the result; `closedForm`:
 * the paper's Section 4 gradients (absolute); `gradient`:
 * the F-adjoint against central finite differences (relative norm error); `training`:
 * weights after several steps against the reference run.
 */
export const TOLERANCES: Record<
  DType,
  { op: number; closedForm: number; gradient: number; training: number }
> = {
  // float64: a handful of roundings in ≈1e-16 arithmetic (op, closedForm: absolute on values
  // of order 1); five-point central differences at h = 1e-3 leave an error of order
  // h⁴ + ε/h ≈ 1e-13, well below 1e-7 (gradient); a few training steps compound a few
  // roundings (training).
  float64: { op: 1e-12, closedForm: 1e-12, gradient: 1e-7, training: 1e-10 },
  // float32: ε = 1.2e-7; a sum of k products is off by up to ≈ k·ε relative to the largest
  // term, so 64 terms stay within 1e-5 (op, closedForm); the F-adjoint of a small network
  // compounds a few such errors (gradient, 1e-4); a few training steps, a few more (training).
  float32: { op: 1e-5, closedForm: 1e-5, gradient: 1e-4, training: 1e-4 },
};

export const tolerance = (backend: Backend) => TOLERANCES[backend.dtype];

/**
 * `actual` equals `expected` entry by entry within `tol` times the largest |expected| (at
 * least 1 for tiny results). NaN must match NaN, ±Infinity must match exactly.
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
