/**
 * The two-step rule. Forward, the F-propagation (eq. 1, 20):
 *
 *     X0 = x,   Yh = Wh · X(h−1),   Xh = σh(Yh),   h = 1…L
 *
 * Backward, its F-adjoint (eq. 5, 21, 22), with W♯h (Wh without its bias column) when the
 * bias is on (Remark 1, eq. 13, 25):
 *
 *     δup_L = ∂J/∂XL,   δdown_h = δup_h ⊙ σh'(Yh),   δup_h−1 = (W♯h)ᵀ · δdown_h,
 *     ∂J/∂Wh = δdown_h · (X(h−1))ᵀ
 *
 * Batches are matrices whose columns are samples. With bias on, X0 … X(L−1) carry a last
 * row of ones, the formal neuron. A backend that declares `supports.fusedBias` computes the
 * three products with Wh without that row and without slicing W♯h: the rule then keeps X
 * without it, and `published` adds it back where X is shown (Remark 1: the results are the
 * same).
 */
import type { Backend, Matrix } from './contract.js';
import { ShapeError } from './errors.js';
import type { Network } from './network.js';
import { tidy, tracked } from './scope.js';

/** The F-propagation: X = [X0 … XL], Y = [Y1 … YL] (so `Y[h − 1]` is Yh). */
export interface FPropagation {
  readonly X: Matrix[];
  readonly Y: Matrix[];
}

/**
 * The F-propagation as the rule keeps it. With `fusedBias` (bias on and the backend's
 * `supports.fusedBias`), X0 … X(L−1) leave out the formal neuron's row of ones, which the
 * backend's `affine` and `affineGradient` account for; `published` gives the layout above.
 */
export interface Propagation extends FPropagation {
  readonly fusedBias?: boolean;
}

/**
 * The F-adjoint: `deltaUp` = [δup_0 … δup_L] (δup_0 = ∂J/∂X0, the input gradient, without
 * the formal neuron's row), `deltaDown` = [δdown_1 … δdown_L], `gradients` = [∂J/∂W1 …
 * ∂J/∂WL] in the layout of the weights (bias gradient in the last column).
 */
export interface FAdjoint {
  readonly deltaUp: Matrix[];
  readonly deltaDown: Matrix[];
  readonly gradients: Matrix[];
}

/** Appends the formal neuron's row of ones when the bias is on (Remark 1). */
function withFormalNeuron(k: Backend, net: Network, x: Matrix): Matrix {
  return net.bias ? k.concatRows(x, k.fill(1, x.cols, 1)) : x;
}

/** W♯h: Wh without its bias column (eq. 13); Wh itself when the bias is off. */
export function weightsSharp(k: Backend, net: Network, w: Matrix): Matrix {
  return net.bias ? k.sliceCols(w, 0, w.cols - 1) : w;
}

/** The backend's fused kernels carry the formal neuron: bias on and `supports.fusedBias`. */
function fusesBias(k: Backend, net: Network): boolean {
  const kernels = !!(k.affine && k.affineGradient && k.affineDeltaUp);
  return net.bias && k.supports.fusedBias === true && kernels;
}

/** F with X0 … X(L−1) carrying the formal neuron's row, as users see it (Remark 1). */
export function published(k: Backend, net: Network, F: Propagation): FPropagation {
  if (!F.fusedBias) return { X: F.X, Y: F.Y };
  return { X: F.X.map((x, h) => (h < net.depth ? withFormalNeuron(k, net, x) : x)), Y: F.Y };
}

/** The F-propagation of X0 through `weights` (eq. 1, 20). */
export function forward(
  k: Backend,
  net: Network,
  weights: readonly Matrix[],
  x0: Matrix,
): Propagation {
  if (x0.rows !== net.architecture[0]) {
    throw new ShapeError(
      `fPropagate: X0 is ${x0.rows}×${x0.cols} but ${net} takes ${net.architecture[0]} inputs; pass an N0 × B matrix, one column per sample.`,
    );
  }
  const fusedBias = fusesBias(k, net);
  const kept = (x: Matrix) => (fusedBias ? x : withFormalNeuron(k, net, x));
  const X = [kept(x0)];
  const Y: Matrix[] = [];
  net.layers.forEach((layer, i) => {
    // Yh = Wh · X(h−1); fused, W♯h · X(h−1) + bh, the same without the row of ones
    const y = fusedBias ? k.affine!(weights[i]!, X[i]!) : k.matMul(weights[i]!, X[i]!);
    const x = layer.activation.sigma(k, y); // Xh = σh(Yh)
    Y.push(y);
    X.push(i < net.depth - 1 ? kept(x) : x);
  });
  return { X, Y, fusedBias };
}

