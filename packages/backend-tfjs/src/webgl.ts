/**
 * `tfjs-webgl`: TensorFlow.js's WebGL backend, on the GPU of a browser (WebGL2 preferred). This
 * entry imports no TensorFlow.js code: `create` does, so that a missing package is named.
 */
import type { BackendDescriptor, BackendOptions } from '@twostep/core/backend';
import type { TfjsBackend } from './backend.js';

export const descriptor = {
  name: 'tfjs-webgl',
  dtypes: ['float32'],
  // tfjs-backend-webgl brings tfjs-backend-cpu itself (a dependency of its own).
  packages: ['@twostep/backend-tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgl'],
  // A page has a DOM, a worker OffscreenCanvas; Node has neither.
  check: () =>
    typeof document === 'undefined' && typeof OffscreenCanvas === 'undefined'
      ? 'WebGL needs a browser page or worker (TensorFlow.js registers its WebGL backend only there): in Node, use tfjs-cpu or tfjs-wasm.'
      : undefined,
  create: async (options) => (await import('./tfjs-webgl.js')).createBackend(options),
} as const satisfies BackendDescriptor;

export const createBackend: (options?: BackendOptions) => Promise<TfjsBackend> = descriptor.create;
