import { BackendUnavailableError, ConfigError, DTypeError } from '@twostep/core/backend';
import { describe, expect, it } from 'vitest';
import { createBackend, descriptor, webgpuUnavailable } from '../src/index.js';

// Node has no navigator.gpu: what an app sees where WebGPU is missing.
describe('where WebGPU is missing', () => {
  it('the descriptor says why, naming navigator.gpu and the backends to use instead', () => {
    const why = descriptor.check();
    expect(why).toBe(webgpuUnavailable());
    expect(why).toMatch(/no navigator\.gpu/);
    expect(why).toMatch(/Use ts/);
  });

  it('createBackend rejects with a BackendUnavailableError saying the same', async () => {
    const error = await createBackend().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toBe(`webgpu: ${webgpuUnavailable()}`);
  });
});

describe('options, checked before any GPU is asked for', () => {
  it('float64 is a DTypeError naming float32', async () => {
    await expect(createBackend({ dtype: 'float64' })).rejects.toThrow(DTypeError);
    await expect(createBackend({ dtype: 'float64' })).rejects.toThrow(/float32/);
  });

  it("another backend's option passes, as loadBackend hands a config shared by every backend", async () => {
    // In Node, the next check says WebGPU is missing: the key itself was not refused.
    const error = await createBackend({ wasmPaths: '/tfjs-wasm/' } as never).catch((e) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
  });

  it('an unknown powerPreference is a ConfigError naming the values', async () => {
    const options = { powerPreference: 'fast' } as never;
    await expect(createBackend(options)).rejects.toThrow(ConfigError);
    await expect(createBackend(options)).rejects.toThrow(/low-power, high-performance/);
  });
});
