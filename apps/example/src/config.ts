/**
 * The app's configuration: `twostep.config.json` < environment (`TWOSTEP_BACKEND`,
 * `TWOSTEP_DTYPE`) < command-line flags. Every value is checked where it comes from, and an
 * error names the key (or variable, or flag) and the values it allows.
 */
import { access } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  ACTIVATION_NAMES,
  type ActivationName,
  ConfigError,
  DTYPES,
  type DType,
  formatArchitecture,
  LEARNING_MODES,
  type LearningMode,
  LOSS_NAMES,
  type LossName,
  type OptimizerConfig,
  parseArchitecture,
  resolveOptimizer,
  TwoStepError,
} from '@twostep/core';
import { MNIST_CLASSES, MNIST_PIXELS } from '@twostep/datasets/mnist';
import { BACKEND_NAMES } from './backends.js';
import { parseJson, readText } from './files.js';

/** Digits in the `mnist` package. */
const DIGITS = 10_000;

export interface Config {
  /** A backend this app ships (`ts`, `tfjs-cpu`, …) or a package exporting a backend descriptor. */
  readonly backend: string;
  /** The dtype to compute in, or `default` for the backend's own (float32 on every built-in one). */
  readonly dtype: DType | 'default';
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
}

export const DEFAULT_CONFIG: Config = {
  backend: 'ts',
  dtype: 'default',
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
};

export const CONFIG_FILE = 'twostep.config.json';

const KEYS = Object.keys(DEFAULT_CONFIG) as (keyof Config)[];

export const list = (values: readonly string[]) => values.join(', ');
export const show = (value: unknown) => (value === undefined ? 'missing' : JSON.stringify(value));
const fail = (key: string, problem: string): never => {
  throw new ConfigError(`${key}: ${problem}`);
};

const oneOf =
  <T extends string>(allowed: readonly T[]) =>
  (value: unknown, key: string): T =>
    (allowed as readonly unknown[]).includes(value)
      ? (value as T)
      : fail(key, `${show(value)} is not one of ${list(allowed)}.`);

const integer =
  (min: number) =>
  (value: unknown, key: string): number =>
    Number.isInteger(value) && (value as number) >= min
      ? (value as number)
      : fail(key, `${show(value)} is not an integer ≥ ${min}.`);

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

/** Checks and normalises the value of one key. */
export const CHECKS: { [K in keyof Config]: (value: unknown, key: string) => Config[K] } = {
  backend: (value, key) =>
    typeof value === 'string' && value !== ''
      ? value
      : fail(
          key,
          `${show(value)} is not a backend name; use ${list(BACKEND_NAMES)}, or a package that exports a backend descriptor.`,
        ),
  dtype: oneOf([...DTYPES, 'default']),
  architecture,
  activation: oneOf(ACTIVATION_NAMES),
  outputActivation: oneOf(ACTIVATION_NAMES),
  loss: oneOf(LOSS_NAMES),
  optimizer,
  mode: oneOf(LEARNING_MODES),
  batchSize: integer(1),
  epochs: integer(1),
  seed: integer(0),
  testSize: (value, key) =>
    integer(1)(value, key) < DIGITS
      ? (value as number)
      : fail(key, `${show(value)} leaves no digit to train on; MNIST here has ${DIGITS}.`),
  trainSize: integer(1),
  splitSeed: integer(0),
  model: (value, key) =>
    typeof value === 'string' && value !== ''
      ? value
      : fail(key, `${show(value)} is not a file path such as "models/mnist.json".`),
  checkpointEvery: integer(0),
};

/**
 * Checks a partial config (a config file's object, or overrides): unknown keys and bad
 * values are ConfigErrors; `where` says where the values came from.
 */
export function checkConfig(value: unknown, where: string): Partial<Config> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
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

/** Reads and checks a config file; `model` is resolved against the file's folder. */
export async function readConfigFile(path: string): Promise<Partial<Config>> {
  const text = await readText(
    path,
    (reason) => new ConfigError(`cannot read config file ${path} (${reason}).`),
  );
  const json = parseJson(
    text,
    (reason) => new ConfigError(`config file ${path} is not valid JSON: ${reason}`),
  );
  const config = checkConfig(json, path);
  return config.model === undefined
    ? config
    : { ...config, model: resolve(dirname(path), config.model) };
}

/** The environment variables the app reads, by config key. */
export const ENVIRONMENT = { backend: 'TWOSTEP_BACKEND', dtype: 'TWOSTEP_DTYPE' } as const;

/** Overrides from the environment; unset or empty variables are ignored. */
export function configFromEnvironment(env: Record<string, string | undefined>): Partial<Config> {
  const out: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(ENVIRONMENT)) {
    const value = env[variable];
    if (value) out[key] = CHECKS[key as keyof typeof ENVIRONMENT](value, variable);
  }
  return out as Partial<Config>;
}

export interface ConfigSources {
  /** An explicit config file (must exist); else `cwd/twostep.config.json` when it exists. */
  readonly configPath?: string;
  readonly env?: Record<string, string | undefined>;
  /** Flags, the highest precedence. */
  readonly overrides?: Partial<Config>;
  /** `--learning-rate`: set on the resulting optimizer. */
  readonly learningRate?: number;
  readonly cwd?: string;
}

/**
 * The effective config: defaults < config file < environment < flags. `model` comes back
 * as an absolute path.
 */
export async function resolveConfig({
  configPath,
  env = process.env,
  overrides = {},
  learningRate,
  cwd = process.cwd(),
}: ConfigSources = {}): Promise<{ config: Config; configPath: string | undefined }> {
  let path = configPath;
  if (path === undefined) {
    const candidate = resolve(cwd, CONFIG_FILE);
    if (
      await access(candidate).then(
        () => true,
        () => false,
      )
    )
      path = candidate;
  }
  const file = path === undefined ? {} : await readConfigFile(path);
  const config = { ...DEFAULT_CONFIG, ...file, ...configFromEnvironment(env), ...overrides };
  const optimizer =
    learningRate === undefined
      ? config.optimizer
      : CHECKS.optimizer({ ...config.optimizer, learningRate }, '--learning-rate');
  return {
    config: { ...config, optimizer, model: resolve(cwd, config.model) },
    configPath: path,
  };
}
