/**
 * One run of a study: its data, network, backend and rule from its settings, trained epoch by
 * epoch with the train and test loss and accuracy after each. Everything but the wall times
 * is determined by the settings (the backends compute in a fixed order on one thread).
 */
import {
  type Backend,
  type BackendConfig,
  DivergenceError,
  defineBackends,
  evaluate,
  type GradientRule,
  loadBackend,
  Network,
  type OptimizerConfig,
  type Rows,
  train,
} from '@twostep/core';
import { circles, iris, type Labelled, moons, spirals, split, xor } from '@twostep/datasets';
import type { DatasetSettings, Run, RunSettings } from './grid.js';

/** The training and test samples of a run. */
export interface RunData {
  readonly train: Labelled<ArrayLike<number>>;
  readonly test: Labelled<ArrayLike<number>>;
}

/** One epoch's results, the network's after it: mean loss per sample and share classified right. */
export interface EpochResult {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
}

/** What a run gave. `epochs` and `diverged` follow from the settings; `seconds` is measured. */
export interface RunRecord {
  readonly id: string;
  readonly settings: RunSettings;
  /** Every epoch trained, in order (fewer than asked when the run diverged). */
  readonly epochs: EpochResult[];
  /** Where training turned non-finite: the epoch and the DivergenceError's message. */
  readonly diverged?: { readonly epoch: number; readonly message: string };
  /** Wall seconds of each epoch's training (evaluation not counted). */
  readonly seconds: number[];
}

const TOY = { moons, spirals, xor, circles };

/** The samples the toy sets and Iris hold out for testing: a quarter, and 30 flowers. */
const TEST_SHARE = 0.25;
const IRIS_TEST = 30;
/** MNIST's held-out digits, the same for every size trained on. */
const MNIST_TEST = 2000;

/** Iris's features standardized with the training samples' mean and standard deviation. */
function standardized(data: RunData): RunData {
  const width = data.train.inputs[0]!.length;
  const mean = new Float64Array(width);
  const sd = new Float64Array(width);
  const n = data.train.inputs.length;
  for (const row of data.train.inputs) for (let i = 0; i < width; i++) mean[i]! += row[i]! / n;
  for (const row of data.train.inputs)
    for (let i = 0; i < width; i++) sd[i]! += (row[i]! - mean[i]!) ** 2 / n;
  for (let i = 0; i < width; i++) sd[i] = Math.sqrt(sd[i]!) || 1;
  const scale = (set: Labelled<ArrayLike<number>>) => ({
    ...set,
    inputs: set.inputs.map((row) => Array.from(row, (v, i) => (v - mean[i]!) / sd[i]!)),
  });
  return { train: scale(data.train), test: scale(data.test) };
}

/**
 * A run's data: the same for every seed and rule (split with seed 0), so that runs differ only
 * in what their settings vary. MNIST is read from the installed `mnist` package (Node).
 */
export async function runData({ name, size, noise }: DatasetSettings): Promise<RunData> {
  if (name === 'mnist') {
    const { loadMnist } = await import('@twostep/datasets/mnist');
    return split(loadMnist(), { testSize: MNIST_TEST, trainSize: size });
  }
  if (name === 'iris') return standardized(split(iris(), { testSize: IRIS_TEST }));
  const points = TOY[name]({ count: size, noise: noise ?? 0, seed: 0 });
  return split(points, { testSize: Math.round(size * TEST_SHARE) });
}

const BACKENDS = defineBackends({
  ts: () => import('@twostep/backend-ts'),
  'tfjs-cpu': () => import('@twostep/backend-tfjs/cpu'),
  'tfjs-wasm': () => import('@twostep/backend-tfjs/wasm'),
});

/** Each study backend's config: float32, one thread (a study runs one run per core). */
const CONFIGS: Record<RunSettings['backend'], BackendConfig> = {
  ts: { backend: 'ts', dtype: 'float32', threads: 1 },
  'tfjs-cpu': { backend: 'tfjs-cpu' },
  'tfjs-wasm': { backend: 'tfjs-wasm' },
};

