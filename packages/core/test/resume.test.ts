import {
  ConfigError,
  type LearningMode,
  Network,
  type OptimizerConfig,
  type SavedOptimizerState,
  train,
} from '@twostep/core';
import { referenceBackend } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';

const backend = referenceBackend();

// 40 samples of a fixed rule, batch 8: 5 shuffled batches per epoch.
const data = (() => {
  const inputs = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(3 * i), (i % 7) / 7]);
  const targets = inputs.map(([a, b]) => (a! * b! > 0 ? [1, 0] : [0, 1]));
  return { inputs, targets };
})();
const create = () => Network.create({ architecture: 'A[3,5,2]', activation: 'tanh', seed: 9 });

describe('resuming from a checkpoint', () => {
  it.each([
    [{ name: 'sgd', learningRate: 0.1 }, 'global'],
    [{ name: 'momentum', learningRate: 0.05 }, 'layerwise'],
    [{ name: 'adam', learningRate: 0.01 }, 'global'],
    [{ name: 'adam', learningRate: 0.01 }, 'layerwise'],
  ] as [OptimizerConfig, LearningMode][])(
    '%o in %s mode: 3 epochs + 3 resumed equal 6 in one run, bit for bit',
    async (optimizer, mode) => {
      const options = {
        loss: 'softmaxCrossEntropy',
        optimizer,
        mode,
        batchSize: 8,
        seed: 4,
      } as const;
      const whole = create();
      const uninterrupted = await train(backend, whole, data, { ...options, epochs: 6 });

      // The checkpoint after epoch 3, through JSON as a file would hold it.
      const first = create();
      let checkpoint = '';
      await train(backend, first, data, {
        ...options,
        epochs: 6,
        onEpoch: async (event) => {
          if (event.epoch !== 3) return;
          checkpoint = JSON.stringify({
            weights: first.getWeights(),
            optimizer: await event.saveOptimizer(),
          });
          throw new Error('stopped');
        },
      }).catch((error: Error) => expect(error.message).toBe('stopped'));
      const saved = JSON.parse(checkpoint) as {
        weights: number[][][];
        optimizer: SavedOptimizerState;
      };
      expect(saved.optimizer.layers.map((l) => l.steps)).toEqual([15, 15]);

      const resumed = create();
      resumed.setWeights(saved.weights);
      const rest = await train(backend, resumed, data, {
        ...options,
        epochs: 6,
        initialEpoch: 3,
        optimizerState: saved.optimizer,
      });
      expect(rest.history.map((e) => e.epoch)).toEqual([4, 5, 6]);
      expect(rest.history.map((e) => e.loss)).toEqual(
        uninterrupted.history.slice(3).map((e) => e.loss),
      );
      expect(resumed.getWeights()).toEqual(whole.getWeights());
      // Without the optimizer state (or the skipped orders) the run differs.
      const fresh = create();
      fresh.setWeights(saved.weights);
      await train(backend, fresh, data, { ...options, epochs: 6, initialEpoch: 3 });
      if (optimizer.name !== 'sgd') expect(fresh.getWeights()).not.toEqual(whole.getWeights());
      const reshuffled = create();
      reshuffled.setWeights(saved.weights);
      await train(backend, reshuffled, data, {
        ...options,
        epochs: 3,
        optimizerState: saved.optimizer,
      });
      expect(reshuffled.getWeights()).not.toEqual(whole.getWeights());
    },
  );

  it('rejects a state that does not fit, naming what differs', async () => {
    const net = create();
    let saved: SavedOptimizerState | undefined;
    await train(backend, net, data, {
      optimizer: { name: 'adam' },
      onEpoch: async (e) => {
        saved = await e.saveOptimizer();
      },
    });
    net.release(backend);
    const state = saved!;
    const before = backend.memory();
    const run = async (optimizerState: unknown, optimizer: OptimizerConfig = { name: 'adam' }) => {
      const fresh = create();
      try {
        await train(backend, fresh, data, {
          optimizer,
          optimizerState: optimizerState as SavedOptimizerState,
        });
      } finally {
        fresh.release(backend);
      }
    };
    await expect(run(state, { name: 'sgd' })).rejects.toThrow(
      'optimizer state: it was saved by "adam", not sgd; resume with the same optimizer.',
    );
    await expect(run({ ...state, layers: state.layers.slice(1) })).rejects.toThrow(
      'optimizer state: it has 1 layers, the network 2.',
    );
    const short = { ...state, layers: [{ ...state.layers[0]!, slots: [[1, 2]] }, state.layers[1]] };
    await expect(run(short)).rejects.toThrow(
      'optimizer state: layer 1: adam keeps 2 moment matrices, found 1.',
    );
    const wrongSize = {
      ...state,
      layers: [state.layers[0], { ...state.layers[1]!, slots: [[1], state.layers[1]!.slots[1]] }],
    };
    await expect(run(wrongSize)).rejects.toThrow(
      'optimizer state: layer 2, moment 1: expected 2×6 = 12 finite numbers.',
    );
    await expect(
      run({ ...state, layers: [{ ...state.layers[0]!, steps: -1 }, state.layers[1]] }),
    ).rejects.toThrow(ConfigError);
    await expect(train(backend, create(), data, { epochs: 2, initialEpoch: 3 })).rejects.toThrow(
      'initialEpoch 3 is past epochs 2',
    );
    // Nothing leaked on the way out.
    expect(backend.memory()).toEqual(before);
  });
});
