/**
 * Whole training runs: determinism by seed (the same initial weights, every epoch's loss and
 * the trained weights, bit for bit, run after run and on a second instance) and memory flat
 * across every loss × optimizer × learning mode, on the fused path and on basic ops.
 */
import {
  type Backend,
  LEARNING_MODES,
  type LearningMode,
  LOSS_NAMES,
  type LossName,
  Network,
  type OptimizerConfig,
  train,
} from '@twostep/core';
import { type Check, expectEntries, fail } from './check.js';
import { classification, DATA } from './data.js';
import { check, paths } from './util.js';

/** Two configurations: the fused Adam and activations, and the axpy of sgd. */
const SEEDED: { optimizer: OptimizerConfig; mode: LearningMode; loss: LossName }[] = [
  {
    optimizer: { name: 'adam', learningRate: 0.02, beta1: 0.8, beta2: 0.99 },
    mode: 'layerwise',
    loss: 'softmaxCrossEntropy',
  },
  { optimizer: { name: 'sgd', learningRate: 0.2 }, mode: 'global', loss: 'mse' },
];

/** One seeded run: initial weights, the loss of every epoch, trained weights. */
async function seededRun(backend: Backend, config: (typeof SEEDED)[number]) {
  const net = Network.create({
    architecture: 'A[3,5,4,2]',
    activations: [['relu', 'tanh', 'softplus', 'sigmoid', 'leakyRelu'], 'tanh', 'identity'],
    init: 'he',
    seed: 21,
  });
  const initial = net.getWeights().flat(2);
  const { history } = await train(backend, net, DATA, {
    ...config,
    epochs: 2,
    batchSize: 6,
    shuffle: true,
    seed: 4,
  });
  net.release(backend);
  return { initial, losses: history.map((e) => e.loss), trained: net.getWeights().flat(2) };
}

/** Memory is read after each batch of epochs 2 and 3 (the first may set up what later reuse). */
const EPOCHS = 3;
const SMALL = classification(12);

/**
 * Training leaves `memory()` as it found it once the network is released, and reads the same
 * after each batch of every epoch: a leak of one matrix per step shows as a difference.
 */
async function memoryFlat(
  backend: Backend,
  what: string,
  loss: LossName,
  optimizer: OptimizerConfig,
  mode: LearningMode,
): Promise<void> {
  const before = backend.memory();
  const net = Network.create({
    architecture: 'A[3,5,2]',
    activation: 'tanh',
    outputActivation: loss === 'binaryCrossEntropy' ? 'sigmoid' : 'identity',
    seed: 2,
  });
  const seen: string[][] = Array.from({ length: EPOCHS }, () => []);
  await train(backend, net, SMALL, {
    loss,
    optimizer,
    mode,
    batchSize: 4, // three steps per epoch
    epochs: EPOCHS,
    onBatch: ({ epoch, batch }) => {
      seen[epoch - 1]![batch - 1] = JSON.stringify(backend.memory());
    },
  });
  for (let e = 2; e < EPOCHS; e++) {
    seen[e]!.forEach((m, b) => {
      if (m !== seen[1]![b])
        fail(
          `${what}: memory() after batch ${b + 1} of epoch ${e + 1} is ${m}, after the same batch of epoch 2 ${seen[1]![b]}; something leaks per step.`,
        );
    });
  }
  net.release(backend);
  const after = backend.memory();
  if (after.matrices !== before.matrices || after.bytes !== before.bytes) {
    fail(
      `${what}: memory() after training and release is ${JSON.stringify(after)}, expected ${JSON.stringify(before)} as before training.`,
    );
  }
}

const OPTIMIZERS: OptimizerConfig[] = [
  { name: 'sgd', learningRate: 0.05 },
  { name: 'momentum', learningRate: 0.05, momentum: 0.7 },
  { name: 'adam', learningRate: 0.01, beta1: 0.8 },
];

export const runChecks: Check[] = [
  check(
    'determinism',
    'the same seed gives the same initial weights, loss history and trained weights, on two instances',
    async (backend, create) => {
      // A second instance, when the runner can make one (`runConformance` always can).
      const other = create ? await create() : backend;
      for (const config of SEEDED) {
        const views = [paths(backend), paths(backend), paths(other)];
        for (const [i, [path]] of views[0]!.entries()) {
          const runs = [];
          for (const v of views) runs.push(await seededRun(v[i]![1], config));
          const what = `${config.optimizer.name}, ${config.mode}, ${config.loss} (${path})`;
          for (const [r, run] of runs.slice(1).entries()) {
            const which = r === 0 || other === backend ? `run ${r + 2}` : 'a second instance';
            for (const key of ['initial', 'losses', 'trained'] as const) {
              expectEntries(
                `${what}: ${key} of ${which} against the first`,
                backend.dtype,
                run[key],
                runs[0]![key],
                { ulps: 0 },
              );
            }
          }
        }
      }
    },
  ),
  ...OPTIMIZERS.flatMap((optimizer) =>
    LEARNING_MODES.map((mode) =>
      check(
        'memory',
        `${optimizer.name} in ${mode} mode, every loss: memory() flat from epoch to epoch and back to the start after release`,
        async (backend) => {
          for (const [path, view] of paths(backend))
            for (const loss of LOSS_NAMES)
              await memoryFlat(
                view,
                `${loss}, ${optimizer.name}, ${mode} (${path})`,
                loss,
                optimizer,
                mode,
              );
        },
      ),
    ),
  ),
];
