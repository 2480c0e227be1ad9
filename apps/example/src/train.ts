/**
 * The training job: load the configured backend, train on the MNIST training split with the
 * two-step rule, evaluate each epoch on the held-out digits, and save the model and the run's
 * record, checkpointing when asked. Nothing here prints: progress goes out as events.
 */
import {
  type Backend,
  type Backends,
  DivergenceError,
  deserialize,
  evaluate,
  Network,
  predict,
  serialize,
  type TrainOptions,
  TwoStepError,
  toModelFile,
  train,
} from '@twostep/core';
import { shown } from '@twostep/core/check';
import { argmax } from '@twostep/datasets';
import { MNIST_CLASSES, MNIST_HEIGHT, MNIST_WIDTH } from '@twostep/datasets/mnist';
import { writeFileAtomic } from '@twostep/io';
import { backendConfig, closeBackend, openBackend, threadCount } from './backends.js';
import type { Config } from './config.js';
import { accuracyOf, confusionMatrix, type Digits, splitDigits } from './data.js';
import {
  besideModel,
  CHECKPOINT_FORMAT,
  type Checkpoint,
  RESUME_KEYS,
  readCheckpoint,
  resumeSettings,
} from './model.js';
import { claimOutput } from './output.js';
import type { TrainEvent } from './progress.js';
import { type EpochRecord, RUN_FORMAT, RUN_VERSION, type RunRecord } from './record.js';

/** Misclassified test digits kept in the run record. */
const MISCLASSIFIED = 24;

export interface TrainingOptions {
  /** Receives progress (default: none). */
  readonly onEvent?: (event: TrainEvent) => void;
  /** Stops training at the next batch; the last checkpoint stays, the model is not written. */
  readonly signal?: AbortSignal;
  /** Continue from the model's checkpoint. */
  readonly resume?: boolean;
  /** The backends to pick `config.backend` from (default: those this app ships). */
  readonly backends?: Backends;
  /** Files the run reads (the config file), which the model must not overwrite. */
  readonly inputs?: readonly (string | undefined)[];
}

export interface TrainingResult {
  readonly record: RunRecord;
  /** Absolute paths of what was written. */
  readonly modelPath: string;
  readonly runPath: string;
}

/**
 * Trains as `config` says; saves the model and the run record only when all went well. The
 * model's folder is checked and the model locked before anything else (see `claimOutput`).
 */
export async function runTraining(
  config: Config,
  options: TrainingOptions = {},
): Promise<TrainingResult> {
  const { onEvent = () => {}, inputs = [] } = options;
  const claim = await claimOutput(config.model, inputs, (message) =>
    onEvent({ type: 'note', message }),
  );
  try {
    return await trainAndSave(config, options);
  } finally {
    await claim.release();
  }
}

async function trainAndSave(
  config: Config,
  { onEvent = () => {}, signal, resume = false, backends }: TrainingOptions,
): Promise<TrainingResult> {
  const checkpointPath = besideModel(config.model, 'checkpoint');
  const checkpoint = resume ? await readCheckpoint(checkpointPath) : undefined;
  // The dtype is compared once the backend says which it runs ('default' is its own).
  const wanted = resumeSettings(config, RESUME_KEYS);
  const early = RESUME_KEYS.filter((k) => k !== 'dtype' || config.dtype !== 'default');
  if (checkpoint) checkResume(checkpoint, wanted, early, config.epochs, checkpointPath);

  const backend = await openBackend(backendConfig(config), backends);
  try {
    return await trainOn(backend, config, checkpoint, wanted, { onEvent, signal });
  } finally {
    closeBackend(backend);
  }
}

