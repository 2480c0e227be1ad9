/**
 * Training with the two-step rule: per mini-batch one F-propagation, the loss's δup_L, one
 * F-adjoint and an update, in one of two learning modes:
 *
 * - `'global'`: every ∂J/∂Wh from one F-adjoint, then every layer updated;
 * - `'layerwise'` (the author's local variant): update WL first, then propagate δup_L−1
 *   with the updated W♯L, update W(L−1), and so on down to W1.
 *
 * Nothing is read back to the host inside a step: the loss is summed on the backend and read
 * once per epoch (or when `onBatch` asks for it). If that read shows a non-finite value, the
 * epoch is replayed from its start one step at a time to name the first quantity that turned
 * non-finite, and the network keeps the weights from before that step.
 */
import type { Backend, Matrix } from './backend.js';
import { checkDataset, type Dataset, identityOrder, type Samples } from './data.js';
import { ConfigError, DivergenceError } from './errors.js';
import { checkReduction, type Loss, type LossName, type Reduction, resolveLoss } from './losses.js';
import type { Network } from './network.js';
import {
  type Optimizer,
  type OptimizerConfig,
  type OptimizerState,
  resolveOptimizer,
  type SavedOptimizerState,
  sgd,
} from './optimizers.js';
import { Random } from './random.js';
import { adjoint, adjointStep, deltaUpBelow, forward } from './rule.js';
import { dispose, tidy, tracked, untracked } from './scope.js';

export type LearningMode = 'global' | 'layerwise';

export interface EpochEvent {
  /** 1-based. */
  readonly epoch: number;
  readonly epochs: number;
  /** Mean loss per sample over the epoch. */
  readonly loss: number;
  readonly samples: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  /**
   * Reads the optimizer's state after this epoch to the host (moments and step counts), for
   * a checkpoint that `initialEpoch` and `optimizerState` resume from.
   */
  saveOptimizer(): Promise<SavedOptimizerState>;
}

export interface BatchEvent {
  readonly epoch: number;
  /** 1-based. */
  readonly batch: number;
  readonly batches: number;
  /** Reads this batch's J from the backend (a host read-back: only when you need it). */
  loss(): Promise<number>;
}

export interface TrainOptions {
  readonly loss?: LossName | Loss;
  readonly reduction?: Reduction;
  readonly optimizer?: Optimizer | OptimizerConfig;
  readonly mode?: LearningMode;
  /** Learning rate per layer h = 1…L, overriding the optimizer's. */
  readonly learningRates?: readonly number[];
  readonly batchSize?: number;
  /** The epoch to stop after (default 1); counts `initialEpoch`'s epochs too. */
  readonly epochs?: number;
  /**
   * Epochs already trained, when resuming from a checkpoint (default 0): training runs epochs
   * initialEpoch + 1 … epochs, and the shuffling skips the orders of the epochs done, so with
   * the checkpoint's weights and `optimizerState` the result equals an uninterrupted run.
   */
  readonly initialEpoch?: number;
  /** The optimizer's state to start from (from `EpochEvent.saveOptimizer`); default fresh. */
  readonly optimizerState?: SavedOptimizerState;
  readonly shuffle?: boolean;
  /** Seed of the shuffling; default 0. */
  readonly seed?: number;
  /** Called after each epoch, when `net` already holds that epoch's weights. */
  readonly onEpoch?: (event: EpochEvent) => void | Promise<void>;
  readonly onBatch?: (event: BatchEvent) => void | Promise<void>;
  /**
   * Stops at the next batch boundary; the network keeps the weights trained so far. Training
   * yields to the event loop every 50 ms, so timers and handlers can abort it.
   */
  readonly signal?: AbortSignal;
}

export interface TrainResult {
  readonly history: EpochEvent[];
}

interface Settings {
  readonly loss: Loss;
  readonly reduction: Reduction;
  readonly mode: LearningMode;
  readonly rates: readonly number[];
}

