/**
 * The scaffold end to end: a package generated into a mirror of the workspace (see
 * workspace.ts) typechecks with the repository's TypeScript, passes Biome, and runs the
 * conformance suite with the repository's Vitest, failing only with the stubs' errors, each
 * naming the op it is missing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineBackends, loadBackend } from '@twostep/core';
import { type Backend, type BackendDescriptor, SPECIFICATION_VERSION } from '@twostep/core/backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackendPackage, MAX_NAME_LENGTH } from '../src/index.js';
import {
  binOf,
  linkWorkspaceDependencies,
  mirrorWorkspace,
  runNode,
  type Workspace,
} from './workspace.js';

/** The longest name accepted, so that the lint check covers the widest generated lines. */
const NAME = 'scaffold-test-with-a-long-name';
const PACKAGE = `@twostep/backend-${NAME}`;
const stub = (op: string) =>
  `backend-${NAME}: ${op} is not implemented yet (see docs/writing-a-backend.md)`;
const STUB = new RegExp(
  `backend-${NAME}: (\\w+) is not implemented yet \\(see docs/writing-a-backend\\.md\\)`,
);

/** Spawning tsc and a nested Vitest under a parallel turbo run can take a while. */
const SLOW = 120_000;

interface JsonReport {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  testResults: {
    message: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

let workspace: Workspace;
let directory: string;

beforeAll(async () => {
  workspace = await mirrorWorkspace();
  try {
    directory = createBackendPackage({ name: NAME, directory: workspace.packages }).directory;
    // The shortest name too, for the lint check (the other end of the line widths).
    const x = createBackendPackage({ name: 'x', directory: workspace.packages }).directory;
    await linkWorkspaceDependencies(directory);
    await linkWorkspaceDependencies(x);
  } catch (error) {
    await workspace.remove();
    throw error;
  }
});

afterAll(async () => {
  await workspace?.remove();
});

describe('a scaffolded backend package', () => {
  it('uses the longest accepted name', () => {
    expect(NAME).toHaveLength(MAX_NAME_LENGTH);
  });

  it(
    'typechecks with the repository TypeScript (tsc -p tsconfig.json --noEmit)',
    async () => {
      const { code, output } = await runNode(
        binOf('typescript', 'tsc'),
        ['-p', 'tsconfig.json', '--noEmit'],
        directory,
      );
      expect(output).toBe('');
      expect(code).toBe(0);
    },
    SLOW,
  );

  it(
    'passes the repository Biome config, at both ends of the name lengths',
    async () => {
      // The mirror is no git repository, so Biome reads no .gitignore (node_modules is always skipped).
      const { code, output } = await runNode(
        binOf('@biomejs/biome', 'biome'),
        ['check', '--vcs-enabled=false', '.'],
        workspace.packages,
      );
      expect(output).toMatch(/Checked 14 files/);
      expect(code, output).toBe(0);
    },
    SLOW,
  );

  it(
    'runs the conformance suite, which fails with errors naming the missing ops',
    async () => {
      const reportFile = join(workspace.root, 'report.json');
      const { code, output } = await runNode(
        binOf('vitest', 'vitest'),
        ['run', '--reporter=json', `--outputFile=${reportFile}`],
        directory,
      );
      expect(code, output).toBe(1);
      const report = JSON.parse(await readFile(reportFile, 'utf8')) as JsonReport;
      // No file failed to load (a broken import or config shows up here, not as a test).
      expect(report.testResults.map((file) => file.message)).toEqual(['']);
      const tests = report.testResults.flatMap((file) => file.assertionResults);
      expect(tests.length).toBe(report.numTotalTests);
      expect(report.numTotalTests).toBeGreaterThan(50);
      expect(report.numFailedTests).toBeGreaterThan(50);
      const failed = tests.filter((t) => t.status === 'failed');
      expect(failed).toHaveLength(report.numFailedTests);
      // Every failure is a stub speaking, never a crash of the scaffold itself.
      const missing = new Set<string>();
      for (const t of failed) {
        const match = STUB.exec(t.failureMessages.join('\n'));
        expect(match, `${t.fullName}: ${t.failureMessages[0]}`).not.toBeNull();
        missing.add(match![1]!);
      }
      // Almost every check starts by uploading data, so that is the op it names first.
      expect(missing).toContain('fromArray');
      expect([...missing].every((op) => /^[a-z][A-Za-z]+$/.test(op))).toBe(true);
      // What the stubs cannot fail: the identity the scaffold already gets right.
      expect(tests.map((t) => [t.fullName, t.status])).toContainEqual([
        `conformance: ${NAME} errors the backend declares a dtype it supports and the contract version`,
        'passed',
      ]);
    },
    SLOW,
  );

  it('implements every op of the contract as a stub naming the op', async () => {
    const module = (await import(
      /* @vite-ignore */ pathToFileURL(join(directory, 'src/index.ts')).href
    )) as { createBackend: (options?: { dtype?: string }) => Backend };
    const backend = module.createBackend();
    expect(backend.specificationVersion).toBe(SPECIFICATION_VERSION);
    expect(backend.name).toBe(NAME);
    expect(backend.dtype).toBe('float32');
    expect(backend.supports).toEqual({ readSync: false, fusedActivation: false, fusedAdam: false });
    expect(module.createBackend({ dtype: 'float64' }).dtype).toBe('float64');
    expect(() => module.createBackend({ dtype: 'float16' })).toThrow(/does not support float16/);

    const prototype = Object.getPrototypeOf(backend) as Record<string, unknown>;
    const ops = Object.getOwnPropertyNames(prototype).filter((key) => key !== 'constructor');
    expect(ops).toEqual(
      expect.arrayContaining([
        'fromArray',
        'copy',
        'read',
        'matMul',
        'logSoftmax',
        'dispose',
        'memory',
      ]),
    );
    expect(ops).toEqual(expect.arrayContaining(['readSync', 'activate', 'deltaDown', 'adam']));
    const operand = { rows: 1, cols: 1, dtype: 'float32', isDisposed: false };
    for (const op of ops) {
      const call = () =>
        (backend as unknown as Record<string, (...args: unknown[]) => unknown>)[op]!(
          operand,
          operand,
          operand,
          operand,
          {},
        );
      if (op === 'read') await expect(call()).rejects.toThrow(stub(op));
      else expect(call, op).toThrow(stub(op));
    }
  });

  it('exports a descriptor that an app declares with defineBackends and loads by name', async () => {
    const entry = pathToFileURL(join(directory, 'src/index.ts')).href;
    const module = (await import(/* @vite-ignore */ entry)) as {
      createBackend: unknown;
      descriptor: BackendDescriptor;
    };
    expect(module.descriptor).toMatchObject({
      name: NAME,
      dtypes: ['float32', 'float64'],
      packages: [PACKAGE],
    });
    expect(module.descriptor.create).toBe(module.createBackend);
    expect(module.descriptor.check).toBeUndefined();

    // Declared beside another backend (the scaffold of 'x'), as the README's snippet does.
    const other = pathToFileURL(join(workspace.packages, 'backend-x/src/index.ts')).href;
    const backends = defineBackends({
      x: () => import(/* @vite-ignore */ other),
      [NAME]: () => import(/* @vite-ignore */ entry),
    });
    const backend = await loadBackend({ backend: NAME, dtype: 'float64' }, backends);
    expect(backend.name).toBe(NAME);
    expect(backend.dtype).toBe('float64');
    expect((await loadBackend('x', backends)).name).toBe('x');
    await expect(loadBackend(PACKAGE, backends)).rejects.toThrow(
      `Unknown backend '${PACKAGE}': this app declares 'x', '${NAME}'.`,
    );
  });

  it('shows the declaration in its README', async () => {
    const readme = await readFile(join(directory, 'README.md'), 'utf8');
    expect(readme).toContain(`'${NAME}': () => import('${PACKAGE}'),`);
    expect(readme).toContain(`loadBackend({ backend: '${NAME}' }, backends)`);
    expect(readme).not.toMatch(/importModule|BACKENDS/);
  });
});
