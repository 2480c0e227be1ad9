/** Finding an adapter and a device, and the errors that say why there is none. */
import {
  type BackendOptions,
  BackendUnavailableError,
  checkDType,
  checkOneOf,
} from '@twostep/core/backend';
import { DTYPES, WebgpuBackend } from './backend.js';
import { webgpuUnavailable } from './environment.js';

export interface WebgpuBackendOptions extends BackendOptions {
  /** Which adapter to ask the browser for, where it has several (a laptop's two GPUs). */
  readonly powerPreference?: GPUPowerPreference;
}

const POWER_PREFERENCES = ['low-power', 'high-performance'] as const;

/** The adapter as one line: vendor, architecture, device and description, where given. */
function describe(info: GPUAdapterInfo | undefined): string {
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description];
  const named = [...new Set(parts.filter((part) => part))];
  return named.length > 0 ? named.join(' ') : 'an adapter that gives no name';
}

export async function createBackend(options: WebgpuBackendOptions = {}): Promise<WebgpuBackend> {
  // Keys of other backends pass: loadBackend hands a config shared by every backend an app
  // offers (`{ backend: name, wasmPaths }`) to whichever is picked.
  const { dtype = 'float32', powerPreference } = options;
  checkDType('webgpu', dtype, DTYPES);
  if (powerPreference !== undefined) {
    checkOneOf('webgpu', 'powerPreference', powerPreference, POWER_PREFERENCES);
  }
  const why = webgpuUnavailable();
  if (why) throw new BackendUnavailableError(`webgpu: ${why}`);
  const adapter = await navigator.gpu.requestAdapter(
    powerPreference ? { powerPreference } : undefined,
  );
  if (!adapter) {
    throw new BackendUnavailableError(
      'webgpu: this browser has WebGPU but gave no adapter (no GPU it supports, or WebGPU disabled in its settings or by policy). Use ts, or tfjs-webgl.',
    );
  }
  // The largest buffers the adapter allows, rather than WebGPU's default 128 MiB bindings.
  const { maxStorageBufferBindingSize, maxBufferSize } = adapter.limits;
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      requiredLimits: { maxStorageBufferBindingSize, maxBufferSize },
    });
  } catch (cause) {
    throw new BackendUnavailableError(
      `webgpu: the adapter (${describe(adapter.info)}) refused a device: ${(cause as Error).message}. Use ts, or tfjs-webgl.`,
      { cause },
    );
  }
  return new WebgpuBackend(device, describe(adapter.info));
}
