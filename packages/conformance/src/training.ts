/**
 * Losses and activations through the core's basic ops against the float64 reference; model
 * files across backends; and the errors training names. With the optimizers and learning
 * modes (optimizers.ts), determinism and memory (runs.ts), in the order they are reported.
 */
import {
  ACTIVATION_NAMES,
  activations,
  DivergenceError,
  deserialize,
  LOSS_NAMES,
  losses,
  Network,
  NonFiniteError,
  predict,
  ShapeError,
  serialize,
  sgd,
  train,
} from '@twostep/core';
import { SPECIFICATION_VERSION } from '@twostep/core/backend';
import * as ref from '@twostep/core/reference';
import { type Check, expectClose, expectRejects, fail, OP_ULPS, tolerance } from './check.js';
import { DATA } from './data.js';
import { activateScale, deltaDownScale } from './fused.js';
import { optimizerChecks } from './optimizers.js';
import { runChecks } from './runs.js';
import { check, download, expectMatrix, randomHost, scoped } from './util.js';

type Term = (i: number) => number;

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
          // Per entry: J's term and δup_L, and the magnitudes of what each is computed from
          // (p − t from |p| + |t|; log(1 − p) from 1 and p, so off by ε/(1 − p)).
          const q = (i: number) => Math.abs(p[i]!) + Math.abs(t[i]!);
          const s = (i: number) => Math.exp(logP.data[i]!);
          const { softplus: sp, sigmoid: sg } = ref.unaryOps;
          const terms: Record<typeof name, [Term, Term, Term, Term]> = {
            difference: [(i) => p[i]! - t[i]!, () => 1, q, () => 1],
            mse: [(i) => 0.5 * (p[i]! - t[i]!) ** 2, (i) => p[i]! - t[i]!, (i) => q(i) ** 2, q],
            binaryCrossEntropy: [
              (i) => -(t[i]! * Math.log(p[i]!) + (1 - t[i]!) * Math.log(1 - p[i]!)),
              (i) => (p[i]! - t[i]!) / (p[i]! * (1 - p[i]!)),
              (i) =>
                Math.abs(t[i]! * Math.log(p[i]!)) +
                Math.abs(1 - t[i]!) * (Math.abs(Math.log(1 - p[i]!)) + 1 / (1 - p[i]!)),
              (i) => q(i) / (p[i]! * (1 - p[i]!)),
            ],
            sigmoidCrossEntropy: [
              (i) => sp(p[i]!) - t[i]! * p[i]!,
              (i) => sg(p[i]!) - t[i]!,
              (i) => sp(p[i]!) + Math.abs(t[i]! * p[i]!),
              (i) => sg(p[i]!) + Math.abs(t[i]!),
            ],
            softmaxCrossEntropy: [
              (i) => -t[i]! * logP.data[i]!,
              (i) => s(i) - t[i]!,
              (i) => Math.abs(t[i]! * logP.data[i]!),
              (i) => s(i) + Math.abs(t[i]!),
            ],
          };
          const [J, dJ, Jsize, dJsize] = terms[name];
          const each = (f: Term) => Array.from(p, (_, i) => f(i));
          const total = each(J).reduce((a, b) => a + b, 0) * r;
          // J sums 15 terms: Σ|termᵢ| is its scale, and each partial sum may round (+15 ulps).
          await expectMatrix(
            k,
            `${name} J of 3×5 outputs`,
            out.J,
            ref.host(1, 1, () => total),
            { ulps: OP_ULPS + p.length, scale: [each(Jsize).reduce((a, b) => a + b, 0) * r] },
          );
          await expectMatrix(
            k,
            `${name} δup_L of 3×5 outputs`,
            out.deltaUp,
            ref.host(3, 5, (i, j) => dJ(i * 5 + j) * r),
            { scale: each(dJsize).map((v) => v * r) },
          );
        }),
      ),
    ),
  ),
  check(
    'losses',
    'sigmoidCrossEntropy on logits ±20, ±40, ±100: J and δup_L stay exact',
    (backend) =>
      scoped(backend, async (k) => {
        // Confidently right and wrong logits: no clamp, so J = softplus(x) − y·x and
        // δup_L = σ(x) − y = ±1 where sigmoid + binaryCrossEntropy would lose them.
        const x = [-100, -40, -20, 20, 40, 100].flatMap((v) => [v, v]);
        const t = x.map((_, i) => i % 2);
        const { softplus: sp, sigmoid: sg } = ref.unaryOps;
        const out = losses.sigmoidCrossEntropy.forward(
          k,
          k.fromArray(x, 1, 12),
          k.fromArray(t, 1, 12),
          'sum',
        );
        const J = x.reduce((a, v, i) => a + sp(v) - t[i]! * v, 0);
        const scale = x.reduce((a, v, i) => a + sp(v) + Math.abs(t[i]! * v), 0);
        await expectMatrix(
          k,
          'J of 1×12 logits',
          out.J,
          ref.host(1, 1, () => J),
          {
            ulps: OP_ULPS + x.length,
            scale: [scale],
          },
        );
        await expectMatrix(
          k,
          'δup_L of 1×12 logits',
          out.deltaUp,
          ref.host(1, 12, (_, j) => sg(x[j]!) - t[j]!),
          { scale: x.map((v, j) => sg(v) + t[j]!) },
        );
      }),
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
          {
            scale: Array.from(yr.data, (v) =>
              activateScale({ kind: name, alpha }, v, rule.sigma(v, alpha)),
            ),
          },
        );
        await expectMatrix(
          k,
          `σ' of ${name}`,
          activations[name].derivative(k, y),
          ref.map(yr, (v) => rule.derivative(v, alpha)),
          // σ' is δdown for δup = 1, measured against the terms of σ'.
          { scale: Array.from(yr.data, (v) => deltaDownScale(name, alpha, 1, v)) },
        );
      }),
    ),
  ),
  ...optimizerChecks,
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
        tolerance(backend).training,
      );
      net.release(backend);
    },
  ),
  ...runChecks,
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
