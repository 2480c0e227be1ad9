/**
 * Backends by name, among those the app declares. Each backend entry (a package, or a subpath
 * of one) exports a `descriptor` that says what the backend is, what it needs and how to create
 * it; the app names the entries it ships with static `import()`s, which every bundler follows
 * (each backend its own chunk, fetched only when picked), and picks one by name from its config:
 *
 *     const backends = defineBackends({
 *       ts: () => import('@twostep/backend-ts'),
 *       'tfjs-webgl': () => import('@twostep/backend-tfjs/webgl'),
 *     });
 *     const backend = await loadBackend({ backend: 'ts', dtype: 'float64' }, backends);
 *
 * The core keeps no list of backends: a third-party package is declared and loaded the same way.
 */
import {
  type Backend,
  type BackendOptions,
  DTYPES,
  type DType,
  SPECIFICATION_VERSION,
} from './contract.js';
import {
  BackendNotInstalledError,
  BackendUnavailableError,
  ConfigError,
  DTypeError,
  UnknownBackendError,
} from './errors.js';
import { shown } from './json.js';

/** What a backend entry exports as `descriptor`: the backend described, and its factory. */
export interface BackendDescriptor<O extends BackendOptions = BackendOptions> {
  /** Its name, as its instances give it in `Backend.name`. */
  readonly name: string;
  /** The dtypes it computes in, its default first. */
  readonly dtypes: readonly DType[];
  /**
   * Every package a user installs for it, its own first (`['@twostep/backend-tfjs',
   * '@tensorflow/tfjs-core', …]`): the install line of a BackendNotInstalledError.
   */
  readonly packages: readonly string[];
  /**
   * Why it cannot run here (WebGL outside a browser, say), or undefined when it can. Cheap and
   * free of imports: `loadBackend` calls it before `create`, and an app may call it to offer
   * only the backends that can run.
   */
  readonly check?: () => string | undefined | Promise<string | undefined>;
  /**
   * A new backend. Import the packages it needs inside it (`await import('./impl.js')`), not at
   * the top of the entry, so that one missing is named by `loadBackend` with the install line.
   */
  readonly create: (options?: O) => Backend | Promise<Backend>;
}

/** What an app's loader gives: a backend entry's module (with its `descriptor`), or a descriptor. */
export type BackendModule = { readonly descriptor: BackendDescriptor } | BackendDescriptor;

/** One loader per name: a function around a static `import()` of the backend's entry. */
export type BackendLoaders = Readonly<Record<string, () => Promise<BackendModule>>>;

/** The backends an app declared, made by `defineBackends`. */
export interface Backends<Name extends string = string> {
  /** The declared names, in the order given. */
  readonly names: readonly Name[];
  /**
   * The descriptor of a declared backend, importing its entry (a small module: the backend's
   * code is imported by `create`). A name not declared is an UnknownBackendError listing the
   * declared ones; an entry whose package is missing, a BackendNotInstalledError.
   */
  describe(name: string): Promise<BackendDescriptor>;
}

export interface BackendConfig extends BackendOptions {
  /** A name the app declared with `defineBackends`. */
  readonly backend: string;
  /** Options of the backend's own (`wasmPaths` for `tfjs-wasm`, say) pass through to `create`. */
  readonly [option: string]: unknown;
}

/** The package of a bare specifier: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** A bare specifier names a package; a path, a URL or `node:x` does not. */
const isBare = (specifier: string) => !/^([./]|[a-z][\w+.-]*:)/i.test(specifier);

/**
 * How runtimes say that a module cannot be found, with the specifier they looked for: Node's
 * ESM and CommonJS loaders, browsers for a bare specifier, and Vite's dev server.
 */
const NOT_FOUND = [
  /Cannot find (?:package|module) '([^']+)'/,
  /Failed to resolve module specifier ["']([^"']+)["']/,
  /Failed to resolve import ["']([^"']+)["']/,
];

/**
 * The package whose absence made an import fail, read from the error (or its causes), or
 * undefined when it failed otherwise (a missing file inside an installed package, code that
 * threw). Exact: the package is the one the runtime looked for, never a substring of a path.
 */
function missingPackage(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 8; e = (e as Error).cause, depth++) {
    const message = String((e as Error).message ?? '');
    for (const pattern of NOT_FOUND) {
      const specifier = pattern.exec(message)?.[1];
      if (specifier && isBare(specifier)) return packageOf(specifier);
    }
  }
  return undefined;
}

const quoteList = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ');

/** Checks what an entry's module gives: a descriptor with every field of the right kind. */
function descriptorOf(module: unknown, name: string): BackendDescriptor {
  const candidate = (
    module && typeof module === 'object' && 'descriptor' in module ? module.descriptor : module
  ) as Partial<BackendDescriptor> | undefined;
  if (!candidate || typeof candidate !== 'object' || typeof candidate.create !== 'function') {
    throw new UnknownBackendError(
      `Backend '${name}': its module exports no descriptor (an object with create(options)), so it is not a twostep backend. Declare the entry that exports one, such as '@twostep/backend-tfjs/cpu' rather than '@twostep/backend-tfjs'.`,
    );
  }
  const bad = [
    typeof candidate.name !== 'string' && 'name (a string)',
    !(Array.isArray(candidate.dtypes) && candidate.dtypes.length > 0) &&
      'dtypes (a non-empty array)',
    !(Array.isArray(candidate.packages) && candidate.packages.length > 0) &&
      'packages (a non-empty array)',
    candidate.check !== undefined && typeof candidate.check !== 'function' && 'check (a function)',
  ].filter(Boolean);
  if (bad.length > 0) {
    throw new UnknownBackendError(
      `Backend '${name}': its descriptor lacks ${bad.join(', ')}; the backend package is faulty.`,
    );
  }
  return candidate as BackendDescriptor;
}

