/**
 * The kernels of `supports.fusedBias` on tensors: a layer's three products with the formal
 * neuron of Remark 1 (the bias, Wh's last column), without handing the row of ones under
 * X(h−1) or W♯h back to the core. TensorFlow.js has no strided views of columns, so each
 * formulation is the one measured fastest on MNIST's first layer (Wh 128 × 785, batch 32;
 * tfjs 4.22, medians of 7 rounds on a 2-core VM; WebGL in headless Chromium's software GL):
 *
 * - Yh: on WebGL one `tf.fused.matMul` of W♯h and X(h−1) with bh as a bias column (its shader
 *   adds a bias broadcast along any axis; 12.4 ms against 17.5 ms for Wh · [X(h−1); 1]). Elsewhere Wh · [X(h−1); 1] in one kernel: the copy of X(h−1)
 *   with its row costs less than the copy of W♯h that a fused product needs (cpu 12.6 against
 *   28.5 ms, wasm 0.65 against 3.1 ms; tfjs-wasm's fused product also takes only a rank-1
 *   bias along the result's last axis, so (X(h−1)ᵀ · W♯hᵀ + bh)ᵀ, and gives wrong sums with a
 *   bias and a transposed operand in 4.22);
 * - ∂J/∂Wh: δdown_h · [X(h−1); 1]ᵀ in one kernel (appending δdown_h's row sums as a column
 *   copies the whole Nh × N(h−1) gradient instead, and was no faster);
 * - δup_h−1: the first N(h−1) rows of Whᵀ · δdown_h, a contiguous slice of a row-major result
 *   (a view on cpu and WebGL): B more dot products instead of a copy of W♯h (cpu 13.8 against
 *   17.3 ms; batch 1: 0.7 against 13.1 ms).
 *
 * Each sums the same terms as the composition the core falls back to (`concatRows`, `fill`,
 * `matMul`, `sliceCols`); the conformance suite holds them to it within the float32 bound.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AffineKernel } from '@twostep/core/backend';

type Tensor = tf.Tensor;

/** op(a) · op(b), as the backend computes its `matMul` (on transposed copies where faster). */
export type Product = (a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean) => Tensor;

/** X(h−1) with the formal neuron's row of ones under it (Remark 1). */
const withOnes = (x: Tensor) => tf.concat([x, tf.ones([1, x.shape[1]!])], 0);

/** Each kernel on its operands' tensors; `biasInProduct`: Yh as one fused product. */
export const FORMAL_NEURON: Record<
  AffineKernel,
  (a: Tensor, b: Tensor, product: Product, biasInProduct: boolean) => Tensor
> = {
  /** Yh = Wh · [X(h−1); 1] = W♯h · X(h−1) + bh (eq. 1, 20). */
  affine(w, x, product, biasInProduct) {
    if (!biasInProduct) return product(w, withOnes(x), false, false);
    const [rows, cols] = w.shape as [number, number];
    const sharp = tf.slice(w, [0, 0], [rows, cols - 1]);
    return tf.fused.matMul({ a: sharp, b: x, bias: tf.slice(w, [0, cols - 1], [rows, 1]) });
  },
  /** ∂J/∂Wh = δdown_h · [X(h−1); 1]ᵀ (eq. 6, 22), the bias gradient in the last column. */
  affineGradient: (deltaDown, x, product) => product(deltaDown, withOnes(x), false, true),
  /** δup_h−1 = (W♯h)ᵀ · δdown_h (eq. 13, 25): rows [0, N(h−1)) of Whᵀ · δdown_h. */
  affineDeltaUp(w, deltaDown, product) {
    const inputs = w.shape[1]! - 1;
    return tf.slice(product(w, deltaDown, true, false), [0, 0], [inputs, deltaDown.shape[1]!]);
  },
};
