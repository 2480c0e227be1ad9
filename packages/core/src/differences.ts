/**
 * Central finite differences: ∂J/∂w from J alone, so the F-adjoint (eq. 5, 21, 22) is checked
 * against nothing but the F-propagation (eq. 1, 20) that computes J; and the seeded random
 * cases such a check runs on.
 */
import { ACTIVATION_NAMES, type ActivationSpec } from './activations.js';
import { LOSS_NAMES, type LossName } from './losses.js';
import { Network } from './network.js';
import { Random } from './random.js';

/** A row of numbers that can be moved in place: an array or a typed array. */
export interface Entries {
  readonly length: number;
  [index: number]: number;
}

/**
 * The step of the five-point stencil: its truncation O(s⁴) and its rounding ≈ ε/s are both
 * near 1e-13 in float64 at s = 1e-3.
 */
export const CENTRAL_DIFFERENCE_STEP = 1e-3;

/**
 * ∂J/∂w for every entry w of `rows`, by the five-point stencil
 * (−J(w+2s) + 8J(w+s) − 8J(w−s) + J(w−2s)) / 12s. `J` reads the rows, which are moved one
 * entry at a time and restored, so it may take its time (a backend's read is async).
 */
export async function centralDifferences(
  J: () => number | Promise<number>,
  rows: readonly Entries[],
  step = CENTRAL_DIFFERENCE_STEP,
): Promise<number[][]> {
  const result: number[][] = [];
  for (const row of rows) {
    const d: number[] = [];
    for (let j = 0; j < row.length; j++) {
      const w = row[j]!;
      const at = (v: number) => {
        row[j] = v;
        return J();
      };
      const [p2, p1, m1, m2] = [
        await at(w + 2 * step),
        await at(w + step),
        await at(w - step),
        await at(w - 2 * step),
      ];
      row[j] = w;
      d.push((-p2 + 8 * p1 - 8 * m1 + m2) / (12 * step));
    }
    result.push(d);
  }
  return result;
}

/** ‖a − b‖ / max(‖a‖, ‖b‖) over all entries (Frobenius), 0 when both vanish. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  const scale = Math.sqrt(Math.max(na, nb));
  return scale === 0 ? 0 : Math.sqrt(diff) / scale;
}

/** A seeded random case of the gradient check: reproducible from `seed` alone. */
export interface GradientCheckCase {
  readonly seed: number;
  /** [N0, …, NL], depth L from 1 to 4. */
  readonly architecture: number[];
  readonly bias: boolean;
  /** One σ per neuron (eq. 7): a family in every layer. */
  readonly activations: ActivationSpec[][];
  readonly loss: LossName;
  readonly batch: number;
  /** X0, N0 × batch, row-major, in [−1, 1). */
  readonly inputs: { readonly rows: number; readonly cols: number; readonly data: Float64Array };
  /** y, NL × batch, row-major; columns are distributions for softmax cross-entropy. */
  readonly targets: { readonly rows: number; readonly cols: number; readonly data: Float64Array };
}

/**
 * The case of `seed`: widths 1 to `maxWidth`, every activation, the loss and the bias cycling
 * with the seed (every fourth without bias), a batch of 1 (every third seed) or 2 to
 * `maxBatch`. Binary cross-entropy gets sigmoid outputs.
 */
export function gradientCheckCase(
  seed: number,
  { maxWidth, maxBatch }: { maxWidth: number; maxBatch: number },
): GradientCheckCase {
  const r = new Random(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r.next() * (hi - lo + 1));
  const depth = int(1, 4);
  const architecture = Array.from({ length: depth + 1 }, () => int(1, maxWidth));
  const loss = LOSS_NAMES[seed % LOSS_NAMES.length]!;
  const activations = architecture.slice(1).map((n, h) =>
    Array.from({ length: n }, (): ActivationSpec => {
      if (h === depth - 1 && loss === 'binaryCrossEntropy') return 'sigmoid';
      const name = ACTIVATION_NAMES[int(0, ACTIVATION_NAMES.length - 1)]!;
      return name === 'leakyRelu' ? { name, alpha: 0.05 + 0.3 * r.next() } : name;
    }),
  );
  const batch = seed % 3 === 0 ? 1 : int(2, maxBatch);
  const nL = architecture[depth]!;
  const targets = Float64Array.from({ length: nL * batch }, () => r.next());
  if (loss === 'softmaxCrossEntropy') {
    for (let j = 0; j < batch; j++) {
      let s = 0;
      for (let i = 0; i < nL; i++) s += targets[i * batch + j]!;
      for (let i = 0; i < nL; i++) targets[i * batch + j]! /= s;
    }
  }
  const inputs = Float64Array.from({ length: architecture[0]! * batch }, () => r.uniform(-1, 1));
  return {
    seed,
    architecture,
    bias: seed % 4 !== 1,
    activations,
    loss,
    batch,
    inputs: { rows: architecture[0]!, cols: batch, data: inputs },
    targets: { rows: nL, cols: batch, data: targets },
  };
}

/** The network of a case: its architecture, per-neuron activations and bias, Xavier weights from its seed. */
export function gradientCheckNetwork(c: GradientCheckCase): Network {
  return Network.create({
    architecture: c.architecture,
    activations: c.activations,
    bias: c.bias,
    seed: c.seed,
    init: 'xavier',
  });
}

/** A case as a test names it: `seed 1003: A[4,2,3] mse, bias true, batch 2`. */
export const gradientCheckTitle = (c: GradientCheckCase): string =>
  `seed ${c.seed}: A[${c.architecture}] ${c.loss}, bias ${c.bias}, batch ${c.batch}`;

/** What cases span, for a test that they take every loss, depths 1–4 and the bias on and off. */
export function gradientCheckCoverage(cases: readonly GradientCheckCase[]): {
  losses: Set<LossName>;
  depths: Set<number>;
  bias: Set<boolean>;
} {
  return {
    losses: new Set(cases.map((c) => c.loss)),
    depths: new Set(cases.map((c) => c.architecture.length - 1)),
    bias: new Set(cases.map((c) => c.bias)),
  };
}
