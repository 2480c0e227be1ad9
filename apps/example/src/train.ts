/**
 * The training job: load the configured backend, train on the Iris training split with the
 * two-step rule, report each epoch, evaluate on the held-out split and save the model.
 */
import { relative } from 'node:path';
import {
  type Backend,
  evaluate,
  loadBackend,
  Network,
  oneHot,
  serialize,
  TwoStepError,
  train,
} from '@twostep/core';
import type { Config } from './config.js';
import {
  loadIris,
  type Standardization,
  standardization,
  standardize,
  stratifiedSplit,
} from './data.js';
import { foldStandardization, writeFileAtomic } from './model.js';

export interface EpochRecord {
  /** 1-based. */
  readonly epoch: number;
  readonly epochs: number;
  /** Mean training loss over the epoch. */
  readonly loss: number;
  /** Accuracy on the training split after the epoch. */
  readonly trainAccuracy: number;
  readonly samplesPerSecond: number;
  /** Training time of the epoch (without the accuracy measurement). */
  readonly seconds: number;
}

export interface TrainingResult {
  readonly history: EpochRecord[];
  readonly testAccuracy: number;
  readonly testLoss: number;
  /** Absolute path of the saved model. */
  readonly modelPath: string;
  /** The trained network; it takes standardised inputs (see `standardization`). */
  readonly network: Network;
  /** The training split's statistics, folded into the saved model's first layer. */
  readonly standardization: Standardization;
  /** Row indices into the Iris data. */
  readonly split: { readonly train: number[]; readonly test: number[] };
}

export interface TrainingOptions {
  /** Receives each line of progress (default: none). */
  readonly log?: (line: string) => void;
  /** Stops training at the next batch; nothing is saved. */
  readonly signal?: AbortSignal;
  /**
   * Imports backend packages. The default imports from this app, so backends resolve from
   * its own dependencies (pnpm's strict layout hides them from @twostep/core).
   */
  readonly importModule?: (specifier: string) => Promise<unknown>;
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const rate = (x: number) => Math.round(x).toLocaleString('en-US');
const display = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
};

/** Trains as `config` says and saves the model to `config.model` (only when all went well). */
export async function runTraining(
  config: Config,
  {
    log = () => {},
    signal,
    importModule = (s) => import(/* @vite-ignore */ s),
  }: TrainingOptions = {},
): Promise<TrainingResult> {
  const backend = await loadBackend(
    config.dtype === 'default'
      ? { backend: config.backend }
      : { backend: config.backend, dtype: config.dtype },
    { importModule },
  );

  const iris = loadIris();
  const split = stratifiedSplit(iris.labels, config.testFraction, config.splitSeed);
  const rows = (indices: number[]) => indices.map((i) => iris.inputs[i]!);
  const stats = standardization(rows(split.train));
  const dataset = (indices: number[]) => ({
    inputs: standardize(rows(indices), stats),
    targets: oneHot(
      indices.map((i) => iris.labels[i]!),
      iris.classes.length,
    ),
  });
  const trainSet = dataset(split.train);
  const testSet = dataset(split.test);

  const { optimizer } = config;
  log(
    `training ${config.architecture} (${config.activation}, ${config.outputActivation} output) on ` +
      `${split.train.length} Iris flowers, ${split.test.length} held out for testing`,
  );
  log(
    `backend ${backend.name} (${backend.dtype}), ${config.loss}, ${optimizer.name} ` +
      `(learning rate ${optimizer.learningRate ?? 'default'}), ${config.mode} mode, ` +
      `batch ${config.batchSize}, seed ${config.seed}`,
  );

  const network = Network.create({
    architecture: config.architecture,
    activation: config.activation,
    outputActivation: config.outputActivation,
    seed: config.seed,
  });
  try {
    const history = await trainEpochs(backend, network, trainSet, config, signal, (record) => {
      const width = String(record.epochs).length;
      log(
        `epoch ${String(record.epoch).padStart(width)}/${record.epochs}  ` +
          `loss ${record.loss.toFixed(4)}  train accuracy ${percent(record.trainAccuracy).padStart(6)}  ` +
          `${rate(record.samplesPerSecond)} samples/s`,
      );
    });
    const seconds = history.reduce((sum, e) => sum + e.seconds, 0);
    const samples = history.length * split.train.length;
    log(
      `trained ${history.length} epochs in ${seconds.toFixed(2)} s, ${rate(samples / seconds)} samples/s overall`,
    );
    const test = await evaluate(backend, network, testSet, { loss: config.loss });
    const correct = Math.round(test.accuracy * split.test.length);
    log(`test accuracy ${percent(test.accuracy)} (${correct}/${split.test.length})`);

    const model = foldStandardization(network, stats);
    try {
      await writeFileAtomic(config.model, `${serialize(model)}\n`);
    } catch (error) {
      throw new TwoStepError(
        `cannot save the model to ${config.model}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    log(`saved model to ${display(config.model)} (it takes raw measurements in cm)`);
    return {
      history,
      testAccuracy: test.accuracy,
      testLoss: test.loss,
      modelPath: config.model,
      network,
      standardization: stats,
      split,
    };
  } finally {
    network.release(backend);
  }
}

/** Trains for `config.epochs`, measuring the training accuracy after each epoch. */
async function trainEpochs(
  backend: Backend,
  network: Network,
  data: { inputs: number[][]; targets: number[][] },
  config: Config,
  signal: AbortSignal | undefined,
  report: (record: EpochRecord) => void,
): Promise<EpochRecord[]> {
  const history: EpochRecord[] = [];
  await train(backend, network, data, {
    loss: config.loss,
    optimizer: config.optimizer,
    mode: config.mode,
    batchSize: config.batchSize,
    epochs: config.epochs,
    seed: config.seed,
    signal,
    // The network holds each epoch's weights here.
    onEpoch: async ({ epoch, epochs, loss, samplesPerSecond, seconds }) => {
      const { accuracy } = await evaluate(backend, network, data, { loss: config.loss });
      const record = { epoch, epochs, loss, trainAccuracy: accuracy, samplesPerSecond, seconds };
      history.push(record);
      report(record);
    },
  });
  return history;
}
