/**
 * Once for every test file: packs @twostep/core, backend-ts and backend-tfjs with `pnpm pack`
 * (which rewrites `workspace:^` to the versions, as `changeset publish` does) and installs them
 * with npm into a scratch project in the OS temp folder, outside the workspace. First the
 * tarballs alone, to see which peers npm brings by itself; then what the tests need besides:
 * the tfjs peers at the version backend-tfjs is tested with, and the bundlers (Vite at the
 * playground's version, esbuild at the workspace's), installed with --ignore-scripts to show
 * that neither needs an install script. Everything is removed afterwards.
 */
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { FIXTURES, npmInstall, ROOT, type Scratch, sh } from './scratch.js';

const PACKED = ['core', 'backend-ts', 'backend-tfjs'] as const;

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

/** `@scope/name` and `name` entries of a node_modules folder. */
async function packagesIn(nodeModules: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(nodeModules)) {
    if (entry.startsWith('.')) continue;
    if (!entry.startsWith('@')) names.push(entry);
    else for (const name of await readdir(join(nodeModules, entry))) names.push(`${entry}/${name}`);
  }
  return names.sort();
}

/** The npm specs the tests install besides the tarballs, at the versions the workspace uses. */
async function explicitSpecs(): Promise<string[]> {
  const tfjs = (await readJson(join(ROOT, 'packages/backend-tfjs/package.json'))) as {
    devDependencies: Record<string, string>;
  };
  const peers = Object.entries(tfjs.devDependencies)
    .filter(([name]) => name.startsWith('@tensorflow/'))
    .map(([name, version]) => `${name}@${version}`);
  const playground = await readJson(join(ROOT, 'apps/playground/package.json'));
  const lock = await readFile(join(ROOT, 'pnpm-lock.yaml'), 'utf8');
  const esbuild = /^ {2}esbuild@(\d+\.\d+\.\d+):$/m.exec(lock)?.[1];
  if (!esbuild) throw new Error('No esbuild@<version> in pnpm-lock.yaml');
  return [...peers, `vite@${playground.devDependencies.vite}`, `esbuild@${esbuild}`];
}

export default async function setup(project: TestProject) {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'twostep-install-')));
  const remove = () => rm(root, { recursive: true, force: true });
  try {
    const tarballs: Record<string, string> = {};
    await Promise.all(
      PACKED.map(async (name) => {
        // The last line of pnpm pack's output is the tarball's path.
        const { stdout } = await sh(
          'pnpm',
          ['pack', '--pack-destination', root],
          join(ROOT, 'packages', name),
        );
        tarballs[name] = stdout.trim().split('\n').at(-1)!;
      }),
    );
    const dir = join(root, 'project');
    await mkdir(dir);
    const manifest = { name: 'scratch', version: '1.0.0', private: true, type: 'module' };
    await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await npmInstall(
      dir,
      PACKED.map((name) => tarballs[name]!),
    );
    const firstInstall = await packagesIn(join(dir, 'node_modules'));
    const explicit = await explicitSpecs();
    await npmInstall(dir, ['--save-exact', '--ignore-scripts', ...explicit]);
    // The user's Node programs (fixtures/node), in the project's root.
    for (const file of await readdir(join(FIXTURES, 'node'))) {
      await copyFile(join(FIXTURES, 'node', file), join(dir, file));
    }
    project.provide('scratch', {
      root,
      project: dir,
      tarballs,
      firstInstall,
      explicit,
    } satisfies Scratch);
  } catch (error) {
    await remove();
    throw error;
  }
  return remove;
}
