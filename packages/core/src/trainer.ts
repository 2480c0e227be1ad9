/**
 * A training session of one network on one backend: the weights being trained and the
 * optimizer's state live on the backend between steps, and nothing is read back to the host
 * inside a step. `step` is one F-propagation, F-adjoint and update on a batch; `epoch` runs
 * the batches of a dataset in a given order, reads the epoch's loss once, and when that is not
 * finite replays the epoch to name the first quantity that turned non-finite.
 */

import { batchBuffers, breather } from './batches.js';
import type { Backend, Matrix } from './contract.js';
import { checkDataset, type Dataset, identityOrder, type Samples } from './data.js';
import { readChecked, replayChecked } from './divergence.js';
import { ConfigError } from './errors.js';
import type { Loss, LossName, Reduction } from './losses.js';
import { endTraining, type Network, startTraining } from './network.js';
import {
  type Optimizer,
  type OptimizerConfig,
  type OptimizerState,
  resolveOptimizer,
  type SavedOptimizerState,
  sgd,
} from './optimizers.js';
import {
  checkCallback,
  checkKeys,
  checkPermutation,
  checkSignal,
  positiveInteger,
} from './options.js';
import type { RuleOption } from './rules.js';
import { dispose, tidy, tracked, untracked } from './scope.js';
import {
  type LearningMode,
  type Quantities,
  quantities,
  type StepSettings,
  step,
  stepSettings,
} from './step.js';

export interface TrainerOptions {
  /**
   * The learning rule (default `'twoStep'`): `'classic'` for standard back-propagation
   * (eqs. 2–4), or a GradientRule such as `autodiff` from `@twostep/backend-tfjs`. `mode`
   * `'layerwise'` is the two-step rule's alone.
   */
  readonly rule?: RuleOption;
  readonly loss?: LossName | Loss;
  readonly reduction?: Reduction;
  readonly optimizer?: Optimizer | OptimizerConfig;
  readonly mode?: LearningMode;
  /** Learning rate per layer h = 1…L, overriding the optimizer's. */
  readonly learningRates?: readonly number[];
  /**
   * The optimizer's state to start from (from `saveOptimizer`); default fresh. Checked at the
   * first step: its shape against the optimizer and the network, every value finite and in
   * the range of the backend's dtype.
   */
  readonly optimizerState?: SavedOptimizerState;
}

/** The keys `TrainerOptions` takes. */
export const TRAINER_OPTIONS = [
  'loss',
  'reduction',
  'optimizer',
  'mode',
  'rule',
  'learningRates',
  'optimizerState',
] as const satisfies readonly (keyof TrainerOptions)[];

export interface BatchEvent {
  readonly epoch: number;
  /** 1-based. */
  readonly batch: number;
  readonly batches: number;
  /** Reads this batch's J from the backend (a host read-back: only when you need it). */
  loss(): Promise<number>;
}

const EPOCH_OPTIONS = [
  'batchSize',
  'order',
  'epoch',
  'onBatch',
  'signal',
] as const satisfies readonly (keyof EpochOptions)[];

export interface EpochOptions {
  readonly batchSize?: number;
  /** The order of the samples (a permutation of 0…count − 1); default as given. */
  readonly order?: ArrayLike<number>;
  /** The epoch's number in events and errors (default 1). */
  readonly epoch?: number;
  readonly onBatch?: (event: BatchEvent) => void | Promise<void>;
  /**
   * Stops at the next batch boundary, keeping the weights trained so far. Epochs yield to the
   * event loop every 50 ms (counted across epochs), so timers and handlers can abort them.
   */
  readonly signal?: AbortSignal;
}

export interface StepOptions {
  /** Keep every quantity of the step for `StepResult.trace` (default false). */
  readonly trace?: boolean;
}

/** One quantity of a step, read to the host: Nh × B rows, a column per sample. */
export interface StepQuantity {
  /** `Y1`, `X1`, …, `J`, `deltaUpL`, `deltaDownL`, `dJ/dWL`, …, `WL`: as DivergenceError names them. */
  readonly name: string;
  readonly layer: number;
  readonly rows: number[][];
}

/** What one step did; read it before the next step. */
export interface StepResult {
  /** This step's J, read from the backend (one read-back). */
  loss(): Promise<number>;
  /**
   * Every quantity of the step in the order the rule computed it: the F-propagation, J, the
   * F-adjoint (in `'layerwise'` mode δup_h−1 through the updated W♯h; with another rule, its
   * quantities, e.g. the classic δh as `delta{h}`) and the updated weights.
   * Only for a step taken with `{ trace: true }`.
   */
  trace(): Promise<StepQuantity[]>;
}

