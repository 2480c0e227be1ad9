/**
 * Learning rules: how a training step gets ∂J/∂W1 … ∂J/∂WL from its batch. The trainer takes
 * the rule as a parameter (`rule` in `train` and `Trainer`) and keeps everything else the same
 * (data, initial weights, batch order, loss, optimizer), so that a difference in results is
 * the rule's:
 *
 * - `'twoStep'` (the default): the paper's rule, the F-adjoint of the F-propagation, in the
 *   `'global'` or `'layerwise'` mode (see `step.ts`);
 * - `'classic'`: the recursion of standard back-propagation, eqs. (2)–(4);
 * - any `GradientRule`, e.g. `autodiff` from `@twostep/backend-tfjs` (TensorFlow.js's
 *   automatic differentiation), an independent control.
 */
import type { Backend, Matrix } from './contract.js';
import { ConfigError, ShapeError } from './errors.js';
import { shown } from './json.js';
import type { Loss, Reduction } from './losses.js';
import type { Network } from './network.js';
import type { FPropagation } from './rule.js';

/** One named quantity a rule computed, for traces and divergence checks: `[name, layer, value]`. */
export type RuleQuantity = readonly [name: string, layer: number, value: Matrix];

/** What a `GradientRule` computes a step's gradients from. */
export interface GradientInput {
  /** W1 … WL the step starts from, Nh × (N(h−1) + 1) with the bias column last when on. */
  readonly weights: readonly Matrix[];
  /** The batch: X0 (N0 × B, a column per sample) and the targets (NL × B). */
  readonly x0: Matrix;
  readonly targets: Matrix;
  readonly loss: Loss;
  readonly reduction: Reduction;
  /** The step's F-propagation (eq. 1), X0 … X(L−1) with the formal neuron's row when on. */
  readonly F: FPropagation;
  /** ∂J/∂XL, from `loss`. */
  readonly deltaUpL: Matrix;
}

/** The gradients of one step, in the weights' layout, and what else the rule names. */
export interface RuleGradients {
  /** [∂J/∂W1 … ∂J/∂WL], each the shape of its Wh (bias gradient in the last column). */
  readonly gradients: Matrix[];
  /** The rule's own quantities in the order it computed them (default: the gradients, L first). */
  readonly quantities?: readonly RuleQuantity[];
}

/**
 * A learning rule that gives the gradients of a step, which the optimizer then applies to
 * every layer (global learning). It computes through `k` (the core's tracked view of the
 * backend), so that the step's scope frees what it makes; it must not keep matrices.
 */
export interface GradientRule {
  /** How results and errors name it, e.g. `classic`. */
  readonly name: string;
  gradients(k: Backend, net: Network, input: GradientInput): RuleGradients;
}

/** The rules `rule` takes by name. */
export type RuleName = 'twoStep' | 'classic';

/** A rule by name, or a `GradientRule`. */
export type RuleOption = RuleName | GradientRule;

/** The rules by name, for apps that offer a choice. */
export const RULE_NAMES: readonly RuleName[] = ['twoStep', 'classic'];

/**
 * Standard back-propagation, the paper's eqs. (2)–(4):
 *
 *     δL = ∂J/∂XL ⊙ σL'(YL)                          (2)
 *     δh = (W♯(h+1))ᵀ · δ(h+1) ⊙ σh'(Yh),   h < L     (3)
 *     ∂J/∂Wh = δh · X(h−1)ᵀ                           (4)
 *
 * σ' is formed as a matrix and multiplied in, as the equations read, with basic ops only (no
 * fused kernels); X(h−1) carries the formal neuron's row (Remark 1), so ∂J/∂Wh has the bias
 * gradient in its last column, and (3) goes through W♯(h+1), Wh+1 without its bias column.
 * Its trace names δh `delta{h}`.
 */
export const classic: GradientRule = {
  name: 'classic',
  gradients(k, net, { weights, F, deltaUpL }) {
    const L = net.depth;
    const sigmaPrime = (h: number) => net.layers[h - 1]!.activation.derivative(k, F.Y[h - 1]!);
    const sharp = (w: Matrix) => (net.bias ? k.sliceCols(w, 0, w.cols - 1) : w);
    const gradients: Matrix[] = [];
    const quantities: RuleQuantity[] = [];
    let delta = k.mul(deltaUpL, sigmaPrime(L)); // (2)
    for (let h = L; h >= 1; h--) {
      gradients[h - 1] = k.matMul(delta, F.X[h - 1]!, { transposeB: true }); // (4)
      quantities.push([`delta${h}`, h, delta], [`dJ/dW${h}`, h, gradients[h - 1]!]);
      if (h > 1) {
        const back = k.matMul(sharp(weights[h - 1]!), delta, { transposeA: true });
        delta = k.mul(back, sigmaPrime(h - 1)); // (3)
      }
    }
    return { gradients, quantities };
  },
};

/** `rule` checked: `'twoStep'`, or the GradientRule it names or is. */
export function resolveRule(rule: unknown): 'twoStep' | GradientRule {
  if (rule === undefined || rule === 'twoStep') return 'twoStep';
  if (rule === 'classic') return classic;
  if (
    typeof rule === 'object' &&
    rule !== null &&
    typeof (rule as GradientRule).gradients === 'function' &&
    typeof (rule as GradientRule).name === 'string'
  ) {
    return rule as GradientRule;
  }
  throw new ConfigError(
    `rule: ${shown(rule)} is not a rule; use ${RULE_NAMES.map((r) => `'${r}'`).join(' or ')}, or a GradientRule ({ name, gradients }) such as autodiff from @twostep/backend-tfjs.`,
  );
}

/** The gradients a rule gave, checked against the weights: one per layer, each Wh's shape. */
export function checkGradients(
  rule: GradientRule,
  weights: readonly Matrix[],
  gradients: readonly Matrix[],
): void {
  if (!Array.isArray(gradients) || gradients.length !== weights.length) {
    throw new ShapeError(
      `rule ${rule.name}: gave ${Array.isArray(gradients) ? gradients.length : shown(gradients)} gradients for ${weights.length} layers; give ∂J/∂W1 … ∂J/∂WL, one per layer.`,
    );
  }
  gradients.forEach((g, i) => {
    const w = weights[i]!;
    if (g?.rows !== w.rows || g?.cols !== w.cols) {
      throw new ShapeError(
        `rule ${rule.name}: ∂J/∂W${i + 1} is ${g?.rows}×${g?.cols} but W${i + 1} is ${w.rows}×${w.cols}; a gradient has its weights' shape (bias gradient in the last column).`,
      );
    }
  });
}
