/** `tfjs-webgl`'s TensorFlow.js part: registers tfjs's WebGL backend and starts it. */
import '@tensorflow/tfjs-backend-webgl';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendOptions } from '@twostep/core/backend';
import type { TfjsBackend } from './backend.js';
import { createTfjsBackend } from './create.js';
import { descriptor } from './webgl.js';

export function createBackend(options?: BackendOptions): Promise<TfjsBackend> {
  // tfjs 4.22's packed array ops (concat, slice) can leave a texture whose odd rows a packed
  // matMul then reads wrong: ∂J/∂Wh = δdown_h · X̂(h−1)ᵀ came out 5% off on two of six columns
  // (the suite's gradient case seed 8). Unpacked array ops keep every product right.
  tf.env().set('WEBGL_PACK_ARRAY_OPERATIONS', false);
  return createTfjsBackend(
    'webgl',
    options,
    descriptor.check() ??
      'This browser could not create a WebGL context (WebGL disabled or no GPU): use tfjs-wasm or tfjs-cpu.',
  );
}
