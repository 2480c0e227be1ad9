/**
 * `tfjs-wasm`: TensorFlow.js's WebAssembly backend (XNNPACK, SIMD where available). This entry
 * imports no TensorFlow.js code: `create` does, so that a missing package is named.
 */
import type { BackendDescriptor, BackendOptions } from '@twostep/core/backend';
import type { TfjsBackend } from './backend.js';

export interface WasmBackendOptions extends BackendOptions {
  /**
   * Where the `.wasm` files of @tensorflow/tfjs-backend-wasm are served from (see tfjs's
   * `setWasmPaths`): a URL prefix ending in `/`, or a URL per file name (what a bundler that
   * renames assets gives, e.g. Vite's `?url` imports). Node finds them in node_modules by
   * itself; a bundled page needs it.
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

export const descriptor = {
  name: 'tfjs-wasm',
  dtypes: ['float32'],
  // tfjs-backend-wasm brings tfjs-backend-cpu itself (a dependency of its own).
  packages: ['@twostep/backend-tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm'],
  create: async (options?: WasmBackendOptions) =>
    (await import('./tfjs-wasm.js')).createBackend(options),
} as const satisfies BackendDescriptor<WasmBackendOptions>;

export const createBackend: (options?: WasmBackendOptions) => Promise<TfjsBackend> =
  descriptor.create;
