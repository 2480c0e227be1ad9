import { Network, sgd, train } from '@twostep/core';
import { BackendUnavailableError, ResourceLimitError } from '@twostep/core/backend';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../src/index.js';

describe('the device', () => {
  it('names its adapter in the description', async () => {
    const backend = await createBackend();
    expect(backend.adapter.length).toBeGreaterThan(0);
    expect(backend.description).toBe(`webgpu float32 · ${backend.adapter}`);
    backend.close();
  });

  it('after close, every op and a read already waiting fail with an error that says so', async () => {
    const backend = await createBackend();
    const m = backend.fromArray([1, 2, 3, 4], 2, 2);
    const waiting = backend.read(backend.matMul(m, m));
    backend.close();
    for (const op of [() => backend.fill(1, 1, 0), () => backend.unary('exp', m)]) {
      expect(op).toThrow(BackendUnavailableError);
      expect(op).toThrow(/backend was closed.*Create a new backend/);
    }
    await expect(waiting).rejects.toThrow(BackendUnavailableError);
    await expect(backend.read(m)).rejects.toThrow(/backend was closed/);
  });

  it('a matrix larger than the device binds is a ResourceLimitError before any allocation', async () => {
    const backend = await createBackend();
    const before = backend.gpuMemory();
    expect(() => backend.fill(100_000, 100_000, 0)).toThrow(ResourceLimitError);
    expect(() => backend.fill(100_000, 100_000, 0)).toThrow(/40,000,000,000 bytes/);
    expect(backend.gpuMemory()).toEqual(before);
    expect(backend.memory()).toEqual({ matrices: 0, bytes: 0 });
    backend.close();
  });

  it('a product wider than one dispatch reaches is a ResourceLimitError naming the limit', async () => {
    const backend = await createBackend();
    const [a, b] = [backend.fill(1, 1, 2), backend.fill(1, 4_200_000, 1)];
    const before = backend.memory();
    const product = () => backend.matMul(a, b);
    expect(product).toThrow(ResourceLimitError);
    expect(product).toThrow(
      /matMul: a 1×4200000 product is beyond one dispatch \(4,194,240 rows and 4,194,240 columns at most\)/,
    );
    expect(backend.memory()).toEqual(before);
    backend.close();
  });
});

describe('memory over a long run', () => {
  it('is flat over 10,000 training steps: matrices, bytes and GPU buffers', async () => {
    const backend = await createBackend();
    const samples = 64;
    const inputs = Array.from({ length: samples }, (_, s) => [Math.sin(s), Math.cos(s), s / 64]);
    const targets = inputs.map(([x]) => (x! > 0 ? [1, 0] : [0, 1]));
    const net = Network.create({ architecture: [3, 5, 2], activation: 'tanh', seed: 3 });
    const options = {
      loss: 'softmaxCrossEntropy',
      optimizer: sgd({ learningRate: 0.1 }),
      batchSize: 4,
      shuffle: false,
    } as const;
    await train(backend, net, { inputs, targets }, { ...options, epochs: 2 }); // 32 steps
    const memory = backend.memory();
    const buffers = backend.gpuMemory();
    const result = await train(backend, net, { inputs, targets }, { ...options, epochs: 625 });
    expect(result.history).toHaveLength(625); // 625 epochs of 16 steps
    expect(backend.memory()).toEqual(memory);
    expect(backend.gpuMemory()).toEqual(buffers);
    backend.close();
  }, 600_000);
});
