/**
 * Losses J(f(x), y) over a batch, with δup_L = ∂J/∂XL (the start of the F-adjoint, eq. 21).
 * XL and the targets T are NL × B; the batch reduction is the mean over samples
 * (default) or their sum.
 */
import type { Backend, Matrix } from './contract.js';
import { ConfigError } from './errors.js';
import { shown } from './json.js';

export type Reduction = 'mean' | 'sum';

export interface Loss {
  readonly name: LossName;
  /** J as a 1 × 1 matrix, and δup_L = ∂J/∂XL. */
  forward(
    k: Backend,
    xL: Matrix,
    targets: Matrix,
    reduction: Reduction,
  ): { J: Matrix; deltaUp: Matrix };
}

export type LossName =
  | 'difference'
  | 'mse'
  | 'binaryCrossEntropy'
  | 'sigmoidCrossEntropy'
  | 'softmaxCrossEntropy';

/** The weight of each sample: 1/B for the mean, 1 for the sum. */
const weight = (xL: Matrix, reduction: Reduction) => (reduction === 'mean' ? 1 / xL.cols : 1);

/** Keeps log's argument inside (0, 1): ε is the smallest step the dtype resolves near 1. */
const epsilon = (m: Matrix) => (m.dtype === 'float32' ? 1e-7 : 1e-15);

export const losses: Record<LossName, Loss> = {
  /** J = Σ (f(x) − y), δup_L = 1: the cost of the paper's Section 4. */
  difference: {
    name: 'difference',
    forward(k, xL, targets, reduction) {
      const r = weight(xL, reduction);
      return { J: k.scale(k.sum(k.sub(xL, targets)), r), deltaUp: k.fill(xL.rows, xL.cols, r) };
    },
  },
  /** J = ½ ‖XL − y‖², δup_L = XL − y (the author's reference code). */
  mse: {
    name: 'mse',
    forward(k, xL, targets, reduction) {
      const r = weight(xL, reduction);
      const error = k.sub(xL, targets);
      return { J: k.scale(k.sum(k.unary('square', error)), r / 2), deltaUp: k.scale(error, r) };
    },
  },
  /**
   * J = −Σ [y log p + (1 − y) log(1 − p)] on sigmoid outputs p = XL (clamped to [ε, 1 − ε]),
   * δup_L = (p − y) / (p (1 − p)), so that δdown_L = p − y through the sigmoid.
   */
  binaryCrossEntropy: {
    name: 'binaryCrossEntropy',
    forward(k, xL, targets, reduction) {
      const r = weight(xL, reduction);
      const eps = epsilon(xL);
      const p = k.clamp(xL, eps, 1 - eps);
      const q = k.scale(p, -1, 1); // 1 − p
      const terms = k.add(
        k.mul(targets, k.unary('log', p)),
        k.mul(k.scale(targets, -1, 1), k.unary('log', q)),
      );
      const deltaUp = k.scale(k.div(k.sub(p, targets), k.mul(p, q)), r);
      return { J: k.scale(k.sum(terms), -r), deltaUp };
    },
  },
  /**
   * Binary cross-entropy on logits (identity output, p = σ(XL) inside the loss):
   * −[y log σ(x) + (1 − y) log(1 − σ(x))] = softplus(x) − y·x per entry, since
   * log σ(x) = −softplus(−x) and softplus(−x) = softplus(x) − x. No clamp: J stays exact and
   * δup_L = σ(XL) − y stays ±1 on a confidently wrong output, where clamped p has it vanish.
   */
  sigmoidCrossEntropy: {
    name: 'sigmoidCrossEntropy',
    forward(k, xL, targets, reduction) {
      const r = weight(xL, reduction);
      const terms = k.sub(k.unary('softplus', xL), k.mul(targets, xL));
      const deltaUp = k.scale(k.sub(k.unary('sigmoid', xL), targets), r);
      return { J: k.scale(k.sum(terms), r), deltaUp };
    },
  },
  /**
   * J = −Σ y ⊙ log softmax(XL) on logits (identity output), δup_L = softmax(XL) − y: the
   * softmax is inside the loss, which keeps σL coordinate-wise.
   */
  softmaxCrossEntropy: {
    name: 'softmaxCrossEntropy',
    forward(k, xL, targets, reduction) {
      const r = weight(xL, reduction);
      const logP = k.logSoftmax(xL);
      const deltaUp = k.scale(k.sub(k.unary('exp', logP), targets), r);
      return { J: k.scale(k.sum(k.mul(targets, logP)), -r), deltaUp };
    },
  },
};

export const LOSS_NAMES = Object.keys(losses) as LossName[];

/** A loss by name or object; unknown names are a ConfigError listing the choices. */
export function resolveLoss(loss: LossName | Loss): Loss {
  if (typeof loss === 'object' && loss !== null && typeof loss.forward === 'function') return loss;
  const found =
    typeof loss === 'string' && Object.hasOwn(losses, loss) ? losses[loss as LossName] : undefined;
  if (!found) {
    throw new ConfigError(
      `loss: unknown loss ${shown(loss)}; use one of ${LOSS_NAMES.join(', ')}.`,
    );
  }
  return found;
}

export function checkReduction(reduction: unknown): Reduction {
  if (reduction !== 'mean' && reduction !== 'sum') {
    throw new ConfigError(`reduction: ${shown(reduction)} is not 'mean' or 'sum'.`);
  }
  return reduction;
}