/** Trains on `backend` (from `checkpoint` when resuming), then saves. */
async function trainOn(
  backend: Backend,
  config: Config,
  checkpoint: Checkpoint | undefined,
  wanted: Record<string, unknown>,
  { onEvent, signal }: { onEvent: (event: TrainEvent) => void; signal: AbortSignal | undefined },
): Promise<TrainingResult> {
  const checkpointPath = besideModel(config.model, 'checkpoint');
  const settings = { ...wanted, dtype: backend.dtype };
  if (checkpoint) checkResume(checkpoint, settings, ['dtype'], config.epochs, checkpointPath);
  const digits = splitDigits(config);
  const trainSet = digits.train;
  const testSet = digits.test;
  const limits = { maxParameters: config.maxParameters, maxEntries: config.maxEntries };
  const network = checkpoint
    ? deserialize(checkpoint.network, limits)
    : Network.create({
        architecture: config.architecture,
        activation: config.activation,
        outputActivation: config.outputActivation,
        seed: config.seed,
        ...limits,
      });
  const initialEpoch = checkpoint?.epoch ?? 0;
  const history: EpochRecord[] = [...(checkpoint?.history ?? [])];
  onEvent({
    type: 'start',
    backend: backend.name,
    dtype: backend.dtype,
    ...threadCount(backend),
    architecture: config.architecture,
    activation: config.activation,
    loss: config.loss,
    optimizer: `${config.optimizer.name} (learning rate ${config.optimizer.learningRate ?? 'default'})`,
    mode: config.mode,
    batchSize: config.batchSize,
    trainSize: digits.train.labels.length,
    testSize: digits.test.labels.length,
    initialEpoch,
    epochs: config.epochs,
  });

  const options: TrainOptions = {
    loss: config.loss,
    optimizer: config.optimizer,
    mode: config.mode,
    batchSize: config.batchSize,
    epochs: config.epochs,
    seed: config.seed,
    initialEpoch,
    ...(checkpoint && { optimizerState: checkpoint.optimizer }),
    signal,
    onBatch: batchProgress(config, digits.train.labels.length, onEvent),
    // The network holds each epoch's weights here.
    onEpoch: async (event) => {
      const accuracy = async (data: typeof testSet) =>
        (await evaluate(backend, network, data, { loss: config.loss })).accuracy;
      const record: EpochRecord = {
        epoch: event.epoch,
        loss: event.loss,
        trainAccuracy: await accuracy(trainSet),
        testAccuracy: await accuracy(testSet),
        seconds: event.seconds,
        samplesPerSecond: event.samplesPerSecond,
      };
      history.push(record);
      onEvent({ type: 'epoch', epochs: config.epochs, ...record });
      if (config.checkpointEvery > 0 && event.epoch % config.checkpointEvery === 0) {
        const saved: Checkpoint = {
          format: CHECKPOINT_FORMAT,
          version: 1,
          epoch: event.epoch,
          settings,
          network: toModelFile(network),
          optimizer: await event.saveOptimizer(),
          history,
        };
        await save(checkpointPath, JSON.stringify(saved), 'checkpoint');
        onEvent({ type: 'checkpoint', epoch: event.epoch, path: checkpointPath });
      }
    },
  };

  try {
    try {
      await train(backend, network, trainSet, options);
    } catch (error) {
      if (!(error instanceof DivergenceError)) throw error;
      // The network kept the weights from before the step that diverged.
      const path = besideModel(config.model, 'last-finite');
      await save(path, serialize(network), 'last finite weights');
      // The core's message names the epoch, the batch and the first quantity that diverged.
      throw new TwoStepError(
        `${error.message} The last finite weights are in ${path}; the model was not written.`,
        { cause: error },
      );
    }
    const record = await finish(backend, network, config, digits, history);
    const runPath = besideModel(config.model, 'run');
    await save(config.model, `${serialize(network)}\n`, 'model');
    await save(runPath, `${JSON.stringify(record)}\n`, 'run record');
    const seconds = history.reduce((sum, e) => sum + e.seconds, 0);
    onEvent({
      type: 'done',
      epochs: history.length,
      seconds,
      samplesPerSecond: (history.length * digits.train.labels.length) / seconds,
      testAccuracy: record.testAccuracy,
      confusion: record.confusion,
      model: config.model,
      run: runPath,
    });
    return { record, modelPath: config.model, runPath };
  } finally {
    network.release(backend);
  }
}

