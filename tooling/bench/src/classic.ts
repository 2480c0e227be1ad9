/**
 * The classic back-propagation recursion, the paper's eqs. (2)–(4), written with Backend ops
 * for W4's comparison with the two-step rule:
 *
 *     δL = ∂J/∂XL ⊙ σL'(YL)                          (2)
 *     δh = (W(h+1))ᵀ · δ(h+1) ⊙ σh'(Yh),   h < L      (3)
 *     ∂J/∂Wh = δh · X(h−1)ᵀ                            (4)
 *
 * σ' is formed as a matrix and multiplied in, as the equations read. The bias is handled as
 * in the core (Remark 1): X(h−1) carries the formal neuron's row of ones, so ∂J/∂Wh has the
 * bias gradient in its last column, and the recursion goes through W(h+1) without its bias
 * column. Like `fAdjoint` with `{ inputGradient: false }` and `tf.variableGrads`, it stops at
 * ∂J/∂W1: none of them forms ∂J/∂X0.
 */
import {
  type Backend,
  type FPropagation,
  type Matrix,
  type Network,
  tidy,
  tracked,
} from '@twostep/core';

export interface ClassicGradients {
  /** [∂J/∂W1 … ∂J/∂WL], bias gradient in the last column. */
  readonly gradients: Matrix[];
}

/** The gradients of J from F (the F-propagation) and ∂J/∂XL; the caller owns the result. */
export function classicGradients(
  backend: Backend,
  net: Network,
  F: FPropagation,
  dJdXL: Matrix,
): ClassicGradients {
  const k = tracked(backend);
  return tidy(backend, () => {
    const W = net.weightsOn(backend);
    const L = net.depth;
    const unbiased = (w: Matrix) => (net.bias ? k.sliceCols(w, 0, w.cols - 1) : w);
    const sigmaPrime = (h: number) => net.layers[h - 1]!.activation.derivative(k, F.Y[h - 1]!);
    const gradients: Matrix[] = [];
    let delta = k.mul(dJdXL, sigmaPrime(L)); // (2)
    for (let h = L; h >= 2; h--) {
      gradients[h - 1] = k.matMul(delta, F.X[h - 1]!, { transposeB: true }); // (4)
      const back = k.matMul(unbiased(W[h - 1]!), delta, { transposeA: true });
      delta = k.mul(back, sigmaPrime(h - 1)); // (3)
    }
    gradients[0] = k.matMul(delta, F.X[0]!, { transposeB: true }); // (4), h = 1
    return { gradients };
  });
}
