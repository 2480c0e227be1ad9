/**
 * Which backend the page trains on: `twostep.config.json` (baked in at build time) < the
 * URL (`?backend=tfjs-webgl&dtype=float32`) < the selector in the page. Every value is
 * checked where it comes from, by the core's checker: an error names it, the values allowed
 * and the value given.
 */
import { ConfigError, DTYPES, type DType } from '@twostep/core';
import { type Checker, checker } from '@twostep/core/check';

/** The backends the page offers (declared with their imports in backends.ts, for the worker). */
export const BACKEND_NAMES = ['ts', 'tfjs-cpu', 'tfjs-webgl', 'tfjs-wasm'] as const;

export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendChoice {
  readonly backend: BackendName;
  /** `default` is the backend's own dtype (float32 on every built-in one). */
  readonly dtype: DType | 'default';
}

export const DEFAULT_CHOICE: BackendChoice = { backend: 'ts', dtype: 'default' };

const CHOICE_DTYPES = [...DTYPES, 'default'] as const;

/** `<field> must be …; it is ….`, as a ConfigError. */
const configChecker = checker((text) => new ConfigError(`${text}.`));

const backendName = (c: Checker, v: unknown, field: string) => c.oneOf(v, field, BACKEND_NAMES);
const dtypeName = (c: Checker, v: unknown, field: string) => c.oneOf(v, field, CHOICE_DTYPES);

/** A whole choice (`init` commands): an object with both `backend` and `dtype`. */
export function checkChoice(c: Checker, value: unknown, field: string): BackendChoice {
  const o = c.object(value, field);
  return {
    backend: backendName(c, o.backend, `${field}.backend`),
    dtype: dtypeName(c, o.dtype, `${field}.dtype`),
  };
}

/** Checks the baked config file's object: only `backend` and `dtype`, both optional. */
export function checkConfigFile(
  value: unknown,
  where = 'twostep.config.json',
): Partial<BackendChoice> {
  const c = configChecker;
  const file = c.object(value, where);
  const out: { backend?: BackendName; dtype?: DType | 'default' } = {};
  for (const [key, v] of Object.entries(file)) {
    if (key === 'backend') out.backend = backendName(c, v, `${where}: backend`);
    else if (key === 'dtype') out.dtype = dtypeName(c, v, `${where}: dtype`);
    else throw new ConfigError(`${where}: unknown key "${key}"; the keys are backend, dtype.`);
  }
  return out;
}

/** `?backend=…&dtype=…`; absent parameters are left to the config file. */
export function choiceFromUrl(search: string): Partial<BackendChoice> {
  const c = configChecker;
  const params = new URLSearchParams(search);
  const out: { backend?: BackendName; dtype?: DType | 'default' } = {};
  const b = params.get('backend');
  const d = params.get('dtype');
  if (b !== null) out.backend = backendName(c, b, 'URL parameter backend');
  if (d !== null) out.dtype = dtypeName(c, d, 'URL parameter dtype');
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
