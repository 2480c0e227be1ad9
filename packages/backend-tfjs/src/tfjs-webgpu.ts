/** `tfjs-webgpu`'s TensorFlow.js part: registers tfjs's WebGPU backend and starts it. */
import '@tensorflow/tfjs-backend-webgpu';
import type { BackendOptions } from '@twostep/core/backend';
import type { TfjsBackend } from './backend.js';
import { createTfjsBackend } from './create.js';
import { descriptor } from './webgpu.js';

export function createBackend(options?: BackendOptions): Promise<TfjsBackend> {
  return createTfjsBackend(
    'webgpu',
    options,
    descriptor.check() ??
      'This browser has WebGPU but gave no GPU adapter (WebGPU disabled or the GPU unsupported): use tfjs-webgl, tfjs-wasm or tfjs-cpu.',
  );
}
