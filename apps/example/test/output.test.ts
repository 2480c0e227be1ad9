/** Training's output is safe: checked before training, locked for the run, no leftovers. */
import { spawn } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TwoStepError } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import type { TrainEvent } from '../src/progress.js';
import { runTraining } from '../src/train.js';
import { SMALL, tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const QUICK = { architecture: 'A[784,16,10]', trainSize: 200, testSize: 100, epochs: 1 };
const config = { ...SMALL, ...QUICK };

/** Runs `twostep …args` in `cwd`, in this process. */
async function run(args: string[], cwd: string) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(args, {
    env: {},
    cwd,
    stdout: (l) => stdout.push(l),
    stderr: (l) => stderr.push(l),
  });
  return { code, stdout, stderr: stderr.join('\n') };
}

/** Runs the built CLI; as root, as the user nobody, whom file modes do bind. */
function runBuilt(args: string[], cwd: string, onLine?: (line: string, kill: () => void) => void) {
  const asRoot = process.getuid?.() === 0;
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH },
    ...(asRoot && { uid: 65534, gid: 65534 }),
  });
  let stdout = '';
  let stderr = '';
  // One Ctrl-C: later output still matches, and a second SIGINT would end the process at once.
  let interrupted = false;
  const interrupt = () => {
    if (!interrupted) child.kill('SIGINT');
    interrupted = true;
  };
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
    onLine?.(stdout, interrupt);
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
    child.once('exit', (code) => done({ code, stdout, stderr })),
  );
}

/** A folder the built CLI can read and, but for `readOnly`, write. */
async function sharedDir() {
  const dir = await tempDir();
  await chmod(dir, 0o777);
  await writeFile(join(dir, 'twostep.config.json'), JSON.stringify(QUICK));
  return dir;
}

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((done) => child.once('exit', done));
  return child.pid!;
}

describe('the model path is checked before training', () => {
  it('refuses --model that is the config file, or a temporary file of a save', async () => {
    const dir = await tempDir();
    const text = JSON.stringify(QUICK);
    await writeFile(join(dir, 'twostep.config.json'), text);
    const same = await run(['train', '--model', 'twostep.config.json'], dir);
    expect(same.code).toBe(1);
    expect(same.stderr).toBe(
      `error: --model ${join(dir, 'twostep.config.json')}: training would overwrite the config file ${join(dir, 'twostep.config.json')} with the model; pass a --model of its own, such as models/mnist.json.`,
    );
    expect(await readFile(join(dir, 'twostep.config.json'), 'utf8')).toBe(text);
    const temp = await run(['train', '--model', '.m.json.123.0a1b2c3d.tmp'], dir);
    expect(temp.stderr).toMatch(/is the temporary file of a save, not a model/);
    expect(await readdir(dir)).toEqual(['twostep.config.json']);
  });

  it('a read-only folder fails at once with the real reason (EACCES), before training', async () => {
    const dir = await sharedDir();
    await mkdir(join(dir, 'ro'), { mode: 0o555 });
    await chmod(join(dir, 'ro'), 0o555);
    const here = await runBuilt(['train', '--model', 'ro/m.json'], dir);
    expect(here.code).toBe(1);
    expect(here.stdout).toBe('');
    expect(here.stderr.trim()).toBe(
      `error: cannot write the model to ${join(dir, 'ro/m.json')}: its folder ${join(dir, 'ro')} is not writable (EACCES: cannot create m.json.lock); choose a --model in a folder you can write, or make the folder writable.`,
    );
    const below = await runBuilt(['train', '--model', 'ro/sub/m.json'], dir);
    expect(below.stdout).toBe('');
    expect(below.stderr.trim()).toBe(
      `error: cannot write the model to ${join(dir, 'ro/sub/m.json')}: the folder ${join(dir, 'ro/sub')} cannot be created (EACCES); choose a --model in a folder you can write, or create it yourself.`,
    );
  });
});

