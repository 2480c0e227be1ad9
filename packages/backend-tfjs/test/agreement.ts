/**
 * The promise of swapping backends in config: the same network, data, seed and batch order
 * trained for 100 steps on backend-ts float32 and on a tfjs backend ends with the same
 * weights, within float32 tolerance.
 */

import { createBackend as createTs } from '@twostep/backend-ts';
import { TOLERANCES } from '@twostep/conformance';
import { type Backend, Network, Random, type TrainOptions, train } from '@twostep/core';
import { expect } from 'vitest';

/** 64 seeded samples of 4 inputs in 3 classes: a fixed rule of the inputs, not noise. */
const DATA = (() => {
  const random = new Random(7);
  const uniform = () => random.uniform(-1, 1);
  const inputs = Array.from({ length: 64 }, () => [uniform(), uniform(), uniform(), uniform()]);
  const targets = inputs.map(([a, b, c, d]) => {
    const k = a! + b! > 0.3 ? 0 : c! * d! > 0 ? 1 : 2;
    return [0, 1, 2].map((j) => (j === k ? 1 : 0));
  });
  return { inputs, targets };
})();

/** batch 16 of 64 samples: 4 steps per epoch, 25 epochs. */
const STEPS: TrainOptions = { batchSize: 16, epochs: 25, seed: 3 };

export const CASES: { name: string; options: TrainOptions }[] = [
  {
    name: 'tanh, softmax cross-entropy, sgd, global mode',
    options: {
      ...STEPS,
      loss: 'softmaxCrossEntropy',
      optimizer: { name: 'sgd', learningRate: 0.1 },
    },
  },
  {
    name: 'relu, mse, adam, layer-wise mode',
    options: {
      ...STEPS,
      loss: 'mse',
      mode: 'layerwise',
      optimizer: { name: 'adam', learningRate: 0.01 },
    },
  },
];

async function trained(backend: Backend, options: TrainOptions, activation: 'tanh' | 'relu') {
  const net = Network.create({ architecture: 'A[4,8,6,3]', activation, seed: 11 });
  const { history } = await train(backend, net, DATA, options);
  expect(history).toHaveLength(25);
  const weights = net.getWeights().flat(2);
  net.release(backend);
  return weights;
}

/** Trains on backend-ts float32 and on `backend`; the weights agree within float32 tolerance. */
export async function expectSameTraining(
  backend: Backend,
  { name, options }: (typeof CASES)[number],
) {
  const activation = name.startsWith('relu') ? 'relu' : 'tanh';
  const expected = await trained(createTs({ dtype: 'float32' }), options, activation);
  const actual = await trained(backend, options, activation);
  const scale = Math.max(...expected.map(Math.abs));
  const worst = Math.max(...expected.map((e, i) => Math.abs(actual[i]! - e)));
  // Both runs moved away from the initial weights by the same amount.
  const initial = Network.create({ architecture: 'A[4,8,6,3]', activation, seed: 11 })
    .getWeights()
    .flat(2);
  const moved = Math.max(...expected.map((e, i) => Math.abs(e - initial[i]!)));
  expect(moved).toBeGreaterThan(0.05);
  expect(worst / scale).toBeLessThan(TOLERANCES.float32.training);
}
