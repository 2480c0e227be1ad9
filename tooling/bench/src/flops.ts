/**
 * Arithmetic throughput: the floating-point operations the two-step rule needs per training
 * sample, so that samples/s becomes GFLOP/s, comparable across workloads and with the ceiling
 * (backend-ts's best float32 matMul on this machine, ceiling.ts).
 *
 * Per sample, on A[N0, …, NL] with the bias as the last column of each Wh (Nh × (N(h−1) + 1)),
 * counting a multiply and an add as 2 (as matMul GFLOP/s are counted, 2·m·n·k a product):
 *
 *     forward         Yh = Wh · X(h−1)              Σ_{h=1..L} 2·Nh·(N(h−1) + 1)
 *     weight gradient ∂J/∂Wh = δdown_h · X(h−1)ᵀ    Σ_{h=1..L} 2·Nh·(N(h−1) + 1)
 *     δup             δup_(h−1) = W♯hᵀ · δdown_h    Σ_{h=2..L} 2·Nh·N(h−1)
 *
 * Only the products: activations, the loss and the SGD update (O(weights) per step, not per
 * sample) are left out, and δup_0 (∂J/∂X0) too, which no trainer forms. It is the work of the
 * rule, not of any one library: every trainer on a workload is credited the same FLOPs a
 * sample, so the column ranks them as samples/s does, on a scale the ceiling shares.
 */
import type { Ceiling } from './protocol.js';

/** The products of one training sample by the two-step rule (see above); W1: 409,640. */
export function flopsPerSample(architecture: readonly number[]): number {
  let flops = 0;
  for (let h = 1; h < architecture.length; h++) {
    const [inputs, outputs] = [architecture[h - 1]!, architecture[h]!];
    flops += 2 * 2 * outputs * (inputs + 1); // forward and weight gradient
    if (h >= 2) flops += 2 * outputs * inputs; // δup_(h−1)
  }
  return flops;
}

/** GFLOP/s of a trainer that trains `samplesPerSecond` samples a second on `architecture`. */
export const gflops = (architecture: readonly number[], samplesPerSecond: number): number =>
  (flopsPerSample(architecture) * samplesPerSecond) / 1e9;

/**
 * The ceiling a trainer computing with `threads` threads is held to: the measured one with the
 * most threads not above its own (one thread at least), so a 2-thread trainer is not held to
 * a 1-thread ceiling when a 2-thread one was measured, nor a 16-thread one to nothing when the
 * backend ran at most 8. Undefined when none was measured.
 */
export function ceilingFor(threads: number, ceilings: readonly Ceiling[]): Ceiling | undefined {
  const sorted = byThreads(ceilings);
  return sorted.filter((c) => c.threads <= Math.max(1, threads)).at(-1) ?? sorted[0];
}

/** The ceiling with the most threads: what "all threads" reached. */
export const allThreadsCeiling = (ceilings: readonly Ceiling[]): Ceiling | undefined =>
  byThreads(ceilings).at(-1);

/** By threads the backend ran, then by GFLOP/s (the best last among equal thread counts). */
const byThreads = (ceilings: readonly Ceiling[]): Ceiling[] =>
  [...ceilings].sort((a, b) => a.threads - b.threads || a.gflops - b.gflops);

/**
 * The best of several measurements per thread count (the machine is shared: the peak is what
 * the kernel can do, a slow spell is not), ordered by threads.
 */
export function bestCeilings(measured: readonly Ceiling[]): Ceiling[] {
  const best = new Map<number, Ceiling>();
  for (const c of measured) {
    const seen = best.get(c.requestedThreads);
    if (!seen || c.gflops > seen.gflops) best.set(c.requestedThreads, c);
  }
  return [...best.values()].sort((a, b) => a.requestedThreads - b.requestedThreads);
}