/** A step's result within an epoch: the new weights and J, J as a per-sample sum, and the rest. */
interface Batch {
  readonly weights: Matrix[];
  readonly J: Matrix;
  readonly perSample: Matrix;
  /** The step's quantities, kept only when they are to be checked. */
  readonly quantities: Quantities;
}

export class Trainer {
  readonly #backend: Backend;
  /** The backend through the core's scopes, so that `tidy` frees a step's temporaries. */
  readonly #k: Backend;
  readonly #net: Network;
  readonly #settings: StepSettings;
  readonly #optimizer: Optimizer;
  readonly #optimizerState: SavedOptimizerState | undefined;
  readonly #upload: ReturnType<typeof batchBuffers>;
  /** Datasets already checked, read in place. */
  readonly #checked = new WeakMap<Dataset, { inputs: Samples; targets: Samples }>();
  /** The weights being trained and the optimizer's state, from the first step on. */
  #weights: Matrix[] = [];
  #state: OptimizerState | undefined;
  /** Yields to the event loop every 50 ms of training, across epochs (one epoch may be short). */
  readonly #breathe = breather();
  /** The last step's J (and quantities, when traced), kept until the next step for its result. */
  #kept: Matrix[] = [];
  #closed = false;

  /**
   * Training of `net` on `backend`, from the weights the network has at the first step. The
   * options are checked here; the saved optimizer state at the first step.
   */
  constructor(backend: Backend, net: Network, options: TrainerOptions = {}) {
    checkKeys('Trainer', options, TRAINER_OPTIONS);
    this.#backend = untracked(backend);
    this.#k = tracked(this.#backend);
    this.#net = net;
    this.#optimizer = resolveOptimizer(options.optimizer ?? sgd());
    this.#optimizerState = options.optimizerState;
    this.#settings = stepSettings(net, options, this.#optimizer);
    this.#upload = batchBuffers(this.#k);
    startTraining(net, this);
  }

