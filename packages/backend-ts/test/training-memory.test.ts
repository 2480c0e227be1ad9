import { adam, Network, train } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../src/index.js';

describe('memory across training', () => {
  it.each(['float32', 'float64'] as const)(
    '%s: live matrices and bytes stay flat over 1,000 steps',
    async (dtype) => {
      const backend = createBackend({ dtype });
      const before = backend.memory();
      const net = Network.create({
        architecture: 'A[4,6,5,3]',
        activation: 'tanh',
        outputActivation: 'identity',
        seed: 1,
      });
      const inputs = Array.from({ length: 40 }, (_, i) => [
        Math.sin(i),
        Math.cos(i),
        i / 40,
        1 - i / 40,
      ]);
      const targets = inputs.map((_, i) => [
        i % 3 === 0 ? 1 : 0,
        i % 3 === 1 ? 1 : 0,
        i % 3 === 2 ? 1 : 0,
      ]);
      const seen: { matrices: number; bytes: number }[] = [];
      await train(
        backend,
        net,
        { inputs, targets },
        {
          loss: 'softmaxCrossEntropy',
          optimizer: adam({ learningRate: 0.01 }),
          mode: 'layerwise',
          batchSize: 8, // 5 steps per epoch
          epochs: 200,
          onBatch: ({ batch }) => {
            if (batch === 5) seen.push(backend.memory());
          },
        },
      );
      expect(seen).toHaveLength(200);
      // Same live set at the end of every epoch: nothing accumulates step to step.
      expect(new Set(seen.map((m) => `${m.matrices}/${m.bytes}`)).size).toBe(1);
      // After training, only the network's device weights (3 matrices) remain; release frees them.
      expect(backend.memory().matrices).toBe(before.matrices + 3);
      net.release(backend);
      expect(backend.memory()).toEqual(before);
    },
  );
});
