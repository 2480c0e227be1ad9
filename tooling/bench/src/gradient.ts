/**
 * W4's reference for the autodiff peers: the two-step rule's gradient (`fAdjoint` after
 * `fPropagate`, softmax cross-entropy, batch mean) of the workload's network from its initial
 * weights, on its one batch, on the backend the peer is compared on.
 */
import {
  type Backend,
  dispose,
  fAdjoint,
  fPropagate,
  losses,
  type Matrix,
  tidy,
  toColumns,
  tracked,
} from '@twostep/core';
import { workloadData } from './data.js';
import type { Workload } from './protocol.js';
import { createNetwork } from './workloads.js';

/** ∂J/∂W1 … ∂J/∂WL, Nh × (N(h−1) + 1) row-major (bias gradient last), read back. */
export async function twoStepGradient(k: Backend, w: Workload): Promise<Float64Array[]> {
  const { train } = workloadData(w);
  const net = createNetwork(w);
  const x0 = toColumns(k, train.inputs);
  const targets = toColumns(k, train.targets);
  const kt = tracked(k);
  const gradients: Matrix[] = tidy(k, () => {
    const F = fPropagate(kt, net, x0);
    const { deltaUp } = losses.softmaxCrossEntropy.forward(kt, F.X.at(-1)!, targets, 'mean');
    return fAdjoint(kt, net, F, deltaUp, { inputGradient: false }).gradients;
  });
  const host = await Promise.all(gradients.map((m) => k.read(m)));
  dispose(k, [...gradients, x0, targets]);
  net.release(k);
  return host.map((g) => Float64Array.from(g));
}
