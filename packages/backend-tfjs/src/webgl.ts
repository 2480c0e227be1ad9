/** `tfjs-webgl`: TensorFlow.js's WebGL backend, on the GPU of a browser (WebGL2 preferred). */
import '@tensorflow/tfjs-backend-webgl';
import type { BackendOptions } from '@twostep/core';
import type { TfjsBackend } from './backend.js';
import { createTfjsBackend } from './create.js';

export function createBackend(options?: BackendOptions): Promise<TfjsBackend> {
  return createTfjsBackend(
    'webgl',
    options,
    typeof document === 'undefined' && typeof OffscreenCanvas === 'undefined'
      ? 'WebGL needs a browser (tfjs registers its WebGL backend only in one): run this in a page or a worker, or use tfjs-cpu or tfjs-wasm in Node.'
      : 'This browser could not create a WebGL context (WebGL disabled or no GPU): use tfjs-wasm or tfjs-cpu.',
  );
}
