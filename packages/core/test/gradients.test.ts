/**
 * fAdjoint against central finite differences of J, in float64, on seeded random
 * architectures: depth 1–4, widths 1–7, per-neuron activation families, bias on and off,
 * every loss, batches of 1 and more. Every ∂J/∂Wh and the input gradient δup_0.
 */
import {
  ACTIVATION_NAMES,
  type ActivationSpec,
  fAdjoint,
  fPropagate,
  LOSS_NAMES,
  type LossName,
  losses,
  type Matrix,
  Network,
  Random,
  tidy,
} from '@twostep/core';
import { centralDifferences, relativeError } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import { f64 } from './helpers.js';

interface Case {
  seed: number;
  architecture: number[];
  bias: boolean;
  activations: ActivationSpec[][];
  loss: LossName;
  batch: number;
  inputs: number[];
  targets: number[];
}

/** Activations with a kink at 0, where finite differences are not the derivative. */
const kinked = new Set(['relu', 'leakyRelu']);

function makeCase(seed: number): Case {
  const random = new Random(seed);
  const r = () => random.next();
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const depth = int(1, 4);
  const architecture = Array.from({ length: depth + 1 }, () => int(1, 7));
  const loss = LOSS_NAMES[seed % LOSS_NAMES.length]!;
  const activations = architecture.slice(1).map((n, i) =>
    Array.from({ length: n }, (): ActivationSpec => {
      // Binary cross-entropy is on sigmoid outputs.
      if (i === depth - 1 && loss === 'binaryCrossEntropy') return 'sigmoid';
      const name = ACTIVATION_NAMES[int(0, ACTIVATION_NAMES.length - 1)]!;
      return name === 'leakyRelu' ? { name, alpha: 0.05 + 0.3 * r() } : name;
    }),
  );
  const batch = seed % 3 === 0 ? 1 : int(2, 5);
  const nL = architecture[depth]!;
  const targets = Array.from({ length: nL * batch }, () => r());
  if (loss === 'softmaxCrossEntropy') {
    // Columns are distributions over the NL classes.
    for (let j = 0; j < batch; j++) {
      let sum = 0;
      for (let i = 0; i < nL; i++) sum += targets[i * batch + j]!;
      for (let i = 0; i < nL; i++) targets[i * batch + j]! /= sum;
    }
  }
  return {
    seed,
    architecture,
    bias: seed % 4 !== 1,
    activations,
    loss,
    batch,
    inputs: Array.from({ length: architecture[0]! * batch }, () => 2 * r() - 1),
    targets,
  };
}

function networkOf(c: Case): Network {
  return Network.create({
    architecture: c.architecture,
    activations: c.activations,
    bias: c.bias,
    seed: c.seed,
    init: 'xavier',
  });
}

/** J for the case's network with the given weights and inputs. */
function loss(c: Case, net: Network, inputs: number[]): number {
  return tidy(f64, () => {
    const F = fPropagate(f64, net, f64.fromArray(inputs, c.architecture[0]!, c.batch));
    const t = f64.fromArray(c.targets, c.architecture.at(-1)!, c.batch);
    const { J } = losses[c.loss].forward(f64, F.X.at(-1)!, t, 'mean');
    return f64.readSync!(J)[0]!;
  });
}

/** No kinked neuron has its pre-activation near the kink (finite differences would straddle it). */
function awayFromKinks(c: Case, net: Network): boolean {
  return tidy(f64, () => {
    const F = fPropagate(f64, net, f64.fromArray(c.inputs, c.architecture[0]!, c.batch));
    return F.Y.every((y: Matrix, h) => {
      const data = f64.readSync!(y);
      return c.activations[h]!.every((spec, i) => {
        const name = typeof spec === 'string' ? spec : spec.name;
        if (!kinked.has(name)) return true;
        for (let j = 0; j < c.batch; j++) if (Math.abs(data[i * c.batch + j]!) < 1e-3) return false;
        return true;
      });
    });
  });
}

