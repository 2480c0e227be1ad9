/** `tfjs-wasm`: TensorFlow.js's WebAssembly backend (XNNPACK, SIMD where available). */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendOptions } from '@twostep/core';
import type { TfjsBackend } from './backend.js';
import { createTfjsBackend } from './create.js';

export interface WasmBackendOptions extends BackendOptions {
  /**
   * Where the `.wasm` files of @tensorflow/tfjs-backend-wasm are served from (see tfjs's
   * `setWasmPaths`): a URL prefix ending in `/`, or a URL per file name (what a bundler that
   * renames assets gives, e.g. Vite's `?url` imports). Node finds them in node_modules by
   * itself; a bundled page usually needs it.
   */
  readonly wasmPaths?: string | WasmFiles;
}

/** The URL of each `.wasm` file of @tensorflow/tfjs-backend-wasm (tfjs asks for all three). */
export type WasmFiles = {
  readonly [name in
    | 'tfjs-backend-wasm.wasm'
    | 'tfjs-backend-wasm-simd.wasm'
    | 'tfjs-backend-wasm-threaded-simd.wasm']: string;
};

export function createBackend({
  wasmPaths,
  ...options
}: WasmBackendOptions = {}): Promise<TfjsBackend> {
  if (wasmPaths !== undefined) setWasmPaths(wasmPaths);
  return createTfjsBackend(
    'wasm',
    options,
    wasmPaths === undefined
      ? 'Its .wasm files (in @tensorflow/tfjs-backend-wasm/dist) must be reachable: in a page, serve them and pass { wasmPaths: "<url>/" }.'
      : typeof wasmPaths === 'string'
        ? `Its .wasm files were not found under wasmPaths ${JSON.stringify(wasmPaths)}: serve the files of @tensorflow/tfjs-backend-wasm/dist there, or fix the prefix (it ends in "/").`
        : `Its .wasm files were not found at wasmPaths ${JSON.stringify(wasmPaths)}: serve the files of @tensorflow/tfjs-backend-wasm/dist at those URLs.`,
  );
}
