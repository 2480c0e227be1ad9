import { BackendUnavailableError } from '@twostep/core';
import { expect, it } from 'vitest';
import { createBackend } from '../src/wasm.js';
import { WASM_FILES } from './wasm-files.js';

// Its own file, so its own page and TensorFlow.js engine.
it('refuses wasmPaths that serve no .wasm file without starting tfjs, so a retry works', async () => {
  for (const wasmPaths of [
    '/nowhere/',
    { ...WASM_FILES, 'tfjs-backend-wasm-simd.wasm': '/x.wasm' },
  ]) {
    const error = await createBackend({ wasmPaths }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(
      /^tfjs-wasm: the \.wasm file TensorFlow\.js would load, \/(nowhere\/tfjs-backend-wasm-simd|x)\.wasm, is not served \((HTTP 404|the server answered with an HTML page .*)\)\. .*a retry with the right wasmPaths works\.$/,
    );
  }
  const backend = await createBackend({ wasmPaths: WASM_FILES });
  const a = backend.fromArray([1, 2, 3, 4], 2, 2);
  const product = backend.matMul(a, a);
  expect([...(await backend.read(product))]).toEqual([7, 10, 15, 22]);
  backend.dispose(a);
  backend.dispose(product);
});