function positiveInteger(key: string, value: number, allowZero = false): number {
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new ConfigError(
      `${key} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${String(value)}.`,
    );
  }
  return value;
}

function settings(net: Network, options: TrainOptions, optimizer: Optimizer): Settings {
  const mode = options.mode ?? 'global';
  if (mode !== 'global' && mode !== 'layerwise') {
    throw new ConfigError(`mode: ${JSON.stringify(mode)} is not 'global' or 'layerwise'.`);
  }
  const rates = options.learningRates ?? net.layers.map(() => optimizer.learningRate);
  if (
    rates.length !== net.depth ||
    rates.some((r) => typeof r !== 'number' || !(r > 0) || !Number.isFinite(r))
  ) {
    throw new ConfigError(
      `learningRates: give ${net.depth} positive finite rates, one per layer h = 1…${net.depth}; got [${rates.join(', ')}].`,
    );
  }
  return {
    loss: resolveLoss(options.loss ?? 'mse'),
    reduction: checkReduction(options.reduction ?? 'mean'),
    mode,
    rates,
  };
}

/** Named quantities of a step in the order the rule computes them, for divergence checks. */
type Trace = [name: string, layer: number, value: Matrix][];

/**
 * One training step on a batch: returns the updated weights and J. When `trace` is given,
 * every intermediate quantity is recorded in it, in the order of the rule.
 */
function step(
  k: Backend,
  net: Network,
  s: Settings,
  state: OptimizerState,
  weights: readonly Matrix[],
  x0: Matrix,
  targets: Matrix,
  trace?: Trace,
): { weights: Matrix[]; J: Matrix } {
  const L = net.depth;
  const F = forward(k, net, weights, x0);
  const { J, deltaUp } = s.loss.forward(k, F.X[L]!, targets, s.reduction);
  const next: Matrix[] = [];
  if (trace) {
    for (let h = 1; h <= L; h++) trace.push([`Y${h}`, h, F.Y[h - 1]!], [`X${h}`, h, F.X[h]!]);
    trace.push(['J', L, J], [`deltaUp${L}`, L, deltaUp]);
  }
  if (s.mode === 'global') {
    const A = adjoint(k, net, weights, F, deltaUp, { inputGradient: false });
    for (let h = L; h >= 1; h--) {
      trace?.push([`deltaDown${h}`, h, A.deltaDown[h - 1]!], [`dJ/dW${h}`, h, A.gradients[h - 1]!]);
      if (h > 1) trace?.push([`deltaUp${h - 1}`, h - 1, A.deltaUp[h - 1]!]);
    }
    for (let h = 1; h <= L; h++)
      next[h - 1] = state.update(k, h, weights[h - 1]!, A.gradients[h - 1]!, s.rates[h - 1]!);
    for (let h = 1; h <= L; h++) trace?.push([`W${h}`, h, next[h - 1]!]);
  } else {
    let up = deltaUp;
    for (let h = L; h >= 1; h--) {
      const { deltaDown, gradient } = adjointStep(k, net, F, h, up);
      next[h - 1] = state.update(k, h, weights[h - 1]!, gradient, s.rates[h - 1]!);
      trace?.push(
        [`deltaDown${h}`, h, deltaDown],
        [`dJ/dW${h}`, h, gradient],
        [`W${h}`, h, next[h - 1]!],
      );
      // The author's variant: δup_h−1 goes through the *updated* W♯h.
      if (h > 1) {
        up = deltaUpBelow(k, net, next[h - 1]!, deltaDown);
        trace?.push([`deltaUp${h - 1}`, h - 1, up]);
      }
    }
  }
  return { weights: next, J };
}

interface StepResult {
  readonly weights: Matrix[];
  readonly J: Matrix;
  readonly perSample: Matrix;
  /** The matrices of the step's trace, when one was asked for. */
  readonly trace: Matrix[];
}

