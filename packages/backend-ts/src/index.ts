/**
 * @twostep/backend-ts: the reference backend for @twostep/core, in plain TypeScript over
 * Float32Array or Float64Array, with no dependencies.
 */
import type { BackendDescriptor } from '@twostep/core/backend';
import { DTYPES, TsBackend, type TsBackendOptions } from './backend.js';

export { TsBackend, type TsBackendOptions } from './backend.js';
export { DEFAULT_POOL_BYTES, Heap, type Store } from './heap.js';
export { TsMatrix } from './matrix.js';
export { defaultThreads } from './threads.js';

/** A backend computing in `dtype` (default float32); float16 and other dtypes throw a DTypeError. */
export function createBackend(options: TsBackendOptions = {}): TsBackend {
  return new TsBackend(options);
}

/** `ts` for `defineBackends({ ts: () => import('@twostep/backend-ts') })`: runs everywhere. */
export const descriptor = {
  name: 'ts',
  dtypes: DTYPES,
  packages: ['@twostep/backend-ts'],
  create: createBackend,
} as const satisfies BackendDescriptor<TsBackendOptions>;
