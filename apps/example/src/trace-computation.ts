/**
 * What `twostep trace` computes: the F-propagation and the F-adjoint of one sample through a
 * small network, in the paper's notation, and the checks of `--paper`.
 *
 * Forward (eq. 1, 20):   X0 = x,   Yh = Wh · X(h−1),   Xh = σh(Yh),   h = 1…L.
 * Backward (eq. 5, 21, 22, 25):   δup_L = ∂J/∂XL,   δdown_h = δup_h ⊙ σh'(Yh),
 *     ∂J/∂Wh = δdown_h · X(h−1)ᵀ,   δup_(h−1) = W♯hᵀ · δdown_h,   h = L…1.
 * With bias on (Remark 1), X0 … X(L−1) end with the formal neuron 1, the last column of Wh is
 * its bias, and W♯h is Wh without that column (eq. 13). δup_0 = ∂J/∂x is the input gradient.
 */
import {
  type Backend,
  deserialize,
  fPropagate,
  type LayerActivation,
  type LossName,
  losses,
  Network,
  tidy,
  toModelFile,
  traceSample,
  tracked,
} from '@twostep/core';
import { centralDifferences, SECTION_FOUR_SIGMAS, sectionFour } from '@twostep/core/reference';

/** What to trace: a network, one input x (N0 numbers), its target y (NL numbers), a loss. */
export interface TraceSetup {
  readonly network: Network;
  readonly input: readonly number[];
  readonly target: readonly number[];
  readonly loss: LossName;
}

/** Layer h of a trace. Vectors are columns; with bias on, matrices end with the bias column. */
export interface LayerTrace {
  readonly h: number;
  /** σh: one activation, or a family with one per neuron (eq. 7). */
  readonly activation: LayerActivation;
  /** Wh, Nh × (N(h−1) + 1 with bias). */
  readonly W: number[][];
  /** Yh = Wh · X(h−1). */
  readonly Y: number[];
  /** Xh = σh(Yh), then the formal neuron 1 when h < L and bias is on. */
  readonly X: number[];
  /** δup_h = ∂J/∂Xh (genuine neurons only). */
  readonly deltaUp: number[];
  /** δdown_h = δup_h ⊙ σh'(Yh) = ∂J/∂Yh (eq. 5). */
  readonly deltaDown: number[];
  /** ∂J/∂Wh = δdown_h · X(h−1)ᵀ (eq. 22), in the layout of Wh. */
  readonly gradient: number[][];
}

export interface Trace {
  /** [N0, …, NL]. */
  readonly architecture: number[];
  readonly bias: boolean;
  readonly loss: LossName;
  /** x. */
  readonly input: number[];
  /** y. */
  readonly target: number[];
  /** X0: x, then the formal neuron 1 when bias is on. */
  readonly X0: number[];
  /** Layers h = 1…L. */
  readonly layers: LayerTrace[];
  /** J(f(x), y), f(x) = XL. */
  readonly J: number;
  /** δup_0 = W♯1ᵀ · δdown_1 = ∂J/∂x, the input gradient. */
  readonly deltaUp0: number[];
}

/** One entry of ∂J/∂Wh from the two-step rule against a reference value. */
export interface Comparison {
  /** For example `δW1[2,1]`, 1-based like the paper's α1_21. */
  readonly entry: string;
  readonly against: 'closed form' | 'finite differences';
  readonly twoStep: number;
  readonly reference: number;
  readonly absolute: number;
  /** |Δ| / max(|two-step|, |reference|), 0 when both are 0. */
  readonly relative: number;
  readonly agree: boolean;
}

/** The line `--json` prints: the {@link Trace}, tagged, plus the checks under `--paper`. */
export interface TraceJson extends Trace {
  readonly format: 'twostep-trace';
  readonly version: 1;
  readonly paper?: { readonly checks: Comparison[]; readonly agree: boolean };
}

/** Tolerances of `--paper`: closed forms in float64, and five-point central differences. */
export const CLOSED_FORM_TOLERANCE = 1e-12;
export const FINITE_DIFFERENCE_TOLERANCE = 1e-7;

/**
 * The F-propagation and F-adjoint of `setup` on `backend`, read back to the host. Frees every
 * matrix it creates, and the network's copy of its weights on `backend`.
 */
