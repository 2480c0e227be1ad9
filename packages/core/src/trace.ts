/**
 * One sample through the two-step rule, read back to the host: every quantity of the
 * F-propagation (eq. 1, 20) and of its F-adjoint (eq. 5, 21, 22, 25), for printing, drawing
 * or checking by hand.
 */
import type { Backend, Matrix } from './contract.js';
import { checkDataset } from './data.js';
import { ShapeError } from './errors.js';
import { type Loss, type LossName, resolveLoss } from './losses.js';
import type { Network } from './network.js';
import { fAdjoint, fPropagate } from './rule.js';
import { dispose, tidy, tracked } from './scope.js';

/**
 * Index h of `X` and `deltaUp` is layer h (0…L); index h − 1 of `Y`, `deltaDown` and
 * `gradients` is layer h (1…L). With bias on, X0 … X(L−1) end with the formal neuron's 1 as
 * in the F-propagation (Remark 1), and the last column of ∂J/∂Wh is the bias's.
 */
export interface SampleTrace {
  /** X0 = x, Xh = σh(Yh). */
  readonly X: number[][];
  /** Yh = Wh · X(h−1). */
  readonly Y: number[][];
  /** δup_L = ∂J/∂XL, δup_(h−1) = (W♯h)ᵀ · δdown_h; δup_0 = ∂J/∂x, the input gradient. */
  readonly deltaUp: number[][];
  /** δdown_h = δup_h ⊙ σh′(Yh). */
  readonly deltaDown: number[][];
  /** ∂J/∂Wh = δdown_h · X(h−1)ᵀ, as rows in the layout of Wh. */
  readonly gradients: number[][][];
  /** J(f(x), y) of this one sample. */
  readonly J: number;
}

/**
 * The F-propagation of `input` (N0 numbers) through `net` and the F-adjoint of `loss` against
 * `target` (NL numbers), read back. Frees every matrix it makes; the network's device copy
 * of its weights stays (`net.release(backend)` frees it).
 */
export async function traceSample(
  backend: Backend,
  net: Network,
  input: ArrayLike<number>,
  target: ArrayLike<number>,
  loss: LossName | Loss = 'mse',
): Promise<SampleTrace> {
  const [inputs, outputs] = [net.architecture[0]!, net.architecture.at(-1)!];
  if (input.length !== inputs || target.length !== outputs) {
    throw new ShapeError(
      `traceSample: ${net} takes ${inputs} inputs and gives ${outputs} outputs; got an input of ${input.length} and a target of ${target.length}.`,
    );
  }
  // Finite, and within the dtype's range, like every sample a backend gets.
  checkDataset({ inputs: [input], targets: [target] }, net.architecture, backend.dtype);
  const lossFn = resolveLoss(loss);
  const k = tracked(backend);
  // One sample: x and y are columns (B = 1, so the 'sum' and 'mean' reductions agree).
  const m = tidy(backend, () => {
    const F = fPropagate(k, net, k.fromArray(input, inputs, 1));
    const y = k.fromArray(target, outputs, 1);
    const { J, deltaUp } = lossFn.forward(k, F.X[net.depth]!, y, 'sum'); // δup_L = ∂J/∂XL
    return { F, J, A: fAdjoint(k, net, F, deltaUp) };
  });
  try {
    const vector = async (x: Matrix) => Array.from(await backend.read(x));
    const vectors = (xs: Matrix[]) => Promise.all(xs.map(vector));
    const rows = async (g: Matrix) => {
      const flat = await vector(g);
      return Array.from({ length: g.rows }, (_, r) => flat.slice(r * g.cols, (r + 1) * g.cols));
    };
    const [X, Y, deltaUp, deltaDown, gradients, [J]] = await Promise.all([
      vectors(m.F.X),
      vectors(m.F.Y),
      vectors(m.A.deltaUp),
      vectors(m.A.deltaDown),
      Promise.all(m.A.gradients.map(rows)),
      vector(m.J),
    ]);
    return { X, Y, deltaUp, deltaDown, gradients, J: J! };
  } finally {
    dispose(backend, m);
  }
}
