import * as tf from '@tensorflow/tfjs-core';
import { runConformance } from '@twostep/conformance';
import { expect, it } from 'vitest';
import { createBackend } from '../src/webgpu.js';

// Headless Chromium exposes WebGPU (on SwiftShader) with --enable-unsafe-webgpu.
it('computes on WebGPU and declares no readSync', async () => {
  const backend = await createBackend();
  const m = backend.fromArray([1, 2, 3, 4, 5, 6], 2, 3);
  const product = backend.matMul(m, m, { transposeB: true });
  expect(tf.getBackend()).toBe('webgpu');
  expect([...(await backend.read(product))]).toEqual([14, 32, 32, 77]);
  expect(backend.supports.readSync).toBe(false);
  expect(backend.readSync).toBeUndefined();
  backend.dispose(m);
  backend.dispose(product);
});

runConformance({ name: 'tfjs-webgpu', create: createBackend });
