/**
 * The packed packages in Node, installed with npm as a user would (test/setup.ts): a program
 * that declares the four built-in backends with `defineBackends` loads each by name; `ts`,
 * `tfjs-cpu` and `tfjs-wasm` train, `tfjs-webgl` says it needs a browser. With any one package
 * of a backend missing, loading it is a BackendNotInstalledError naming exactly that package,
 * with the install line. And a CommonJS program can `require` the core.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectLearned,
  installed,
  type LoadError,
  namedMissing,
  ROOT,
  runNode,
  type Scratch,
  scratch,
  withoutPackage,
} from './scratch.js';

interface Trained {
  error?: LoadError & { twostep: boolean };
  backend?: string;
  dtype?: string;
  losses?: number[];
  weights?: number[];
  oneCore?: boolean;
  resolved?: string[];
}

let s: Scratch;
const train = (...args: string[]) => runNode<Trained>(s.project, 'train.mjs', args);

beforeAll(() => {
  s = scratch();
});

/** Trained on `backend` in `dtype`, from packages installed in the scratch project only. */
function expectTrained(outcome: Trained & { output: string }, backend: string, dtype: string) {
  const { output, resolved = [], weights = [] } = outcome;
  expect(outcome.error, output).toBeUndefined();
  expect(outcome.backend, output).toBe(backend);
  expect(outcome.dtype, output).toBe(dtype);
  expectLearned(outcome.losses, 50, output);
  expect(weights.length, output).toBe(4 * 3 + 2 * 5);
  expect(weights.every(Number.isFinite), output).toBe(true);
  expect(outcome.oneCore, output).toBe(true);
  // The core and every package the backend's descriptor lists, from the project's node_modules.
  expect(resolved.length, output).toBeGreaterThan(1);
  for (const url of resolved) {
    const path = fileURLToPath(url);
    expect(path.startsWith(join(s.project, 'node_modules', sep)), `${path}\n${output}`).toBe(true);
  }
}

describe('npm install of the packed tarballs', () => {
  it('is outside the workspace: no node_modules above the project', () => {
    expect(s.project.startsWith(ROOT)).toBe(false);
    for (let dir = dirname(s.project); dir !== dirname(dir); dir = dirname(dir)) {
      expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
    }
  });

  it('brings the required tfjs peers with @twostep/backend-tfjs, not the optional ones', () => {
    const first = s.firstInstall;
    expect(first).toEqual(
      expect.arrayContaining([
        '@twostep/core',
        '@twostep/backend-ts',
        '@twostep/backend-tfjs',
        '@tensorflow/tfjs-core',
        '@tensorflow/tfjs-backend-cpu',
      ]),
    );
    expect(first).not.toContain('@tensorflow/tfjs-backend-wasm');
    expect(first).not.toContain('@tensorflow/tfjs-backend-webgl');
  });

  it('rewrote workspace:^ in the packed manifests', async () => {
    for (const name of ['core', 'backend-ts', 'backend-tfjs']) {
      const manifest = await readFile(
        join(s.project, 'node_modules/@twostep', name, 'package.json'),
        'utf8',
      );
      expect(manifest, name).not.toContain('workspace:');
    }
  });
});

