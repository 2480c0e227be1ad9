/**
 * Which backend the page trains on: `twostep.config.json` (baked in at build time) < the
 * URL (`?backend=tfjs-webgl&dtype=float32`, `?threads=2`) < the selectors in the page. Every
 * value is checked where it comes from, by the core's checker: an error names it, the values
 * allowed and the value given.
 */
import { ConfigError, DTYPES, type DType } from '@twostep/core';
import { type Checker, checker } from '@twostep/core/check';

/** The backends the page offers (declared with their imports in backends.ts, for the worker). */
export const BACKEND_NAMES = [
  'ts',
  'webgpu',
  'tfjs-cpu',
  'tfjs-webgl',
  'tfjs-webgpu',
  'tfjs-wasm',
] as const;

export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendChoice {
  readonly backend: BackendName;
  /** `default` is the backend's own dtype (float32 on every built-in one). */
  readonly dtype: DType | 'default';
  /**
   * Threads of the ts backend, counting the worker's own, or `default`: the backend's (the
   * cores, at most 8). The other backends take no threads: theirs is always `default`.
   */
  readonly threads: number | 'default';
}

export const DEFAULT_CHOICE: BackendChoice = {
  backend: 'ts',
  dtype: 'default',
  threads: 'default',
};

const CHOICE_DTYPES = [...DTYPES, 'default'] as const;

/** `<field> must be …; it is ….`, as a ConfigError. */
const configChecker = checker((text) => new ConfigError(`${text}.`));

const backendName = (c: Checker, v: unknown, field: string) => c.oneOf(v, field, BACKEND_NAMES);
const dtypeName = (c: Checker, v: unknown, field: string) => c.oneOf(v, field, CHOICE_DTYPES);
const threadCount = (c: Checker, v: unknown, field: string): number | 'default' =>
  v === 'default' || (Number.isInteger(v) && (v as number) >= 1)
    ? (v as number | 'default')
    : c.fail(field, 'an integer ≥ 1 (threads in all, counting the worker) or "default"', v);

/** Threads are a setting of the ts backend: another backend with a number is refused. */
function checkThreads<T extends Partial<BackendChoice>>(choice: T, where: string): T {
  const { backend, threads } = choice;
  if (threads === undefined || threads === 'default' || backend === undefined) return choice;
  if (backend === 'ts') return choice;
  throw new ConfigError(
    `${where}threads ${threads} is a setting of the ts backend, not of ${backend}: leave threads out (or "default"), or pick ts.`,
  );
}

/** A whole choice (`init` commands): an object with `backend`, `dtype` and `threads`. */
export function checkChoice(c: Checker, value: unknown, field: string): BackendChoice {
  const o = c.object(value, field);
  const choice = {
    backend: backendName(c, o.backend, `${field}.backend`),
    dtype: dtypeName(c, o.dtype, `${field}.dtype`),
    threads: threadCount(c, o.threads, `${field}.threads`),
  };
  if (choice.threads !== 'default' && choice.backend !== 'ts') {
    c.fail(`${field}.threads`, `"default" on ${choice.backend} (threads are ts's)`, o.threads);
  }
  return choice;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Checks the baked config file's object: `backend`, `dtype` and `threads`, all optional. */
export function checkConfigFile(
  value: unknown,
  where = 'twostep.config.json',
): Partial<BackendChoice> {
  const c = configChecker;
  const file = c.object(value, where);
  const out: Partial<Writable<BackendChoice>> = {};
  for (const [key, v] of Object.entries(file)) {
    if (key === 'backend') out.backend = backendName(c, v, `${where}: backend`);
    else if (key === 'dtype') out.dtype = dtypeName(c, v, `${where}: dtype`);
    else if (key === 'threads') out.threads = threadCount(c, v, `${where}: threads`);
    else {
      throw new ConfigError(
        `${where}: unknown key "${key}"; the keys are backend, dtype, threads.`,
      );
    }
  }
  return checkThreads(out, `${where}: `);
}

/** `?backend=…&dtype=…&threads=…`; absent parameters are left to the config file. */
export function choiceFromUrl(search: string): Partial<BackendChoice> {
  const c = configChecker;
  const params = new URLSearchParams(search);
  const out: Partial<Writable<BackendChoice>> = {};
  const b = params.get('backend');
  const d = params.get('dtype');
  const t = params.get('threads');
  if (b !== null) out.backend = backendName(c, b, 'URL parameter backend');
  if (d !== null) out.dtype = dtypeName(c, d, 'URL parameter dtype');
  // A number where the text is digits; else the text, for the error to show.
  if (t !== null) {
    out.threads = threadCount(c, /^\d+$/.test(t) ? Number(t) : t, 'URL parameter threads');
  }
  return out;
}

/**
 * The effective choice: defaults < config file < URL. Threads given for another backend than
 * ts are an error naming where they came from.
 */
export function resolveChoice(file: unknown, search: string): BackendChoice {
  const url = choiceFromUrl(search);
  const choice = { ...DEFAULT_CHOICE, ...checkConfigFile(file), ...url };
  return checkThreads(
    choice,
    url.threads === undefined ? 'twostep.config.json: ' : 'URL parameter ',
  );
}

/** The URL's search string with the choice in it (other parameters kept). */
export function withChoice(search: string, choice: BackendChoice): string {
  const params = new URLSearchParams(search);
  params.set('backend', choice.backend);
  for (const key of ['dtype', 'threads'] as const) {
    if (choice[key] === 'default') params.delete(key);
    else params.set(key, String(choice[key]));
  }
  return `?${params}`;
}
