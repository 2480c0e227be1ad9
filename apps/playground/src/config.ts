/**
 * Which backend the page trains on: `twostep.config.json` (baked in at build time) < the
 * URL (`?backend=tfjs-webgl&dtype=float32`) < the selector in the page. Every value is
 * checked where it comes from, and an error names it and the values allowed.
 */
import { ConfigError, DTYPES, type DType } from '@twostep/core';

/** The backends the page offers (declared with their imports in backends.ts, for the worker). */
export const BACKEND_NAMES = ['ts', 'tfjs-cpu', 'tfjs-webgl', 'tfjs-wasm'] as const;

export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendChoice {
  readonly backend: BackendName;
  /** `default` is the backend's own dtype (float32 on every built-in one). */
  readonly dtype: DType | 'default';
}

export const DEFAULT_CHOICE: BackendChoice = { backend: 'ts', dtype: 'default' };

const show = (value: unknown) => (value === undefined ? 'missing' : JSON.stringify(value));

function backend(value: unknown, where: string): BackendName {
  if ((BACKEND_NAMES as readonly unknown[]).includes(value)) return value as BackendName;
  throw new ConfigError(`${where}: ${show(value)} is not one of ${BACKEND_NAMES.join(', ')}.`);
}

function dtype(value: unknown, where: string): DType | 'default' {
  if (value === 'default' || (DTYPES as unknown[]).includes(value)) return value as DType;
  throw new ConfigError(
    `${where}: ${show(value)} is not one of ${[...DTYPES, 'default'].join(', ')}.`,
  );
}

/** Checks the baked config file's object: only `backend` and `dtype`, both optional. */
export function checkConfigFile(
  value: unknown,
  where = 'twostep.config.json',
): Partial<BackendChoice> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(
      `${where}: expected an object such as { "backend": "ts" }, got ${show(value)}.`,
    );
  }
  const out: { backend?: BackendName; dtype?: DType | 'default' } = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'backend') out.backend = backend(v, `${where}: backend`);
    else if (key === 'dtype') out.dtype = dtype(v, `${where}: dtype`);
    else throw new ConfigError(`${where}: unknown key "${key}"; the keys are backend, dtype.`);
  }
  return out;
}

/** `?backend=…&dtype=…`; absent parameters are left to the config file. */
export function choiceFromUrl(search: string): Partial<BackendChoice> {
  const params = new URLSearchParams(search);
  const out: { backend?: BackendName; dtype?: DType | 'default' } = {};
  const b = params.get('backend');
  const d = params.get('dtype');
  if (b !== null) out.backend = backend(b, 'URL parameter backend');
  if (d !== null) out.dtype = dtype(d, 'URL parameter dtype');
  return out;
}

/** The effective choice: defaults < config file < URL. */
export function resolveChoice(file: unknown, search: string): BackendChoice {
  return { ...DEFAULT_CHOICE, ...checkConfigFile(file), ...choiceFromUrl(search) };
}

/** The URL's search string with the choice in it (other parameters kept). */
export function withChoice(search: string, choice: BackendChoice): string {
  const params = new URLSearchParams(search);
  params.set('backend', choice.backend);
  if (choice.dtype === 'default') params.delete('dtype');
  else params.set('dtype', choice.dtype);
  return `?${params}`;
}
