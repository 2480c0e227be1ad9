/**
 * The ts backend's threads in the app: `--threads`, `threads` in the config file and
 * TWOSTEP_THREADS reach the backend (and nothing reaches it without them: its default), the
 * header says how many threads the backend uses, the run record keeps them, and every command
 * closes the backend's threads when it ends.
 *
 * The tests in "on the ts backend's own threads" need @twostep/backend-ts with threads
 * (`backend.threads`, `close()`); the others hold with any backend.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as ts from '@twostep/backend-ts';
import { type BackendOptions, defineBackends } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { USAGE } from '../src/command-line.js';
import { textReporter, threadsText } from '../src/progress.js';
import { checkRunRecord, type RunRecord } from '../src/record.js';
import { renderReport } from '../src/report-html.js';
import { runTraining } from '../src/train.js';
import { EVALUATE_USAGE, PREDICT_USAGE } from '../src/use.js';
import { run, SMALL, tempDir } from './helpers.js';
import { fixture } from './report-helpers.js';

/** A quick training run: a narrow network, one epoch. */
const QUICK = ['--architecture', 'A[784,16,10]', '--epochs', '1'];

/**
 * The ts backend, recording the options each backend is created with and counting the closes
 * (a close of its own, around the backend's).
 */
function spiedTs() {
  const created: BackendOptions[] = [];
  let closed = 0;
  const backends = defineBackends({
    ts: async () => ({
      descriptor: {
        ...ts.descriptor,
        create: (options: BackendOptions = {}) => {
          created.push(options);
          const backend = ts.descriptor.create(options);
          const own = (backend as { close?: () => void }).close;
          Object.defineProperty(backend, 'close', {
            value: () => {
              closed++;
              own?.call(backend);
            },
          });
          return backend;
        },
      },
    }),
  });
  return { backends, created, closed: () => closed };
}

describe('--threads, threads and TWOSTEP_THREADS', () => {
  it('reach the ts backend on every command that computes; without them, none is passed', async () => {
    const spy = spiedTs();
    const cwd = await tempDir();
    const ok = async (args: string[], env: Record<string, string> = {}) => {
      const { code, stderr } = await run(args, { cwd, env, backends: spy.backends });
      expect([code, stderr], args.join(' ')).toEqual([0, '']);
      return spy.created.at(-1);
    };
    // The backend's default: all cores, at most 8.
    expect(await ok(['train', ...QUICK])).toEqual({});
    expect(await ok(['train', ...QUICK, '--threads', '3'])).toEqual({ threads: 3 });
    expect(await ok(['train', ...QUICK, '--threads', '1', '--dtype', 'float64'])).toEqual({
      dtype: 'float64',
      threads: 1,
    });
    expect(await ok(['train', ...QUICK], { TWOSTEP_THREADS: '2' })).toEqual({ threads: 2 });
    expect(await ok(['evaluate', '--threads', '2'])).toEqual({ threads: 2 });
    expect(await ok(['evaluate'], { TWOSTEP_THREADS: '1' })).toEqual({ threads: 1 });
    expect(await ok(['predict', '--index', '0', '--threads', '1'])).toEqual({ threads: 1 });
    expect(await ok(['predict', '--index', '0', '--threads', 'default'])).toEqual({});
  });

  it('a bad value names the command and the flag; threads with another backend is refused', async () => {
    const { stderr } = await run(['evaluate', '--threads', 'two']);
    expect(stderr).toBe(
      `error: evaluate: --threads: "two" is not a number of threads: use an integer ≥ 1 (threads in all, counting the main one), or default (the machine's cores, at most 8).`,
    );
    const other = await run(['predict', '--index', '0', '--backend', 'tfjs-cpu', '--threads', '2']);
    expect(other.stderr).toBe(
      'error: threads: 2 is a setting of the ts backend, and the backend is tfjs-cpu (which sets its own threads); leave threads at default (drop --threads, TWOSTEP_THREADS or "threads" in twostep.config.json), or use --backend ts.',
    );
    const train = await run(['--backend', 'tfjs-wasm', '--threads', '2', ...QUICK]);
    expect([train.code, train.stdout]).toEqual([1, []]);
    expect(train.stderr).toContain('error: threads: 2 is a setting of the ts backend');
  });

  it('are in the usage of train, evaluate and predict', () => {
    for (const usage of [USAGE, EVALUATE_USAGE, PREDICT_USAGE]) {
      expect(usage).toMatch(/--threads <n> +threads of the ts backend, counting the main one/);
      expect(usage).toContain('(env TWOSTEP_THREADS)');
    }
  });
});