/** The stencil's step: its reach (2h) stays inside the 1e-3 kept from every kink. */
const h = 1e-4;
const cases = Array.from({ length: 40 }, (_, i) => makeCase(1000 + i)).filter((c) =>
  awayFromKinks(c, networkOf(c)),
);

describe('fAdjoint against central finite differences (float64)', () => {
  it('covers at least 20 cases, every loss, depths 1–4, bias on and off, batches 1 and > 1', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(new Set(cases.map((c) => c.loss))).toEqual(new Set(LOSS_NAMES));
    expect(new Set(cases.map((c) => c.architecture.length - 1))).toEqual(new Set([1, 2, 3, 4]));
    expect(new Set(cases.map((c) => c.bias))).toEqual(new Set([true, false]));
    expect(cases.some((c) => c.batch === 1) && cases.some((c) => c.batch > 1)).toBe(true);
  });

  it.each(
    cases.map(
      (c) =>
        [
          `seed ${c.seed}: A[${c.architecture}] ${c.loss}, bias ${c.bias}, batch ${c.batch}`,
          c,
        ] as const,
    ),
  )('%s', async (_, c) => {
    const net = networkOf(c);
    const { gradients, inputGradient } = tidy(f64, () => {
      const F = fPropagate(f64, net, f64.fromArray(c.inputs, c.architecture[0]!, c.batch));
      const t = f64.fromArray(c.targets, c.architecture.at(-1)!, c.batch);
      const { deltaUp } = losses[c.loss].forward(f64, F.X.at(-1)!, t, 'mean');
      const A = fAdjoint(f64, net, F, deltaUp);
      return {
        gradients: A.gradients.map((g) => Array.from(f64.readSync!(g))),
        inputGradient: Array.from(f64.readSync!(A.deltaUp[0]!)),
      };
    });
    // ∂J/∂Wh, entry by entry.
    const weights = net.getWeights();
    for (const [layer, w] of weights.entries()) {
      const J = () => {
        net.setWeights(weights);
        return loss(c, net, c.inputs);
      };
      const numeric = (await centralDifferences(J, w, h)).flat();
      net.setWeights(weights);
      const error = relativeError(gradients[layer]!, numeric);
      expect(error, `∂J/∂W${layer + 1}, relative error`).toBeLessThan(1e-7);
    }
    // δup_0 = ∂J/∂X0 (B columns; the formal neuron's row is not part of it).
    const inputs = [...c.inputs];
    const [numericInput] = await centralDifferences(() => loss(c, net, inputs), [inputs], h);
    expect(relativeError(inputGradient, numericInput!), 'δup_0, relative error').toBeLessThan(1e-7);
  });
});

describe('fAdjoint without the input gradient', () => {
  it.each(cases.slice(0, 6).map((c) => [`seed ${c.seed}`, c] as const))(
    '%s: same ∂J/∂Wh, no δup_0, one product fewer',
    (_, c) => {
      const net = networkOf(c);
      const run = (inputGradient: boolean) =>
        tidy(f64, () => {
          const F = fPropagate(f64, net, f64.fromArray(c.inputs, c.architecture[0]!, c.batch));
          const t = f64.fromArray(c.targets, c.architecture.at(-1)!, c.batch);
          const { deltaUp } = losses[c.loss].forward(f64, F.X.at(-1)!, t, 'mean');
          const before = f64.memory().matrices;
          const A = fAdjoint(f64, net, F, deltaUp, { inputGradient });
          return {
            created: f64.memory().matrices - before,
            hasInputGradient: A.deltaUp[0] !== undefined,
            gradients: A.gradients.map((g) => Array.from(f64.readSync!(g))),
          };
        });
      const [full, lean] = [run(true), run(false)];
      expect(full.hasInputGradient).toBe(true);
      expect(lean.hasInputGradient).toBe(false);
      expect(lean.gradients).toEqual(full.gradients);
      expect(lean.created).toBe(full.created - 1);
    },
  );
});