  /** The optimizer's state, started with a copy of the network's weights on first use. */
  #started(): OptimizerState {
    this.#open();
    if (this.#state) return this.#state;
    const weights = this.#net.weightsOn(this.#backend).map((w) => this.#backend.copy(w));
    try {
      this.#state = this.#optimizer.start(this.#backend, weights, this.#optimizerState);
    } catch (error) {
      dispose(this.#backend, weights);
      throw error;
    }
    this.#weights = weights;
    return this.#state;
  }

  /**
   * Checks `data` ({ inputs, targets }, one row per sample) against the network: widths and
   * finite values, once; steps and epochs on the same object then read its rows in place (they
   * must not change meanwhile). Returns the number of samples.
   */
  check(data: Dataset): number {
    return this.#samples(data).inputs.count;
  }

  /** One step of the rule on `batch` ({ inputs, targets }, one row per sample). */
  step(batch: Dataset, options: StepOptions = {}): StepResult {
    checkKeys('step', options, ['trace']);
    const traced = options.trace === true;
    const { inputs, targets } = this.#samples(batch);
    this.#net.checkBatch('step', inputs.count);
    const out = this.#run(inputs, targets, identityOrder(inputs.count), 0, inputs.count, traced);
    dispose(this.#backend, this.#kept);
    const quantities = out.quantities.map(([, , m]) => m);
    this.#kept = [...new Set([out.J, ...quantities])].filter((m) => !out.weights.includes(m));
    this.#advance(out, this.#kept);
    const backend = this.#backend;
    const rows = async (m: Matrix) => {
      const data = await backend.read(m);
      return Array.from({ length: m.rows }, (_, i) =>
        Array.from(data.subarray(i * m.cols, (i + 1) * m.cols)),
      );
    };
    return {
      loss: async () => (await backend.read(out.J))[0]!,
      trace: async () => {
        if (!traced) {
          throw new ConfigError(
            'step: this step was taken without { trace: true }; ask for the trace when taking the step.',
          );
        }
        return Promise.all(
          out.quantities.map(async ([name, layer, m]) => ({ name, layer, rows: await rows(m) })),
        );
      },
    };
  }

  /**
   * One epoch over `data` in `options.order`, in batches of `batchSize` (default 32); resolves
   * to the mean loss per sample. If it turns non-finite, the epoch is replayed from its start
   * one step at a time and a DivergenceError names the first non-finite quantity; the weights
   * are then those from before that step.
   */
  async epoch(data: Dataset, options: EpochOptions = {}): Promise<number> {
    checkKeys('epoch', options, EPOCH_OPTIONS);
    const { inputs, targets } = this.#samples(data);
    const count = inputs.count;
    const batchSize = positiveInteger('batchSize', options.batchSize ?? 32);
    this.#net.checkBatch('epoch', Math.min(batchSize, count));
    const order = options.order ?? identityOrder(count);
    checkPermutation(order, count);
    const epoch = positiveInteger('epoch', options.epoch ?? 1);
    checkCallback('epoch', 'onBatch', options.onBatch);
    checkSignal('epoch', options.signal);
    const batches = Math.ceil(count / batchSize);
    const backend = this.#backend;
    const state = this.#started();
    const runBatch = (b: number, check: boolean) => {
      const start = b * batchSize;
      return this.#run(inputs, targets, order, start, Math.min(count, start + batchSize), check);
    };
    // Where to replay the epoch from if it diverges.
    const snapshot = {
      weights: this.#weights.map((w) => backend.copy(w)),
      state: state.clone(backend),
    };
    let lossSum: Matrix = backend.fill(1, 1, 0);
    let loss: number;
    try {
      for (let b = 0; b < batches; b++) {
        await this.#breathe();
        options.signal?.throwIfAborted();
        const out = runBatch(b, false);
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
        this.#advance(out);
      }
      loss = (await readChecked(backend, lossSum, this.#weights)) / count;
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
      return loss;
    }
    // Back to the epoch's start, then replay it with every quantity checked.
    dispose(backend, this.#weights);
    state.dispose();
    this.#weights = snapshot.weights;
    this.#state = snapshot.state;
    const replayed = await replayChecked(
      backend,
      epoch,
      batches,
      (b) => runBatch(b, true),
      (out) => this.#advance(out),
    );
    return replayed / count;
  }

  /** Reads the optimizer's state to the host (moments and step counts), for a checkpoint. */
  async saveOptimizer(): Promise<SavedOptimizerState> {
    return this.#started().save();
  }

  /** Copies the current weights into the network (`net.getWeights()`, `predict`, `serialize`). */
  async sync(): Promise<void> {
    this.#started();
    await this.#net.adopt(
      this.#backend,
      this.#weights.map((w) => this.#backend.copy(w)),
      this,
    );
  }

  /**
   * Ends training: the network takes the weights, and the optimizer's state is freed (a
   * Trainer that never stepped leaves the network as it was). Until it resolves, the
   * network's weights cannot be set nor another Trainer started on it.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    dispose(this.#backend, this.#kept);
    try {
      if (!this.#state) return;
      this.#state.dispose();
      await this.#net.adopt(this.#backend, this.#weights, this);
    } finally {
      endTraining(this.#net, this);
    }
  }

  /** After `close`, the weights are the network's and the optimizer's state is freed. */
  #open(): void {
    if (this.#closed)
      throw new ConfigError('This Trainer is closed; create a new one to train on.');
  }

  #samples(data: Dataset): { inputs: Samples; targets: Samples } {
    this.#open();
    const known = this.#checked.get(data);
    if (known) return known;
    const checked = checkDataset(data, this.#net.architecture, this.#backend.dtype);
    this.#checked.set(data, checked);
    return checked;
  }

  /** A step on samples `order[start…end)`; keeps the new weights, J and its per-sample sum. */
  #run(
    inputs: Samples,
    targets: Samples,
    order: ArrayLike<number>,
    start: number,
    end: number,
    check: boolean,
  ): Batch {
    const k = this.#k;
    const s = this.#settings;
    // A checked step is a replay of a non-finite epoch: rows changed since the check are bad data.
    if (check) for (const samples of [inputs, targets]) samples.recheck(order, start, end);
    return tidy(this.#backend, () => {
      const x0 = this.#upload(inputs, order, start, end, 0);
      const t = this.#upload(targets, order, start, end, 1);
      const result = step(k, this.#net, s, this.#started(), this.#weights, x0, t);
      // J weighted to a per-sample sum: Σ over the epoch, divided by the count, is the mean loss.
      const perSample = k.scale(result.J, s.reduction === 'mean' ? end - start : 1);
      return {
        weights: result.weights,
        J: result.J,
        perSample,
        quantities: check ? quantities(k, this.#net, result) : [],
      };
    });
  }

  /** Takes a step's weights as the current ones and frees the rest of it, but what is `kept`. */
  #advance(out: Batch, kept: readonly Matrix[] = []): void {
    dispose(this.#backend, this.#weights);
    this.#weights = out.weights;
    const spent = [out.J, out.perSample, ...out.quantities.map(([, , m]) => m)];
    dispose(
      this.#backend,
      spent.filter((m) => !this.#weights.includes(m) && !kept.includes(m)),
    );
  }
}
