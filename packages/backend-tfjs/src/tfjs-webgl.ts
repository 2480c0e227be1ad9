/** `tfjs-webgl`'s TensorFlow.js part: registers tfjs's WebGL backend and starts it. */
import '@tensorflow/tfjs-backend-webgl';
import type { BackendOptions } from '@twostep/core/backend';
import type { TfjsBackend } from './backend.js';
import { createTfjsBackend } from './create.js';
import { descriptor } from './webgl.js';

export function createBackend(options?: BackendOptions): Promise<TfjsBackend> {
  return createTfjsBackend(
    'webgl',
    options,
    descriptor.check() ??
      'This browser could not create a WebGL context (WebGL disabled or no GPU): use tfjs-wasm or tfjs-cpu.',
  );
}
