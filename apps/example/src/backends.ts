/**
 * The backends this app ships, declared once with static imports (what `loadBackend` picks
 * from), and `twostep backends`: each one, and whether it can run here.
 */
import {
  type Backend,
  type BackendConfig,
  BackendNotInstalledError,
  type Backends,
  defineBackends,
  loadBackend,
  TwoStepError,
  UnknownBackendError,
} from '@twostep/core';
import type { Config } from './config.js';
import { commandFlags } from './flags.js';
import type { Io } from './io.js';

const LOADERS = {
  ts: () => import('@twostep/backend-ts'),
  'tfjs-cpu': () => import('@twostep/backend-tfjs/cpu'),
  'tfjs-webgl': () => import('@twostep/backend-tfjs/webgl'),
  'tfjs-wasm': () => import('@twostep/backend-tfjs/wasm'),
};

export const BACKENDS: Backends = defineBackends(LOADERS);

/** The names of the backends this app ships. */
export const BACKEND_NAMES = BACKENDS.names;

/** An npm package name (lowercase, URL-safe, not starting with `.` or `_`), scoped or not. */
const NAME = '[a-z0-9~-][a-z0-9._~-]*';
/** A subpath segment: no `.` or `..`, nor any segment that starts with a dot, nor `\` or `:`. */
const SEGMENT = '[A-Za-z0-9_~-][\\w.~-]*';
const PACKAGE = new RegExp(`^(?:@${NAME}/)?${NAME}(?:/${SEGMENT})*$`);

/**
 * Whether `name` can name a backend: one this app ships, or an npm package name with an
 * optional subpath (`@acme/backend/cpu`). Paths (`./x.mjs`, `/x`, `a/../x`), URLs and
 * `node:` modules cannot, so nothing but a package is ever imported by name.
 */
export const isBackendName = (name: string, backends: Backends = BACKENDS): boolean =>
  backends.names.includes(name) || (name.length <= 214 && PACKAGE.test(name));

/** What `--backend` takes, for errors. */
export const BACKEND_CHOICES = `${BACKEND_NAMES.join(', ')}, or an npm package that exports a backend descriptor (such as @acme/backend or @acme/backend/entry; no paths)`;

/** Node's (and Vite's) errors for a package entry that the package does not export. */
const NOT_AN_ENTRY = new Set([
  'ERR_PACKAGE_PATH_NOT_EXPORTED',
  'ERR_UNSUPPORTED_DIR_IMPORT',
  'ERR_UNKNOWN_FILE_EXTENSION',
]);
const isMissingEntry = (error: unknown) =>
  !(error instanceof TwoStepError) &&
  (NOT_AN_ENTRY.has((error as NodeJS.ErrnoException)?.code ?? '') ||
    /is not exported|not defined by "exports"/.test(String((error as Error)?.message)));

/**
 * The backend `config` names: one of `backends`, or else, in Node, an installed package that
 * exports a backend descriptor (`--backend @acme/twostep-backend`), imported by name. A name
 * that is not a package name is refused before anything is imported.
 */
export async function openBackend(
  config: BackendConfig,
  backends: Backends = BACKENDS,
): Promise<Backend> {
  const name = config.backend;
  if (backends.names.includes(name)) return loadBackend(config, backends);
  if (!isBackendName(name, backends)) {
    throw new UnknownBackendError(
      `Unknown backend ${JSON.stringify(name)}: it is not a backend name; use ${BACKEND_CHOICES}.`,
    );
  }
  const byPackage = defineBackends({ [name]: () => import(/* @vite-ignore */ name) });
  try {
    await byPackage.describe(name);
  } catch (error) {
    if (isMissingEntry(error)) {
      throw new UnknownBackendError(
        `Unknown backend '${name}': the package is installed but has no entry '${name}' (${String((error as Error).message).split('\n')[0]}); name an entry it exports, such as '@twostep/backend-tfjs/cpu'.`,
        { cause: error },
      );
    }
    // A bare word that is no package is more likely a mistyped name than a package to install.
    if (!(error instanceof BackendNotInstalledError) || /[@/]/.test(name)) throw error;
    throw new UnknownBackendError(
      `Unknown backend '${name}': this app ships ${backends.names.map((n) => `'${n}'`).join(', ')}, and no package of that name is installed.`,
      { cause: error },
    );
  }
  return loadBackend(config, byPackage);
}

/**
 * What `openBackend` takes for `config`: its backend, its dtype unless `default`, and its
 * threads unless `default` (only ts takes them: `checkThreads` refuses them on another).
 */
export const backendConfig = (
  config: Pick<Config, 'backend' | 'dtype' | 'threads'>,
): BackendConfig => ({
  backend: config.backend,
  ...(config.dtype !== 'default' && { dtype: config.dtype }),
  ...(config.threads !== 'default' && { threads: config.threads }),
});

/**
 * `{ threads }`, the threads a backend computes on, when it says (ts does; the tfjs backends do
 * not): `{}` otherwise.
 */
export function threadCount(backend: Backend): { threads?: number } {
  const { threads } = backend as { threads?: unknown };
  return typeof threads === 'number' ? { threads } : {};
}

/**
 * Ends the worker threads of a backend that has them (ts's `close()`); a command closes its
 * backend when it ends, so that a process running commands one after another (the tests) does
 * not gather threads.
 */
export function closeBackend(backend: Backend): void {
  const { close } = backend as { close?: unknown };
  if (typeof close === 'function') close.call(backend);
}

export interface BackendStatus {
  readonly name: string;
  readonly status: 'usable' | 'not installed' | 'unavailable';
  /** The dtypes it computes in, when usable. */
  readonly dtypes?: readonly string[];
  /** Why not, and what to do, when it is not usable. */
  readonly reason?: string;
}

/** Tries to create each backend this app ships. */
export async function backendStatuses(backends: Backends = BACKENDS): Promise<BackendStatus[]> {
  const statuses: BackendStatus[] = [];
  for (const name of backends.names) {
    try {
      const backend = await loadBackend(name, backends);
      closeBackend(backend);
      statuses.push({ name, status: 'usable', dtypes: backend.dtypes });
    } catch (error) {
      if (!(error instanceof TwoStepError)) throw error;
      const status = error instanceof BackendNotInstalledError ? 'not installed' : 'unavailable';
      statuses.push({ name, status, reason: error.message });
    }
  }
  return statuses;
}

export const BACKENDS_USAGE = `Usage: twostep backends [--json]

Lists the backends this app ships, and whether each is installed and can run here.

Options:
  --json       print JSON instead of text
  -h, --help   show this help`;

export async function listBackends(args: readonly string[], io: Io): Promise<void> {
  const flags = commandFlags('backends', args, { json: { type: 'boolean' } }, BACKENDS_USAGE, io);
  if (!flags) return;
  const json = flags.json === true;
  const statuses = await backendStatuses(io.backends);
  if (json) {
    io.stdout(JSON.stringify(statuses));
    return;
  }
  const width = Math.max(...statuses.map((s) => s.name.length));
  for (const s of statuses) {
    const what =
      s.status === 'usable' ? `usable (${s.dtypes!.join(', ')})` : `${s.status}: ${s.reason}`;
    io.stdout(`${s.name.padEnd(width)}  ${what}`);
  }
}
