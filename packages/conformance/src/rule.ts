/**
 * The two-step rule on the backend: the paper's Section 4 closed forms (the reference's
 * `sectionFour`), and the F-adjoint against central finite differences (`centralDifferences`)
 * of a float64 host forward pass on seeded random networks with per-neuron activation
 * families. Every check runs on the fused path and on basic ops.
 */
import {
  type ActivationSpec,
  type Backend,
  fAdjoint,
  fPropagate,
  losses,
  Network,
} from '@twostep/core';
import * as ref from '@twostep/core/reference';
import { type Check, fail, tolerance } from './check.js';
import { check, download, paths, scoped } from './util.js';

/** A seeded random case: reproducible from `seed` alone, printed in every failure. */
type Case = ref.GradientCheckCase;

const describeCase = (c: Case) =>
  `case seed ${c.seed}: A[${c.architecture}], bias ${c.bias}, loss ${c.loss}, batch ${c.batch}, σ ${JSON.stringify(c.activations)}`;

const kindOf = (spec: ActivationSpec) =>
  typeof spec === 'string'
    ? { kind: spec, alpha: 0 }
    : { kind: spec.name, alpha: spec.alpha ?? 0.01 };

/** J of the case on the host in float64, for the given weights and inputs (eq. 1, 20). */
function hostLoss(c: Case, weights: number[][][], inputs: ref.Host): number {
  const ones = (cols: number) => ref.host(1, cols, () => 1);
  let x = c.bias ? ref.concatRows(inputs, ones(c.batch)) : inputs;
  weights.forEach((w, h) => {
    const W = ref.host(w.length, w[0]!.length, (i, j) => w[i]![j]!);
    const y = ref.matMul(W, x);
    const s = ref.host(y.rows, y.cols, (i, j) => {
      const { kind, alpha } = kindOf(c.activations[h]![i]!);
      return ref.activationRules[kind].sigma(y.data[i * y.cols + j]!, alpha);
    });
    x = c.bias && h < weights.length - 1 ? ref.concatRows(s, ones(c.batch)) : s;
  });
  const r = 1 / c.batch; // the mean reduction
  let J = 0;
  const logP = ref.logSoftmax(x);
  x.data.forEach((p, i) => {
    const t = c.targets.data[i]!;
    if (c.loss === 'difference') J += p - t;
    else if (c.loss === 'mse') J += 0.5 * (p - t) ** 2;
    else if (c.loss === 'binaryCrossEntropy') J -= t * Math.log(p) + (1 - t) * Math.log(1 - p);
    else if (c.loss === 'sigmoidCrossEntropy') J += ref.unaryOps.softplus(p) - t * p;
    else J -= t * logP.data[i]!;
  });
  return J * r;
}

/** Rounds weights to the backend's dtype, so host and backend start from the same numbers. */
const held = (backend: Backend, w: number[][][]) =>
  backend.dtype === 'float32' ? w.map((m) => m.map((row) => row.map(Math.fround))) : w;

/** No kinked neuron (relu, leaky relu) has a pre-activation within 1e-2 of its kink (the stencil reaches 2h). */
function awayFromKinks(c: Case, weights: number[][][]): boolean {
  const ones = (cols: number) => ref.host(1, cols, () => 1);
  let x = c.bias ? ref.concatRows(c.inputs, ones(c.batch)) : c.inputs;
  return weights.every((w, h) => {
    const y = ref.matMul(
      ref.host(w.length, w[0]!.length, (i, j) => w[i]![j]!),
      x,
    );
    const kinked = y.data.some((v, idx) => {
      const { kind } = kindOf(c.activations[h]![Math.floor(idx / y.cols)]!);
      return (kind === 'relu' || kind === 'leakyRelu') && Math.abs(v) < 1e-2;
    });
    const s = ref.host(y.rows, y.cols, (i, j) => {
      const { kind, alpha } = kindOf(c.activations[h]![i]!);
      return ref.activationRules[kind].sigma(y.data[i * y.cols + j]!, alpha);
    });
    x = c.bias && h < weights.length - 1 ? ref.concatRows(s, ones(c.batch)) : s;
    return !kinked;
  });
}

/** The cases: seeded, kept only away from kinks; 20 per backend. */
const CASES: Case[] = [];
for (let seed = 1; CASES.length < 20; seed++) {
  const c = ref.gradientCheckCase(seed, { maxWidth: 6, maxBatch: 4 });
  const net = Network.create({
    architecture: c.architecture,
    activations: c.activations,
    bias: c.bias,
    seed: c.seed,
  });
  if (awayFromKinks(c, net.getWeights())) CASES.push(c);
}

