/**
 * `tfjs-cpu`: TensorFlow.js's plain JavaScript CPU backend, in Node and in browsers. This entry
 * imports no TensorFlow.js code: `create` does, so that a missing package is named.
 */
import type { BackendDescriptor, BackendOptions } from '@twostep/core/backend';
import type { TfjsBackend } from './backend.js';

export const descriptor = {
  name: 'tfjs-cpu',
  dtypes: ['float32'],
  packages: ['@twostep/backend-tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu'],
  create: async (options) => (await import('./tfjs-cpu.js')).createBackend(options),
} as const satisfies BackendDescriptor;

export const createBackend: (options?: BackendOptions) => Promise<TfjsBackend> = descriptor.create;
