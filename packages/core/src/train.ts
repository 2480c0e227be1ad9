/**
 * Training with the two-step rule, epoch after epoch: a `Trainer` over the data in a seeded
 * order, with progress events, checkpoints to resume from, and an abort signal.
 */
import type { Backend } from './contract.js';
import type { Dataset } from './data.js';
import { identityOrder } from './data.js';
import { ConfigError } from './errors.js';
import type { Network } from './network.js';
import type { SavedOptimizerState } from './optimizers.js';
import { checkCallback, checkKeys, checkSignal, positiveInteger } from './options.js';
import { checkSeed, Random } from './random.js';
import { type EpochOptions, TRAINER_OPTIONS, Trainer, type TrainerOptions } from './trainer.js';

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

export interface TrainOptions extends TrainerOptions, Pick<EpochOptions, 'onBatch' | 'signal'> {
  readonly batchSize?: number;
  /** The epoch to stop after (default 1); counts `initialEpoch`'s epochs too. */
  readonly epochs?: number;
  /**
   * Epochs already trained, when resuming from a checkpoint (default 0): training runs epochs
   * initialEpoch + 1 … epochs, and the shuffling skips the orders of the epochs done, so with
   * the checkpoint's weights and `optimizerState` the result equals an uninterrupted run.
   */
  readonly initialEpoch?: number;
  readonly shuffle?: boolean;
  /** Seed of the shuffling, an integer from 0 to 2³² − 1; default 0. */
  readonly seed?: number;
  /** Called after each epoch, when `net` already holds that epoch's weights. */
  readonly onEpoch?: (event: EpochEvent) => void | Promise<void>;
}

const TRAIN_OPTIONS = [
  ...TRAINER_OPTIONS,
  'batchSize',
  'epochs',
  'initialEpoch',
  'shuffle',
  'seed',
  'onEpoch',
  'onBatch',
  'signal',
] as const satisfies readonly (keyof TrainOptions)[];

export interface TrainResult {
  readonly history: EpochEvent[];
}

/**
 * Trains `net` on `data` ({ inputs, targets }, one row per sample) on `backend`. Resolves
 * when done, with the per-epoch history; `net` holds the trained weights.
 */
export async function train(
  backend: Backend,
  net: Network,
  data: Dataset,
  options: TrainOptions = {},
): Promise<TrainResult> {
  checkKeys('train', options, TRAIN_OPTIONS);
  checkCallback('train', 'onEpoch', options.onEpoch);
  checkCallback('train', 'onBatch', options.onBatch);
  checkSignal('train', options.signal);
  const seed = checkSeed('train', options.seed ?? 0);
  const trainer = new Trainer(
    backend,
    net,
    Object.fromEntries(
      TRAINER_OPTIONS.filter((key) => options[key] !== undefined).map((key) => [key, options[key]]),
    ),
  );
  const history: EpochEvent[] = [];
  // Made once, out of the epoch loop, so the history's events do not keep each epoch's order.
  const saveOptimizer = () => trainer.saveOptimizer();
  try {
    const count = trainer.check(data);
    const epochs = positiveInteger('epochs', options.epochs ?? 1, true);
    const initialEpoch = positiveInteger('initialEpoch', options.initialEpoch ?? 0, true);
    if (initialEpoch > epochs) {
      throw new ConfigError(
        `initialEpoch ${initialEpoch} is past epochs ${epochs}: the run is already complete; ask for more epochs to continue it.`,
      );
    }
    const batchSize = positiveInteger('batchSize', options.batchSize ?? 32);
    const shuffle = options.shuffle ?? true;
    const random = new Random(seed);
    // The epochs done drew their orders from the same generator: draw and drop them.
    if (shuffle) for (let e = 1; e <= initialEpoch; e++) random.permutation(count);
    for (let epoch = initialEpoch + 1; epoch <= epochs; epoch++) {
      const started = performance.now();
      const order = shuffle ? random.permutation(count) : identityOrder(count);
      const loss = await trainer.epoch(data, {
        batchSize,
        order,
        epoch,
        ...(options.onBatch && { onBatch: options.onBatch }),
        ...(options.signal && { signal: options.signal }),
      });
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
      await trainer.sync();
      await options.onEpoch?.(event);
    }
  } finally {
    await trainer.close();
  }
  return { history };
}
