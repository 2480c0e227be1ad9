/** Shared helpers of the checks: seeded data, uploads and comparisons against the reference. */
import { dispose, Random } from '@twostep/core';
import { type Backend, FUSED_KERNELS, type Matrix } from '@twostep/core/backend';
import { type Host, host, withoutFusedKernels } from '@twostep/core/reference';
import { type Check, type EntryTolerance, expectEntries, fail, OP_ULPS } from './check.js';

/** Seeded host data in [lo, hi). */
export function randomHost(seed: number, rows: number, cols: number, lo = -1, hi = 1): Host {
  const random = new Random(seed);
  return host(rows, cols, () => random.uniform(lo, hi));
}

/** The backend's data of `m` as a float64 host matrix. */
export async function download(backend: Backend, m: Matrix): Promise<Host> {
  return { rows: m.rows, cols: m.cols, data: Float64Array.from(await backend.read(m)) };
}

/** Rounds to what the backend's dtype can hold (float32: Math.fround). */
export const round = (backend: Backend, h: Host): Host =>
  backend.dtype === 'float32' ? { ...h, data: h.data.map(Math.fround) } : h;

/**
 * `m` on the backend must equal `expected` (rounded to the dtype) entry by entry: within
 * `OP_ULPS` of each entry's scale unless `tolerance` says otherwise (see {@link EntryTolerance}).
 */
export async function expectMatrix(
  backend: Backend,
  what: string,
  m: Matrix,
  expected: Host,
  tolerance: Partial<EntryTolerance> = {},
) {
  if (m.rows !== expected.rows || m.cols !== expected.cols) {
    fail(`${what}: the result is ${m.rows}×${m.cols}, expected ${expected.rows}×${expected.cols}.`);
  }
  expectEntries(
    what,
    backend.dtype,
    (await download(backend, m)).data,
    round(backend, expected).data,
    {
      ulps: OP_ULPS,
      cols: m.cols,
      flushesSubnormals: backend.supports.flushesSubnormals === true,
      ...tolerance,
    },
  );
}

/**
 * Runs `body` with a view of the backend that records every op's result; all of them are
 * disposed afterwards, so checks leak nothing.
 */
export async function scoped<T>(
  backend: Backend,
  body: (k: Backend) => Promise<T> | T,
): Promise<T> {
  const created: unknown[] = [];
  const k = new Proxy(backend, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = value.apply(target, args);
        created.push(result);
        return result;
      };
    },
  });
  try {
    return await body(k);
  } finally {
    dispose(backend, created);
  }
}

/** A check in an area. */
export const check = (
  area: string,
  name: string,
  run: Check['run'],
  applies?: Check['applies'],
): Check => (applies ? { area, name, run, applies } : { area, name, run });

/** The backend as it is, and without fused kernels when `supports` declares any. */
export const paths = (backend: Backend): [string, Backend][] =>
  Object.keys(FUSED_KERNELS).some((flag) => backend.supports[flag as keyof typeof FUSED_KERNELS])
    ? [
        ['fused kernels', backend],
        ['basic ops', withoutFusedKernels(backend)],
      ]
    : [['basic ops', backend]];
