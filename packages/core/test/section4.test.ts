/**
 * The paper's Section 4: A[1,1,1] and A[1,2,1] with J = f(x) − y and σ everywhere. The
 * gradients δW1, δW2 from fAdjoint must equal the closed forms printed there.
 */
import {
  type ActivationName,
  type Backend,
  fAdjoint,
  fPropagate,
  losses,
  Network,
} from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { f64, f64Unfused, matrix, rowsOf } from './helpers.js';

const sigmas: Record<string, { s: (y: number) => number; ds: (y: number) => number }> = {
  sigmoid: { s: (y) => 1 / (1 + Math.exp(-y)), ds: (y) => Math.exp(-y) / (1 + Math.exp(-y)) ** 2 },
  tanh: { s: Math.tanh, ds: (y) => 1 / Math.cosh(y) ** 2 },
};

/** δW1, δW2 and δup_0 from the two-step rule, for input x and target y. */
function twoStep(
  backend: Backend,
  name: ActivationName,
  weights: number[][][],
  x: number,
  y: number,
) {
  const net = Network.create({ architecture: [1, weights[0]!.length, 1], activation: name });
  net.setWeights(weights);
  const F = fPropagate(backend, net, matrix(backend, [[x]]));
  const { J, deltaUp } = losses.difference.forward(backend, F.X[2]!, matrix(backend, [[y]]), 'sum');
  const A = fAdjoint(backend, net, F, deltaUp);
  return {
    J: rowsOf(backend, J)[0]![0]!,
    dW1: rowsOf(backend, A.gradients[0]!),
    dW2: rowsOf(backend, A.gradients[1]!),
    X1: rowsOf(backend, F.X[1]!),
    input: rowsOf(backend, A.deltaUp[0]!)[0]![0]!,
  };
}

function expectClose(actual: number[][], expected: number[][]) {
  expect(actual.length).toBe(expected.length);
  const error = Math.max(
    ...actual.flatMap((row, i) => row.map((v, j) => Math.abs(v - expected[i]![j]!))),
  );
  expect(actual.map((row) => row.length)).toEqual(expected.map((row) => row.length));
  expect(error).toBeLessThanOrEqual(1e-12);
}

const cases = Object.keys(sigmas).flatMap((name) => [
  [name, 'fused kernels', f64],
  [name, 'basic ops', f64Unfused],
]) as [string, string, Backend][];

describe.each(cases)('Section 4 with σ = %s (%s)', (name, _, backend) => {
  const { s, ds } = sigmas[name]!;

  it('A[1,1,1]: δW2 = (σ′(y2)σ(y1), σ′(y2)), δW1 = (σ′(y2)σ′(y1)α2₁x, σ′(y2)σ′(y1)α2₁)', () => {
    const [a11, a12, a21, a22, x, y] = [0.7, -0.3, 1.3, 0.2, 0.9, 0.4];
    const y1 = a11 * x + a12;
    const y2 = a21 * s(y1) + a22;
    const r = twoStep(backend, name as ActivationName, [[[a11, a12]], [[a21, a22]]], x, y);
    expect(Math.abs(r.J - (s(y2) - y))).toBeLessThanOrEqual(1e-12);
    expectClose(r.X1, [[s(y1)], [1]]); // the formal neuron is visible (Remark 1)
    expectClose(r.dW2, [[ds(y2) * s(y1), ds(y2)]]);
    expectClose(r.dW1, [[ds(y2) * ds(y1) * a21 * x, ds(y2) * ds(y1) * a21]]);
    // δup_0 = (W♯1)ᵀ δdown_1 = α1₁₁ σ′(y2)σ′(y1)α2₁: ∂J/∂x.
    expect(Math.abs(r.input - a11 * ds(y2) * ds(y1) * a21)).toBeLessThanOrEqual(1e-12);
  });

  it('A[1,2,1]: δW2 and δW1 as printed in Section 4.2', () => {
    const [a111, a112, a121, a122, a21, a22, a23, x, y] = [
      0.5, 0.1, -0.8, 0.3, 1.1, -0.6, 0.25, -1.2, 0,
    ];
    const y11 = a111 * x + a112;
    const y21 = a121 * x + a122;
    const y2 = a21 * s(y11) + a22 * s(y21) + a23;
    const r = twoStep(
      backend,
      name as ActivationName,
      [
        [
          [a111, a112],
          [a121, a122],
        ],
        [[a21, a22, a23]],
      ],
      x,
      y,
    );
    expectClose(r.dW2, [[ds(y2) * s(y11), ds(y2) * s(y21), ds(y2)]]);
    expectClose(r.dW1, [
      [a21 * x * ds(y11) * ds(y2), a21 * ds(y11) * ds(y2)],
      [a22 * x * ds(y21) * ds(y2), a22 * ds(y21) * ds(y2)],
    ]);
  });
});
