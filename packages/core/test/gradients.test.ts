/**
 * fAdjoint against central finite differences of J, in float64, on seeded random
 * architectures: depth 1–4, widths 1–7, per-neuron activation families, bias on and off,
 * every loss, batches of 1 and more. Every ∂J/∂Wh and the input gradient δup_0.
 */
import { fAdjoint, fPropagate, losses, type Matrix, type Network, tidy } from '@twostep/core';
import {
  centralDifferences,
  type GradientCheckCase,
  gradientCheckCase,
  gradientCheckCoverage,
  gradientCheckNetwork,
  gradientCheckTitle,
  relativeError,
} from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import { EVERY_CASE, f64 } from './helpers.js';

type Case = GradientCheckCase;

/** Activations with a kink at 0, where finite differences are not the derivative. */
const kinked = new Set(['relu', 'leakyRelu']);

/** J for the case's network with the given weights and inputs. */
function loss(c: Case, net: Network, inputs: ArrayLike<number>): number {
  return tidy(f64, () => {
    const F = fPropagate(f64, net, f64.fromArray(inputs, c.architecture[0]!, c.batch));
    const t = f64.fromArray(c.targets.data, c.architecture.at(-1)!, c.batch);
    const { J } = losses[c.loss].forward(f64, F.X.at(-1)!, t, 'mean');
    return f64.readSync!(J)[0]!;
  });
}

/** No kinked neuron has its pre-activation near the kink (finite differences would straddle it). */
function awayFromKinks(c: Case, net: Network): boolean {
  return tidy(f64, () => {
    const F = fPropagate(f64, net, f64.fromArray(c.inputs.data, c.architecture[0]!, c.batch));
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
const cases = Array.from({ length: 40 }, (_, i) =>
  gradientCheckCase(1000 + i, { maxWidth: 7, maxBatch: 5 }),
).filter((c) => awayFromKinks(c, gradientCheckNetwork(c)));

describe('fAdjoint against central finite differences (float64)', () => {
  it('covers at least 20 cases, every loss, depths 1–4, bias on and off, batches 1 and > 1', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(gradientCheckCoverage(cases)).toEqual(EVERY_CASE);
    expect(cases.some((c) => c.batch === 1) && cases.some((c) => c.batch > 1)).toBe(true);
  });

  it.each(cases.map((c) => [gradientCheckTitle(c), c] as const))('%s', async (_, c) => {
    const net = gradientCheckNetwork(c);
    const { gradients, inputGradient } = tidy(f64, () => {
      const F = fPropagate(f64, net, f64.fromArray(c.inputs.data, c.architecture[0]!, c.batch));
      const t = f64.fromArray(c.targets.data, c.architecture.at(-1)!, c.batch);
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
        return loss(c, net, c.inputs.data);
      };
      const numeric = (await centralDifferences(J, w, h)).flat();
      net.setWeights(weights);
      const error = relativeError(gradients[layer]!, numeric);
      expect(error, `∂J/∂W${layer + 1}, relative error`).toBeLessThan(1e-7);
    }
    // δup_0 = ∂J/∂X0 (B columns; the formal neuron's row is not part of it).
    const inputs = c.inputs.data.slice();
    const [numericInput] = await centralDifferences(() => loss(c, net, inputs), [inputs], h);
    expect(relativeError(inputGradient, numericInput!), 'δup_0, relative error').toBeLessThan(1e-7);
  });
});

describe('fAdjoint without the input gradient', () => {
  it.each(cases.slice(0, 6).map((c) => [`seed ${c.seed}`, c] as const))(
    '%s: same ∂J/∂Wh, no δup_0, one product fewer',
    (_, c) => {
      const net = gradientCheckNetwork(c);
      const run = (inputGradient: boolean) =>
        tidy(f64, () => {
          const F = fPropagate(f64, net, f64.fromArray(c.inputs.data, c.architecture[0]!, c.batch));
          const t = f64.fromArray(c.targets.data, c.architecture.at(-1)!, c.batch);
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
