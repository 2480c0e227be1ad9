/** What `twostep trace` computes: the paper's example, the checks of `--paper`, any network. */
import { type ActivationSpec, type LossName, Network, Random } from '@twostep/core';
import {
  activationRules,
  centralDifferences,
  relativeError,
  SECTION_FOUR_SIGMAS,
  sectionFour,
} from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import {
  builtInExample,
  compareGradients,
  finiteDifferences,
  paperClosedForms,
  paperExample,
  type Trace,
} from '../src/trace-computation.js';
import { formatChecks } from '../src/trace-text.js';
import { traceBackend as backend, traced } from './trace-helpers.js';

/** Each entry of `actual` within `tolerance` of `expected` (same length). */
function expectClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-12) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => {
    const off = Math.abs(a - expected[i]!);
    expect(off, `entry ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(tolerance);
  });
}

describe('the paper example (Section 4.2)', () => {
  it('is A[1,2,1] with bias, σ = sigmoid in both layers and J = f(x) − y', () => {
    const setup = paperExample();
    expect(setup.network.architecture).toEqual([1, 2, 1]);
    expect(setup.network.bias).toBe(true);
    expect(setup.network.activationSpecs).toEqual(['sigmoid', 'sigmoid']);
    expect(setup.loss).toBe('difference');
  });

  it('every quantity of its F-propagation and F-adjoint equals the paper’s formulas', async () => {
    const setup = paperExample();
    const [W1, W2] = setup.network.getWeights() as [number[][], number[][]];
    const x = setup.input[0]!;
    const y = setup.target[0]!;
    const paper = sectionFour(SECTION_FOUR_SIGMAS.sigmoid, W1, W2, x, y);
    const t = await traced(setup);
    const [layer1, layer2] = t.layers as [Trace['layers'][0], Trace['layers'][0]];
    // The forward pass of Section 4.2.
    expectClose(t.X0, [x, 1]);
    expectClose(layer1.Y, paper.Y1);
    expectClose(layer1.X, paper.X1);
    expectClose(layer2.Y, [paper.Y2]);
    expectClose(layer2.X, [paper.X2]);
    expectClose([t.J], [paper.J]);
    // The two-step backward pass of Section 4.2: δup_2 = 1, δdown_2 = σ'(y2),
    // δup_1 = (α2_1 σ'(y2), α2_2 σ'(y2)), δdown_1 = (α2_1 σ'(y2) σ'(y1_11), α2_2 σ'(y2) σ'(y1_21)).
    expectClose(layer2.deltaUp, [paper.deltaUp2]);
    expectClose(layer2.deltaDown, [paper.deltaDown2]);
    expectClose(layer1.deltaUp, paper.deltaUp1);
    expectClose(layer1.deltaDown, paper.deltaDown1);
    // δW2 and δW1, the closed forms by the differential calculus rules.
    const dW1 = paper.deltaW1.flat();
    const dW2 = paper.deltaW2.flat();
    expectClose(layer2.gradient.flat(), dW2);
    expectClose(layer1.gradient.flat(), dW1);
    expect(layer1.gradient).toHaveLength(2);
    // δup_0 = W♯1ᵀ · δdown_1: the bias column takes no part.
    expectClose(t.deltaUp0, [paper.deltaUp0]);
    // The app's own closed forms say the same.
    expectClose(paperClosedForms(setup).flat(2), [...dW1, ...dW2]);
  });

  it('the finite differences agree with the F-adjoint and free what they create', async () => {
    for (const setup of [paperExample(), builtInExample()]) {
      const before = backend.memory();
      const numeric = await finiteDifferences(backend, setup);
      expect(backend.memory()).toEqual(before);
      const t = await traced(setup);
      const checks = compareGradients(
        t.layers.map((l) => l.gradient),
        numeric,
        'finite differences',
      );
      expect(checks.every((c) => c.agree)).toBe(true);
      // The model itself is unchanged.
      expect(setup.network.getWeights()).toEqual(t.layers.map((l) => l.W));
    }
  });
});

describe('compareGradients and formatChecks', () => {
  const reference = [[[1, 2]], [[0.5]]];
  it('flag an entry off by more than the tolerance', () => {
    const closed = compareGradients([[[1 + 1e-11, 2]], [[0.5]]], reference, 'closed form');
    expect(closed.map((c) => [c.entry, c.agree])).toEqual([
      ['δW1[1,1]', false],
      ['δW1[1,2]', true],
      ['δW2[1,1]', true],
    ]);
    const fd = compareGradients([[[1, 2 * (1 + 2e-7)]], [[0.5]]], reference, 'finite differences');
    expect(fd.map((c) => c.agree)).toEqual([true, false, true]);
    expect(fd[1]!.relative).toBeCloseTo(2e-7 / (1 + 2e-7), 15);
    const lines = formatChecks([...closed, ...fd]);
    expect(lines.at(-1)).toBe(
      '2 of 6 comparisons disagree: δW1[1,1] (closed form), δW1[1,2] (finite differences).',
    );
    expect(lines.filter((l) => l.endsWith('DISAGREE'))).toHaveLength(2);
  });
  it('treat a missing or non-finite value as a disagreement', () => {
    const [c] = compareGradients([[[Number.NaN]]], [[[1]]], 'closed form');
    expect(c!.agree).toBe(false);
    expect(compareGradients([[[1, 1]]], [[[1]]], 'closed form')[1]!.agree).toBe(false);
  });
});

// ───────── the F-adjoint against finite differences of a forward pass written here ─────────

interface Case {
  readonly architecture: number[];
  readonly bias: boolean;
  readonly activations: ActivationSpec[][];
  readonly loss: LossName;
  readonly seed: number;
}

function activate(spec: ActivationSpec, t: number): number {
  const { name, alpha } = typeof spec === 'string' ? { name: spec, alpha: 0 } : spec;
  return activationRules[name].sigma(t, alpha ?? 0.01);
}

/** Yh and Xh on the host (eq. 1, 20), the formal neuron appended when bias is on. */
function hostForward(c: Case, weights: number[][][], x: readonly number[]) {
  const X: number[][] = [c.bias ? [...x, 1] : [...x]];
  const Y: number[][] = [];
  weights.forEach((w, h) => {
    const y = w.map((row) => row.reduce((s, a, j) => s + a * X[h]![j]!, 0));
    const s = y.map((v, i) => activate(c.activations[h]![i]!, v));
    Y.push(y);
    X.push(c.bias && h < weights.length - 1 ? [...s, 1] : s);
  });
  return { X, Y };
}

function hostLoss(c: Case, weights: number[][][], x: readonly number[], y: readonly number[]) {
  const p = hostForward(c, weights, x).X.at(-1)!;
  const logSum = Math.log(p.reduce((s, v) => s + Math.exp(v), 0));
  return p.reduce((J, v, i) => {
    const t = y[i]!;
    if (c.loss === 'difference') return J + v - t;
    if (c.loss === 'mse') return J + 0.5 * (v - t) ** 2;
    if (c.loss === 'binaryCrossEntropy') return J - t * Math.log(v) - (1 - t) * Math.log(1 - v);
    return J - t * (v - logSum);
  }, 0);
}

const FAMILY: ActivationSpec[] = ['tanh', 'sigmoid', { name: 'leakyRelu', alpha: 0.2 }, 'softplus'];
const CASES: Case[] = [
  {
    architecture: [3, 4, 3, 2],
    bias: true,
    activations: [FAMILY, ['softplus', 'identity', 'tanh'], ['sigmoid', 'sigmoid']],
    loss: 'mse',
    seed: 7,
  },
  {
    architecture: [2, 4, 2],
    bias: true,
    activations: [FAMILY, ['sigmoid', 'sigmoid']],
    loss: 'binaryCrossEntropy',
    seed: 11,
  },
  {
    architecture: [3, 4, 3],
    bias: true,
    activations: [FAMILY, ['identity', 'identity', 'identity']],
    loss: 'softmaxCrossEntropy',
    seed: 5,
  },
  {
    architecture: [2, 3, 2],
    bias: false,
    activations: [
      ['tanh', 'softplus', 'sigmoid'],
      ['sigmoid', 'tanh'],
    ],
    loss: 'difference',
    seed: 3,
  },
];

describe('traceNetwork against central finite differences', () => {
  for (const c of CASES) {
    it(`A[${c.architecture}], bias ${c.bias}, per-neuron σ, loss ${c.loss}`, async () => {
      const r = new Random(c.seed);
      const uniform = () => r.uniform(-1, 1);
      const network = Network.create({
        architecture: c.architecture,
        activations: c.activations,
        bias: c.bias,
      });
      const weights = network.getWeights().map((w) => w.map((row) => row.map(uniform)));
      network.setWeights(weights); // random biases too, not the initial zeros
      const input = Array.from({ length: c.architecture[0]! }, uniform);
      let target = Array.from({ length: c.architecture.at(-1)! }, () => r.uniform(0.1, 0.9));
      if (c.loss === 'softmaxCrossEntropy') {
        const total = target.reduce((s, v) => s + v, 0);
        target = target.map((v) => v / total);
      }
      const host = hostForward(c, weights, input);
      // No leaky relu sits within the stencil's reach of its kink.
      host.Y[0]!.forEach((v, i) => {
        if (i === 2) expect(Math.abs(v)).toBeGreaterThan(1e-2);
      });

      const t = await traced({ network, input, target, loss: c.loss });

      expectClose(t.X0, host.X[0]!);
      t.layers.forEach((l, i) => {
        expectClose(l.Y, host.Y[i]!);
        expectClose(l.X, host.X[i + 1]!);
      });
      expectClose([t.J], [hostLoss(c, weights, input, target)]);
      for (const [h, w] of weights.entries()) {
        const numeric = await centralDifferences(() => hostLoss(c, weights, input, target), w);
        const error = relativeError(t.layers[h]!.gradient.flat(), numeric.flat());
        expect(error, `∂J/∂W${h + 1}`).toBeLessThanOrEqual(1e-7);
      }
      const [numericInput] = await centralDifferences(
        () => hostLoss(c, weights, input, target),
        [input],
      );
      expect(relativeError(t.deltaUp0, numericInput!), 'δup_0').toBeLessThanOrEqual(1e-7);
    });
  }
});
