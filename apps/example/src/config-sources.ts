/**
 * Where the config comes from, and in which order: defaults < `twostep.config.json` (or
 * `--config`) < environment (`TWOSTEP_BACKEND`, `TWOSTEP_DTYPE`, `TWOSTEP_THREADS`) < flags.
 */
import { access } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '@twostep/core';
import { parseJsonAsWritten } from '@twostep/core/check';
import {
  CHECKS,
  CONFIG_FILE,
  type Config,
  checkConfig,
  checkSizes,
  checkText,
  checkThreads,
  DEFAULT_CONFIG,
} from './config.js';
import { readText } from './files.js';

/** Reads and checks a config file; `model` is resolved against the file's folder. */
export async function readConfigFile(path: string): Promise<Partial<Config>> {
  const text = await readText(
    path,
    (reason) => new ConfigError(`cannot read config file ${path} (${reason}).`),
  );
  const json = parseJsonAsWritten(
    text,
    (reason) => new ConfigError(`config file ${path} is not valid JSON: ${reason}`),
  );
  const config = checkConfig(json, path);
  return config.model === undefined
    ? config
    : { ...config, model: resolve(dirname(path), config.model) };
}

/** The environment variables the app reads, by config key. */
export const ENVIRONMENT = {
  backend: 'TWOSTEP_BACKEND',
  dtype: 'TWOSTEP_DTYPE',
  threads: 'TWOSTEP_THREADS',
} as const;

/** Overrides from the environment; unset or empty variables are ignored. */
export function configFromEnvironment(env: Record<string, string | undefined>): Partial<Config> {
  const out: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(ENVIRONMENT)) {
    const value = env[variable];
    if (value) out[key] = checkText(key as keyof typeof ENVIRONMENT, value, variable);
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
  checkSizes(config);
  checkThreads(config);
  return {
    config: { ...config, optimizer, model: resolve(cwd, config.model) },
    configPath: path,
  };
}
