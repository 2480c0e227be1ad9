import * as tf from '@tensorflow/tfjs-core';
import { Network, train } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { createBackend as createCpu } from '../src/cpu.js';
import { createBackend as createWebgl } from '../src/webgl.js';
import { CASES, expectSameTraining } from './agreement.js';

describe('tfjs-webgl in Chromium', () => {
  it('computes on WebGL2 with float32 render targets and declares no readSync', async () => {
    const backend = await createWebgl();
    const m = backend.fromArray([1, 2, 3, 4, 5, 6], 2, 3);
    const product = backend.matMul(m, m, { transposeB: true });
    expect(tf.getBackend()).toBe('webgl');
    expect(tf.env().getNumber('WEBGL_VERSION')).toBe(2);
    expect(tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')).toBe(true);
    expect([...(await backend.read(product))]).toEqual([14, 32, 32, 77]);
    expect(backend.supports.readSync).toBe(false);
    expect(backend.readSync).toBeUndefined();
    backend.dispose(m);
    backend.dispose(product);
  });

  it('activate(leakyRelu) is ±∞ at ±∞ (tf.leakyRelu gave NaN there)', async () => {
    const backend = await createWebgl();
    const y = backend.fromArray([Infinity, -Infinity, 2, -2, 0], 1, 5);
    const x = backend.activate(y, { kind: 'leakyRelu', alpha: 0.25 });
    expect([...(await backend.read(x))]).toEqual([Infinity, -Infinity, 2, -0.5, 0]);
    backend.dispose(y);
    backend.dispose(x);
  });

  it('keeps tensors and GPU textures flat across 400 training steps', async () => {
    const backend = await createWebgl();
    const net = Network.create({ architecture: 'A[5,16,3]', activation: 'relu', seed: 4 });
    const inputs = Array.from({ length: 32 }, (_, i) =>
      [0, 1, 2, 3, 4].map((j) => Math.sin(i + j)),
    );
    const targets = inputs.map(([a, b]) => {
      const k = a! > 0 ? 0 : b! > 0 ? 1 : 2;
      return [0, 1, 2].map((j) => (j === k ? 1 : 0));
    });
    const before = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
    const seen = new Set<string>();
    await train(
      backend,
      net,
      { inputs, targets },
      {
        loss: 'softmaxCrossEntropy',
        optimizer: { name: 'adam', learningRate: 0.01 },
        batchSize: 8, // 4 steps per epoch
        epochs: 100,
        onEpoch: ({ epoch }) => {
          const { numTensors, numBytesInGPU } = tf.memory() as typeof before;
          if (epoch > 2) seen.add(`${numTensors} tensors, ${numBytesInGPU} bytes in GPU textures`);
        },
      },
    );
    expect([...seen]).toHaveLength(1);
    net.release(backend);
    const after = tf.memory() as typeof before;
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytesInGPU).toBe(before.numBytesInGPU);
  });
});

describe.each([
  ['tfjs-webgl', createWebgl],
  ['tfjs-cpu', createCpu],
])('%s in Chromium trains as backend-ts float32 does', (_name, create) => {
  it.each(CASES)('100 steps of $name end with the same weights', async (c) => {
    await expectSameTraining(await create(), c);
  });
});