async function gradientCheck(backend: Backend, path: string, c: Case): Promise<void> {
  const net = Network.create({
    architecture: c.architecture,
    activations: c.activations,
    bias: c.bias,
    seed: c.seed,
  });
  const weights = held(backend, net.getWeights());
  net.setWeights(weights);
  const inputs =
    backend.dtype === 'float32' ? { ...c.inputs, data: c.inputs.data.map(Math.fround) } : c.inputs;
  const case_ = { ...c, inputs };
  await scoped(backend, async (k) => {
    const F = fPropagate(k, net, k.fromArray(inputs.data, inputs.rows, inputs.cols));
    const t = k.fromArray(c.targets.data, c.targets.rows, c.targets.cols);
    const { deltaUp } = losses[c.loss].forward(k, F.X.at(-1)!, t, 'mean');
    const A = fAdjoint(k, net, F, deltaUp);
    const tol = tolerance(backend).gradient;
    for (const [h, w] of weights.entries()) {
      const numeric = await ref.centralDifferences(() => hostLoss(case_, weights, inputs), w);
      const analytic = (await download(k, A.gradients[h]!)).data;
      const error = ref.relativeError(analytic, numeric.flat());
      if (!(error <= tol)) {
        fail(
          `∂J/∂W${h + 1} (${path}) is off from central finite differences by ${error.toExponential(2)} (tolerance ${tol}) in ${describeCase(c)}.`,
        );
      }
    }
    const moved = { ...inputs, data: inputs.data.slice() };
    const [numericInput] = await ref.centralDifferences(
      () => hostLoss(case_, weights, moved),
      [moved.data],
    );
    const error = ref.relativeError((await download(k, A.deltaUp[0]!)).data, numericInput!);
    if (!(error <= tol)) {
      fail(
        `δup_0 = ∂J/∂X0 (${path}) is off from central finite differences by ${error.toExponential(2)} (tolerance ${tol}) in ${describeCase(c)}.`,
      );
    }
  });
}

/** Section 4: A[1,1,1] and A[1,2,1], J = f(x) − y, σ everywhere, against `sectionFour`. */
async function checkSectionFour(
  backend: Backend,
  path: string,
  name: keyof typeof ref.SECTION_FOUR_SIGMAS,
  hidden: 1 | 2,
): Promise<void> {
  const f = backend.dtype === 'float32' ? Math.fround : (x: number) => x;
  const [x, y] = [f(0.9), f(0.4)];
  const W1 =
    hidden === 1
      ? [[f(0.7), f(-0.3)]]
      : [
          [f(0.5), f(0.1)],
          [f(-0.8), f(0.3)],
        ];
  const W2 = hidden === 1 ? [[f(1.3), f(0.2)]] : [[f(1.1), f(-0.6), f(0.25)]];
  const { deltaW1, deltaW2 } = ref.sectionFour(ref.SECTION_FOUR_SIGMAS[name], W1, W2, x, y);
  const net = Network.create({ architecture: [1, hidden, 1], activation: name });
  net.setWeights([W1, W2]);
  await scoped(backend, async (k) => {
    const F = fPropagate(k, net, k.fromArray([x], 1, 1));
    const { deltaUp } = losses.difference.forward(k, F.X[2]!, k.fromArray([y], 1, 1), 'sum');
    const A = fAdjoint(k, net, F, deltaUp);
    const tol = tolerance(backend).closedForm;
    for (const [h, expected] of [deltaW1, deltaW2].entries()) {
      const got = (await download(k, A.gradients[h]!)).data;
      const want = expected.flat();
      const worst = Math.max(...want.map((v, i) => Math.abs(v - got[i]!)));
      if (!(worst <= tol)) {
        fail(
          `A[1,${hidden},1] with σ = ${name} (${path}): δW${h + 1} is [${Array.from(got)}], the closed form of Section 4 gives [${want}] (off by ${worst.toExponential(2)}, tolerance ${tol}).`,
        );
      }
    }
  });
}

export const ruleChecks: Check[] = [
  ...(['sigmoid', 'tanh'] as const).flatMap((name) =>
    ([1, 2] as const).map((hidden) =>
      check(
        'section 4',
        `A[1,${hidden},1] with σ = ${name}: δW1, δW2 equal the closed forms`,
        async (backend) => {
          for (const [path, view] of paths(backend))
            await checkSectionFour(view, path, name, hidden);
        },
      ),
    ),
  ),
  ...CASES.map((c) =>
    check(
      'gradients',
      `fAdjoint against finite differences: ${describeCase(c)}`,
      async (backend) => {
        for (const [path, view] of paths(backend)) await gradientCheck(view, path, c);
      },
    ),
  ),
];
