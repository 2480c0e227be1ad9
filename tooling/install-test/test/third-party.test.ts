/**
 * A third-party backend, from `pnpm create-backend` to a user's `npm install`: the scaffold is
 * generated into a workspace-shaped temp folder, filled in as its author would (every op
 * written, here by handing it to @twostep/backend-ts's TsBackend, a dependency, while the
 * backend keeps its own name; `"private": true` removed, as the generated README says before
 * publishing), built with the workspace's tsc, packed with `pnpm pack` and installed into the
 * scratch project. The user's program declares it with `defineBackends` beside the built-ins
 * and loads and trains with it exactly as with them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackendPackage } from '../../create-backend/src/index.js';
import {
  expectLearned,
  type LoadError,
  namedMissing,
  npmInstall,
  ROOT,
  runNode,
  type Scratch,
  scratch,
  sh,
  withoutPackage,
} from './scratch.js';

const NAME = 'scaffolded';
const PACKAGE = `@twostep/backend-${NAME}`;

let s: Scratch;
let directory: string;
/** The generated src/index.ts, before it was filled in. */
let generated: string;
let tarball: string;

/**
 * The generated backend with every op written: each stub's `notImplemented('op')` becomes a
 * call of the same op on a TsBackend of the same dtype; the matrices are TsBackend's.
 */
function fillIn(source: string): { source: string; ops: string[] } {
  const ops: string[] = [];
  const filled = source
    .replace(
      /^(import \{[^}]*\} from '@twostep\/core\/backend';)$/m,
      "$1\nimport { TsBackend, type TsMatrix } from '@twostep/backend-ts';",
    )
    .replace(/^type M = \w+;$/m, 'type M = TsMatrix;')
    .replace(/^( {2}readonly dtype: DType;)$/m, '$1\n  readonly #ts: TsBackend;')
    .replace(/^( {4}this\.dtype = dtype;)$/m, '$1\n    this.#ts = new TsBackend({ dtype });')
    .replace(
      /^( {2}(?:async )?(\w+)\(([^)]*)\)[^\n]*\{)\n(?: {4}\/\/.*\n)* {4}(?:return )?notImplemented\('\2'\);$/gm,
      (_, signature: string, op: string, params: string) => {
        ops.push(op);
        const args = params
          .split(',')
          .map((p) => p.trim().split(/[:=\s]/)[0])
          .filter(Boolean);
        return `${signature}\n    return this.#ts.${op}(${args.join(', ')});`;
      },
    );
  return { source: filled, ops };
}

beforeAll(async () => {
  s = scratch();
  // The folder `pnpm create-backend` writes into sits in a workspace root with tsconfig.base.json.
  const workspace = join(s.root, 'third-party');
  await mkdir(join(workspace, 'packages'), { recursive: true });
  await symlink(join(ROOT, 'tsconfig.base.json'), join(workspace, 'tsconfig.base.json'));
  directory = createBackendPackage({
    name: NAME,
    directory: join(workspace, 'packages'),
  }).directory;

  // What `pnpm install` links for its workspace:^ dependencies, which tsc and pnpm pack read.
  await mkdir(join(directory, 'node_modules/@twostep'), { recursive: true });
  for (const name of ['core', 'conformance', 'backend-ts']) {
    await symlink(join(ROOT, 'packages', name), join(directory, 'node_modules/@twostep', name));
  }

  // Filled in by its author.
  const index = join(directory, 'src/index.ts');
  generated = await readFile(index, 'utf8');
  await writeFile(index, fillIn(generated).source);
  const manifestPath = join(directory, 'package.json');
  const { private: _, ...manifest } = JSON.parse(await readFile(manifestPath, 'utf8'));
  manifest.dependencies = { '@twostep/backend-ts': 'workspace:^' };
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  await sh(process.execPath, [tsc, '-p', 'tsconfig.build.json'], directory);
  const { stdout } = await sh('pnpm', ['pack', '--pack-destination', s.root], directory);
  tarball = stdout.trim().split('\n').at(-1)!;
  await npmInstall(s.project, [tarball]);
});

describe(`a backend made with pnpm create-backend (${PACKAGE})`, () => {
  it('is generated with a descriptor: its name, dtypes, package and factory', () => {
    expect(generated).toContain(`const NAME = '${NAME}';`);
    expect(generated).toMatch(
      new RegExp(
        `export const descriptor = \\{\\n  name: NAME,\\n  dtypes: DTYPES,\\n  packages: \\['${PACKAGE}'\\],\\n  create: createBackend,\\n\\} as const satisfies BackendDescriptor;`,
      ),
    );
  });

  it('is filled in op by op, and builds with tsc', () => {
    const { ops } = fillIn(generated);
    expect(ops).toEqual(
      expect.arrayContaining(['fromArray', 'read', 'matMul', 'logSoftmax', 'dispose', 'memory']),
    );
    expect(ops.length).toBe((generated.match(/notImplemented\('/g) ?? []).length);
    expect(existsSync(join(directory, 'dist/index.js'))).toBe(true);
    expect(existsSync(join(directory, 'dist/index.d.ts'))).toBe(true);
  });

  it('packs with its workspace:^ dependencies rewritten to versions', async () => {
    const installed = join(s.project, 'node_modules', PACKAGE);
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
    const version = (name: string) =>
      JSON.parse(readFileSync(join(ROOT, 'packages', name, 'package.json'), 'utf8')).version;
    expect(manifest.peerDependencies).toEqual({ '@twostep/core': `^${version('core')}` });
    expect(manifest.dependencies).toEqual({ '@twostep/backend-ts': `^${version('backend-ts')}` });
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
    expect(existsSync(join(installed, 'dist/index.js'))).toBe(true);
    // npm used the project's @twostep/core and backend-ts: one copy of each.
    expect(existsSync(join(installed, 'node_modules'))).toBe(false);
  });

  it('is declared beside the built-ins and trains like them, in both its dtypes', async () => {
    for (const dtype of ['float32', 'float64']) {
      const outcome = await runNode<{
        error?: LoadError;
        backend?: string;
        dtype?: string;
        losses?: number[];
        oneCore?: boolean;
        resolved?: string[];
      }>(s.project, 'train.mjs', [NAME, dtype]);
      const { output } = outcome;
      expect(outcome.error, output).toBeUndefined();
      expect(outcome.backend, output).toBe(NAME);
      expect(outcome.dtype, output).toBe(dtype);
      expectLearned(outcome.losses, 50, output);
      expect(outcome.oneCore, output).toBe(true);
      expect(outcome.resolved?.at(-1), output).toContain(`/node_modules/${PACKAGE}/`);
    }
  });

  it('when not installed, is a BackendNotInstalledError with its install line', async () => {
    const { error, output } = await withoutPackage(s, PACKAGE, () =>
      runNode<{ error?: LoadError }>(s.project, 'train.mjs', [NAME]),
    );
    expect(error, output).toMatchObject({
      name: 'BackendNotInstalledError',
      code: 'BACKEND_NOT_INSTALLED',
    });
    expect(namedMissing(error!.message), output).toEqual([PACKAGE]);
    expect(error!.message, output).toContain(`Install: npm install ${PACKAGE}`);
  });
});