export async function traceNetwork(backend: Backend, setup: TraceSetup): Promise<Trace> {
  const { network: net, loss } = setup;
  try {
    const t = await traceSample(backend, net, setup.input, setup.target, loss);
    const specs = net.activationSpecs;
    return {
      architecture: [...net.architecture],
      bias: net.bias,
      loss,
      input: [...setup.input],
      target: [...setup.target],
      X0: t.X[0]!,
      layers: net.getWeights().map((w, i) => ({
        h: i + 1,
        activation: specs[i]!,
        W: w,
        Y: t.Y[i]!,
        X: t.X[i + 1]!,
        deltaUp: t.deltaUp[i + 1]!,
        deltaDown: t.deltaDown[i]!,
        gradient: t.gradients[i]!,
      })),
      J: t.J,
      deltaUp0: t.deltaUp[0]!,
    };
  } finally {
    net.release(backend);
  }
}

/** J(f(x), y) of `setup` on `backend` (the F-propagation only). */
async function lossOf(backend: Backend, setup: TraceSetup): Promise<number> {
  const k = tracked(backend);
  const J = tidy(backend, () => {
    const F = fPropagate(k, setup.network, k.fromArray(setup.input, setup.input.length, 1));
    const y = k.fromArray(setup.target, setup.target.length, 1);
    return losses[setup.loss].forward(k, F.X.at(-1)!, y, 'sum').J;
  });
  try {
    return (await backend.read(J))[0]!;
  } finally {
    backend.dispose(J);
  }
}

/**
 * ∂J/∂Wh by central differences of J (the reference's `centralDifferences`, five-point
 * stencil). Independent of the F-adjoint: only the F-propagation is used.
 */
export async function finiteDifferences(
  backend: Backend,
  setup: TraceSetup,
): Promise<number[][][]> {
  const probe = deserialize(toModelFile(setup.network)); // a copy whose weights we move
  const weights = probe.getWeights();
  const J = () => {
    probe.setWeights(weights);
    return lossOf(backend, { ...setup, network: probe });
  };
  try {
    const result: number[][][] = [];
    for (const W of weights) result.push(await centralDifferences(J, W));
    return result;
  } finally {
    probe.release(backend);
  }
}

/**
 * The paper's Section 4.2: A[1,2,1], σ = sigmoid in both layers, J = f(x) − y. The weights,
 * x and y are ours (the paper keeps them symbolic): W1 = (α1_ij), W2 = (α2_i).
 */
export function paperExample(): TraceSetup {
  const network = Network.create({ architecture: [1, 2, 1], activation: 'sigmoid' });
  network.setWeights([
    [
      [0.8, -0.3],
      [-0.6, 0.2],
    ],
    [[1.5, -0.7, 0.1]],
  ]);
  return { network, input: [0.5], target: [1], loss: 'difference' };
}

/** The network traced without `--model`: A[2,3,1] with bias and a per-neuron family (eq. 7). */
export function builtInExample(): TraceSetup {
  const network = Network.create({
    architecture: [2, 3, 1],
    activations: [['tanh', 'sigmoid', 'softplus'], 'sigmoid'],
  });
  network.setWeights([
    [
      [0.6, -0.4, 0.1],
      [-0.3, 0.8, -0.2],
      [0.5, 0.2, 0.05],
    ],
    [[0.7, -1.1, 0.4, 0.3]],
  ]);
  return { network, input: [0.5, -1], target: [1], loss: 'difference' };
}

/**
 * δW1 and δW2 of Section 4.2 by the differential calculus rules (the reference's
 * `sectionFour`), for A[1,2,1] with σ = sigmoid and J = f(x) − y, the setup of
 * {@link paperExample}.
 */
export function paperClosedForms(setup: TraceSetup): number[][][] {
  const [W1, W2] = setup.network.getWeights() as [number[][], number[][]];
  const { deltaW1, deltaW2 } = sectionFour(
    SECTION_FOUR_SIGMAS.sigmoid,
    W1,
    W2,
    setup.input[0]!,
    setup.target[0]!,
  );
  return [deltaW1, deltaW2];
}

/** Each entry of the gradients against `reference`, with its tolerance. */
export function compareGradients(
  twoStep: readonly number[][][],
  reference: readonly number[][][],
  against: Comparison['against'],
): Comparison[] {
  return twoStep.flatMap((W, h) =>
    W.flatMap((row, i) =>
      row.map((a, j) => {
        const b = reference[h]?.[i]?.[j] ?? Number.NaN;
        const absolute = Math.abs(a - b);
        const scale = Math.max(Math.abs(a), Math.abs(b));
        const relative = scale === 0 ? absolute : absolute / scale;
        const agree =
          against === 'closed form'
            ? absolute <= CLOSED_FORM_TOLERANCE
            : relative <= FINITE_DIFFERENCE_TOLERANCE;
        const entry = `δW${h + 1}[${i + 1},${j + 1}]`;
        return { entry, against, twoStep: a, reference: b, absolute, relative, agree };
      }),
    ),
  );
}
