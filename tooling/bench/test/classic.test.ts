import { createBackend } from '@twostep/backend-ts';
import {
  type ActivationSpec,
  type Backend,
  dispose,
  fAdjoint,
  fPropagate,
  type LossName,
  losses,
  Network,
  Random,
  tidy,
  tracked,
} from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { classicGradients } from '../src/classic.js';
import { maxRelativeDifference } from '../src/stats.js';

/** Both gradients of one batch, read back: the two-step rule's and the classic recursion's. */
async function both(
  backend: Backend,
  net: Network,
  loss: LossName,
  batch: number,
): Promise<{ twoStep: Float64Array[]; classic: Float64Array[] }> {
  const random = new Random(7);
  const [n0, nL] = [net.architecture[0]!, net.architecture.at(-1)!];
  const x = Array.from({ length: n0 * batch }, () => random.uniform(-1, 1));
  const t = Array.from({ length: nL * batch }, () => random.next());
  const k = tracked(backend);
  const [a, c] = tidy(backend, () => {
    const F = fPropagate(k, net, k.fromArray(x, n0, batch));
    const { deltaUp } = losses[loss].forward(k, F.X.at(-1)!, k.fromArray(t, nL, batch), 'mean');
    return [
      fAdjoint(k, net, F, deltaUp, { inputGradient: false }),
      classicGradients(k, net, F, deltaUp),
    ] as const;
  });
  const read = async (ms: readonly Parameters<Backend['read']>[0][]) =>
    (await Promise.all(ms.map((m) => backend.read(m)))).map((d) => Float64Array.from(d));
  const out = {
    twoStep: await read(a.gradients),
    classic: await read(c.gradients),
  };
  dispose(backend, [a, c]);
  return out;
}

const cases: [string, ActivationSpec, ActivationSpec, LossName, boolean, number[]][] = [
  ["W1's network", 'relu', 'identity', 'softmaxCrossEntropy', true, [784, 128, 10]],
  ["W2's network", 'tanh', 'identity', 'softmaxCrossEntropy', true, [64, 64, 64, 64, 64, 64, 10]],
  ['sigmoid with mse, no bias', 'sigmoid', 'sigmoid', 'mse', false, [5, 4, 3, 2]],
  ['a single layer', 'softplus', 'softplus', 'mse', true, [3, 2]],
];

describe('the classic recursion, eqs. (2)–(4)', () => {
  for (const [name, activation, outputActivation, loss, bias, architecture] of cases) {
    it(`gives fAdjoint's gradients: ${name}`, async () => {
      const backend = createBackend({ dtype: 'float64' });
      const net = Network.create({ architecture, activation, outputActivation, bias, seed: 3 });
      const { twoStep, classic } = await both(backend, net, loss, 9);
      expect(classic.map((g) => g.length)).toEqual(twoStep.map((g) => g.length));
      expect(maxRelativeDifference(twoStep, classic)).toBeLessThan(1e-12);
      expect(twoStep.some((g) => g.some((v) => v !== 0))).toBe(true);
      // Nothing leaks: only the network's weights are left.
      expect(backend.memory().matrices).toBe(net.depth);
    });
  }
});
