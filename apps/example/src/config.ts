/**
 * The app's configuration: its keys, their defaults and their checks. Every value is checked
 * where it comes from (config-sources.ts: the config file, the environment, the flags), and an
 * error names the key (or variable, or flag) and the values it allows.
 */
import {
  ACTIVATION_NAMES,
  type ActivationName,
  ConfigError,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_MAX_PARAMETERS,
  DTYPES,
  type DType,
  formatArchitecture,
  LEARNING_MODES,
  type LearningMode,
  LOSS_NAMES,
  type LossName,
  MAX_SEED,
  type OptimizerConfig,
  parseArchitecture,
  resolveOptimizer,
  TwoStepError,
} from '@twostep/core';
import { Overflow, shown as show } from '@twostep/core/check';
import { MNIST_CLASSES, MNIST_PIXELS } from '@twostep/datasets/mnist';
import { BACKEND_CHOICES, isBackendName } from './backends.js';

/** Digits in the `mnist` package. */
const DIGITS = 10_000;

export interface Config {
  /** A backend this app ships (`ts`, `tfjs-cpu`, …) or a package exporting a backend descriptor. */
  readonly backend: string;
  /** The dtype to compute in, or `default` for the backend's own (float32 on every built-in one). */
  readonly dtype: DType | 'default';
  /**
   * Threads the ts backend computes on, counting the calling one, or `default`: the backend's
   * own (the machine's cores, at most 8). Only the ts backend takes it.
   */
  readonly threads: number | 'default';
  /** `A[784,…,10]`: a digit has 784 pixels and there are 10 classes. */
  readonly architecture: string;
  readonly activation: ActivationName;
  readonly outputActivation: ActivationName;
  readonly loss: LossName;
  readonly optimizer: OptimizerConfig;
  readonly mode: LearningMode;
  readonly batchSize: number;
  /** The epoch to stop after (a resumed run continues up to it). */
  readonly epochs: number;
  /** Seed of the initial weights and of the shuffling. */
  readonly seed: number;
  /** Digits held out for testing: the last `testSize` of a seeded shuffle of all 10,000. */
  readonly testSize: number;
  /** Digits trained on: the first `trainSize` of the same shuffle (at most 10,000 − testSize). */
  readonly trainSize: number;
  /** Seed of the train/test split, apart from `seed` so that runs with other seeds compare. */
  readonly splitSeed: number;
  /** Where the trained model is written: relative to the config file, or to the working directory. */
  readonly model: string;
  /** Write a checkpoint after every N epochs (0: never); `--resume` continues from it. */
  readonly checkpointEvery: number;
  /** The most parameters a network may have (the core's limit, checked before allocating). */
  readonly maxParameters: number;
  /** The most entries of one matrix: a weight matrix, or a batch's widest layer × batchSize. */
  readonly maxEntries: number;
}

export const DEFAULT_CONFIG: Config = {
  backend: 'ts',
  dtype: 'default',
  threads: 'default',
  architecture: 'A[784,128,10]',
  activation: 'relu',
  outputActivation: 'identity',
  loss: 'softmaxCrossEntropy',
  optimizer: { name: 'momentum', learningRate: 0.05, momentum: 0.9 },
  mode: 'global',
  batchSize: 32,
  epochs: 12,
  seed: 1,
  testSize: 2000,
  trainSize: 8000,
  splitSeed: 0,
  model: 'models/mnist.json',
  checkpointEvery: 0,
  maxParameters: DEFAULT_MAX_PARAMETERS,
  maxEntries: DEFAULT_MAX_ENTRIES,
};

export const CONFIG_FILE = 'twostep.config.json';

const KEYS = Object.keys(DEFAULT_CONFIG) as (keyof Config)[];

export const list = (values: readonly string[]) => values.join(', ');
const fail = (key: string, problem: string): never => {
  throw new ConfigError(`${key}: ${problem}`);
};

const oneOf =
  <T extends string>(allowed: readonly T[]) =>
  (value: unknown, key: string): T =>
    (allowed as readonly unknown[]).includes(value)
      ? (value as T)
      : fail(key, `${show(value)} is not one of ${list(allowed)}.`);