/** Uploads batches through `k` (so the step's scope frees them) from host buffers reused across steps. */
function batchBuffers(backend: Backend) {
  const make = (n: number) =>
    backend.dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const cache = new Map<number, Float32Array | Float64Array>();
  return (samples: Samples, order: ArrayLike<number>, start: number, end: number, slot: number) => {
    const key = (end - start) * 2 + slot;
    const out = cache.get(key) ?? make(samples.width * (end - start));
    cache.set(key, out);
    samples.columns(order, start, end, out);
    return backend.fromArray(out, samples.width, end - start);
  };
}

/**
 * Trains `net` on `data` ({ inputs, targets }, one row per sample) on `backend`. Resolves
 * when done, with the per-epoch history; `net` holds the trained weights.
 */
export async function train(
  on: Backend,
  net: Network,
  data: Dataset,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const backend = untracked(on);
  const optimizer = resolveOptimizer(options.optimizer ?? sgd());
  const s = settings(net, options, optimizer);
  const { inputs, targets } = checkDataset(data, net.architecture);
  const epochs = positiveInteger('epochs', options.epochs ?? 1, true);
  const initialEpoch = positiveInteger('initialEpoch', options.initialEpoch ?? 0, true);
  if (initialEpoch > epochs) {
    throw new ConfigError(
      `initialEpoch ${initialEpoch} is past epochs ${epochs}: the run is already complete; ask for more epochs to continue it.`,
    );
  }
  const batchSize = positiveInteger('batchSize', options.batchSize ?? 32);
  const shuffle = options.shuffle ?? true;
  const random = new Random(options.seed ?? 0);
  const count = inputs.count;
  const batches = Math.ceil(count / batchSize);
  const k = tracked(backend);
  const upload = batchBuffers(k);
  const history: EpochEvent[] = [];
  const breathe = breather();

  let weights: Matrix[] = net.weightsOn(backend).map((w) => backend.scale(w, 1));
  let state: OptimizerState;
  try {
    state = optimizer.start(backend, weights, options.optimizerState);
  } catch (error) {
    dispose(backend, weights);
    throw error;
  }
  /** Batch b of an epoch: the updated weights, J and J as a per-sample sum (all kept). */
  const runBatch = (order: ArrayLike<number>, b: number, trace?: Trace): StepResult => {
    const start = b * batchSize;
    const end = Math.min(count, start + batchSize);
    return tidy(backend, () => {
      const x0 = upload(inputs, order, start, end, 0);
      const t = upload(targets, order, start, end, 1);
      const result = step(k, net, s, state, weights, x0, t, trace);
      // J weighted to a per-sample sum: Σ over the epoch, divided by the count, is the mean loss.
      const perSample = k.scale(result.J, s.reduction === 'mean' ? end - start : 1);
      return { ...result, perSample, trace: trace?.map(([, , m]) => m) ?? [] };
    });
  };
  /** Takes a step's weights as the current ones and frees the rest of it. */
  const advance = (out: StepResult) => {
    dispose(backend, weights);
    weights = out.weights;
    dispose(backend, [out.J, out.perSample, out.trace.filter((m) => !weights.includes(m))]);
  };

  // Made once, out of the epoch loop, so the history's events do not keep each epoch's order.
  const saveOptimizer = () => state.save();
  try {
    // The epochs done drew their orders from the same generator: draw and drop them.
    if (shuffle) for (let e = 1; e <= initialEpoch; e++) random.permutation(count);
    for (let epoch = initialEpoch + 1; epoch <= epochs; epoch++) {
      const started = performance.now();
      const order = shuffle ? random.permutation(count) : identityOrder(count);
      // Where to replay the epoch from if it diverges.
      const snapshot = {
        weights: weights.map((w) => backend.scale(w, 1)),
        state: state.clone(backend),
      };
      let lossSum: Matrix = backend.fill(1, 1, 0);
      let loss: number;
      try {
        for (let b = 0; b < batches; b++) {
          await breathe();
          options.signal?.throwIfAborted();
          const out = runBatch(order, b);
          const sum = backend.add(lossSum, out.perSample);
          backend.dispose(lossSum);
          lossSum = sum;
          if (options.onBatch) {
            await options.onBatch({
              epoch,
              batch: b + 1,
              batches,
              loss: async () => (await backend.read(out.J))[0]!,
            });
          }
          advance(out);
        }
        loss = (await readChecked(backend, lossSum, weights)) / count;
      } catch (error) {
        dispose(backend, snapshot.weights);
        snapshot.state.dispose();
        throw error;
      } finally {
        backend.dispose(lossSum);
      }
      if (Number.isFinite(loss)) {
        dispose(backend, snapshot.weights);
        snapshot.state.dispose();
      } else {
        // Back to the epoch's start, then replay it with every quantity checked.
        dispose(backend, weights);
        state.dispose();
        weights = snapshot.weights;
        state = snapshot.state;
        loss =
          (await replayChecked(
            backend,
            epoch,
            batches,
            (b, trace) => runBatch(order, b, trace),
            advance,
          )) / count;
      }
      const seconds = (performance.now() - started) / 1000;
      const event = {
        epoch,
        epochs,
        loss,
        samples: count,
        seconds,
        samplesPerSecond: count / seconds,
        saveOptimizer,
      };
      history.push(event);
      // The network holds each epoch's weights, so `onEpoch` can evaluate or save it.
      await net.adopt(
        backend,
        weights.map((w) => backend.scale(w, 1)),
      );
      await options.onEpoch?.(event);
    }
  } finally {
    state.dispose();
    await net.adopt(backend, weights);
  }
  return { history };
}

