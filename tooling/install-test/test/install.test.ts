/**
 * "Install only what you need", as a user would: the packed tarballs of @twostep/core,
 * @twostep/backend-ts and @twostep/backend-tfjs go into a scratch npm project outside the
 * workspace. With core and backend-ts alone, no TensorFlow.js package is installed, `ts`
 * trains and `tfjs-cpu` is a BackendNotInstalledError naming what to install. Adding
 * backend-tfjs brings in its required peers (tfjs-core, tfjs-backend-cpu) but not the optional
 * ones (webgl, wasm): `tfjs-cpu` then trains, and `tfjs-wasm` names the package it still needs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** npm fetches the tfjs peers from the registry; everything else is local. */
const TIMEOUT = 5 * 60_000;

/** A user's shell: no npm_config_*, NODE_PATH or workspace .bin that pnpm and Vitest add. */
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|vitest|node_path$)/i.test(key)),
  ),
  PATH: (process.env.PATH ?? '')
    .split(delimiter)
    .filter((p) => !p.startsWith(ROOT))
    .join(delimiter),
  NO_COLOR: '1',
};

/** Runs a command; a failure carries the command, its folder, stdout and stderr. */
async function sh(file: string, args: readonly string[], cwd: string) {
  try {
    return await promisify(execFile)(file, args, { cwd, env, maxBuffer: 64 << 20 });
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `${file} ${args.join(' ')} failed in ${cwd}\n${e.message}\nstdout: ${e.stdout}\nstderr: ${e.stderr}`,
    );
  }
}

/** Loads a backend by name and trains A[2,4,2] on XOR; prints JSON (or the load error). */
const SCRIPT = `
import { BACKENDS, Network, adam, loadBackend, train } from '@twostep/core';
const name = process.argv[2];
let backend;
try {
  backend = await loadBackend(name);
} catch (e) {
  console.log(JSON.stringify({ error: { name: e.name, code: e.code, message: e.message } }));
  process.exit(0);
}
const net = Network.create({ architecture: 'A[2,4,2]', activation: 'tanh', seed: 1 });
const data = { inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[1, 0], [0, 1], [0, 1], [1, 0]] };
const { history } = await train(backend, net, data, {
  optimizer: adam({ learningRate: 0.05 }),
  batchSize: 4,
  epochs: 50,
});
const modules = ['@twostep/core', BACKENDS[name].module];
if (name.startsWith('tfjs')) modules.push('@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu');
console.log(JSON.stringify({
  backend: backend.name,
  losses: history.map((e) => e.loss),
  weights: net.getWeights().flat(2),
  resolved: modules.map((m) => import.meta.resolve(m)),
}));
`;

interface Outcome {
  error?: { name: string; code: string; message: string };
  backend?: string;
  losses?: number[];
  weights?: number[];
  resolved?: string[];
}

let scratch: string;
let project: string;
const tarballs: Record<string, string> = {};

/** Runs SCRIPT for `backend` in the scratch project; `output` is for assertion messages. */
async function tryBackend(backend: string): Promise<Outcome & { output: string }> {
  const { stdout, stderr } = await sh(process.execPath, ['try.mjs', backend], project);
  const output = `stdout: ${stdout}\nstderr: ${stderr}`;
  const line = stdout.trim().split('\n').at(-1) ?? '';
  expect(line.startsWith('{'), output).toBe(true);
  return { ...(JSON.parse(line) as Outcome), output };
}

const npmInstall = (...specs: string[]) =>
  sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs], project);

const installed = (name: string) => existsSync(join(project, 'node_modules', name));

function expectTrained(outcome: Outcome & { output: string }, backend: string) {
  const { losses = [], weights = [], resolved = [], output } = outcome;
  expect(outcome.error, output).toBeUndefined();
  expect(outcome.backend, output).toBe(backend);
  expect(losses, output).toHaveLength(50);
  expect(losses.every(Number.isFinite), output).toBe(true);
  expect(losses.at(-1)!, output).toBeLessThan(losses[0]! / 2);
  expect(weights.length, output).toBeGreaterThan(0);
  expect(weights.every(Number.isFinite), output).toBe(true);
  // Everything comes from the scratch project's node_modules, nothing from the workspace.
  expect(resolved.length, output).toBeGreaterThan(0);
  for (const url of resolved) {
    const path = fileURLToPath(url);
    expect(path.startsWith(join(project, 'node_modules', sep)), `${path}\n${output}`).toBe(true);
  }
}

