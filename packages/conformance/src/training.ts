/**
 * Losses, activations, optimizers and both learning modes on the backend, against the same
 * computation on the float64 reference backend; model files across backends; determinism by
 * seed; memory flat across many steps; and the errors training names.
 */
import {
  ACTIVATION_NAMES,
  type ActivationName,
  activations,
  type Backend,
  DivergenceError,
  deserialize,
  LOSS_NAMES,
  losses,
  Network,
  NonFiniteError,
  type OptimizerConfig,
  predict,
  ShapeError,
  serialize,
  sgd,
  train,
} from '@twostep/core';
import { SPECIFICATION_VERSION } from '@twostep/core/backend';
import * as ref from '@twostep/core/reference';
import { type Check, expectClose, expectRejects, fail, tolerance } from './check.js';
import { check, download, expectMatrix, paths, randomHost, scoped } from './util.js';

/** A small seeded classification problem: 24 samples, 3 inputs, 2 one-hot classes. */
const DATA = (() => {
  const x = randomHost(400, 24, 3);
  const inputs = Array.from({ length: 24 }, (_, i) =>
    Array.from(x.data.subarray(i * 3, i * 3 + 3)),
  );
  const targets = inputs.map(([a, b, c]) => (a! + b! * c! > 0 ? [1, 0] : [0, 1]));
  return { inputs, targets };
})();

/** The same training on the backend and on the reference; weights must agree. */
async function compareTraining(
  backend: Backend,
  what: string,
  options: Parameters<typeof train>[3] & {
    activation?: ActivationName;
    outputActivation?: ActivationName;
  },
): Promise<void> {
  const { activation = 'tanh', outputActivation = 'identity', ...trainOptions } = options;
  const make = () =>
    Network.create({ architecture: 'A[3,4,3,2]', activation, outputActivation, seed: 5 });
  const nets = [make(), make()];
  // Start from weights the backend's dtype holds exactly.
  if (backend.dtype === 'float32')
    nets[1]!.setWeights(nets[0]!.getWeights().map((w) => w.map((r) => r.map(Math.fround))));
  nets[0]!.setWeights(nets[1]!.getWeights());
  const reference = ref.referenceBackend();
  const run = { batchSize: 8, epochs: 2, seed: 3, ...trainOptions };
  const [h1, h2] = [
    await train(backend, nets[0]!, DATA, run),
    await train(reference, nets[1]!, DATA, run),
  ];
  const tol = tolerance(backend).training;
  expectClose(
    `${what}: weights after ${run.epochs} epochs`,
    nets[0]!.getWeights().flat(2),
    nets[1]!.getWeights().flat(2),
    tol,
  );
  expectClose(
    `${what}: loss per epoch`,
    h1.history.map((e) => e.loss),
    h2.history.map((e) => e.loss),
    tol,
  );
  nets[0]!.release(backend);
}

const OPTIMIZERS: OptimizerConfig[] = [
  { name: 'sgd', learningRate: 0.3 },
  { name: 'momentum', learningRate: 0.1, momentum: 0.8 },
  { name: 'adam', learningRate: 0.05 },
];

