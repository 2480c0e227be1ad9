import {
  type Backend,
  type BackendDescriptor,
  BackendNotInstalledError,
  BackendUnavailableError,
  ConfigError,
  DTypeError,
  defineBackends,
  loadBackend,
  UnknownBackendError,
} from '@twostep/core';
import { SPECIFICATION_VERSION } from '@twostep/core/backend';
import { referenceBackend } from '@twostep/core/reference';
import { describe, expect, it, vi } from 'vitest';

/** What Node's ESM loader throws for a package it cannot find. */
const nodeNotFound = (specifier: string, from = '/app/node_modules/x/dist/entry.js') =>
  Object.assign(new Error(`Cannot find package '${specifier}' imported from ${from}`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });

const TFJS_CPU = ['@twostep/backend-tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu'];

/** A descriptor whose `create` fails as importing its implementation would, when `failure` is set. */
const fake = (overrides: Partial<BackendDescriptor> = {}): BackendDescriptor => ({
  name: 'fake',
  dtypes: ['float32'],
  packages: TFJS_CPU,
  create: async () => {
    throw new Error('create should not be reached');
  },
  ...overrides,
});

/** The reference backend behind an entry, as a backend package exports its descriptor. */
const referenceEntry = (
  create: BackendDescriptor['create'],
): { descriptor: BackendDescriptor } => ({
  descriptor: { name: 'reference', dtypes: ['float64'], packages: ['@twostep/core'], create },
});