describe('one run per model path', () => {
  it('a second run on the same model refuses while the first holds the lock', async () => {
    const dir = await tempDir();
    const model = join(dir, 'm.json');
    const results = await Promise.allSettled([
      runTraining({ ...config, model }),
      runTraining({ ...config, model }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const error = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(TwoStepError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${model} is being trained by process ${process.pid} \\(started \\d{4}-.*Z\\): its lock is ${model}\\.lock\\. Wait for that run to end or stop it, or train to another --model; if no such run is going on, delete ${model}\\.lock\\.$`,
      ),
    );
    expect((await readdir(dir)).sort()).toEqual(['m.json', 'm.run.json']);
  });

  it('a lock whose process is gone is replaced with a note; a live one refuses', async () => {
    const dir = await tempDir();
    const model = join(dir, 'm.json');
    const pid = await deadPid();
    const lock = { pid, startedAt: '2024-01-01T00:00:00.000Z', host: hostname(), token: 'x' };
    await writeFile(`${model}.lock`, JSON.stringify(lock));
    const events: TrainEvent[] = [];
    await runTraining({ ...config, model }, { onEvent: (e) => events.push(e) });
    expect(events[0]).toEqual({
      type: 'note',
      message: `removed the stale lock ${model}.lock of process ${pid} (started 2024-01-01T00:00:00.000Z), which is no longer running.`,
    });
    expect((await readdir(dir)).sort()).toEqual(['m.json', 'm.run.json']);

    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      await writeFile(`${model}.lock`, JSON.stringify({ ...lock, pid: live.pid }));
      await expect(runTraining({ ...config, model })).rejects.toThrow(
        `is being trained by process ${live.pid} (started 2024-01-01T00:00:00.000Z)`,
      );
    } finally {
      live.kill();
    }
  });

  it('the lock is released on error and when stopped', async () => {
    const dir = await tempDir();
    const model = join(dir, 'm.json');
    await expect(runTraining({ ...config, model }, { resume: true })).rejects.toThrow('ENOENT');
    expect(await readdir(dir)).toEqual([]);
    const signal = AbortSignal.timeout(50);
    await expect(runTraining({ ...config, epochs: 1000, model }, { signal })).rejects.toThrow();
    expect(await readdir(dir)).toEqual([]);
  });

  it('Ctrl-C (SIGINT) on the CLI releases the lock', async () => {
    const dir = await sharedDir();
    const { code, stderr } = await runBuilt(
      ['train', '--epochs', '1000', '--model', 'm.json'],
      dir,
      (out, kill) => {
        if (/epoch +1\//.test(out)) kill();
      },
    );
    expect(stderr.trim()).toBe('error: interrupted; the model was not written.');
    expect(code).toBe(1);
    expect(await readdir(dir)).toEqual(['twostep.config.json']);
  });
});

describe('temporary files of killed saves', () => {
  it('are removed at the next run when their process is gone, and only those', async () => {
    const dir = await tempDir();
    const model = join(dir, 'm.json');
    const pid = await deadPid();
    const stale = [`.m.json.${pid}.0a1b2c3d.tmp`, `.m.checkpoint.json.${pid}.deadbeef.tmp`];
    const kept = [
      `.m.json.${process.pid}.01234567.tmp`, // a save of a live process
      `.other.json.${pid}.01234567.tmp`, // another model's
      `.m.json.${pid}.tmp`, // not the pattern
      'notes.tmp',
    ];
    await writeFile(join(dir, stale[0]!), 'x'.repeat(6_800_000));
    for (const name of [stale[1]!, ...kept]) await writeFile(join(dir, name), 'x');
    const events: TrainEvent[] = [];
    await runTraining({ ...config, model }, { onEvent: (e) => events.push(e) });
    expect(events[0]).toEqual({
      type: 'note',
      message: `removed 2 temporary files of saves interrupted earlier, in ${dir}: ${stale[1]} (1 kB), ${stale[0]} (6.8 MB).`,
    });
    expect((await readdir(dir)).sort()).toEqual(['m.json', 'm.run.json', ...kept].sort());
  });
});
