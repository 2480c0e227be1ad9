import { afterEach, describe, expect, it } from 'vitest';
import { ThreadPool, threadSupport } from '../src/threads.js';
import { FREE, moduleBytes, sharedMemory } from './threads-module.js';

// The chromium project serves its pages cross-origin isolated (see vitest.config.ts). The tests
// run on the page's main thread, where Atomics.wait throws: the pool polls there instead.
const module = new WebAssembly.Module(moduleBytes());
const CONTROL = FREE;
const DATA = 4096;
const SLOW = 100_000;

const pools: ThreadPool[] = [];
afterEach(() => {
  for (const pool of pools.splice(0)) pool.close();
});

function makePool(threads: number, timeoutMs?: number) {
  const memory = sharedMemory();
  const pool = new ThreadPool({ module, memory, control: CONTROL, threads, timeoutMs });
  pools.push(pool);
  return { pool, memory };
}

/** mark's record of units [0, units): how often each ran, and on which instances. */
function marks(memory: WebAssembly.Memory, units: number) {
  const words = new Int32Array(memory.buffer, DATA, 2 * units);
  return {
    counts: Array.from({ length: units }, (_, i) => words[2 * i]!),
    ids: new Set(Array.from({ length: units }, (_, i) => words[2 * i + 1]!)),
  };
}

/** Yields to the event loop (so workers start) and runs slow jobs until every thread took part. */
async function awaitWorkers(pool: ThreadPool, memory: WebAssembly.Memory) {
  const seen = new Set<number>();
  for (let tries = 0; tries < 500 && seen.size < pool.threads; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    new Int32Array(memory.buffer, DATA, 128).fill(0);
    pool.run('mark', 64, 1, [DATA, SLOW, 0]);
    for (const id of marks(memory, 64).ids) seen.add(id);
  }
  return seen;
}

describe('ThreadPool (Chromium, main thread)', () => {
  it('the page is cross-origin isolated, and the main thread may not block', () => {
    expect(crossOriginIsolated).toBe(true);
    expect(threadSupport()).toEqual({ available: true });
    expect(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0)).toThrow();
  });

  it('works right after its constructor: the workers have not started, the caller does it all', () => {
    const { pool, memory } = makePool(3);
    new Int32Array(memory.buffer, DATA, 2000).fill(0);
    pool.run('mark', 1000, 7, [DATA, 0, 0]);
    expect(marks(memory, 1000)).toEqual({ counts: Array(1000).fill(1), ids: new Set([0]) });
  });

  it('runs chunks on the workers once they started', async () => {
    const { pool, memory } = makePool(3);
    expect([...(await awaitWorkers(pool, memory))].sort()).toEqual([0, 1, 2]);
  });

  it('runs every unit exactly once, for many units and chunk sizes and many small jobs', async () => {
    const { pool, memory } = makePool(2);
    expect((await awaitWorkers(pool, memory)).size).toBe(2);
    const f64 = new Float64Array(memory.buffer, DATA, 5000);
    for (const units of [0, 1, 3, 64, 1000, 4097])
      for (const chunk of [1, 3, 64, 5000]) {
        f64.fill(-1);
        pool.run('fill', units, chunk, [DATA, units / chunk]);
        expect(f64.every((v, i) => v === (i < units ? units / chunk + i : -1))).toBe(true);
      }
    for (let j = 0; j < 3000; j++) {
      const units = 1 + (j % 13);
      pool.run('fill', units, 1 + (j % 5), [DATA, j]);
      if (!f64.subarray(0, units).every((v, i) => v === j + i)) expect.fail(`job ${j}`);
    }
  });

  it('a kernel that traps in a worker makes run() throw, naming kernel, worker and message', async () => {
    const { pool, memory } = makePool(2);
    expect((await awaitWorkers(pool, memory)).size).toBe(2);
    // mark traps in the workers (where = 1); retried until the worker took part. Slow units,
    // or the calling thread can claim all 64 before a worker that went to sleep wakes.
    expect(() => {
      for (let tries = 0; tries < 100; tries++) pool.run('mark', 64, 1, [DATA, SLOW, 1]);
    }).toThrow(/kernel "mark" threw in worker 1: RuntimeError: unreachable/);
    pool.run('fill', 100, 10, [DATA, 1]);
    expect(new Float64Array(memory.buffer, DATA, 100).every((v, i) => v === i + 1)).toBe(true);
  });

  it('a worker stuck in a kernel makes run() throw after timeoutMs; then the caller computes', async () => {
    const { pool, memory } = makePool(2, 200);
    expect((await awaitWorkers(pool, memory)).size).toBe(2);
    try {
      expect(() => {
        for (let tries = 0; tries < 100; tries++) pool.run('hold', 100_000, 1, [DATA - 8]);
      }).toThrow(/stopped responding .* The pool is closed/);
    } finally {
      Atomics.store(new Int32Array(memory.buffer, DATA - 8, 1), 0, 1);
    }
    new Int32Array(memory.buffer, DATA, 128).fill(0);
    pool.run('mark', 64, 1, [DATA, 0, 0]);
    expect(marks(memory, 64)).toEqual({ counts: Array(64).fill(1), ids: new Set([0]) });
  });
});