/** Integers past 2^53 are not exact: 2^53 + 1 would be read as 2^53. */
const MAX_INTEGER = `${Number.MAX_SAFE_INTEGER}, the largest integer a number holds exactly`;

const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER, why = MAX_INTEGER) =>
  (value: unknown, key: string): number => {
    if (!Number.isInteger(value) || (value as number) < min) {
      fail(key, `${show(value)} is not an integer ≥ ${min}.`);
    }
    if ((value as number) > max) fail(key, `${show(value)} is more than ${why}.`);
    return value as number;
  };
const seed = integer(
  0,
  MAX_SEED,
  `${MAX_SEED}: seeds are 32-bit, so it would give the same run as a smaller one`,
);

/** Threads in all (counting the main one), or `default`: the backend's own. */
function threads(value: unknown, key: string): number | 'default' {
  if (value === 'default') return value;
  if (!Number.isInteger(value) || (value as number) < 1) {
    fail(
      key,
      `${show(value)} is not a number of threads: use an integer ≥ 1 (threads in all, counting the main one), or default (the machine's cores, at most 8).`,
    );
  }
  return integer(1)(value, key);
}

const OPTIMIZER_KEYS = {
  sgd: ['learningRate'],
  momentum: ['learningRate', 'momentum'],
  adam: ['learningRate', 'beta1', 'beta2', 'epsilon'],
} as const;
const OPTIMIZERS = Object.keys(OPTIMIZER_KEYS) as (keyof typeof OPTIMIZER_KEYS)[];

function optimizer(value: unknown, key: string): OptimizerConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(key, `${show(value)} is not an object such as { "name": "adam", "learningRate": 0.02 }.`);
  }
  const { name, ...hyper } = value as Record<string, unknown>;
  const kind = oneOf(OPTIMIZERS)(name, `${key}.name`);
  const allowed: readonly string[] = OPTIMIZER_KEYS[kind];
  for (const [k, v] of Object.entries(hyper)) {
    if (!allowed.includes(k)) {
      fail(`${key}.${k}`, `is not a setting of ${kind}; use ${list(['name', ...allowed])}.`);
    }
    if (typeof v !== 'number') fail(`${key}.${k}`, `${show(v)} is not a number.`);
  }
  try {
    resolveOptimizer(value as OptimizerConfig); // the core checks the ranges
  } catch (error) {
    if (error instanceof TwoStepError) fail(key, error.message);
    throw error;
  }
  return value as OptimizerConfig;
}

function architecture(value: unknown, key: string): string {
  if (typeof value !== 'string' && !Array.isArray(value)) {
    fail(key, `${show(value)} is not an architecture such as "A[784,128,10]".`);
  }
  if (Array.isArray(value)) {
    const at = value.findIndex((w) => typeof w !== 'number');
    if (at >= 0) {
      fail(
        key,
        `N${at} = ${show(value[at])} is not a width; widths are integers ≥ 1, as in [784, 128, 10].`,
      );
    }
  }
  let widths: number[] = [];
  try {
    widths = parseArchitecture(value as string | number[]);
  } catch (error) {
    if (error instanceof TwoStepError) fail(key, error.message);
    throw error;
  }
  if (widths[0] !== MNIST_PIXELS || widths.at(-1) !== MNIST_CLASSES.length) {
    fail(
      key,
      `${formatArchitecture(widths)} does not fit MNIST, which has ${MNIST_PIXELS} pixels and ${MNIST_CLASSES.length} classes: use A[${MNIST_PIXELS},…,${MNIST_CLASSES.length}].`,
    );
  }
  return formatArchitecture(widths);
}

type Checks = { [K in keyof Config]: (value: unknown, key: string) => Config[K] };

/** The first number in `value` too large for a double (kept as written by parseJsonAsWritten). */
function overflowIn(value: unknown): Overflow | undefined {
  if (value instanceof Overflow) return value;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const v of Object.values(value)) {
    const found = overflowIn(v);
    if (found) return found;
  }
  return undefined;
}

/** Each check, refusing first a number beyond a double (1e400), shown as written. */
const refusingOverflow = (checks: Checks): Checks =>
  Object.fromEntries(
    Object.entries(checks).map(([k, check]) => [
      k,
      (value: unknown, key: string) => {
        const overflow = overflowIn(value);
        if (overflow) fail(key, `${overflow.text} is beyond the largest number (about 1.8e308).`);
        return check(value, key);
      },
    ]),
  ) as Checks;

