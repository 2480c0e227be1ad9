import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { defaultThreads } from '@twostep/backend-ts';
import { ConfigError } from '@twostep/core';
import { afterAll, afterEach, expect } from 'vitest';
import { type Config, DEFAULT_CONFIG } from '../src/config.js';
import type { Io } from '../src/io.js';
import { main } from '../src/main.js';
import { threadsText } from '../src/progress.js';

/** A config that trains in about a second: a narrow network on 1,000 of the digits. */
export const SMALL: Config = {
  ...DEFAULT_CONFIG,
  architecture: 'A[784,16,10]',
  trainSize: 1000,
  testSize: 500,
  batchSize: 50,
  epochs: 2,
};

/** How `evaluate` names the ts backend by default: `ts, float32, 2 threads` on 2 cores. */
export const TS_DEFAULT = `ts, float32, ${threadsText(defaultThreads())}`;

const made = { test: [] as string[], file: [] as string[] };

/** A fresh temporary folder, removed after the test (or, for `'file'`, after the test file). */
export async function tempDir(lifetime: 'test' | 'file' = 'test'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'twostep-example-'));
  made[lifetime].push(dir);
  return dir;
}

const removeAll = (dirs: string[]) =>
  Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));

afterEach(() => removeAll(made.test));
afterAll(() => removeAll(made.file));

/** Runs `twostep …args` in `cwd` (default: a fresh folder, no config file): exit code and output. */
export async function run(args: string[], io: Partial<Io> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const cwd = io.cwd ?? (await tempDir());
  const code = await main(args, {
    env: {},
    cwd,
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    ...io,
  });
  return { code, stdout, stderr: stderr.join('\n'), cwd };
}

/** `twostep …args` in `cwd` that succeeds: its output lines. */
export async function ok(args: string[], cwd: string): Promise<string[]> {
  const { code, stdout, stderr } = await run(args, { cwd });
  expect([code, stderr]).toEqual([0, '']);
  return stdout;
}

/** `twostep …args` in `cwd` that fails: what it printed, and that it printed nothing else. */
export async function failure(args: string[], cwd: string): Promise<string> {
  const { code, stdout, stderr } = await run(args, { cwd });
  expect([code, stdout]).toEqual([1, []]);
  return stderr;
}

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/**
 * Runs the built CLI in `cwd` (as root, as the user nobody, whom file modes do bind): its exit
 * code and stderr.
 */
export function runBuilt(args: string[], cwd: string): Promise<[number, string]> {
  const asRoot = process.getuid?.() === 0;
  return promisify(execFile)(process.execPath, [CLI, ...args], {
    cwd,
    ...(asRoot && { uid: 65534, gid: 65534 }),
  }).then(
    ({ stderr }) => [0, stderr],
    (error: { code: number; stderr: string }) => [error.code, error.stderr],
  );
}

/** The message of the ConfigError that `fn` throws (sync or async). */
export async function configError(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}
