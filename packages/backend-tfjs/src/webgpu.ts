/**
 * `tfjs-webgpu`: TensorFlow.js's WebGPU backend, on the GPU of a browser that exposes WebGPU.
 * This entry imports no TensorFlow.js code: `create` does, so that a missing package is named.
 */
import type { BackendDescriptor, BackendOptions } from '@twostep/core/backend';
import type { TfjsBackend } from './backend.js';

export const descriptor = {
  name: 'tfjs-webgpu',
  dtypes: ['float32'],
  // tfjs-backend-webgpu brings tfjs-backend-cpu itself (a dependency of its own).
  packages: ['@twostep/backend-tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu'],
  // tfjs registers its WebGPU backend only where `navigator.gpu` exists; Node has none.
  check: () =>
    typeof navigator === 'undefined' || !(navigator as { gpu?: unknown }).gpu
      ? 'WebGPU needs a browser that exposes it as navigator.gpu (TensorFlow.js registers its WebGPU backend only there): in Node, use tfjs-cpu or tfjs-wasm; in a browser without WebGPU, tfjs-webgl.'
      : undefined,
  create: async (options) => (await import('./tfjs-webgpu.js')).createBackend(options),
} as const satisfies BackendDescriptor;

export const createBackend: (options?: BackendOptions) => Promise<TfjsBackend> = descriptor.create;
