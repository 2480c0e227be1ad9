/**
 * Optimizers and learning modes: sgd, momentum and adam with non-default hyper-parameters, in
 * `'global'` and `'layerwise'` mode, step by step against the same steps on the float64
 * reference backend (J at every step, each Wh after the first and the last), on the fused path
 * and on basic ops.
 */
import {
  type Backend,
  LEARNING_MODES,
  Network,
  type NetworkOptions,
  type OptimizerConfig,
  Trainer,
  type TrainerOptions,
} from '@twostep/core';
import * as ref from '@twostep/core/reference';
import { type Check, expectClose, tolerance } from './check.js';
import { DATA } from './data.js';
import { check, paths } from './util.js';

const AREA = 'optimizers and learning modes';

/** Steps taken: two passes over the three batches of 8, so moments build up. */
const STEPS = 6;
const BATCH = 8;

/** The same steps on the backend and on the reference; J and every Wh must agree. */
async function compareSteps(
  backend: Backend,
  what: string,
  trainerOptions: TrainerOptions,
  network: Omit<NetworkOptions, 'architecture'> = {},
): Promise<void> {
  const make = () =>
    Network.create({ architecture: 'A[3,4,3,2]', activation: 'tanh', seed: 5, ...network });
  const nets = [make(), make()];
  // Start from weights the backend's dtype holds exactly.
  if (backend.dtype === 'float32')
    nets[1]!.setWeights(nets[0]!.getWeights().map((w) => w.map((r) => r.map(Math.fround))));
  nets[0]!.setWeights(nets[1]!.getWeights());
  const trainers = [
    new Trainer(backend, nets[0]!, trainerOptions),
    new Trainer(ref.referenceBackend(), nets[1]!, trainerOptions),
  ];
  const tol = tolerance(backend).training;
  const batches = DATA.inputs.length / BATCH;
  for (let s = 1; s <= STEPS; s++) {
    const start = ((s - 1) % batches) * BATCH;
    const batch = {
      inputs: DATA.inputs.slice(start, start + BATCH),
      targets: DATA.targets.slice(start, start + BATCH),
    };
    const J = await Promise.all(trainers.map((t) => t.step(batch).loss()));
    expectClose(`${what}: J at step ${s}`, [J[0]!], [J[1]!], tol);
    if (s > 1 && s < STEPS) continue;
    await Promise.all(trainers.map((t) => t.sync()));
    const [here, there] = nets.map((n) => n.getWeights());
    for (const [h, w] of here!.entries()) {
      expectClose(`${what}: W${h + 1} after step ${s}`, w.flat(), there![h]!.flat(), tol);
    }
  }
  await Promise.all(trainers.map((t) => t.close()));
  nets[0]!.release(backend);
}

/** No hyper-parameter at its default: a kernel or path that ignores one fails. */
const OPTIMIZERS: { optimizer: OptimizerConfig; loss: TrainerOptions['loss'] }[] = [
  { optimizer: { name: 'sgd', learningRate: 0.37 }, loss: 'mse' },
  {
    optimizer: { name: 'momentum', learningRate: 0.07, momentum: 0.55 },
    loss: 'binaryCrossEntropy',
  },
  {
    optimizer: { name: 'adam', learningRate: 0.03, beta1: 0.7, beta2: 0.95, epsilon: 0.02 },
    loss: 'softmaxCrossEntropy',
  },
];

const describeOptimizer = ({ name, ...hyper }: OptimizerConfig) =>
  `${name} ${JSON.stringify(hyper).replaceAll('"', '')}`;

export const optimizerChecks: Check[] = [
  ...OPTIMIZERS.flatMap(({ optimizer, loss }) =>
    LEARNING_MODES.map((mode) =>
      check(
        AREA,
        `${optimizer.name} in ${mode} mode, non-default hyper-parameters: J and every Wh step by step match the reference`,
        async (backend) => {
          for (const [path, view] of paths(backend)) {
            await compareSteps(
              view,
              `${describeOptimizer(optimizer)}, ${mode}, ${loss} (${path})`,
              {
                optimizer,
                mode,
                loss,
              },
              { outputActivation: loss === 'binaryCrossEntropy' ? 'sigmoid' : 'identity' },
            );
          }
        },
      ),
    ),
  ),
  check(
    AREA,
    'per-layer learning rates, sum reduction, families of activations',
    async (backend) => {
      for (const [path, view] of paths(backend)) {
        await compareSteps(
          view,
          `layerwise, learningRates [0.2, 0.05, 0.1], mse, sum (${path})`,
          {
            mode: 'layerwise',
            learningRates: [0.2, 0.05, 0.1],
            loss: 'mse',
            reduction: 'sum',
          },
          {
            // One function per neuron (eq. 7), leaky relu with its own slope.
            activations: [
              ['tanh', 'softplus', { name: 'leakyRelu', alpha: 0.2 }, 'sigmoid'],
              ['softplus', 'tanh', 'identity'],
              'sigmoid',
            ],
          },
        );
      }
    },
  ),
];