async function ruleOf(name: RunSettings['rule']): Promise<'twoStep' | 'classic' | GradientRule> {
  if (name !== 'autodiff') return name;
  return (await import('@twostep/backend-tfjs/autodiff')).autodiff;
}

/** The network of a run: A[N0, hidden…, classes], identity outputs under softmax cross-entropy. */
export function runNetwork(settings: RunSettings, data: RunData): Network {
  return Network.create({
    architecture: [data.train.inputs[0]!.length, ...settings.hidden, data.train.classes.length],
    activations: [...settings.hidden.map(() => settings.activation), 'identity'],
    seed: settings.seed,
  });
}

/** The code paths this thread has run: a backend's, a rule's (and mode's) and an optimizer's. */
const warm = new Set<string>();
/** Wall seconds of untimed training before a thread's first run on a path. */
const WARM_UP_SECONDS = 1;

/**
 * Trains `run` and evaluates it after every epoch, calling `onEpoch` with each result; a run
 * that diverges is recorded up to the epoch before, with the error's message. The first run of
 * a thread on a backend, rule, mode and optimizer is preceded by a second of untimed epochs
 * of the same settings on networks thrown away: otherwise its epochs pay for compiling and
 * optimizing those paths (up to 10× the time of later runs' epochs on tfjs-cpu), which a
 * comparison of rules' costs would count against whichever rule a thread happens to run first.
 */
export async function executeRun(
  run: Run,
  options: { data?: RunData; onEpoch?: (result: EpochResult) => void } = {},
): Promise<RunRecord> {
  const { settings } = run;
  const data = options.data ?? (await runData(settings.dataset));
  const path = [settings.backend, settings.rule, settings.mode, settings.optimizer].join(' ');
  if (!warm.has(path)) {
    const end = performance.now() + WARM_UP_SECONDS * 1000;
    do await trainRun({ ...run, settings: { ...settings, epochs: 1 } }, data);
    while (performance.now() < end);
    warm.add(path);
  }
  return trainRun(run, data, options.onEpoch);
}

/** `executeRun` without the warm-up. */
async function trainRun(
  run: Run,
  data: RunData,
  onEpoch?: (result: EpochResult) => void,
): Promise<RunRecord> {
  const { settings } = run;
  const backend: Backend = await loadBackend(CONFIGS[settings.backend], BACKENDS);
  const net = runNetwork(settings, data);
  const epochs: EpochResult[] = [];
  const seconds: number[] = [];
  const trainSet = { inputs: data.train.inputs as Rows, targets: data.train.targets };
  const testSet = { inputs: data.test.inputs as Rows, targets: data.test.targets };
  const loss = 'softmaxCrossEntropy';
  try {
    await train(backend, net, trainSet, {
      rule: await ruleOf(settings.rule),
      mode: settings.mode,
      loss,
      optimizer: {
        name: settings.optimizer,
        learningRate: settings.learningRate,
      } as OptimizerConfig,
      batchSize: settings.batchSize,
      epochs: settings.epochs,
      seed: settings.seed,
      onEpoch: async (event) => {
        seconds.push(event.seconds);
        const [onTrain, onTest] = [
          await evaluate(backend, net, trainSet, { loss }),
          await evaluate(backend, net, testSet, { loss }),
        ];
        const result = {
          epoch: event.epoch,
          trainLoss: onTrain.loss,
          trainAccuracy: onTrain.accuracy,
          testLoss: onTest.loss,
          testAccuracy: onTest.accuracy,
        };
        epochs.push(result);
        onEpoch?.(result);
      },
    });
    return { id: run.id, settings, epochs, seconds };
  } catch (error) {
    if (!(error instanceof DivergenceError)) throw error;
    return {
      id: run.id,
      settings,
      epochs,
      seconds,
      diverged: { epoch: epochs.length + 1, message: error.message },
    };
  } finally {
    net.release(backend);
    (backend as { close?: () => void }).close?.();
  }
}
