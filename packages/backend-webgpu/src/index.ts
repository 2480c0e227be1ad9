/// <reference types="@webgpu/types" />
/**
 * @twostep/backend-webgpu: the two-step rule on the GPU through WebGPU, float32, with this
 * package's own WGSL compute shaders. This entry is small: `create` imports the backend.
 */
import type { BackendDescriptor } from '@twostep/core/backend';
import type { WebgpuBackend } from './backend.js';
import type { WebgpuBackendOptions } from './create.js';
import { webgpuUnavailable } from './environment.js';

export type { WebgpuBackend } from './backend.js';
export type { WebgpuBackendOptions } from './create.js';
export { webgpuUnavailable } from './environment.js';
export type { WebgpuMatrix } from './matrix.js';

/** `webgpu` for `defineBackends({ webgpu: () => import('@twostep/backend-webgpu') })`. */
export const descriptor = {
  name: 'webgpu',
  dtypes: ['float32'],
  packages: ['@twostep/backend-webgpu'],
  check: webgpuUnavailable,
  create: async (options?: WebgpuBackendOptions) =>
    (await import('./create.js')).createBackend(options),
} as const satisfies BackendDescriptor<WebgpuBackendOptions>;

/**
 * A backend on a WebGPU device of this browser (float32). Rejects with a
 * BackendUnavailableError that says why where WebGPU or an adapter is missing.
 */
export const createBackend: (options?: WebgpuBackendOptions) => Promise<WebgpuBackend> =
  descriptor.create;
