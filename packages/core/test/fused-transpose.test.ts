/**
 * Batches uploaded through `fromColumns` (`supports.fusedTranspose`: samples laid one after
 * another, transposed by the backend) and gathered into columns by the core for `fromArray`:
 * the same matrices, so the same training, evaluation and predictions, bit for bit.
 */
import { evaluate, Network, predict, sgd, toColumns, train } from '@twostep/core';
import { referenceBackend, withoutFusedKernels } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import { counting, rowsOf } from './helpers.js';

/** 23 samples of 5 inputs and 3 one-hot targets (a batch of 8 leaves a last batch of 7). */
const data = {
  inputs: Array.from({ length: 23 }, (_, s) =>
    Float32Array.from({ length: 5 }, (_, i) => Math.sin(s * 1.3 + i) * (1 + i)),
  ),
  targets: Array.from({ length: 23 }, (_, s) => [0, 1, 2].map((c) => (s % 3 === c ? 1 : 0))),
};

const both = () => {
  const fused = counting(referenceBackend());
  const basic = counting(withoutFusedKernels(referenceBackend(), ['fusedTranspose']));
  return { fused, basic };
};

describe('batches through fromColumns and through fromArray', () => {
  it('toColumns gives the same matrix, uploaded through fromColumns where declared', () => {
    const { fused, basic } = both();
    const [a, b] = [fused, basic].map(({ backend }) =>
      rowsOf(backend, toColumns(backend, data.inputs)),
    );
    expect(a).toEqual(b);
    expect(a).toEqual([0, 1, 2, 3, 4].map((i) => data.inputs.map((row) => row[i])));
    expect([fused.calls.get('fromColumns'), basic.calls.get('fromColumns')]).toEqual([
      1,
      undefined,
    ]);
  });

  it('train, evaluate and predict give the same bits', async () => {
    const { fused, basic } = both();
    const run = async (backend: typeof fused.backend) => {
      const net = Network.create({ architecture: 'A[5,4,3]', activation: 'tanh', seed: 2 });
      const { history } = await train(backend, net, data, {
        loss: 'softmaxCrossEntropy',
        optimizer: sgd({ learningRate: 0.1 }),
        batchSize: 8,
        epochs: 3,
      });
      const scores = await evaluate(backend, net, data, {
        loss: 'softmaxCrossEntropy',
        batchSize: 5,
      });
      const outputs = await predict(backend, net, data.inputs, { batchSize: 6 });
      const losses = history.map((epoch) => epoch.loss); // (its timings differ)
      return { losses, weights: net.getWeights(), scores, outputs };
    };
    expect(await run(fused.backend)).toEqual(await run(basic.backend));
    // Every batch of inputs and targets (3 epochs × 3 batches × 2), of evaluate (5 × 2) and of
    // predict (4) went through fromColumns; none through the other path's gather.
    expect(fused.calls.get('fromColumns')).toBe(3 * 3 * 2 + 5 * 2 + 4);
    expect(basic.calls.get('fromColumns')).toBeUndefined();
  });
});