/**
 * The backends an app ships, one loader each: `() => import('<entry>')` with the entry written
 * out, so that bundlers see it. The names are the app's: those its config, URL or flags use.
 */
export function defineBackends<const Loaders extends BackendLoaders>(
  loaders: Loaders,
): Backends<keyof Loaders & string> {
  if (!loaders || typeof loaders !== 'object') {
    throw new ConfigError(
      `defineBackends: expected an object of loaders such as { ts: () => import('@twostep/backend-ts') }, got ${shown(loaders)}.`,
    );
  }
  const names = Object.keys(loaders) as (keyof Loaders & string)[];
  for (const name of names) {
    if (typeof loaders[name] !== 'function') {
      throw new ConfigError(
        `defineBackends: '${name}' must be a function that imports the backend's entry, such as () => import('@twostep/backend-ts').`,
      );
    }
  }
  if (names.length === 0) {
    throw new ConfigError(
      "defineBackends: no backend declared; declare at least one, such as { ts: () => import('@twostep/backend-ts') }.",
    );
  }
  return {
    names,
    async describe(name) {
      if (!Object.hasOwn(loaders, name)) {
        throw new UnknownBackendError(
          `Unknown backend '${name}': this app declares ${quoteList(names)}.`,
        );
      }
      let module: unknown;
      try {
        module = await loaders[name]!();
      } catch (error) {
        const missing = missingPackage(error);
        if (missing === undefined) throw error;
        throw new BackendNotInstalledError(
          `Backend '${name}' needs ${missing}, which is not installed. Install: npm install ${missing}`,
          { cause: error },
        );
      }
      return descriptorOf(module, name);
    },
  };
}

/** Checks what a backend's `create` returned against the contract this core implements. */
function checkBackend(backend: Backend, name: string, dtype: DType | undefined): Backend {
  if (backend?.specificationVersion !== SPECIFICATION_VERSION) {
    throw new BackendUnavailableError(
      `Backend '${name}' implements contract version ${shown(backend?.specificationVersion)}, but @twostep/core needs version ${SPECIFICATION_VERSION}. ` +
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
 * The backend `config` names (`'ts'`, or `{ backend: 'ts', dtype: 'float64', …options }`),
 * among the `backends` the app declared. Before anything heavy is imported: a name not declared
 * is an UnknownBackendError listing the declared ones, a dtype the backend lacks a DTypeError,
 * an environment it cannot run in a BackendUnavailableError saying why. A package it needs that
 * is not installed is a BackendNotInstalledError naming exactly that package, with the install
 * line: the backend's whole line (from its descriptor) when a peer is missing; the entry's own
 * package when the entry itself is missing (there is no descriptor to read then; npm installs
 * its required peers with it, and a missing optional one is named on the next try).
 */
export async function loadBackend(
  nameOrConfig: string | BackendConfig,
  backends: Backends,
): Promise<Backend> {
  if (typeof backends?.describe !== 'function') {
    throw new ConfigError(
      "loadBackend: the second argument is the app's backends, from defineBackends({ ts: () => import('@twostep/backend-ts'), … }).",
    );
  }
  const config = typeof nameOrConfig === 'string' ? { backend: nameOrConfig } : nameOrConfig;
  const { backend: name, ...options } = (config ?? {}) as BackendConfig;
  if (typeof name !== 'string' || name === '') {
    throw new ConfigError(
      `backend: expected one of ${quoteList(backends.names)}, got ${shown(name)}.`,
    );
  }
  if (options.dtype !== undefined && !DTYPES.includes(options.dtype)) {
    throw new DTypeError(`dtype: ${shown(options.dtype)} is not one of ${DTYPES.join(', ')}.`);
  }
  const descriptor = await backends.describe(name);
  if (options.dtype !== undefined && !descriptor.dtypes.includes(options.dtype)) {
    throw new DTypeError(
      `Backend '${name}' computes in ${descriptor.dtypes.join(' and ')}, not ${options.dtype}: pick one of those, or another backend.`,
    );
  }
  const reason = await descriptor.check?.();
  if (reason) throw new BackendUnavailableError(`Backend '${name}' cannot run here: ${reason}`);
  let backend: Backend;
  try {
    backend = await descriptor.create(options);
  } catch (error) {
    const missing = missingPackage(error);
    if (missing === undefined) throw error;
    const install = descriptor.packages.includes(missing)
      ? descriptor.packages
      : [...descriptor.packages, missing];
    throw new BackendNotInstalledError(
      `Backend '${name}' needs ${descriptor.packages.join(', ')}; ${missing} is not installed. Install: npm install ${install.join(' ')}`,
      { cause: error },
    );
  }
  return checkBackend(backend, name, options.dtype);
}
