import { BackendUnavailableError } from '@twostep/core';
import { expect, it, vi } from 'vitest';
import { createBackend } from '../src/wasm.js';
import { WASM_FILES } from './wasm-files.js';

// Its own file, so its own page and TensorFlow.js engine.
it('after a start that failed inside tfjs, says to reload the page instead of tfjs’s raw error', async () => {
  const quiet = [vi.spyOn(console, 'warn'), vi.spyOn(console, 'error'), vi.spyOn(console, 'log')];
  for (const spy of quiet) spy.mockImplementation(() => {});
  // Without wasmPaths, tfjs looks beside its own (bundled) script, where Vite serves no .wasm.
  const first = await createBackend().catch((e: unknown) => e);
  for (const spy of quiet) spy.mockRestore();
  expect(first).toBeInstanceOf(BackendUnavailableError);
  expect((first as Error).message).toContain('pass { wasmPaths: "<url>/" }');
  const retry = await createBackend({ wasmPaths: WASM_FILES }).catch((e: unknown) => e);
  expect(retry).toBeInstanceOf(BackendUnavailableError);
  expect((retry as Error).message).toBe(
    "tfjs-wasm: TensorFlow.js's WASM backend already failed to start here, and it cannot start again until the page is reloaded. Serve its .wasm files and pass wasmPaths on the first start.",
  );
  expect((retry as Error).cause).toBe(first);
});
