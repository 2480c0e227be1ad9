// The core's tests of sigmoidCrossEntropy run on the float64 reference; these need float32.
import {
  type Backend,
  fAdjoint,
  fPropagate,
  losses,
  Network,
  tidy,
  toColumns,
  tracked,
} from '@twostep/core';
import { centralDifferences, relativeError } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../src/index.js';

const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigma = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

describe.each(['float32', 'float64'] as const)('sigmoidCrossEntropy in %s', (dtype) => {
  const k: Backend = tracked(createBackend({ dtype }));
  const eps = dtype === 'float32' ? 2 ** -23 : 2 ** -52;

  it.each([20, 40, 100])('J and δup_L at logits ±%d equal the closed forms', (z) => {
    const x = [-z, -z, z, z, 0.5];
    const y = [0, 1, 0, 1, 0.3];
    const { J, deltaUp } = tidy(k, () => {
      const out = losses.sigmoidCrossEntropy.forward(
        k,
        toColumns(k, [x]),
        toColumns(k, [y]),
        'sum',
      );
      return { J: k.readSync!(out.J)[0]!, deltaUp: Array.from(k.readSync!(out.deltaUp)) };
    });
    // J = Σ softplus(x) − y·x: 2z + small terms; each term is held to a few ulps of z.
    const expected = x.reduce((s, v, i) => s + softplus(v) - y[i]! * v, 0);
    expect(Math.abs(J - expected)).toBeLessThanOrEqual(16 * eps * 4 * z);
    // δup_L = σ(x) − y: ±1 on the confidently wrong entries, ≈ 0 on the right ones.
    for (const [i, d] of deltaUp.entries()) {
      expect(Math.abs(d - (sigma(x[i]!) - y[i]!))).toBeLessThanOrEqual(4 * eps);
    }
    expect(deltaUp[1]).toBeCloseTo(-1, 6);
    expect(deltaUp[2]).toBeCloseTo(1, 6);
  });

  it('sigmoid + binaryCrossEntropy on the same logit loses J and δdown_L (w = 20, y = 0)', () => {
    // A[1,1] without bias, w = 20, x = 1, y = 0: Y1 = 20, through the rule (eq. 21, 22).
    const run = (loss: 'binaryCrossEntropy' | 'sigmoidCrossEntropy') => {
      const net = Network.create({
        architecture: 'A[1,1]',
        bias: false,
        activation: loss === 'binaryCrossEntropy' ? 'sigmoid' : 'identity',
      });
      net.setWeights([[[20]]]);
      const out = tidy(k, () => {
        const F = fPropagate(k, net, toColumns(k, [[1]]));
        const { J, deltaUp } = losses[loss].forward(k, F.X[1]!, toColumns(k, [[0]]), 'sum');
        const A = fAdjoint(k, net, F, deltaUp);
        return [k.readSync!(J)[0]!, k.readSync!(A.deltaDown[0]!)[0]!];
      });
      net.release(k);
      return out;
    };
    const [J, down] = run('binaryCrossEntropy');
    if (dtype === 'float32') {
      expect(J).toBeCloseTo(15.94, 2); // −log(1 − (1 − ε)) with ε = 1e-7 in float32, not 20
      expect(down).toBeCloseTo(0.0173, 3); // not 1
    }
    const [exactJ, exactDown] = run('sigmoidCrossEntropy');
    expect(exactJ).toBeCloseTo(20, 5); // softplus(20) = 20 + 2e-9
    expect(exactDown).toBeCloseTo(1, 6); // σ(20) − 0
  });

  it.each([20, 40, 100])('∂J/∂W matches central differences at logits ±%d', async (z) => {
    const net = Network.create({ architecture: 'A[2,1]', activation: 'identity' });
    const inputs = [
      [-z / 2, -z / 4],
      [0.3, -0.1],
      [z / 2, z / 4],
    ];
    const targets = [[0], [1], [0.25]];
    const weights = [[[1, 2, 0]]];
    net.setWeights(weights);
    const forward = () => {
      const F = fPropagate(k, net, toColumns(k, inputs));
      return {
        F,
        out: losses.sigmoidCrossEntropy.forward(k, F.X[1]!, toColumns(k, targets), 'mean'),
      };
    };
    const analytic = tidy(k, () => {
      const { F, out } = forward();
      return Array.from(k.readSync!(fAdjoint(k, net, F, out.deltaUp).gradients[0]!));
    });
    // float32 J ≈ z/3 is rounded to ε·z: a step of 1e-2 keeps that error ≲ 1e-4 of the slope.
    const step = dtype === 'float32' ? 1e-2 : 1e-4;
    const J = () => {
      net.setWeights(weights);
      return tidy(k, () => k.readSync!(forward().out.J)[0]!);
    };
    const numeric = (await centralDifferences(J, weights[0]!, step)).flat();
    expect(relativeError(analytic, numeric)).toBeLessThan(dtype === 'float32' ? 1e-4 : 1e-9);
    net.release(k);
  });
});
