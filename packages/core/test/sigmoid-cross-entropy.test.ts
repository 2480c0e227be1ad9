/**
 * sigmoidCrossEntropy: binary cross-entropy on logits, J = Σ softplus(x) − y·x and
 * δup_L = σ(x) − y, against closed forms and central differences on the reference backend,
 * out to logits of ±100 where sigmoid + binaryCrossEntropy has lost the gradient.
 */
import {
  fAdjoint,
  fPropagate,
  LOSS_NAMES,
  losses,
  Network,
  type Reduction,
  tidy,
  toColumns,
} from '@twostep/core';
import { centralDifferences, relativeError } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import { f64 } from './helpers.js';

/** softplus and σ written out stably in float64: log(1 + eˣ) = max(x, 0) + log1p(e^−|x|). */
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigma = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

const LOGITS = [-100, -40, -20, -1, -1e-3, 0, 0.5, 20, 40, 100];
const TARGETS = [0, 1, 0.3];

/** J and δup_L of the loss on a 1 × n row of logits and targets, read back. */
function run(
  name: 'sigmoidCrossEntropy' | 'binaryCrossEntropy',
  x: number[],
  y: number[],
  reduction: Reduction,
) {
  return tidy(f64, () => {
    const out = losses[name].forward(
      f64,
      f64.fromArray(x, 1, x.length),
      f64.fromArray(y, 1, y.length),
      reduction,
    );
    return { J: f64.readSync!(out.J)[0]!, deltaUp: Array.from(f64.readSync!(out.deltaUp)) };
  });
}

describe('sigmoidCrossEntropy', () => {
  it('is a loss of LOSS_NAMES', () => {
    expect(LOSS_NAMES).toContain('sigmoidCrossEntropy');
  });

  it.each(['mean', 'sum'] as const)('J and δup_L equal their closed forms (%s)', (reduction) => {
    const x = LOGITS.flatMap((v) => TARGETS.map(() => v));
    const y = LOGITS.flatMap(() => TARGETS);
    const r = reduction === 'mean' ? 1 / x.length : 1;
    const { J, deltaUp } = run('sigmoidCrossEntropy', x, y, reduction);
    // −[y log σ(x) + (1 − y) log(1 − σ(x))] = softplus(x) − y·x.
    const expected = x.reduce((s, v, i) => s + softplus(v) - y[i]! * v, 0) * r;
    expect(Math.abs(J - expected)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(expected)));
    for (const [i, d] of deltaUp.entries()) expect(d).toBeCloseTo((sigma(x[i]!) - y[i]!) * r, 14);
  });

  it('keeps J and the gradient on confidently wrong logits, where sigmoid + binaryCrossEntropy lose them', () => {
    for (const x of [20, 40, 100]) {
      // y = 0 on a logit x: J = x + log1p(e^−x), ∂J/∂x = σ(x) ≈ 1; and the mirror case.
      const wrong = run('sigmoidCrossEntropy', [x, -x], [0, 1], 'sum');
      expect(wrong.J).toBeCloseTo(2 * softplus(x), 12);
      expect(wrong.deltaUp[0]).toBeCloseTo(1, 8);
      expect(wrong.deltaUp[1]).toBeCloseTo(-1, 8);
    }
    // Through a sigmoid output and the clamped p, δdown_L = δup_L · σ'(x) vanishes at x = 40.
    const p = sigma(40);
    const clamped = run('binaryCrossEntropy', [p], [0], 'sum');
    expect(clamped.J).toBeLessThan(35); // −log(ε), ε = 1e-15: not 40
    expect(clamped.deltaUp[0]! * p * (1 - p)).toBeLessThan(0.01); // not 1
  });

  it.each([20, 40, 100])(
    '∂J/∂W by fAdjoint matches central differences at logits ±%d',
    async (z) => {
      // A[2,1] with identity output: the logit is w1·x1 + w2·x2 + b; three samples at −z, ≈ 0, z.
      const net = Network.create({ architecture: 'A[2,1]', activation: 'identity' });
      const inputs = [
        [-z / 2, -z / 4],
        [0.3, -0.1],
        [z / 2, z / 4],
      ];
      const targets = [[0], [1], [0.25]]; // the first is right, the last confidently wrong
      const weights = [[[1, 2, 0]]]; // logits −z, 0.1, z
      net.setWeights(weights);
      const J = () =>
        tidy(f64, () => {
          const F = fPropagate(f64, net, toColumns(f64, inputs));
          const t = toColumns(f64, targets);
          return f64.readSync!(losses.sigmoidCrossEntropy.forward(f64, F.X[1]!, t, 'mean').J)[0]!;
        });
      const analytic = tidy(f64, () => {
        const F = fPropagate(f64, net, toColumns(f64, inputs));
        const { deltaUp } = losses.sigmoidCrossEntropy.forward(
          f64,
          F.X[1]!,
          toColumns(f64, targets),
          'mean',
        );
        return Array.from(f64.readSync!(fAdjoint(f64, net, F, deltaUp).gradients[0]!));
      });
      const numeric = (
        await centralDifferences(() => {
          net.setWeights(weights);
          return J();
        }, weights[0]!)
      ).flat();
      expect(relativeError(analytic, numeric)).toBeLessThan(1e-9);
      // And the closed form: ∂J/∂w = mean over samples of (σ(logit) − y)·[x1, x2, 1].
      const logits = [-z, 0.1, z];
      const expected = [0, 1, 2].map(
        (c) =>
          logits.reduce(
            (s, l, j) => s + (sigma(l) - targets[j]![0]!) * (c < 2 ? inputs[j]![c]! : 1),
            0,
          ) / 3,
      );
      expect(relativeError(analytic, expected)).toBeLessThan(1e-14);
    },
  );
});