describe('closing the backend', () => {
  it('every command closes the backend it computed on when it ends, also when it fails', async () => {
    const spy = spiedTs();
    const cwd = await tempDir();
    const io = { cwd, backends: spy.backends };
    const train = ['train', ...QUICK, '--dtype', 'float64', '--checkpoint-every', '1'];
    expect((await run(train, io)).code).toBe(0);
    expect((await run(['evaluate'], io)).code).toBe(0);
    expect((await run(['predict', '--index', '1,2'], io)).code).toBe(0);
    expect((await run(['backends'], io)).code).toBe(0);
    // Refused once the backend says which dtype is its default: the checkpoint ran float64.
    const resumed = await run(['train', ...QUICK, '--epochs', '2', '--resume'], io);
    expect(resumed.stderr).toContain('was trained with dtype "float64", not "float32"');
    const diverged = await run(
      ['train', ...QUICK, '--optimizer', 'sgd', '--learning-rate', '1e30', '--model', 'd.json'],
      io,
    );
    expect(diverged.stderr).toMatch(/^error: Training diverged in epoch 1/);
    expect(spy.created).toHaveLength(6);
    expect(spy.closed()).toBe(6);
  });
});

describe('the header', () => {
  const start = {
    type: 'start',
    backend: 'ts',
    dtype: 'float32',
    architecture: 'A[784,128,10]',
    activation: 'relu',
    loss: 'softmaxCrossEntropy',
    optimizer: 'momentum (learning rate 0.05)',
    mode: 'global',
    batchSize: 32,
    trainSize: 8000,
    testSize: 2000,
    initialEpoch: 0,
    epochs: 12,
  } as const;
  const header = (event: object) => {
    const lines: string[] = [];
    textReporter((l) => lines.push(l), [], '/')({ ...start, ...event });
    return lines[1];
  };

  it('says how many threads the backend computes on, when it counts them', () => {
    expect(header({ threads: 2 })).toBe(
      'backend ts (float32, 2 threads), softmaxCrossEntropy, momentum (learning rate 0.05), global mode, batch 32',
    );
    expect(header({ threads: 1, dtype: 'float64' })).toMatch(/^backend ts \(float64, 1 thread\), /);
    // The tfjs backends do not count theirs.
    expect(header({ backend: 'tfjs-wasm' })).toMatch(/^backend tfjs-wasm \(float32\), /);
  });

  it('the run record keeps the threads, and the report shows them', () => {
    const record: RunRecord = {
      ...fixture(),
      backend: { name: 'ts', dtype: 'float32', threads: 2 },
    };
    expect(checkRunRecord(JSON.parse(JSON.stringify(record)), 'run.json')).toEqual(record);
    const html = renderReport(record);
    expect(html).toContain('ts (float32, 2 threads)');
    expect(html).toContain('float32 · 2 threads');
    expect(() =>
      checkRunRecord({ ...record, backend: { ...record.backend, threads: 0 } }, 'run.json'),
    ).toThrow(
      'the run record run.json is not valid: backend.threads must be an integer ≥ 1; it is 0.',
    );
    // Records of runs on backends that do not count their threads, or of older runs.
    expect(renderReport(fixture())).toContain('ts (float32)');
  });
});

describe('on the ts backend’s own threads', () => {
  /** The backend's default: the machine's cores, at most 8. */
  const cores = ts.defaultThreads();

  it('train and evaluate say how many threads the backend uses: the cores by default, or --threads', async () => {
    expect(cores).toBe(Math.min(8, availableParallelism()));
    const { stdout, cwd } = await run(['train', ...QUICK]);
    expect(stdout[1]).toMatch(
      new RegExp(`^backend ts \\(float32, ${threadsText(cores)}\\), softmaxCrossEntropy, `),
    );
    const one = await run(['train', ...QUICK, '--threads', '1'], { cwd });
    expect(one.stdout[1]).toMatch(/^backend ts \(float32, 1 thread\), /);
    const run2 = JSON.parse(await readFile(join(cwd, 'models', 'mnist.run.json'), 'utf8'));
    expect(run2.backend).toEqual({ name: 'ts', dtype: 'float32', threads: 1 });
    const json = await run(['train', ...QUICK, '--threads', '2', '--json'], { cwd });
    expect(JSON.parse(json.stdout[0]!)).toMatchObject({ type: 'start', backend: 'ts', threads: 2 });
    const evaluated = await run(['evaluate', '--threads', '2'], { cwd });
    expect(evaluated.stdout[0]).toBe(
      `${join(cwd, 'models', 'mnist.json')} on 2000 test digits (ts, float32, 2 threads)`,
    );
  });

  it('the model does not depend on the threads: a run resumed on other threads is the same file', async () => {
    const dir = await tempDir();
    const config = { ...SMALL, architecture: 'A[784,64,10]', batchSize: 100, epochs: 3 };
    const whole = join(dir, 'whole.json');
    await runTraining({ ...config, threads: 2, model: whole });
    const one = join(dir, 'one.json');
    await runTraining({ ...config, threads: 1, model: one });
    expect(await readFile(one, 'utf8')).toBe(await readFile(whole, 'utf8'));
    const parts = join(dir, 'parts.json');
    await runTraining({ ...config, threads: 2, epochs: 1, checkpointEvery: 1, model: parts });
    await runTraining({ ...config, threads: 1, model: parts }, { resume: true });
    expect(await readFile(parts, 'utf8')).toBe(await readFile(whole, 'utf8'));
  });
});
