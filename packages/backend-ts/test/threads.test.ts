/// <reference types="node" />
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CONTROL_BYTES,
  defaultThreads,
  ThreadPool,
  type ThreadPoolOptions,
  threadSupport,
} from '../src/threads.js';
import { FREE, moduleBytes, sharedMemory } from './threads-module.js';

const module = new WebAssembly.Module(moduleBytes());
const CONTROL = FREE;
const DATA = 4096;
/** mark's spin per unit that makes a chunk take tens of microseconds. */
const SLOW = 100_000;
/** `where` for mark and store: trap in the workers' instances, or in the calling thread's. */
const [WORKERS, CALLER] = [1, 2];

const pools: ThreadPool[] = [];
afterEach(() => {
  for (const pool of pools.splice(0)) pool.close();
});

function makePool(threads: number, options: Partial<ThreadPoolOptions> = {}) {
  const memory = options.memory ?? sharedMemory();
  const pool = new ThreadPool({ module, memory, control: CONTROL, threads, ...options });
  pools.push(pool);
  return { pool, memory };
}

/** mark's record of units [0, units) at `address`: how often each ran, and on which instance. */
function marks(memory: WebAssembly.Memory, units: number, address = DATA) {
  const words = new Int32Array(memory.buffer, address, 2 * units);
  return {
    counts: Array.from({ length: units }, (_, i) => words[2 * i]!),
    ids: new Set(Array.from({ length: units }, (_, i) => words[2 * i + 1]!)),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs slow mark jobs until `want` instances (the caller's and workers') took part; their ids. */
async function awaitWorkers(pool: ThreadPool, memory: WebAssembly.Memory, want = pool.threads) {
  const seen = new Set<number>();
  for (let tries = 0; tries < 500 && seen.size < want; tries++) {
    new Int32Array(memory.buffer, DATA, 128).fill(0);
    pool.run('mark', 64, 1, [DATA, SLOW, 0]);
    for (const id of marks(memory, 64).ids) seen.add(id);
    if (seen.size < want) await sleep(10);
  }
  expect(seen.size).toBe(want);
  return seen;
}

describe('ThreadPool (Node)', () => {
  it('is supported, and defaults to the cores up to 8', () => {
    expect(threadSupport()).toEqual({ available: true });
    expect(defaultThreads()).toBe(Math.min(8, availableParallelism()));
    expect(CONTROL_BYTES).toBe(256);
  });

  it('works right after its constructor, before any worker has started', () => {
    const { pool, memory } = makePool(4);
    pool.run('fill', 1000, 7, [DATA, 0.5]);
    const out = new Float64Array(memory.buffer, DATA, 1000);
    expect(out.every((v, i) => v === i + 0.5)).toBe(true);
  });

  it('runs every unit exactly once, for many units and chunk sizes', async () => {
    const { pool, memory } = makePool(3);
    await awaitWorkers(pool, memory);
    const f64 = new Float64Array(memory.buffer, DATA, 5000);
    const i32 = new Int32Array(memory.buffer, DATA, 10_000);
    for (const units of [0, 1, 2, 3, 7, 64, 100, 1000, 4097])
      for (const chunk of [1, 2, 3, 7, 64, 1000, 5000]) {
        i32.fill(0);
        pool.run('mark', units, chunk, [DATA, 0, 0]);
        const { counts } = marks(memory, units + 1);
        expect(counts.slice(0, units).every((n) => n === 1)).toBe(true);
        expect(counts[units]).toBe(0); // nothing past the end
        f64.fill(-1);
        pool.run('fill', units, chunk, [DATA, units / chunk]);
        expect(f64.every((v, i) => v === (i < units ? units / chunk + i : -1))).toBe(true);
      }
  });

  it('spreads slow chunks over the workers', async () => {
    const { pool, memory } = makePool(3);
    expect([...(await awaitWorkers(pool, memory))].sort()).toEqual([0, 1, 2]);
  });

  it('survives thousands of small consecutive jobs (late workers never use stale args)', async () => {
    const { pool, memory } = makePool(3);
    await awaitWorkers(pool, memory);
    const COUNTS = DATA;
    const FILLS = DATA + 8 * 16;
    const f64 = new Float64Array(memory.buffer, FILLS, 100 * 16);
    const i32 = new Int32Array(memory.buffer, COUNTS, 32);
    i32.fill(0);
    f64.fill(0);
    const expected = Array<number>(16).fill(0);
    const last: number[] = [];
    for (let j = 0; j < 6000; j++) {
      const units = 1 + (j % 13);
      const chunk = 1 + (j % 5);
      if (j % 3 === 0) {
        pool.run('mark', units, chunk, [COUNTS, j % 2, 0]);
        for (let i = 0; i < units; i++) expected[i]!++;
      } else {
        const region = j % 100;
        const value = j * 100 + 0.25;
        pool.run('fill', units, chunk, [FILLS + 128 * region, value]);
        const got = f64.subarray(16 * region, 16 * region + units);
        if (!got.every((v, i) => v === value + i))
          expect.fail(`job ${j}: ${[...got]} instead of ${value} + i`);
        last[region] = j;
      }
    }
    expect(marks(memory, 16, COUNTS).counts).toEqual(expected);
    // Each region still holds its last job's values: no late write from an older job.
    for (const [region, j] of last.entries()) {
      const units = 1 + (j % 13);
      const got = [...f64.subarray(16 * region, 16 * region + units)];
      expect(got).toEqual(got.map((_, i) => j * 100 + 0.25 + i));
    }
  });

  it('runs several pools at once, on one memory and on several', async () => {
    const shared = sharedMemory();
    const setups = [
      makePool(2, { memory: shared, control: CONTROL }),
      makePool(2, { memory: shared, control: CONTROL + CONTROL_BYTES }),
      makePool(3),
    ];
    await Promise.all(setups.slice(2).map(({ pool, memory }) => awaitWorkers(pool, memory)));
    for (let round = 0; round < 300; round++)
      for (const [p, { pool, memory }] of setups.entries()) {
        const address = DATA + p * 8192;
        const units = 50 + round;
        pool.run('fill', units, 16, [address, round]);
        const out = new Float64Array(memory.buffer, address, units);
        if (!out.every((v, i) => v === round + i)) expect.fail(`pool ${p}, round ${round}`);
      }
  });

  it('runs a job of one chunk, or of none, on the calling thread', () => {
    const { pool, memory } = makePool(2);
    new Int32Array(memory.buffer, DATA, 16).fill(-1);
    pool.run('mark', 0, 4, [DATA, 0, 0]);
    expect(marks(memory, 1).counts).toEqual([-1]);
    pool.run('mark', 5, 10, [DATA, 0, 0]);
    expect(marks(memory, 5)).toEqual({ counts: [0, 0, 0, 0, 0], ids: new Set([0]) });
  });

  it('closes idempotently; run() then computes on the calling thread', async () => {
    const { pool, memory } = makePool(3);
    await awaitWorkers(pool, memory);
    pool.close();
    pool.close();
    new Int32Array(memory.buffer, DATA, 128).fill(0);
    pool.run('mark', 64, 1, [DATA, 0, 0]);
    expect(marks(memory, 64)).toEqual({ counts: Array(64).fill(1), ids: new Set([0]) });
  });

  it('rejects bad options and bad jobs with messages that say what to do', () => {
    const memory = sharedMemory();
    const options = { module, memory, control: CONTROL, threads: 2 };
    expect(() => new ThreadPool({ ...options, threads: 1 })).toThrow(/threads is 1; .* ≥ 2/);
    expect(() => new ThreadPool({ ...options, control: 4 })).toThrow(/8-aligned/);
    expect(() => new ThreadPool({ ...options, control: 16 * 65536 - 128 })).toThrow(/256 bytes/);
    expect(
      () => new ThreadPool({ ...options, memory: new WebAssembly.Memory({ initial: 1 }) }),
    ).toThrow(/not shared; create it with .*shared: true/);
    const { pool } = makePool(2);
    expect(() => pool.run('nope', 4, 1, [])).toThrow(
      'ThreadPool.run: the module exports no function "nope"; it exports fill, mark, store, hold, empty.',
    );
    expect(() => pool.run('fill', 4, 1, [DATA])).toThrow(
      /"fill" takes 2 args after \(from, to\), not 1/,
    );
    expect(() => pool.run('fill', -1, 1, [DATA, 0])).toThrow(/units is -1/);
    expect(() => pool.run('fill', 4, 0, [DATA, 0])).toThrow(/chunk is 0/);
  });
});

describe('ThreadPool crashes', () => {
  /** The error run() throws, retrying (up to 200 times) while it returns. */
  function failure(run: () => void): Error {
    for (let tries = 0; tries < 200; tries++) {
      try {
        run();
      } catch (error) {
        return error as Error;
      }
    }
    return expect.fail('run() never threw');
  }

  it('a kernel that traps in a worker makes run() throw, naming kernel, worker and message', async () => {
    const { pool, memory } = makePool(2);
    await awaitWorkers(pool, memory);
    // A worker may sleep through a short job: failure() retries until one took part, and the
    // jobs are long enough (slow units, or many) that the calling thread cannot claim them all
    // before a worker on a busy machine wakes.
    expect(failure(() => pool.run('mark', 64, 1, [DATA, SLOW, WORKERS])).message).toMatch(
      /^ThreadPool\.run: kernel "mark" threw in worker 1: RuntimeError: unreachable\. /,
    );
    expect(failure(() => pool.run('store', 100_000, 1, [-8, WORKERS])).message).toMatch(
      /kernel "store" threw in worker 1: RuntimeError: memory access out of bounds/,
    );
    pool.run('fill', 100, 10, [DATA, 1]); // the pool still works
    expect(new Float64Array(memory.buffer, DATA, 100).every((v, i) => v === i + 1)).toBe(true);
  });

  it('a kernel that traps on the calling thread throws too, once every chunk finished', async () => {
    const { pool, memory } = makePool(3);
    await awaitWorkers(pool, memory);
    const error = failure(() => {
      new Int32Array(memory.buffer, DATA, 128).fill(0);
      pool.run('mark', 64, 1, [DATA, SLOW, CALLER]);
    });
    expect(error.message).toMatch(/kernel "mark" threw on the calling thread: RuntimeError/);
    expect(error.cause).toBeInstanceOf(WebAssembly.RuntimeError);
    // mark counts a unit after its slow loop: a chunk still running would show a 0.
    expect(marks(memory, 64).counts).toEqual(Array(64).fill(1));
    pool.close();
    expect(() => pool.run('mark', 8, 2, [DATA, 0, CALLER])).toThrow(/threw on the calling thread/);
  });

  it('a worker that exits holding a chunk makes run() throw after timeoutMs and closes the pool', async () => {
    const { pool, memory } = makePool(3, { timeoutMs: 300 });
    await awaitWorkers(pool, memory);
    pool._exitOnClaim(1);
    const started = performance.now();
    expect(failure(() => pool.run('mark', 64, 1, [DATA, SLOW, 0])).message).toMatch(
      /a worker stopped responding .* kernel "mark": none finished in 300 ms\. The pool is closed/,
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    new Int32Array(memory.buffer, DATA, 128).fill(0);
    pool.run('mark', 64, 1, [DATA, 0, 0]);
    expect(marks(memory, 64)).toEqual({ counts: Array(64).fill(1), ids: new Set([0]) });
  });

  it('a worker stuck in a kernel makes run() throw after timeoutMs and closes the pool', async () => {
    const { pool, memory } = makePool(2, { timeoutMs: 200 });
    await awaitWorkers(pool, memory);
    try {
      // The caller's chunks return at once, but 100,000 of them take long enough for the worker to
      // claim one (failure() retries anyway).
      expect(failure(() => pool.run('hold', 100_000, 1, [DATA - 8])).message).toMatch(
        /stopped responding/,
      );
    } finally {
      Atomics.store(new Int32Array(memory.buffer, DATA - 8, 1), 0, 1);
    }
    new Int32Array(memory.buffer, DATA, 128).fill(0);
    pool.run('mark', 64, 1, [DATA, 0, 0]);
    expect(marks(memory, 64).ids).toEqual(new Set([0]));
  });

  it('a worker that dies between jobs costs nothing: the others and the caller do its chunks', async () => {
    const { pool, memory } = makePool(3, { timeoutMs: 300 });
    await awaitWorkers(pool, memory);
    await pool._terminate(1);
    for (let j = 0; j < 300; j++) {
      new Int32Array(memory.buffer, DATA, 128).fill(0);
      pool.run('mark', 64, 1, [DATA, j % 10 === 0 ? SLOW : 0, 0]);
      expect(marks(memory, 64).counts).toEqual(Array(64).fill(1));
    }
    await awaitWorkers(pool, memory, 2); // the caller and the surviving worker
  });
});

describe('ThreadPool and process exit', () => {
  it('a process that never calls close() exits promptly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twostep-threads-'));
    try {
      const source = readFileSync(new URL('../src/threads.ts', import.meta.url), 'utf8');
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      });
      writeFileSync(join(dir, 'threads.mjs'), outputText);
      writeFileSync(join(dir, 'kernels.wasm'), moduleBytes());
      writeFileSync(
        join(dir, 'main.mjs'),
        `import { readFileSync } from 'node:fs';
import { ThreadPool } from './threads.mjs';
const module = new WebAssembly.Module(readFileSync(new URL('./kernels.wasm', import.meta.url)));
const memory = new WebAssembly.Memory({ initial: 16, maximum: 16, shared: true });
const pool = new ThreadPool({ module, memory, control: ${CONTROL}, threads: 3 });
const ids = new Int32Array(memory.buffer, ${DATA}, 128);
for (let tries = 0; !ids.some((id, i) => i % 2 === 1 && id !== 0); tries++) {
  if (tries === 500) throw new Error('no worker ran a chunk');
  pool.run('mark', 64, 1, [${DATA}, ${SLOW}, 0]);
  await new Promise((resolve) => setTimeout(resolve, 10));
}
console.log('workers ran chunks; exiting without close()');
`,
      );
      // Workers that are not unref'd keep the process up for good: killed at the timeout, it
      // fails here. (No bound on the time itself: a loaded machine may take seconds to start.)
      const child = spawnSync(process.execPath, [join(dir, 'main.mjs')], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(child.error).toBeUndefined();
      expect(child.stderr).toBe('');
      expect(child.stdout).toBe('workers ran chunks; exiting without close()\n');
      expect(child.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