/** A resumed run must have the checkpoint's settings (`keys` of them) and stop later than it. */
function checkResume(
  checkpoint: Checkpoint,
  settings: Record<string, unknown>,
  keys: readonly string[],
  epochs: number,
  path: string,
): void {
  const changed = keys.filter(
    (k) => JSON.stringify(checkpoint.settings[k]) !== JSON.stringify(settings[k]),
  );
  if (changed.length > 0) {
    const was = changed
      .map((k) => `${k} ${shown(checkpoint.settings[k])}, not ${shown(settings[k])}`)
      .join('; ');
    throw new TwoStepError(
      `--resume: ${path} was trained with ${was}. Resume with the same settings (only epochs may change), or train from the start without --resume.`,
    );
  }
  if (checkpoint.epoch >= epochs) {
    throw new TwoStepError(
      `--resume: the checkpoint is at epoch ${checkpoint.epoch} and epochs is ${epochs}; ask for more epochs (--epochs ${checkpoint.epoch + 1} or more).`,
    );
  }
}

/** Batch events, at most every 200 ms, with the speed of the epoch so far and the run's ETA. */
function batchProgress(
  config: Config,
  trainSize: number,
  onEvent: (event: TrainEvent) => void,
): TrainOptions['onBatch'] {
  let epochStart = performance.now();
  let last = 0;
  return ({ epoch, batch, batches }) => {
    const now = performance.now();
    // Timed from the end of each epoch's first batch, so that the speed is never 0/0.
    if (batch === 1) epochStart = now;
    if (batch === 1 || batch === batches || now - last < 200) return;
    last = now;
    const samples = Math.min(batch * config.batchSize, trainSize);
    const samplesPerSecond = ((batch - 1) * config.batchSize) / ((now - epochStart) / 1000);
    const left = (config.epochs - epoch) * trainSize + (trainSize - samples);
    onEvent({
      type: 'batch',
      epoch,
      batch,
      batches,
      samplesPerSecond,
      eta: left / samplesPerSecond,
    });
  };
}

/** The run record: final test accuracy, confusion matrix and misclassified digits. */
async function finish(
  backend: Backend,
  network: Network,
  config: Config,
  digits: { train: Digits; test: Digits },
  history: EpochRecord[],
): Promise<RunRecord> {
  const outputs = await predict(backend, network, digits.test.inputs);
  const confusion = confusionMatrix(outputs, digits.test.labels);
  const misclassified = outputs
    .flatMap((row, index) => {
      const [label, predicted] = [digits.test.labels[index]!, argmax(row)];
      if (predicted === label) return [];
      return [{ index, label, predicted, pixels: Array.from(digits.test.inputs[index]!) }];
    })
    .slice(0, MISCLASSIFIED);
  return {
    format: RUN_FORMAT,
    version: RUN_VERSION,
    finishedAt: new Date().toISOString(),
    config: { ...config },
    backend: { name: backend.name, dtype: backend.dtype, ...threadCount(backend) },
    dataset: {
      name: 'MNIST',
      classes: [...MNIST_CLASSES],
      trainSize: digits.train.labels.length,
      testSize: digits.test.labels.length,
      width: MNIST_WIDTH,
      height: MNIST_HEIGHT,
    },
    epochs: history,
    testAccuracy: accuracyOf(confusion),
    confusion,
    misclassified,
  };
}

/** Writes atomically; a failure says which file could not be written. */
async function save(path: string, text: string, what: string): Promise<void> {
  try {
    await writeFileAtomic(path, text);
  } catch (error) {
    throw new TwoStepError(`cannot save the ${what} to ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
