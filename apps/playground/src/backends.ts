/**
 * The backends the page offers, declared for the core's `loadBackend`: one static `import()`
 * each, so the bundler splits each backend into its own chunk and the worker fetches only the
 * one the config picks.
 */
import { type Backend, type BackendModule, defineBackends, loadBackend } from '@twostep/core';
import type { BackendChoice, BackendName } from './config.js';
import { WASM_FILES } from './wasm-files.js';

export const BACKENDS = defineBackends({
  ts: () => import('@twostep/backend-ts'),
  webgpu: () => import('@twostep/backend-webgpu'),
  'tfjs-cpu': () => import('@twostep/backend-tfjs/cpu'),
  'tfjs-webgl': () => import('@twostep/backend-tfjs/webgl'),
  'tfjs-webgpu': () => import('@twostep/backend-tfjs/webgpu'),
  'tfjs-wasm': () => import('@twostep/backend-tfjs/wasm'),
} satisfies Record<BackendName, () => Promise<BackendModule>>);

/** Creates the chosen backend; errors are the core's (BackendUnavailableError, …). */
export async function createChosenBackend(choice: BackendChoice): Promise<Backend> {
  // tfjs-wasm's threaded build fails once bundled: see tfjs-wasm-one-thread.ts.
  if (choice.backend === 'tfjs-wasm') {
    (await import('./tfjs-wasm-one-thread.js')).tfjsWasmOnOneThread();
  }
  return loadBackend(
    {
      backend: choice.backend,
      ...(choice.dtype !== 'default' && { dtype: choice.dtype }),
      // Only ts takes threads (the choice's checks refuse them elsewhere).
      ...(choice.backend === 'ts' && choice.threads !== 'default' && { threads: choice.threads }),
      // Vite renames the .wasm files it serves: hand tfjs each one's URL.
      ...(choice.backend === 'tfjs-wasm' && { wasmPaths: WASM_FILES }),
    },
    BACKENDS,
  );
}
