/**
 * `tfjs-wasm`'s TensorFlow.js part: registers tfjs's WASM backend and starts it.
 *
 * tfjs-backend-wasm 4.22 cannot start again in the same page or process once a start has failed
 * (its module keeps the failure; `setWasmPaths` then throws "already initialized"). So, in a
 * page, the file tfjs will fetch is checked first, and a wrong `wasmPaths` is an error that
 * leaves tfjs untouched, to be retried with the right one; a start that fails all the same is
 * remembered, and a retry says to reload rather than handing over tfjs's raw error.
 */

import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, checkDType } from '@twostep/core/backend';
import type { TfjsBackend } from './backend.js';
import { createTfjsBackend } from './create.js';
import type { WasmBackendOptions, WasmFiles } from './wasm.js';

/** The error of tfjs's WASM backend's failed start here, once it has failed. */
let failedStart: unknown;

const inPage = () => typeof (globalThis as { location?: unknown }).location !== 'undefined';

/** The `.wasm` file tfjs will fetch: threaded SIMD, SIMD or plain, by what this runtime has. */
async function wasmFile(wasmPaths: string | WasmFiles): Promise<string> {
  const [simd, threads] = await Promise.all([
    tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
  ]);
  const file: keyof WasmFiles =
    simd && threads
      ? 'tfjs-backend-wasm-threaded-simd.wasm'
      : simd
        ? 'tfjs-backend-wasm-simd.wasm'
        : 'tfjs-backend-wasm.wasm';
  return typeof wasmPaths === 'string' ? `${wasmPaths}${file}` : wasmPaths[file];
}

/** Why `url` is not a served `.wasm` file (an HTML page is a server's "not found" fallback). */
async function notServed(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { method: 'HEAD' });
    if (!response.ok) return `HTTP ${response.status}`;
    const type = response.headers.get('content-type') ?? '';
    return type.includes('text/html')
      ? `the server answered with an HTML page (${type})`
      : undefined;
  } catch (error) {
    return String((error as Error).message ?? error);
  }
}

export async function createBackend({
  wasmPaths,
  ...options
}: WasmBackendOptions = {}): Promise<TfjsBackend> {
  checkDType('tfjs-wasm', options.dtype ?? 'float32', ['float32']);
  const again = () =>
    new BackendUnavailableError(
      `tfjs-wasm: TensorFlow.js's WASM backend already failed to start here, and it cannot start again until the ${inPage() ? 'page is reloaded' : 'process restarts'}. Serve its .wasm files and pass wasmPaths on the first start.`,
      { cause: failedStart },
    );
  if (failedStart !== undefined) throw again();
  if (wasmPaths !== undefined) {
    if (inPage()) {
      const url = await wasmFile(wasmPaths);
      const why = await notServed(url);
      if (why !== undefined) {
        throw new BackendUnavailableError(
          `tfjs-wasm: the .wasm file TensorFlow.js would load, ${url}, is not served (${why}). Serve the files of @tensorflow/tfjs-backend-wasm/dist there, or fix wasmPaths; nothing was started, so a retry with the right wasmPaths works.`,
        );
      }
    }
    try {
      setWasmPaths(wasmPaths);
    } catch (error) {
      // "already initialized": another start in this page, not through this package, failed.
      failedStart = error;
      throw again();
    }
  }
  try {
    return await createTfjsBackend(
      'wasm',
      options,
      wasmPaths === undefined
        ? 'Its .wasm files (in @tensorflow/tfjs-backend-wasm/dist) must be reachable: in a page, serve them and pass { wasmPaths: "<url>/" }.'
        : typeof wasmPaths === 'string'
          ? `Its .wasm files were not found under wasmPaths ${JSON.stringify(wasmPaths)}: serve the files of @tensorflow/tfjs-backend-wasm/dist there, or fix the prefix (it ends in "/").`
          : `Its .wasm files were not found at wasmPaths ${JSON.stringify(wasmPaths)}: serve the files of @tensorflow/tfjs-backend-wasm/dist at those URLs.`,
    );
  } catch (error) {
    if (!tf.findBackend('wasm')) failedStart = error;
    throw error;
  }
}
