/**
 * One training step of the two-step rule on a batch, in one of two learning modes:
 *
 * - `'global'`: every ∂J/∂Wh from one F-adjoint, then every layer updated;
 * - `'layerwise'` (the author's local variant): update WL first, then propagate δup_L−1
 *   with the updated W♯L, update W(L−1), and so on down to W1.
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
  type FAdjoint,
  forward,
  type Propagation,
  published,
} from './rule.js';

export type LearningMode = 'global' | 'layerwise';

/** The learning modes, for apps that offer a choice. */
export const LEARNING_MODES: readonly LearningMode[] = ['global', 'layerwise'];

/** How a step learns: the loss, its reduction over the batch, the mode and a rate per layer. */
export interface StepSettings {
  readonly loss: Loss;
  readonly reduction: Reduction;
  readonly mode: LearningMode;
  readonly rates: readonly number[];
}

/** The step's options, checked against `net` (rates default to the optimizer's). */
export function stepSettings(
  net: Network,
  options: {
    readonly loss?: LossName | Loss;
    readonly reduction?: Reduction;
    readonly mode?: LearningMode;
    readonly learningRates?: readonly number[];
  },
  optimizer: Optimizer,
): StepSettings {
  const mode = options.mode ?? 'global';
  if (!LEARNING_MODES.includes(mode)) {
    throw new ConfigError(`mode: ${shown(mode)} is not 'global' or 'layerwise'.`);
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
    loss: resolveLoss(options.loss ?? 'mse'),
    reduction: checkReduction(options.reduction ?? 'mean'),
    mode,
    rates,
  };
}

/** What a step computed: the F-propagation, the F-adjoint it used, J and the updated weights. */
export interface Step {
  /** As the rule keeps it: without the formal neuron's row where the backend fuses the bias. */
  readonly F: Propagation;
  /**
   * In `'layerwise'` mode, δup_h−1 went through the updated W♯h; `deltaUp[0]` (the input
   * gradient) is not computed by a step.
   */
  readonly A: FAdjoint;
  readonly J: Matrix;
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
  const next: Matrix[] = [];
  if (s.mode === 'global') {
    const A = adjoint(k, net, weights, F, deltaUp, { inputGradient: false });
    for (let h = 1; h <= L; h++)
      next[h - 1] = state.update(k, h, weights[h - 1]!, A.gradients[h - 1]!, s.rates[h - 1]!);
    return { F, A, J, weights: next };
  }
  const A = { deltaUp: [] as Matrix[], deltaDown: [] as Matrix[], gradients: [] as Matrix[] };
  A.deltaUp[L] = deltaUp;
  for (let h = L; h >= 1; h--) {
    const { deltaDown, gradient } = adjointStep(k, net, F, h, A.deltaUp[h]!);
    A.deltaDown[h - 1] = deltaDown;
    A.gradients[h - 1] = gradient;
    next[h - 1] = state.update(k, h, weights[h - 1]!, gradient, s.rates[h - 1]!);
    // The author's variant: δup_h−1 goes through the *updated* W♯h.
    if (h > 1) A.deltaUp[h - 1] = deltaUpBelow(k, net, next[h - 1]!, deltaDown);
  }
  return { F, A, J, weights: next };
}

/** A step's quantities, named, in the order the rule computed them (for divergence checks). */
export type Quantities = [name: string, layer: number, value: Matrix][];

/** Xh as users see them (`published`): with the formal neuron's row, whichever kernels ran. */
export function quantities(
  k: Backend,
  net: Network,
  mode: LearningMode,
  { F, A, J, weights }: Step,
): Quantities {
  const L = net.depth;
  const { X, Y } = published(k, net, F);
  const out: Quantities = [];
  for (let h = 1; h <= L; h++) out.push([`Y${h}`, h, Y[h - 1]!], [`X${h}`, h, X[h]!]);
  out.push(['J', L, J], [`deltaUp${L}`, L, A.deltaUp[L]!]);
  for (let h = L; h >= 1; h--) {
    out.push([`deltaDown${h}`, h, A.deltaDown[h - 1]!], [`dJ/dW${h}`, h, A.gradients[h - 1]!]);
    if (mode === 'layerwise') out.push([`W${h}`, h, weights[h - 1]!]);
    if (h > 1) out.push([`deltaUp${h - 1}`, h - 1, A.deltaUp[h - 1]!]);
  }
  if (mode === 'global') for (let h = 1; h <= L; h++) out.push([`W${h}`, h, weights[h - 1]!]);
  return out;
}
