/**
 * A throwaway mirror of the workspace layout in the OS temp folder, for generated packages:
 * `<temp>/packages/backend-<name>` sees `../../tsconfig.base.json`, `../../vitest.shared.ts`,
 * `../../biome.json` and `node_modules` of the real root through symlinks, so its files are
 * exactly what `pnpm create-backend` writes, yet nothing lands in the repository: no pnpm
 * workspace member appears under packages/ (a concurrent pnpm or turbo run never sees it) and
 * pnpm-lock.yaml is never involved.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Workspace {
  readonly root: string;
  /** `<root>/packages`, where backends are created. */
  readonly packages: string;
  /** Removes the whole mirror (the symlinks, never what they point to). */
  remove(): Promise<void>;
}

export async function mirrorWorkspace(
  shared: readonly string[] = [
    'tsconfig.base.json',
    'vitest.shared.ts',
    'biome.json',
    'node_modules',
  ],
): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), 'twostep-scaffold-'));
  const remove = () => rm(root, { recursive: true, force: true });
  try {
    for (const file of shared) await symlink(join(ROOT, file), join(root, file));
    await mkdir(join(root, 'packages'));
  } catch (error) {
    await remove();
    throw error;
  }
  return { root, packages: join(root, 'packages'), remove };
}

/**
 * What `pnpm install` would link for the package's `workspace:^` dependencies
 * (node_modules/@twostep/core → packages/core), pointing at the real packages.
 */
export async function linkWorkspaceDependencies(
  packageDirectory: string,
  dependencies: readonly string[] = ['core', 'conformance'],
): Promise<void> {
  const scope = join(packageDirectory, 'node_modules', '@twostep');
  await mkdir(scope, { recursive: true });
  for (const name of dependencies) {
    await symlink(join(ROOT, 'packages', name), join(scope, name), 'dir');
  }
}

export interface Result {
  readonly code: number;
  /** stdout and stderr. */
  readonly output: string;
}

/**
 * Runs `node <script> ...args` in `cwd` and resolves with its exit code (never rejects on a
 * non-zero one). Vitest's own variables are dropped, so a nested Vitest starts as from a shell.
 */
export function runNode(script: string, args: readonly string[], cwd: string): Promise<Result> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')),
  );
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd, env: { ...env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? error.code : 0;
        if (typeof code !== 'number') reject(error);
        else resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** The script of `bin` of a package installed at the repository root (its own, pinned version). */
export function binOf(packageName: string, bin: string): string {
  const directory = join(ROOT, 'node_modules', packageName);
  const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
    bin: string | Record<string, string>;
  };
  return join(directory, typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[bin]!);
}