/**
 * Yields to the event loop when 50 ms have passed since the last yield: a synchronous
 * backend would otherwise never let timers, input or an abort signal's handlers run.
 */
function breather(): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < 50) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    last = performance.now();
  };
}

/**
 * The loss sum plus 0·Σ sum(Wh): NaN when the loss or any weight is non-finite, the loss
 * sum otherwise. One read-back.
 */
async function readChecked(
  backend: Backend,
  lossSum: Matrix,
  weights: readonly Matrix[],
): Promise<number> {
  const k = tracked(backend);
  const check = tidy(backend, () =>
    weights.reduce((acc, w) => k.add(acc, k.scale(k.sum(w), 0)), k.scale(lossSum, 1)),
  );
  const [value] = await backend.read(check);
  backend.dispose(check);
  return value!;
}

/**
 * Replays an epoch that turned non-finite, step by step, reading every quantity in the
 * order of the rule, and throws a DivergenceError naming the first non-finite one; the
 * weights stay at their values before that step. Returns the epoch's loss sum when every
 * step was finite after all.
 */
async function replayChecked(
  backend: Backend,
  epoch: number,
  batches: number,
  replay: (b: number, trace: Trace) => StepResult,
  advance: (out: StepResult) => void,
): Promise<number> {
  let lossSum = 0;
  for (let b = 0; b < batches; b++) {
    const trace: Trace = [];
    const out = replay(b, trace);
    for (const [name, layer, value] of trace) {
      const data = await backend.read(value);
      const bad = data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        dispose(backend, out);
        throw new DivergenceError(
          `Training diverged in epoch ${epoch}, batch ${b + 1}: ${name} (layer ${layer}) turned non-finite ` +
            `(${data[bad]} at row ${Math.floor(bad / value.cols)}, column ${bad % value.cols}). ` +
            'The network keeps the weights from before this step. Lower the learning rate, scale the inputs, or use a loss that fits the output activation.',
          epoch,
          b + 1,
          layer,
          name,
        );
      }
    }
    lossSum += (await backend.read(out.perSample))[0]!;
    advance(out);
  }
  return lossSum;
}