function expectNotInstalled(outcome: Outcome & { output: string }, packages: readonly string[]) {
  const { error, output } = outcome;
  expect(error?.name, output).toBe('BackendNotInstalledError');
  for (const p of packages) expect(error?.message, output).toContain(p);
  expect(error?.message, output).toContain(`npm install ${packages.join(' ')}`);
}

beforeAll(async () => {
  scratch = await realpath(await mkdtemp(join(tmpdir(), 'twostep-install-')));
  project = join(scratch, 'project');
  await mkdir(project);
  for (const name of ['core', 'backend-ts', 'backend-tfjs']) {
    // pnpm pack rewrites workspace:^ to the real versions; the last line is the tarball.
    const { stdout } = await sh(
      'pnpm',
      ['pack', '--pack-destination', scratch],
      join(ROOT, 'packages', name),
    );
    tarballs[name] = stdout.trim().split('\n').at(-1)!;
    expect(existsSync(tarballs[name]), stdout).toBe(true);
  }
  const manifest = { name: 'scratch', version: '1.0.0', private: true, type: 'module' };
  await writeFile(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
  await writeFile(join(project, 'try.mjs'), SCRIPT);
}, TIMEOUT);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('npm install @twostep/core @twostep/backend-ts', () => {
  beforeAll(() => npmInstall(tarballs.core!, tarballs['backend-ts']!), TIMEOUT);

  it('is outside the workspace: no node_modules above the project', () => {
    expect(project.startsWith(ROOT)).toBe(false);
    for (let dir = dirname(project); dir !== dirname(dir); dir = dirname(dir)) {
      expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
    }
  });

  it('installs no TensorFlow.js package', () => {
    expect(installed('@twostep/core')).toBe(true);
    expect(installed('@twostep/backend-ts')).toBe(true);
    expect(installed('@tensorflow')).toBe(false);
    expect(installed('@twostep/backend-tfjs')).toBe(false);
  });

  it(
    "trains with loadBackend('ts')",
    async () => {
      expectTrained(await tryBackend('ts'), 'ts');
    },
    TIMEOUT,
  );

  it(
    "says what to install for loadBackend('tfjs-cpu')",
    async () => {
      expectNotInstalled(await tryBackend('tfjs-cpu'), [
        '@twostep/backend-tfjs',
        '@tensorflow/tfjs-core',
        '@tensorflow/tfjs-backend-cpu',
      ]);
    },
    TIMEOUT,
  );
});

describe('then npm install @twostep/backend-tfjs', () => {
  // npm 7+ installs the required peers (tfjs-core, tfjs-backend-cpu) itself, from the registry.
  beforeAll(() => npmInstall(tarballs['backend-tfjs']!), TIMEOUT);

  it('installs the required tfjs peers and not the optional ones', () => {
    expect(installed('@twostep/backend-tfjs')).toBe(true);
    expect(installed('@tensorflow/tfjs-core')).toBe(true);
    expect(installed('@tensorflow/tfjs-backend-cpu')).toBe(true);
    expect(installed('@tensorflow/tfjs-backend-webgl')).toBe(false);
    expect(installed('@tensorflow/tfjs-backend-wasm')).toBe(false);
  });

  it(
    "trains with loadBackend('tfjs-cpu')",
    async () => {
      expectTrained(await tryBackend('tfjs-cpu'), 'tfjs-cpu');
    },
    TIMEOUT,
  );

  it(
    "says what to install for loadBackend('tfjs-wasm')",
    async () => {
      const outcome = await tryBackend('tfjs-wasm');
      expectNotInstalled(outcome, [
        '@twostep/backend-tfjs',
        '@tensorflow/tfjs-core',
        '@tensorflow/tfjs-backend-cpu',
        '@tensorflow/tfjs-backend-wasm',
      ]);
    },
    TIMEOUT,
  );
});
