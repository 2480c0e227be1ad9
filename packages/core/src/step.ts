/**
 * One training step on a batch. With the two-step rule, in one of two learning modes:
 *
 * - `'global'`: every ∂J/∂Wh from one F-adjoint, then every layer updated;
 * - `'layerwise'` (the author's local variant): update WL first, then propagate δup_L−1
 *   with the updated W♯L, update W(L−1), and so on down to W1.
 *
 * With another rule (`rules.ts`), its gradients, then every layer updated (global).
 */
import type { Backend, Matrix } from './contract.js';
import { ConfigError } from './errors.js';
import { shown } from './json.js';
import { checkReduction, type Loss, type LossName, type Reduction, resolveLoss } from './losses.js';
import type { Network } from './network.js';
import type { Optimizer, OptimizerState } from './optimizers.js';
import {
  adjoint,
  adjointStep,
  deltaUpBelow,
  forward,
  type Propagation,
  published,
} from './rule.js';
import {
  checkGradients,
  type GradientRule,
  type RuleOption,
  type RuleQuantity,
  resolveRule,
} from './rules.js';

export type LearningMode = 'global' | 'layerwise';

/** The learning modes, for apps that offer a choice. */
export const LEARNING_MODES: readonly LearningMode[] = ['global', 'layerwise'];

/** How a step learns: the rule, the loss, its reduction over the batch, the mode and a rate per layer. */
export interface StepSettings {
  readonly rule: 'twoStep' | GradientRule;
  readonly loss: Loss;
  readonly reduction: Reduction;
  readonly mode: LearningMode;
  readonly rates: readonly number[];
}

/** The step's options, checked against `net` (rates default to the optimizer's). */
export function stepSettings(
  net: Network,
  options: {
    readonly rule?: RuleOption;
    readonly loss?: LossName | Loss;
    readonly reduction?: Reduction;
    readonly mode?: LearningMode;
    readonly learningRates?: readonly number[];
  },
  optimizer: Optimizer,
): StepSettings {
  const rule = resolveRule(options.rule);
  const mode = options.mode ?? 'global';
  if (!LEARNING_MODES.includes(mode)) {
    throw new ConfigError(`mode: ${shown(mode)} is not 'global' or 'layerwise'.`);
  }
  if (mode === 'layerwise' && rule !== 'twoStep') {
    throw new ConfigError(
      `mode: 'layerwise' is the two-step rule's local variant; rule ${rule.name} learns globally. Drop mode, or use rule 'twoStep'.`,
    );
  }
  const rates: unknown = options.learningRates ?? net.layers.map(() => optimizer.learningRate);
  if (
    !Array.isArray(rates) ||
    rates.length !== net.depth ||
    rates.some((r) => typeof r !== 'number' || !(r > 0) || !Number.isFinite(r))
  ) {
    const got = Array.isArray(rates) ? `[${rates.map(shown).join(', ')}]` : shown(rates);
    throw new ConfigError(
      `learningRates: give ${net.depth} positive finite rates, one per layer h = 1…${net.depth}; got ${got}.`,
    );
  }
  return {
    rule,
    loss: resolveLoss(options.loss ?? 'mse'),
    reduction: checkReduction(options.reduction ?? 'mean'),
    mode,
    rates,
  };
}

/**
 * A step's quantities after J, named, in the order the rule computed them: the F-adjoint's
 * (`deltaUp{h}`, `deltaDown{h}`, `dJ/dW{h}`, and in `'layerwise'` mode each updated `W{h}`)
 * or a GradientRule's.
 */
export type Quantities = RuleQuantity[];

/** What a step computed: the F-propagation, J, the backward pass's quantities, the new weights. */
export interface Step {
  /** As the rule keeps it: without the formal neuron's row where the backend fuses the bias. */
  readonly F: Propagation;
  readonly J: Matrix;
  /**
   * In `'layerwise'` mode, δup_h−1 went through the updated W♯h; δup_0 (the input gradient)
   * is not computed by a step.
   */
  readonly backward: Quantities;
  readonly weights: Matrix[];
}

/** One training step on a batch (columns are samples): the updated weights and J. */
export function step(
  k: Backend,
  net: Network,
  s: StepSettings,
  state: OptimizerState,
  weights: readonly Matrix[],
  x0: Matrix,
  targets: Matrix,
): Step {
  const L = net.depth;
  const F = forward(k, net, weights, x0);
  const { J, deltaUp } = s.loss.forward(k, F.X[L]!, targets, s.reduction);
  const update = (h: number, gradient: Matrix) =>
    state.update(k, h, weights[h - 1]!, gradient, s.rates[h - 1]!);
  if (s.rule !== 'twoStep') {
    const { rule, loss, reduction } = s;
    const out = rule.gradients(k, net, {
      weights,
      x0,
      targets,
      loss,
      reduction,
      F: published(k, net, F),
      deltaUpL: deltaUp,
    });
    checkGradients(rule, weights, out.gradients);
    const backward = [
      ...(out.quantities ??
        out.gradients.map((g, i): RuleQuantity => [`dJ/dW${i + 1}`, i + 1, g]).reverse()),
    ];
    return { F, J, backward, weights: out.gradients.map((g, i) => update(i + 1, g)) };
  }
  const backward: Quantities = [[`deltaUp${L}`, L, deltaUp]];
  const next: Matrix[] = [];
  if (s.mode === 'global') {
    const A = adjoint(k, net, weights, F, deltaUp, { inputGradient: false });
    for (let h = L; h >= 1; h--) {
      backward.push(
        [`deltaDown${h}`, h, A.deltaDown[h - 1]!],
        [`dJ/dW${h}`, h, A.gradients[h - 1]!],
      );
      if (h > 1) backward.push([`deltaUp${h - 1}`, h - 1, A.deltaUp[h - 1]!]);
    }
    for (let h = 1; h <= L; h++) next[h - 1] = update(h, A.gradients[h - 1]!);
    return { F, J, backward, weights: next };
  }
  let up = deltaUp;
  for (let h = L; h >= 1; h--) {
    const { deltaDown, gradient } = adjointStep(k, net, F, h, up);
    next[h - 1] = update(h, gradient);
    backward.push(
      [`deltaDown${h}`, h, deltaDown],
      [`dJ/dW${h}`, h, gradient],
      [`W${h}`, h, next[h - 1]!],
    );
    // The author's variant: δup_h−1 goes through the *updated* W♯h.
    if (h > 1) {
      up = deltaUpBelow(k, net, next[h - 1]!, deltaDown);
      backward.push([`deltaUp${h - 1}`, h - 1, up]);
    }
  }
  return { F, J, backward, weights: next };
}

/**
 * Every quantity of a step, named, in the order it was computed (for traces and divergence
 * checks): Yh and Xh as users see them (`published`, with the formal neuron's row whichever
 * kernels ran), J, the backward pass, and the updated weights where they came last.
 */
export function quantities(
  k: Backend,
  net: Network,
  { F, J, backward, weights }: Step,
): Quantities {
  const L = net.depth;
  const { X, Y } = published(k, net, F);
  const out: Quantities = [];
  for (let h = 1; h <= L; h++) out.push([`Y${h}`, h, Y[h - 1]!], [`X${h}`, h, X[h]!]);
  out.push(['J', L, J], ...backward);
  const named = new Set(backward.map(([name]) => name));
  for (let h = 1; h <= L; h++) if (!named.has(`W${h}`)) out.push([`W${h}`, h, weights[h - 1]!]);
  return out;
}