describe('a program that declares the backends with defineBackends and loads one by name', () => {
  it.each([
    ['ts', 'float32'],
    ['ts', 'float64'],
    ['tfjs-cpu', 'float32'],
    ['tfjs-wasm', 'float32'],
  ])('trains on %s in %s', async (backend, dtype) => {
    expectTrained(await train(backend, dtype), backend, dtype);
  });

  it('trains on the default dtype when none is given', async () => {
    expectTrained(await train('tfjs-cpu'), 'tfjs-cpu', 'float32');
  });

  it('gets a BackendUnavailableError for tfjs-webgl: WebGL needs a browser', async () => {
    const { error, output } = await train('tfjs-webgl');
    expect(error, output).toMatchObject({
      name: 'BackendUnavailableError',
      code: 'BACKEND_UNAVAILABLE',
      twostep: true,
    });
    expect(error?.message, output).toMatch(
      /^Backend 'tfjs-webgl' cannot run here: WebGL needs a browser page or worker.*use tfjs-cpu or tfjs-wasm/,
    );
  });

  it('gets a DTypeError for a dtype the backend lacks, before importing TensorFlow.js', async () => {
    const { error, output } = await train('tfjs-cpu', 'float64');
    expect(error, output).toMatchObject({ name: 'DTypeError', code: 'DTYPE', twostep: true });
    expect(error?.message, output).toContain("Backend 'tfjs-cpu' computes in float32, not float64");
  });

  it('gets an UnknownBackendError listing the declared names for one it did not declare', async () => {
    const { error, output } = await train('tfjs-wgpu');
    expect(error, output).toMatchObject({
      name: 'UnknownBackendError',
      code: 'UNKNOWN_BACKEND',
      message:
        "Unknown backend 'tfjs-wgpu': this app declares 'ts', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-webgl', 'scaffolded'.",
      twostep: true,
    });
  });
});

/**
 * Each backend with one of its packages taken out of node_modules. `entry` says the package is
 * the backend's entry itself: the core then has no descriptor to read the backend's other
 * packages from, so the install line holds the entry alone (npm brings its required peers).
 */
const MISSING = [
  { backend: 'ts', missing: '@twostep/backend-ts', entry: true },
  { backend: 'tfjs-cpu', missing: '@twostep/backend-tfjs', entry: true },
  { backend: 'tfjs-cpu', missing: '@tensorflow/tfjs-core', entry: false },
  { backend: 'tfjs-cpu', missing: '@tensorflow/tfjs-backend-cpu', entry: false },
  { backend: 'tfjs-wasm', missing: '@tensorflow/tfjs-backend-wasm', entry: false },
  { backend: 'tfjs-wasm', missing: '@tensorflow/tfjs-core', entry: false },
];

/** Every package of each backend: its descriptor's `packages`, the README's install line. */
const PACKAGES: Record<string, string[]> = {
  ts: ['@twostep/backend-ts'],
  'tfjs-cpu': ['@twostep/backend-tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu'],
  'tfjs-wasm': ['@twostep/backend-tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm'],
};

describe('a backend with one of its packages missing', () => {
  it.each(MISSING)(
    '$backend without $missing is a BackendNotInstalledError naming it, with the install line',
    async ({ backend, missing, entry }) => {
      const { error, output } = await withoutPackage(s, missing, () => train(backend));
      expect(error, output).toMatchObject({
        name: 'BackendNotInstalledError',
        code: 'BACKEND_NOT_INSTALLED',
        twostep: true,
      });
      const message = error!.message;
      expect(message, output).toMatch(new RegExp(`^Backend '${backend}' needs `));
      expect(namedMissing(message), output).toEqual([missing]);
      // The whole line: no package left out, and none more.
      const line = `npm install ${(entry ? [missing] : PACKAGES[backend]!).join(' ')}`;
      expect(message.split('Install: ').at(-1)?.trim(), output).toBe(line);
      expect(installed(s.project, missing), 'put back').toBe(true);
    },
  );
});

describe('CommonJS', () => {
  it('require("@twostep/core") works on this Node, which loads ES modules through require', async () => {
    const manifest = JSON.parse(
      await readFile(join(s.project, 'node_modules/@twostep/core/package.json'), 'utf8'),
    );
    // The packed manifest offers the ES module to require: `default` (or `require`) in exports.
    const conditions = Object.keys(manifest.exports['.']);
    expect(
      conditions.some((c) => c === 'default' || c === 'require'),
      conditions.join(),
    ).toBe(true);
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    expect(major > 20 || (major === 20 && minor >= 19), process.versions.node).toBe(true);
    const { output, ...result } = await runNode<object>(s.project, 'require.cjs');
    expect(result, output).toEqual({ loadBackend: 'function', backend: 'ts' });
  });
});
