/**
 * The scratch project the tests share (made once by setup.ts, outside the workspace, in the OS
 * temp folder), and how the tests act in it as a user would: commands in a clean shell, Node
 * scripts whose last line is JSON, a package taken out of node_modules for a while.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, inject } from 'vitest';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The user's files (programs, the web app) copied into the scratch project. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface Scratch {
  /** The temp folder: tarballs, the project, hidden packages, the third-party workspace. */
  readonly root: string;
  /** The npm project, `<root>/project`. */
  readonly project: string;
  /** Tarball path by workspace package folder (`core`, `backend-ts`, `backend-tfjs`). */
  readonly tarballs: Readonly<Record<string, string>>;
  /** node_modules entries (`@scope/name` or `name`) after `npm install` of the tarballs alone. */
  readonly firstInstall: readonly string[];
  /** What the project then installed explicitly, as npm specs (`vite@8.3.8`, …). */
  readonly explicit: readonly string[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    scratch: Scratch;
  }
}

/** The scratch project made by setup.ts. */
export const scratch = (): Scratch => inject('scratch');

/**
 * A user's shell: none of the variables pnpm, npm, turbo and Vitest add (npm_config_*,
 * NODE_PATH, NODE_ENV=test, …), and no workspace folder on PATH.
 */
export const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        !/^(npm_|pnpm_|vitest|vite_|turbo_|node_path$|node_env$|node_options$|test$)/i.test(key),
    ),
  ),
  PATH: (process.env.PATH ?? '')
    .split(delimiter)
    .filter((p) => !p.startsWith(ROOT))
    .join(delimiter),
  NO_COLOR: '1',
};

/** Runs a command in `cwd`; a failure carries the command, its folder, stdout and stderr. */
export async function sh(
  file: string,
  args: readonly string[],
  cwd: string,
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await promisify(execFile)(file, args, { cwd, env, maxBuffer: 64 << 20 });
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `${file} ${args.join(' ')} failed in ${cwd}\n${e.message}\nstdout: ${e.stdout}\nstderr: ${e.stderr}`,
    );
  }
}

/** `npm install` as a user runs it, from npm's cache when it has the package. */
export const npmInstall = (project: string, args: readonly string[]) =>
  sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...args], project);

/** Whether `name` (a package, or a scope) is in the project's node_modules. */
export const installed = (project: string, name: string) =>
  existsSync(join(project, 'node_modules', name));

/** The last stdout line of `node <script> ...args` in the project, as JSON, and all output. */
export async function runNode<T>(
  project: string,
  script: string,
  args: readonly string[] = [],
): Promise<T & { output: string }> {
  const { stdout, stderr } = await sh(process.execPath, [script, ...args], project);
  const output = `node ${script} ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`;
  const line = stdout.trim().split('\n').at(-1) ?? '';
  expect(line.startsWith('{'), output).toBe(true);
  return { ...(JSON.parse(line) as T), output };
}

/**
 * Runs `fn` with `pkg` taken out of the project's node_modules (moved next to the project),
 * and puts it back afterwards, whatever happens.
 */
export async function withoutPackage<T>(
  { root, project }: Scratch,
  pkg: string,
  fn: () => Promise<T>,
): Promise<T> {
  const from = join(project, 'node_modules', pkg);
  const to = join(root, 'hidden', pkg.replace('/', '+'));
  expect(existsSync(from), `${pkg} is not installed`).toBe(true);
  await mkdir(join(root, 'hidden'), { recursive: true });
  await rename(from, to);
  try {
    return await fn();
  } finally {
    await rename(to, from);
  }
}

/** What the user programs print when loading failed. */
export interface LoadError {
  readonly name: string;
  readonly code: string;
  readonly message: string;
}

/** The packages a BackendNotInstalledError message says are not installed. */
export function namedMissing(message: string): string[] {
  return [...message.matchAll(/(\S+?),? (?:which )?is not installed/g)].map((m) => m[1]!);
}

/**
 * A loss history of a short training run: every value finite, and the last under half the
 * first (XOR from seed 1 falls from 0.82 to under 0.3 in 40 epochs on every backend).
 */
export function expectLearned(losses: readonly number[] | undefined, epochs: number, why: string) {
  expect(losses, why).toHaveLength(epochs);
  expect(losses!.every(Number.isFinite), why).toBe(true);
  expect(losses!.at(-1)!, why).toBeLessThan(losses![0]! / 2);
}
