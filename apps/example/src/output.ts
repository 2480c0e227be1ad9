/**
 * Before a run trains, its output is made safe: the model's folder exists and can be written
 * (else the real reason, before any training), `--model` is no input of the run, a lock next
 * to the model keeps a second run off it, and temporary files of saves killed midway are
 * removed. The lock is released on every way out (`release`, and on process exit).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { TwoStepError } from '@twostep/core';
import { makeFolder, temporaryOf } from '@twostep/io';
import { refuseTemporary } from './files.js';
import { besideModel } from './model.js';

/** What a lock file holds. */
interface LockInfo {
  readonly pid: number;
  readonly startedAt: string;
  readonly host: string;
  /** Tells apart two runs of one process. */
  readonly token: string;
}

/** The lock of the model at `model`: `models/mnist.json` → `models/mnist.json.lock`. */
export const lockOf = (model: string): string => `${model}.lock`;

/** The files a run writes for `model`. */
const outputsOf = (model: string) =>
  [model, ...['run', 'checkpoint', 'last-finite'].map((s) => besideModel(model, s))].map((p) =>
    resolve(p),
  );

/** Whether the process `pid` (on this machine) is running. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Claim {
  /** Removes the lock (once; later calls do nothing). */
  release(): Promise<void>;
}

/**
 * Claims `model` for one run: checks that it is none of `inputs` (the config file), makes its
 * folder, takes the lock and removes stale temporary files; `note` hears what was cleaned.
 */
export async function claimOutput(
  model: string,
  inputs: readonly (string | undefined)[],
  note: (message: string) => void,
): Promise<Claim> {
  await checkNotInput(model, inputs);
  const folder = dirname(model);
  try {
    await makeFolder(folder);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const at = e.path ?? folder;
    const why =
      e.code === 'ENOTDIR'
        ? `${at} is a file, not a folder`
        : `the folder ${at} cannot be created (${e.code ?? e.message})`;
    throw new TwoStepError(
      `cannot write the model to ${model}: ${why}; choose a --model in a folder you can write, or create it yourself.`,
      { cause: error },
    );
  }
  const lock = await takeLock(model, note);
  await removeStaleTemporaries(model, note);
  return lock;
}

async function checkNotInput(model: string, inputs: readonly (string | undefined)[]) {
  refuseTemporary(model);
  const found = await stat(model).catch(() => undefined);
  if (found?.isDirectory()) {
    throw new TwoStepError(
      `--model ${model} is a folder; pass a file in it, such as ${join(model, 'mnist.json')}.`,
    );
  }
  for (const input of inputs) {
    if (input === undefined) continue;
    const inputStat = await stat(input).catch(() => undefined);
    for (const output of outputsOf(model)) {
      const outputStat = await stat(output).catch(() => undefined);
      const same =
        resolve(input) === output ||
        (inputStat &&
          outputStat &&
          inputStat.dev === outputStat.dev &&
          inputStat.ino === outputStat.ino);
      if (same) {
        throw new TwoStepError(
          `--model ${model}: training would overwrite the config file ${input} with ${output === resolve(model) ? 'the model' : output}; pass a --model of its own, such as models/mnist.json.`,
        );
      }
    }
  }
}

/** Creates the lock exclusively; a stale one (its process gone) is replaced, a live one refuses. */
async function takeLock(model: string, note: (message: string) => void): Promise<Claim> {
  const path = lockOf(model);
  const mine: LockInfo = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    host: hostname(),
    token: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const file = await open(path, 'wx');
      try {
        await file.writeFile(`${JSON.stringify(mine)}\n`);
      } finally {
        await file.close();
      }
      break;
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.code !== 'EEXIST') {
        throw new TwoStepError(
          `cannot write the model to ${model}: its folder ${dirname(model)} is not writable (${e.code ?? e.message}: cannot create ${basename(path)}); choose a --model in a folder you can write, or make the folder writable.`,
          { cause: error },
        );
      }
      if (attempt >= 3) throw held(model, path, await readLock(path));
      await replaceStale(model, path, note);
    }
  }
  const onExit = () => {
    try {
      const text = readFileSync(path, 'utf8');
      if (text.includes(mine.token)) unlinkSync(path);
    } catch {}
  };
  process.once('exit', onExit);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      process.removeListener('exit', onExit);
      const now = await readLock(path);
      if (typeof now === 'object' && now.token === mine.token) await rm(path, { force: true });
    },
  };
}

/** A lock whose process is gone is removed (with a note); a live one is an error. */
async function replaceStale(model: string, path: string, note: (message: string) => void) {
  const info = await readLock(path);
  if (info === 'missing') return;
  if (info === undefined) {
    // Unreadable: a run that is writing it right now, or one killed while it did.
    const age = Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? 0);
    if (age < 10_000) throw held(model, path, undefined);
  } else if (info.host !== hostname() || isAlive(info.pid)) {
    throw held(model, path, info);
  }
  // Moved aside first, so that of two runs replacing it only one removes it.
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  if (
    !(await rename(path, aside).then(
      () => true,
      () => false,
    ))
  )
    return;
  const moved = await readLock(aside);
  if (info !== undefined && (typeof moved !== 'object' || moved.token !== info.token)) {
    // Another run took the lock between our read and the move: put it back.
    await rename(aside, path);
    throw held(model, path, moved as LockInfo | undefined);
  }
  await rm(aside, { force: true });
  note(
    info === undefined
      ? `removed the damaged lock ${path}.`
      : `removed the stale lock ${path} of process ${info.pid} (started ${info.startedAt}), which is no longer running.`,
  );
}

function held(model: string, path: string, info: LockInfo | undefined | 'missing'): TwoStepError {
  const who =
    typeof info === 'object'
      ? `process ${info.pid}${info.host === hostname() ? '' : ` on ${info.host}`} (started ${info.startedAt})`
      : 'another process';
  return new TwoStepError(
    `${model} is being trained by ${who}: its lock is ${path}. Wait for that run to end or stop it, or train to another --model; if no such run is going on, delete ${path}.`,
  );
}

/** The lock's content; 'missing' when there is none, undefined when it is not a lock. */
async function readLock(path: string): Promise<LockInfo | undefined | 'missing'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return 'missing';
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    return Number.isInteger(info?.pid) && typeof info.token === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

/** Removes `.<name>.<pid>.<hex>.tmp` files of this model's outputs whose process is gone. */
async function removeStaleTemporaries(model: string, note: (message: string) => void) {
  const names = new Set(outputsOf(model).map((p) => basename(p)));
  const removed: string[] = [];
  for (const file of (await readdir(dirname(model)).catch(() => [])).sort()) {
    const temp = temporaryOf(file);
    if (!temp || !names.has(temp.name) || temp.pid === process.pid || isAlive(temp.pid)) continue;
    const path = join(dirname(model), file);
    const size = (await stat(path).catch(() => undefined))?.size ?? 0;
    await rm(path, { force: true });
    removed.push(`${file} (${megabytes(size)})`);
  }
  if (removed.length > 0) {
    note(
      `removed ${removed.length} temporary file${removed.length > 1 ? 's' : ''} of saves interrupted earlier, in ${dirname(model)}: ${removed.join(', ')}.`,
    );
  }
}

const megabytes = (bytes: number) =>
  bytes >= 1e5 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.ceil(bytes / 1e3)} kB`;
