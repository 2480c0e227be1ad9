/**
 * The paper's Section 4: A[1,1,1] and A[1,2,1] with J = f(x) − y and σ everywhere. The
 * gradients δW1, δW2 from fAdjoint must equal the closed forms printed there (`sectionFour`).
 */
import {
  type ActivationName,
  type Backend,
  fAdjoint,
  fPropagate,
  losses,
  Network,
} from '@twostep/core';
import { SECTION_FOUR_SIGMAS, sectionFour } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import { f64, f64Unfused, matrix, rowsOf } from './helpers.js';

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

const cases = Object.keys(SECTION_FOUR_SIGMAS).flatMap((name) => [
  [name, 'fused kernels', f64],
  [name, 'basic ops', f64Unfused],
]) as [string, string, Backend][];

describe.each(cases)('Section 4 with σ = %s (%s)', (name, _, backend) => {
  const sigma = SECTION_FOUR_SIGMAS[name as keyof typeof SECTION_FOUR_SIGMAS];

  it('A[1,1,1]: δW2 = (σ′(y2)σ(y1), σ′(y2)), δW1 = (σ′(y2)σ′(y1)α2₁x, σ′(y2)σ′(y1)α2₁)', () => {
    const [a11, a12, a21, a22, x, y] = [0.7, -0.3, 1.3, 0.2, 0.9, 0.4];
    const weights = [[[a11, a12]], [[a21, a22]]];
    const r = twoStep(backend, name as ActivationName, weights, x, y);
    const closed = sectionFour(sigma, weights[0]!, weights[1]!, x, y);
    expect(Math.abs(r.J - closed.J)).toBeLessThanOrEqual(1e-12);
    expectClose(
      r.X1,
      closed.X1.map((v) => [v]),
    ); // the formal neuron is visible (Remark 1)
    expectClose(r.dW2, closed.deltaW2);
    expectClose(r.dW1, closed.deltaW1);
    // δup_0 = (W♯1)ᵀ δdown_1 = α1₁₁ σ′(y2)σ′(y1)α2₁: ∂J/∂x.
    expect(Math.abs(r.input - closed.deltaUp0)).toBeLessThanOrEqual(1e-12);
  });

  it('A[1,2,1]: δW2 and δW1 as printed in Section 4.2', () => {
    const [a111, a112, a121, a122, a21, a22, a23, x, y] = [
      0.5, 0.1, -0.8, 0.3, 1.1, -0.6, 0.25, -1.2, 0,
    ];
    const weights = [
      [
        [a111, a112],
        [a121, a122],
      ],
      [[a21, a22, a23]],
    ];
    const r = twoStep(backend, name as ActivationName, weights, x, y);
    const closed = sectionFour(sigma, weights[0]!, weights[1]!, x, y);
    expectClose(r.dW2, closed.deltaW2);
    expectClose(r.dW1, closed.deltaW1);
  });
});
