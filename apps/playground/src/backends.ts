/**
 * The built-in backends for the page, through the core's `loadBackend`: each module is a
 * separate dynamic import, so the bundler splits it into its own chunk and the page loads
 * only the backend the config picks.
 */
import { BACKENDS, type Backend, type BackendName, loadBackend } from '@twostep/core';
import type { BackendChoice } from './config.js';

type Modules = { readonly [K in BackendName]: () => Promise<unknown> };

/** Static import() expressions, one per backend (the bundler cannot split `import(name)`). */
const MODULES: Modules = {
  ts: () => import('@twostep/backend-ts'),
  'tfjs-cpu': () => import('@twostep/backend-tfjs/cpu'),
  'tfjs-webgl': () => import('@twostep/backend-tfjs/webgl'),
  // Vite renames the .wasm files it serves: hand tfjs each one's URL.
  'tfjs-wasm': async () => {
    const [wasm, { WASM_FILES }] = await Promise.all([
      import('@twostep/backend-tfjs/wasm'),
      import('./wasm-files.js'),
    ]);
    return {
      createBackend: (options: object) => wasm.createBackend({ ...options, wasmPaths: WASM_FILES }),
    };
  },
};

const bySpecifier = new Map<string, () => Promise<unknown>>(
  (Object.keys(BACKENDS) as BackendName[]).map((name) => [BACKENDS[name].module, MODULES[name]]),
);

/** Creates the chosen backend; errors are the core's (BackendUnavailableError, …). */
export function createChosenBackend(choice: BackendChoice): Promise<Backend> {
  return loadBackend(
    { backend: choice.backend, ...(choice.dtype !== 'default' && { dtype: choice.dtype }) },
    { importModule: (specifier) => bySpecifier.get(specifier)!() },
  );
}