/** Checks and normalises the value of one key. */
export const CHECKS: Checks = refusingOverflow({
  backend: (value, key) =>
    typeof value === 'string' && isBackendName(value)
      ? value
      : fail(key, `${show(value)} is not a backend name; use ${BACKEND_CHOICES}.`),
  dtype: oneOf([...DTYPES, 'default']),
  threads,
  architecture,
  activation: oneOf(ACTIVATION_NAMES),
  outputActivation: oneOf(ACTIVATION_NAMES),
  loss: oneOf(LOSS_NAMES),
  optimizer,
  mode: oneOf(LEARNING_MODES),
  batchSize: integer(1),
  epochs: integer(1),
  seed,
  testSize: (value, key) =>
    integer(1)(value, key) < DIGITS
      ? (value as number)
      : fail(key, `${show(value)} leaves no digit to train on; MNIST here has ${DIGITS}.`),
  trainSize: integer(1),
  splitSeed: seed,
  model: (value, key) =>
    typeof value === 'string' && value !== ''
      ? value
      : fail(key, `${show(value)} is not a file path such as "models/mnist.json".`),
  checkpointEvery: integer(0),
  maxParameters: integer(1),
  maxEntries: integer(1),
});

/**
 * Checks what one key cannot check alone: that the split has the digits asked for (the split
 * would quietly train on fewer) and that a batch fits in the training digits.
 */
export function checkSizes(
  config: Pick<Config, 'testSize' | 'trainSize'> & Partial<Pick<Config, 'batchSize'>>,
): void {
  const { testSize, trainSize, batchSize } = config;
  const left = DIGITS - testSize;
  if (trainSize > left) {
    fail(
      'trainSize',
      `${show(trainSize)} is more than the ${left} digits left for training (MNIST here has ${DIGITS} and testSize holds out ${testSize}); use at most ${left}, or a smaller testSize.`,
    );
  }
  if (batchSize !== undefined && batchSize > trainSize) {
    fail(
      'batchSize',
      `${show(batchSize)} is more than the ${trainSize} training digits (trainSize); use at most ${trainSize}.`,
    );
  }
}

/**
 * `threads` belongs to the ts backend: given on another backend (which sets its own), it is an
 * error rather than a setting quietly unused.
 */
export function checkThreads(config: Pick<Config, 'backend' | 'threads'>): void {
  const { backend, threads } = config;
  if (threads === 'default' || backend === 'ts') return;
  fail(
    'threads',
    `${threads} is a setting of the ts backend, and the backend is ${backend} (which sets its own threads); leave threads at default (drop --threads, TWOSTEP_THREADS or "threads" in ${CONFIG_FILE}), or use --backend ts.`,
  );
}

/** Keys whose values are integers: from text (a flag, a variable), digits become a number. */
const INTEGER_KEYS = new Set(
  KEYS.filter((k) => k === 'threads' || Number.isInteger(DEFAULT_CONFIG[k])),
);

/**
 * Checks the value of `key` given as text (a flag or an environment variable, named by
 * `where`): a number where the key takes one, else the text itself, for the error to show.
 */
export function checkText<K extends keyof Config>(key: K, text: string, where: string): Config[K] {
  const value = INTEGER_KEYS.has(key) && /^\d+$/.test(text) ? Number(text) : text;
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    fail(where, `${text} is more than ${MAX_INTEGER}.`);
  }
  return CHECKS[key](value, where);
}

/**
 * Checks a partial config (a config file's object, or overrides): unknown keys and bad
 * values are ConfigErrors; `where` says where the values came from.
 */
export function checkConfig(value: unknown, where: string): Partial<Config> {
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    value instanceof Overflow
  ) {
    throw new ConfigError(`${where}: expected a JSON object of settings, got ${show(value)}.`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!Object.hasOwn(CHECKS, key)) {
      throw new ConfigError(`${where}: unknown key "${key}"; the keys are ${list(KEYS)}.`);
    }
    out[key] = CHECKS[key as keyof Config](v, `${where}: ${key}`);
  }
  return out as Partial<Config>;
}
