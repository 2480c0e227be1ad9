import { type Backend, LOSS_NAMES, type Matrix, tracked } from '@twostep/core';
import { referenceBackend, withoutFusedKernels } from '@twostep/core/reference';

/** The reference backend, seen through the core's scopes (`tidy` frees temporaries). */
export const f64: Backend = tracked(referenceBackend());

/** The same backend with its fused kernels hidden, so the core takes the basic-op path. */
export const f64Unfused: Backend = tracked(withoutFusedKernels(referenceBackend()));

/** A matrix from nested rows (row-major). */
export function matrix(backend: Backend, rows: number[][]): Matrix {
  return backend.fromArray(rows.flat(), rows.length, rows[0]!.length);
}

/** A matrix as nested rows. */
export function rowsOf(backend: Backend, m: Matrix): number[][] {
  const data = backend.readSync!(m);
  return Array.from({ length: m.rows }, (_, i) =>
    Array.from(data.subarray(i * m.cols, (i + 1) * m.cols)),
  );
}

/** The error `fn` throws. */
export function catching(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

/** XOR: four samples, one target each. */
export const XOR = {
  inputs: [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  targets: [[0], [1], [1], [0]],
};

/** The backend, counting the calls of each op. */
export function counting(backend: Backend): { backend: Backend; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(backend, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function' || property === 'dispose') return value;
      return (...args: unknown[]) => {
        calls.set(String(property), (calls.get(String(property)) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return { backend: tracked(proxy), calls };
}

/** What a list of gradient-check cases should span (`gradientCheckCoverage`). */
export const EVERY_CASE = {
  losses: new Set(LOSS_NAMES),
  depths: new Set([1, 2, 3, 4]),
  bias: new Set([true, false]),
};
