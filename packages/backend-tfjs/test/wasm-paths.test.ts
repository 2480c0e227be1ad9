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

it('says, on a retry after that failed start, that the process must restart', async () => {
  // tfjs-backend-wasm keeps the failure: a second start would throw its raw "already initialized".
  for (const options of [{}, { wasmPaths: '/elsewhere/' }]) {
    const error = await createBackend(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toBe(
      "tfjs-wasm: TensorFlow.js's WASM backend already failed to start here, and it cannot start again until the process restarts. Serve its .wasm files and pass wasmPaths on the first start.",
    );
    expect((error as Error).cause).toBeInstanceOf(BackendUnavailableError);
  }
});
