import { BackendUnavailableError } from '@twostep/core';
import { expect, it, vi } from 'vitest';
import { createBackend } from '../src/wasm.js';

// Its own file, so its own TensorFlow.js engine: a wasm backend that failed to start stays failed.
it('says where it looked when the .wasm files are missing', async () => {
  // tfjs reports the failed fetch on the console before resolving to false; keep it quiet.
  const quiet = [vi.spyOn(console, 'warn'), vi.spyOn(console, 'error'), vi.spyOn(console, 'log')];
  for (const spy of quiet) spy.mockImplementation(() => {});
  const error = await createBackend({ wasmPaths: '/nonexistent/' }).catch((e: unknown) => e);
  for (const spy of quiet) spy.mockRestore();
  expect(error).toBeInstanceOf(BackendUnavailableError);
  expect((error as Error).message).toBe(
    'tfjs-wasm: TensorFlow.js could not start its \'wasm\' backend. Its .wasm files were not found under wasmPaths "/nonexistent/": serve the files of @tensorflow/tfjs-backend-wasm/dist there, or fix the prefix (it ends in "/").',
  );
});