export const trainingChecks: Check[] = [
  ...LOSS_NAMES.flatMap((name) =>
    (['mean', 'sum'] as const).map((reduction) =>
      check('losses', `${name}, reduction '${reduction}': J and δup_L`, (backend) =>
        scoped(backend, async (k) => {
          // Outputs inside (0, 1) so binary cross-entropy applies; one-hot targets.
          const xh = randomHost(500, 3, 5, 0.05, 0.95);
          const th = ref.host(3, 5, (i, j) => (i === j % 3 ? 1 : 0));
          const x = k.fromArray(xh.data, 3, 5);
          const xr = await download(k, x);
          const out = losses[name].forward(k, x, k.fromArray(th.data, 3, 5), reduction);
          const r = reduction === 'mean' ? 1 / 5 : 1;
          const logP = ref.logSoftmax(xr);
          const p = xr.data;
          const t = th.data;
          const terms: Record<typeof name, [(i: number) => number, (i: number) => number]> = {
            difference: [(i) => p[i]! - t[i]!, () => 1],
            mse: [(i) => 0.5 * (p[i]! - t[i]!) ** 2, (i) => p[i]! - t[i]!],
            binaryCrossEntropy: [
              (i) => -(t[i]! * Math.log(p[i]!) + (1 - t[i]!) * Math.log(1 - p[i]!)),
              (i) => (p[i]! - t[i]!) / (p[i]! * (1 - p[i]!)),
            ],
            softmaxCrossEntropy: [
              (i) => -t[i]! * logP.data[i]!,
              (i) => Math.exp(logP.data[i]!) - t[i]!,
            ],
          };
          const [J, dJ] = terms[name];
          const total = Array.from(p, (_, i) => J(i)).reduce((a, b) => a + b, 0) * r;
          await expectMatrix(
            k,
            `${name} J`,
            out.J,
            ref.host(1, 1, () => total),
          );
          await expectMatrix(
            k,
            `${name} δup_L`,
            out.deltaUp,
            ref.host(3, 5, (i, j) => dJ(i * 5 + j) * r),
          );
        }),
      ),
    ),
  ),
  ...ACTIVATION_NAMES.map((name) =>
    check('activations', `${name}: σ and σ' through the core (basic ops)`, (backend) =>
      scoped(backend, async (k) => {
        const yh = randomHost(600, 4, 6, -3, 3);
        yh.data[0] = 0;
        const y = k.fromArray(yh.data, 4, 6);
        const yr = await download(k, y);
        const rule = ref.activationRules[name];
        const alpha = name === 'leakyRelu' ? 0.01 : 0;
        await expectMatrix(
          k,
          `σ = ${name}`,
          activations[name].sigma(k, y),
          ref.map(yr, (v) => rule.sigma(v, alpha)),
        );
        await expectMatrix(
          k,
          `σ' of ${name}`,
          activations[name].derivative(k, y),
          ref.map(yr, (v) => rule.derivative(v, alpha)),
        );
      }),
    ),
  ),
  ...OPTIMIZERS.flatMap((optimizer) =>
    (['global', 'layerwise'] as const).map((mode) =>
      check(
        'optimizers and learning modes',
        `${optimizer.name} in ${mode} mode matches the reference`,
        async (backend) => {
          for (const [path, view] of paths(backend)) {
            await compareTraining(view, `${optimizer.name}, ${mode} (${path})`, {
              optimizer,
              mode,
              loss: 'softmaxCrossEntropy',
            });
          }
        },
      ),
    ),
  ),
  check(
    'optimizers and learning modes',
    'per-layer learning rates, sum reduction, families of activations',
    async (backend) => {
      await compareTraining(backend, 'layerwise with learningRates [0.2, 0.05, 0.1], mse, sum', {
        mode: 'layerwise',
        learningRates: [0.2, 0.05, 0.1],
        loss: 'mse',
        reduction: 'sum',
        activation: 'softplus',
        outputActivation: 'sigmoid',
      });
    },
  ),
  check(
    'serialization',
    'a model trained here loads on the reference backend and predicts the same',
    async (backend) => {
      const net = Network.create({
        architecture: 'A[3,5,2]',
        activations: [
          ['tanh', 'relu', { name: 'leakyRelu', alpha: 0.2 }, 'softplus', 'sigmoid'],
          'identity',
        ],
        seed: 8,
      });
      await train(backend, net, DATA, {
        loss: 'softmaxCrossEntropy',
        epochs: 3,
        optimizer: { name: 'adam', learningRate: 0.05 },
      });
      const copy = deserialize(serialize(net));
      const here = (await predict(backend, net, DATA.inputs)).flat();
      const there = (await predict(ref.referenceBackend(), copy, DATA.inputs)).flat();
      expectClose(
        'predictions after serialize → deserialize on the reference',
        here,
        there,
        tolerance(backend).op * 10,
      );
      net.release(backend);
    },
  ),
  check(
    'determinism',
    'the same seed gives the same weights and the same training',
    async (backend) => {
      const run = async () => {
        const net = Network.create({
          architecture: 'A[3,4,2]',
          seed: 21,
          init: 'he',
          activation: 'relu',
        });
        const initial = net.getWeights();
        await train(backend, net, DATA, { epochs: 3, batchSize: 5, seed: 4, loss: 'mse' });
        net.release(backend);
        return { initial, trained: net.getWeights() };
      };
      const [a, b] = [await run(), await run()];
      expectClose('initial weights for one seed', a.initial.flat(2), b.initial.flat(2), 0);
      expectClose('trained weights for one seed', a.trained.flat(2), b.trained.flat(2), 0);
    },
  ),
  check(
    'memory',
    'live matrices and bytes stay flat across 200 training steps',
    async (backend) => {
      const before = backend.memory();
      const net = Network.create({ architecture: 'A[3,6,2]', activation: 'tanh', seed: 2 });
      const seen = new Set<string>();
      await train(backend, net, DATA, {
        loss: 'softmaxCrossEntropy',
        optimizer: { name: 'adam', learningRate: 0.01 },
        mode: 'layerwise',
        batchSize: 6, // 4 steps per epoch
        epochs: 50,
        onBatch: ({ epoch, batch }) => {
          if (epoch > 1 && batch === 4) seen.add(JSON.stringify(backend.memory()));
        },
      });
      if (seen.size !== 1)
        fail(
          `memory() at the same point of each epoch took ${seen.size} values: ${[...seen].join(', ')}; something leaks per step.`,
        );
      net.release(backend);
      const after = backend.memory();
      if (after.matrices !== before.matrices || after.bytes !== before.bytes) {
        fail(
          `memory() after training and release is ${JSON.stringify(after)}, expected ${JSON.stringify(before)}.`,
        );
      }
    },
  ),
  check(
    'errors',
    'the backend declares a dtype it supports and the contract version',
    (backend) => {
      if (!backend.dtypes.includes(backend.dtype))
        fail(`dtype ${backend.dtype} is not in dtypes [${backend.dtypes}].`);
      if (backend.dtypes.some((d) => d !== 'float32' && d !== 'float64'))
        fail(`dtypes [${backend.dtypes}] names an unknown dtype.`);
      if (backend.specificationVersion !== SPECIFICATION_VERSION)
        fail(
          `specificationVersion is ${backend.specificationVersion}, expected ${SPECIFICATION_VERSION} (the contract of this @twostep/core).`,
        );
    },
  ),
  check(
    'errors',
    'training rejects bad data with errors naming row, column and width',
    async (backend) => {
      const net = Network.create({ architecture: 'A[3,2]' });
      await expectRejects(
        'NaN input',
        train(backend, net, { inputs: [[1, Number.NaN, 0]], targets: [[0, 1]] }),
        NonFiniteError,
        /row 0, column 1/,
      );
      await expectRejects(
        'wrong label width',
        train(backend, net, { inputs: [[1, 2, 3]], targets: [[1]] }),
        ShapeError,
        /targets row 0/,
      );
    },
  ),
  check('errors', 'a diverging run names J and keeps the last finite weights', async (backend) => {
    const net = Network.create({ architecture: 'A[1,1]', activation: 'identity', bias: false });
    net.setWeights([[[0.5]]]);
    const big = backend.dtype === 'float32' ? 1e30 : 1e200;
    await expectRejects(
      'training on an input whose loss overflows',
      train(
        backend,
        net,
        { inputs: [[big]], targets: [[0]] },
        { optimizer: sgd({ learningRate: 0.1 }) },
      ),
      DivergenceError,
      /epoch 1, batch 1: J \(layer 1\) turned non-finite/,
    );
    expectClose('weights after divergence', net.getWeights().flat(2), [0.5], 0);
  }),
];
