/**
 * The app's configuration: `twostep.config.json` < environment (`TWOSTEP_BACKEND`,
 * `TWOSTEP_DTYPE`) < command-line flags. Every value is checked where it comes from, and an
 * error names the key (or variable, or flag) and the values it allows.
 */
import { access, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ACTIVATION_NAMES,
  type ActivationName,
  BACKENDS,
  ConfigError,
  DTYPES,
  type DType,
  formatArchitecture,
  type LearningMode,
  LOSS_NAMES,
  type LossName,
  type OptimizerConfig,
  parseArchitecture,
  resolveOptimizer,
  TwoStepError,
} from '@twostep/core';

export interface Config {
  /** A built-in backend name or a package exporting `createBackend`. */
  readonly backend: string;
  /** The dtype to compute in, or `default` for the backend's own (float32 on every built-in one). */
  readonly dtype: DType | 'default';
  /** `A[4,…,3]`: Iris has 4 measurements and 3 species. */
  readonly architecture: string;
  readonly activation: ActivationName;
  readonly outputActivation: ActivationName;
  readonly loss: LossName;
  readonly optimizer: OptimizerConfig;
  readonly mode: LearningMode;
  readonly batchSize: number;
  readonly epochs: number;
  /** Seed of the initial weights and of the shuffling. */
  readonly seed: number;
  /** Share of each species held out for testing. */
  readonly testFraction: number;
  /** Seed of the train/test split, apart from `seed` so that runs with other seeds compare. */
  readonly splitSeed: number;
  /** Where the trained model is written: relative to the config file, or to the working directory. */
  readonly model: string;
}

export const DEFAULT_CONFIG: Config = {
  backend: 'ts',
  dtype: 'default',
  architecture: 'A[4,8,3]',
  activation: 'tanh',
  outputActivation: 'identity',
  loss: 'softmaxCrossEntropy',
  optimizer: { name: 'adam', learningRate: 0.02 },
  mode: 'global',
  batchSize: 16,
  epochs: 60,
  seed: 1,
  testFraction: 0.2,
  splitSeed: 2,
  model: 'models/iris.json',
};

export const CONFIG_FILE = 'twostep.config.json';

const KEYS = Object.keys(DEFAULT_CONFIG) as (keyof Config)[];

const list = (values: readonly string[]) => values.join(', ');
const show = (value: unknown) => (value === undefined ? 'missing' : JSON.stringify(value));
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
    fail(key, `${show(value)} is not an architecture such as "A[4,8,3]".`);
  }
  let widths: number[] = [];
  try {
    widths = parseArchitecture(value as string | number[]);
  } catch (error) {
    if (error instanceof TwoStepError) fail(key, error.message);
    throw error;
  }
  if (widths[0] !== 4 || widths.at(-1) !== 3) {
    fail(
      key,
      `${formatArchitecture(widths)} does not fit Iris, which has 4 inputs and 3 classes: use A[4,…,3].`,
    );
  }
  return formatArchitecture(widths);
}

/** Checks and normalises the value of one key. */
const CHECKS: { [K in keyof Config]: (value: unknown, key: string) => Config[K] } = {
  backend: (value, key) =>
    typeof value === 'string' && value !== ''
      ? value
      : fail(
          key,
          `${show(value)} is not a backend name; use ${list(Object.keys(BACKENDS))}, or a package that exports createBackend.`,
        ),
  dtype: oneOf([...DTYPES, 'default']),
  architecture,
  activation: oneOf(ACTIVATION_NAMES),
  outputActivation: oneOf(ACTIVATION_NAMES),
  loss: oneOf(LOSS_NAMES),
  optimizer,
  mode: oneOf(['global', 'layerwise'] as const),
  batchSize: integer(1),
  epochs: integer(1),
  seed: integer(0),
  testFraction: (value, key) =>
    typeof value === 'number' && value > 0 && value < 1
      ? value
      : fail(key, `${show(value)} is not a number between 0 and 1 (both excluded).`),
  splitSeed: integer(0),
  model: (value, key) =>
    typeof value === 'string' && value !== ''
      ? value
      : fail(key, `${show(value)} is not a file path such as "models/iris.json".`),
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
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
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

export interface CommandLine {
  readonly command: 'train' | 'help';
  /** `--config`, resolved against the working directory. */
  readonly configPath?: string;
  readonly overrides: Partial<Config>;
}

export const USAGE = `Usage: twostep [train] [options]

Trains a network on the Iris data with the two-step rule and saves the model.

Options:
  --config <path>    config file (default: ./${CONFIG_FILE} when it exists)
  --backend <name>   ${list(Object.keys(BACKENDS))}, or a backend package (env TWOSTEP_BACKEND)
  --dtype <dtype>    ${list(DTYPES)}, or default: the backend's (env TWOSTEP_DTYPE)
  --epochs <n>       training epochs
  --seed <n>         seed of the initial weights and the shuffling
  --model <path>     where to save the model
  -h, --help         show this help`;

const FLAGS = {
  config: { type: 'string' },
  backend: { type: 'string' },
  dtype: { type: 'string' },
  epochs: { type: 'string' },
  seed: { type: 'string' },
  model: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses the arguments after `twostep`; unknown flags and commands are ConfigErrors. */
export function parseCommandLine(argv: readonly string[], cwd = process.cwd()): CommandLine {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's ERR_PARSE_ARGS_* errors already name the flag.
    throw new ConfigError(`${(error as Error).message}\nRun 'twostep --help' for the options.`);
  }
  const { values, positionals } = parsed;
  const [command = 'train', ...extra] = positionals;
  if (command !== 'train' && command !== 'help') {
    throw new ConfigError(`unknown command "${command}"; the commands are train, help.`);
  }
  if (extra.length > 0)
    throw new ConfigError(`unexpected argument "${extra[0]}"; see 'twostep --help'.`);
  const overrides: Record<string, unknown> = {};
  for (const key of ['backend', 'dtype', 'model'] as const) {
    if (values[key] !== undefined) overrides[key] = CHECKS[key](values[key], `--${key}`);
  }
  for (const key of ['epochs', 'seed'] as const) {
    const text = values[key];
    if (text !== undefined) {
      overrides[key] = CHECKS[key](/^\d+$/.test(text) ? Number(text) : text, `--${key}`);
    }
  }
  if (typeof overrides.model === 'string') overrides.model = resolve(cwd, overrides.model);
  return {
    command: values.help ? 'help' : command,
    ...(values.config !== undefined && { configPath: resolve(cwd, values.config) }),
    overrides: overrides as Partial<Config>,
  };
}

export interface ConfigSources {
  /** An explicit config file (must exist); else `cwd/twostep.config.json` when it exists. */
  readonly configPath?: string;
  readonly env?: Record<string, string | undefined>;
  /** Flags, the highest precedence. */
  readonly overrides?: Partial<Config>;
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
  return { config: { ...config, model: resolve(cwd, config.model) }, configPath: path };
}