describe('loadBackend over the backends an app declares', () => {
  it("loads a backend from its entry's descriptor, in its default dtype or the one asked for", async () => {
    const create = vi.fn((_options?: object) => referenceBackend());
    const backends = defineBackends({ reference: async () => referenceEntry(create) });
    expect(backends.names).toEqual(['reference']);
    const byName = await loadBackend('reference', backends);
    const b64 = await loadBackend({ backend: 'reference', dtype: 'float64' }, backends);
    // Without a dtype, create gets none and the backend takes its own default.
    expect(create.mock.calls).toEqual([[{}], [{ dtype: 'float64' }]]);
    expect([byName.name, byName.dtype, b64.name, b64.dtype]).toEqual([
      'reference',
      'float64',
      'reference',
      'float64',
    ]);
    const descriptor = await backends.describe('reference');
    expect([descriptor.name, descriptor.dtypes, descriptor.packages]).toEqual([
      'reference',
      ['float64'],
      ['@twostep/core'],
    ]);
  });

  it('passes the config, less its name, to create; accepts a descriptor as well as a module', async () => {
    const create = vi.fn(async (_options?: object) => referenceBackend());
    const backends = defineBackends({
      mine: async () => fake({ name: 'mine', dtypes: ['float64', 'float32'], create }),
    });
    const backend = await loadBackend(
      { backend: 'mine', dtype: 'float64', poolBytes: 0, extra: 'kept' },
      backends,
    );
    expect(create).toHaveBeenCalledExactlyOnceWith({
      dtype: 'float64',
      poolBytes: 0,
      extra: 'kept',
    });
    expect(backend.dtype).toBe('float64');
  });

  it('imports only the entry of the backend picked', async () => {
    const a = vi.fn(async () => ({ descriptor: fake() }));
    const b = vi.fn(async () => referenceEntry(referenceBackend));
    await loadBackend('b', defineBackends({ a, b }));
    expect([a.mock.calls.length, b.mock.calls.length]).toEqual([0, 1]);
  });

  it('a name the app did not declare lists the declared ones', async () => {
    const backends = defineBackends({ ts: async () => fake(), 'tfjs-cpu': async () => fake() });
    const error = await loadBackend('tfjs-webgl', backends).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownBackendError);
    expect((error as Error).message).toBe(
      "Unknown backend 'tfjs-webgl': this app declares 'ts', 'tfjs-cpu'.",
    );
    // Not a way around the declaration: inherited keys are not backends.
    await expect(loadBackend('toString', backends)).rejects.toThrow(UnknownBackendError);
    await expect(loadBackend({ backend: '' }, backends)).rejects.toThrow(
      "backend: expected one of 'ts', 'tfjs-cpu', got \"\".",
    );
  });

  it('an entry whose package is missing names it, with the install line', async () => {
    const backends = defineBackends({
      'tfjs-cpu': () => Promise.reject(nodeNotFound('@twostep/backend-tfjs/cpu', '/app/main.js')),
    });
    const error = await loadBackend('tfjs-cpu', backends).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendNotInstalledError);
    expect((error as Error).message).toBe(
      "Backend 'tfjs-cpu' needs @twostep/backend-tfjs, which is not installed. Install: npm install @twostep/backend-tfjs",
    );
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('a peer missing at create names exactly that package, and the backend’s one install line', async () => {
    for (const missing of TFJS_CPU) {
      // The path of the importing file contains other package names: they are not missing.
      const from = '/app/node_modules/@twostep/backend-tfjs/dist/tfjs-cpu.js';
      const backends = defineBackends({
        'tfjs-cpu': async () => ({
          descriptor: fake({ create: () => Promise.reject(nodeNotFound(missing, from)) }),
        }),
      });
      const error = await loadBackend('tfjs-cpu', backends).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackendNotInstalledError);
      expect((error as Error).message).toBe(
        `Backend 'tfjs-cpu' needs ${TFJS_CPU.join(', ')}; ${missing} is not installed. Install: npm install ${TFJS_CPU.join(' ')}`,
      );
    }
  });

  it('reads the missing package from CommonJS, browser and Vite messages, and from causes', async () => {
    const messages = [
      "Cannot find module '@tensorflow/tfjs-core'\nRequire stack:\n- /app/node_modules/@tensorflow/tfjs-backend-cpu/dist/index.js",
      'Failed to resolve module specifier "@tensorflow/tfjs-core/dist/index.js". Relative references must start with either "/", "./", or "../".',
      'Failed to resolve import "@tensorflow/tfjs-core" from "src/main.ts". Does the file exist?',
    ];
    for (const message of messages) {
      const backends = defineBackends({
        cpu: async () =>
          fake({
            create: () => Promise.reject(new Error('wrapped', { cause: new Error(message) })),
          }),
      });
      await expect(loadBackend('cpu', backends)).rejects.toThrow(
        '; @tensorflow/tfjs-core is not installed.',
      );
    }
  });

  it('a package the descriptor does not list is named, and added to the install line', async () => {
    const backends = defineBackends({
      cpu: async () => fake({ create: () => Promise.reject(nodeNotFound('seedrandom')) }),
    });
    await expect(loadBackend('cpu', backends)).rejects.toThrow(
      `seedrandom is not installed. Install: npm install ${TFJS_CPU.join(' ')} seedrandom`,
    );
  });

  it('other failures pass through unchanged: a missing file, an error of the backend', async () => {
    const missingFile = nodeNotFound('/app/node_modules/@twostep/backend-tfjs/dist/tfjs-cpu.js');
    missingFile.message = missingFile.message.replace('package', 'module');
    const broken = new TypeError('x is not a function');
    for (const thrown of [missingFile, broken]) {
      const viaEntry = defineBackends({ b: () => Promise.reject(thrown) });
      await expect(loadBackend('b', viaEntry)).rejects.toBe(thrown);
      const viaCreate = defineBackends({
        b: async () => fake({ create: () => Promise.reject(thrown) }),
      });
      await expect(loadBackend('b', viaCreate)).rejects.toBe(thrown);
    }
  });

  it('an environment the backend cannot run in is said before create', async () => {
    const create = vi.fn();
    const backends = defineBackends({
      gpu: async () => fake({ check: async () => 'it needs a GPU here.', create }),
    });
    const error = await loadBackend('gpu', backends).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toBe("Backend 'gpu' cannot run here: it needs a GPU here.");
    expect(create).not.toHaveBeenCalled();
  });

  it('a dtype the backend lacks is refused before create', async () => {
    const create = vi.fn();
    const backends = defineBackends({ gpu: async () => fake({ create }) });
    await expect(loadBackend({ backend: 'gpu', dtype: 'float64' }, backends)).rejects.toThrow(
      "Backend 'gpu' computes in float32, not float64: pick one of those, or another backend.",
    );
    await expect(
      loadBackend({ backend: 'gpu', dtype: 'float16' as never }, backends),
    ).rejects.toThrow(DTypeError);
    expect(create).not.toHaveBeenCalled();
  });

  it('a module without a descriptor, or a faulty descriptor, is named', async () => {
    const backends = defineBackends({
      root: async () => ({ TfjsBackend: class {} }) as never,
      faulty: async () => ({ descriptor: { create: () => ({}) } }) as never,
    });
    await expect(loadBackend('root', backends)).rejects.toThrow(
      "Backend 'root': its module exports no descriptor",
    );
    await expect(loadBackend('faulty', backends)).rejects.toThrow(
      "Backend 'faulty': its descriptor lacks name (a string), dtypes (a non-empty array), packages (a non-empty array); the backend package is faulty.",
    );
  });

  it('a backend written for another contract version, or giving another dtype', async () => {
    const created = (backend: Partial<Backend>) =>
      defineBackends({ b: async () => fake({ create: () => backend as Backend }) });
    await expect(loadBackend('b', created({ specificationVersion: 0 as never }))).rejects.toThrow(
      /implements contract version 0, but @twostep\/core needs version \d+/,
    );
    await expect(
      loadBackend(
        { backend: 'b', dtype: 'float32' },
        created({ specificationVersion: SPECIFICATION_VERSION, dtype: 'float64' }),
      ),
    ).rejects.toThrow(
      "Backend 'b' was asked for float32 but created float64; the backend is faulty.",
    );
  });

  it('bad declarations are ConfigErrors that show the form', () => {
    expect(() => defineBackends({ ts: '@twostep/backend-ts' } as never)).toThrow(
      "defineBackends: 'ts' must be a function that imports the backend's entry",
    );
    expect(() => defineBackends({})).toThrow(ConfigError);
    expect(() => defineBackends(undefined as never)).toThrow(ConfigError);
    return expect(loadBackend('ts', undefined as never)).rejects.toThrow(
      "loadBackend: the second argument is the app's backends, from defineBackends(",
    );
  });
});
