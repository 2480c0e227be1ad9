/**
 * Backends by name or config, loaded by dynamic import so that users install only the
 * backend they use. A backend package exports `createBackend(options)`.
 */
import {
  type Backend,
  type BackendOptions,
  DTYPES,
  type DType,
  SPECIFICATION_VERSION,
} from './backend.js';
import {
  BackendNotInstalledError,
  BackendUnavailableError,
  ConfigError,
  DTypeError,
  UnknownBackendError,
} from './errors.js';

/** Built-in names and the packages (and peers) that provide them. */
export const BACKENDS = {
  ts: { module: '@twostep/backend-ts', install: ['@twostep/backend-ts'] },
  'tfjs-cpu': {
    module: '@twostep/backend-tfjs/cpu',
    install: ['@twostep/backend-tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu'],
  },
  'tfjs-webgl': {
    module: '@twostep/backend-tfjs/webgl',
    needs: 'WebGL, which only a browser page or worker has: in Node use tfjs-cpu or tfjs-wasm',
    install: [
      '@twostep/backend-tfjs',
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-webgl',
    ],
  },
  'tfjs-wasm': {
    module: '@twostep/backend-tfjs/wasm',
    install: [
      '@twostep/backend-tfjs',
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-wasm',
    ],
  },
} as const;

export type BackendName = keyof typeof BACKENDS;

export interface BackendConfig extends BackendOptions {
  /** A built-in name (`ts`, `tfjs-cpu`, `tfjs-webgl`, `tfjs-wasm`) or a package name. */
  readonly backend: string;
}

export interface LoadOptions {
  /**
   * Imports a module by specifier. Pass `(s) => import(s)` from your own code so packages
   * resolve from your project rather than from @twostep/core's folder (needed with pnpm's
   * strict layout; npm's flat layout works either way).
   */
  readonly importModule?: (specifier: string) => Promise<unknown>;
}

const PACKAGE_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/[\w.-]+)*$/i;

/** The package of a specifier: `@scope/name/sub` → `@scope/name`. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** Loading failed because `packageName` could not be found (not because it failed to run). */
function isNotFound(error: unknown, packageName: string): boolean {
  const e = error as { code?: string; message?: string };
  return (
    (e?.code === 'ERR_MODULE_NOT_FOUND' ||
      e?.code === 'MODULE_NOT_FOUND' ||
      /Failed to (fetch|resolve)/i.test(e?.message ?? '')) &&
    (e.message ?? '').includes(packageName)
  );
}

/** A browser page (a DOM) or a worker (OffscreenCanvas) can create WebGL contexts; Node cannot. */
const hasWebGL = () =>
  typeof (globalThis as { document?: unknown }).document !== 'undefined' ||
  typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined';

/** Checks what a backend factory returned against the contract this core implements. */
function checkBackend(backend: Backend, name: string, dtype: DType | undefined): Backend {
  if (backend?.specificationVersion !== SPECIFICATION_VERSION) {
    throw new BackendUnavailableError(
      `Backend '${name}' implements contract version ${String(backend?.specificationVersion)}, but @twostep/core needs version ${SPECIFICATION_VERSION}. ` +
        'Install versions of the backend and @twostep/core that match.',
    );
  }
  if (dtype && backend.dtype !== dtype) {
    throw new DTypeError(
      `Backend '${name}' was asked for ${dtype} but created ${backend.dtype}; the backend is faulty.`,
    );
  }
  return backend;
}

/**
 * A backend from a name (`'ts'`, `'tfjs-cpu'`, `'tfjs-webgl'`, `'tfjs-wasm'`, or a package
 * exporting `createBackend`) or a config `{ backend, dtype }`. A package that is not
 * installed is a BackendNotInstalledError naming what to install.
 */
export async function loadBackend(
  nameOrConfig: string | BackendConfig,
  options: LoadOptions = {},
): Promise<Backend> {
  const config = typeof nameOrConfig === 'string' ? { backend: nameOrConfig } : nameOrConfig;
  const { backend: name, ...backendOptions } = config ?? {};
  if (typeof name !== 'string' || name === '') {
    throw new ConfigError(
      `backend: expected a backend name such as ${Object.keys(BACKENDS).join(', ')}, got ${JSON.stringify(name)}.`,
    );
  }
  if (backendOptions.dtype !== undefined && !DTYPES.includes(backendOptions.dtype)) {
    throw new DTypeError(
      `dtype: ${JSON.stringify(backendOptions.dtype)} is not one of ${DTYPES.join(', ')}.`,
    );
  }
  const known = Object.hasOwn(BACKENDS, name) ? BACKENDS[name as BackendName] : undefined;
  if (!known && !PACKAGE_NAME.test(name)) {
    throw new UnknownBackendError(
      `Unknown backend '${name}': use one of ${Object.keys(BACKENDS).join(', ')}, or the name of a package that exports createBackend.`,
    );
  }
  if (known && 'needs' in known && !hasWebGL()) {
    throw new BackendUnavailableError(`Backend '${name}' needs ${known.needs}.`);
  }
  const specifier = known?.module ?? name;
  const importModule = options.importModule ?? ((s: string) => import(/* @vite-ignore */ s));
  let module: { createBackend?: unknown };
  try {
    module = (await importModule(specifier)) as { createBackend?: unknown };
  } catch (error) {
    const install: readonly string[] = known?.install ?? [packageOf(name)];
    const missing = install.filter((p) => isNotFound(error, p));
    if (missing.length === 0) throw error;
    if (!known && !name.includes('/') && !name.startsWith('@')) {
      throw new UnknownBackendError(
        `Unknown backend '${name}': it is not one of ${Object.keys(BACKENDS).join(', ')} and no package of that name is installed.`,
        { cause: error },
      );
    }
    throw new BackendNotInstalledError(
      `Backend '${name}' needs ${install.join(', ')}; ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not installed. Install: npm install ${install.join(' ')}`,
      { cause: error },
    );
  }
  if (typeof module.createBackend !== 'function') {
    throw new UnknownBackendError(
      `Package '${specifier}' does not export createBackend(options), so it is not a twostep backend.`,
    );
  }
  const backend = await (module.createBackend as (o: BackendOptions) => Backend | Promise<Backend>)(
    backendOptions,
  );
  return checkBackend(backend, name, backendOptions.dtype);
}