/** δdown_h = δup_h ⊙ σh'(Yh) (eq. 5) and ∂J/∂Wh = δdown_h · X(h−1)ᵀ (eq. 6, 22), for layer h. */
export function adjointStep(
  k: Backend,
  net: Network,
  F: Propagation,
  h: number,
  deltaUp: Matrix,
): { deltaDown: Matrix; gradient: Matrix } {
  const deltaDown = net.layers[h - 1]!.activation.deltaDown(k, deltaUp, F.Y[h - 1]!);
  const x = F.X[h - 1]!;
  // Fused: [δdown_h · X(h−1)ᵀ | δdown_h · 1], the same without the row of ones
  const gradient = F.fusedBias
    ? k.affineGradient!(deltaDown, x)
    : k.matMul(deltaDown, x, { transposeB: true });
  return { deltaDown, gradient };
}

/** δup_h−1 = (W♯h)ᵀ · δdown_h (eq. 25); fused, without slicing W♯h out of Wh. */
export function deltaUpBelow(k: Backend, net: Network, w: Matrix, deltaDown: Matrix): Matrix {
  return fusesBias(k, net) && k.affineDeltaUp
    ? k.affineDeltaUp(w, deltaDown)
    : k.matMul(weightsSharp(k, net, w), deltaDown, { transposeA: true });
}

/** The F-adjoint of F through `weights`, from δup_L (eq. 5, 21, 22, 25). */
export function adjoint(
  k: Backend,
  net: Network,
  weights: readonly Matrix[],
  F: Propagation,
  deltaUpL: Matrix,
  { inputGradient = true }: FAdjointOptions = {},
): FAdjoint {
  const L = net.depth;
  const xL = F.X[L]!;
  if (deltaUpL.rows !== xL.rows || deltaUpL.cols !== xL.cols) {
    throw new ShapeError(
      `fAdjoint: δup_L is ${deltaUpL.rows}×${deltaUpL.cols} but XL is ${xL.rows}×${xL.cols}; δup_L = ∂J/∂XL has XL's shape.`,
    );
  }
  const deltaUp: Matrix[] = [];
  const deltaDown: Matrix[] = [];
  const gradients: Matrix[] = [];
  deltaUp[L] = deltaUpL;
  for (let h = L; h >= 1; h--) {
    const step = adjointStep(k, net, F, h, deltaUp[h]!);
    deltaDown[h - 1] = step.deltaDown;
    gradients[h - 1] = step.gradient;
    if (h > 1 || inputGradient)
      deltaUp[h - 1] = deltaUpBelow(k, net, weights[h - 1]!, step.deltaDown);
  }
  return { deltaUp, deltaDown, gradients };
}

/**
 * The F-propagation of `x0` (N0 × B, one column per sample) through `net` on `backend`, with
 * the formal neuron's row in X0 … X(L−1) when the bias is on, whichever kernels computed it.
 * The caller owns the returned matrices (dispose them, or call inside `tidy`).
 */
export function fPropagate(backend: Backend, net: Network, x0: Matrix): FPropagation {
  const k = tracked(backend);
  return tidy(backend, () => published(k, net, forward(k, net, net.weightsOn(backend), x0)));
}

export interface FAdjointOptions {
  /**
   * Compute δup_0 = ∂J/∂X0, the input gradient (default true). Without it `deltaUp[0]` is
   * absent and the product (W♯1)ᵀ · δdown_1, the largest of the pass on wide inputs, is
   * skipped: the gradients ∂J/∂Wh do not need it.
   */
  readonly inputGradient?: boolean;
}

/**
 * The F-adjoint of the F-propagation `F` from `deltaUpL` = ∂J/∂XL (see `losses`). The caller
 * owns the returned matrices; `deltaUp[L]` is `deltaUpL` itself.
 */
export function fAdjoint(
  backend: Backend,
  net: Network,
  F: FPropagation,
  deltaUpL: Matrix,
  options: FAdjointOptions = {},
): FAdjoint {
  const k = tracked(backend);
  return tidy(backend, () => adjoint(k, net, net.weightsOn(backend), F, deltaUpL, options));
}
