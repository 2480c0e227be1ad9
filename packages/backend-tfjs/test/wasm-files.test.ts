import { BackendUnavailableError } from '@twostep/core';
import { expect, it, vi } from 'vitest';
import { createBackend } from '../src/wasm.js';

// Its own file, so its own TensorFlow.js engine: a wasm backend that failed to start stays failed.
it('takes a URL per .wasm file, and names them when they are missing', async () => {
  const quiet = [vi.spyOn(console, 'warn'), vi.spyOn(console, 'error'), vi.spyOn(console, 'log')];
  for (const spy of quiet) spy.mockImplementation(() => {});
  const wasmPaths = {
    'tfjs-backend-wasm.wasm': '/nowhere/a.wasm',
    'tfjs-backend-wasm-simd.wasm': '/nowhere/b.wasm',
    'tfjs-backend-wasm-threaded-simd.wasm': '/nowhere/c.wasm',
  };
  const error = await createBackend({ wasmPaths }).catch((e: unknown) => e);
  for (const spy of quiet) spy.mockRestore();
  expect(error).toBeInstanceOf(BackendUnavailableError);
  expect((error as Error).message).toBe(
    `tfjs-wasm: TensorFlow.js could not start its 'wasm' backend. Its .wasm files were not found at wasmPaths ${JSON.stringify(wasmPaths)}: serve the files of @tensorflow/tfjs-backend-wasm/dist at those URLs.`,
  );
});
