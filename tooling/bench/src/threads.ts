/**
 * backend-ts's threads, for `ts-float32-threads` and the ceiling: `createBackend({ threads })`,
 * `backend.threads` (what it really runs on, which `description` explains when fewer), and
 * `close()` (ends its workers). Other backends compute on one thread here.
 */
import { createBackend } from '@twostep/backend-ts';
import type { Backend } from '@twostep/core';

export { defaultThreads } from '@twostep/backend-ts';

/** A backend-ts backend on `threads` threads; the caller `close`s it. */
export const tsBackend = (dtype: 'float32' | 'float64', threads: number): Backend =>
  createBackend({ dtype, threads });

type Threaded = Backend & { readonly threads: number; readonly description: string; close(): void };
const threaded = (backend: Backend): backend is Threaded =>
  typeof (backend as Partial<Threaded>).threads === 'number';

/** The threads `backend` computes with: backend-ts's `threads`, else 1. */
export const threadsOf = (backend: Backend): number => (threaded(backend) ? backend.threads : 1);

/** Ends a backend-ts backend's workers. */
export function close(backend: Backend): void {
  if (threaded(backend)) backend.close();
}

/** The note of a run that asked for more threads than the backend ran: its `description`. */
export function threadsNote(requested: number, backend: Backend): string | undefined {
  if (!threaded(backend) || backend.threads >= requested) return undefined;
  return `asked for ${requested} threads: ${backend.description}.`;
}
