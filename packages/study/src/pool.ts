/**
 * A study on this machine: its runs not yet recorded, one per worker thread of a local pool
 * (piscina), every core by default; each record is stored as its run ends.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@twostep/core';
import { Piscina } from 'piscina';
import { expand, type Run } from './grid.js';
import type { RunRecord } from './run.js';
import type { Spec } from './spec.js';
import type { RecordStore } from './store.js';

/** The worker's built module: from `src/` (tests) and from `dist/` alike. */
const WORKER = fileURLToPath(new URL('../dist/worker.js', import.meta.url));

/** Where a study stands after a run ends. */
export interface Progress {
  /** The run that ended and its record. */
  readonly record: RunRecord;
  /** Runs recorded by this call so far, and the runs it had to do. */
  readonly done: number;
  readonly total: number;
  /** Runs of the spec recorded before this call (skipped). */
  readonly skipped: number;
  /** Seconds since the study started, and the estimate of those left. */
  readonly elapsed: number;
  readonly remaining: number;
}

export interface StudyOptions {
  /** Where records are read and added. */
  readonly store: RecordStore;
  /** Worker threads, one run each (default: every core). */
  readonly workers?: number;
  readonly onProgress?: (progress: Progress) => void;
  /** Stops the study (the pool is destroyed): runs in flight are abandoned, what was recorded stays. */
  readonly signal?: AbortSignal;
}

export interface StudySummary {
  /** The spec's runs, those found recorded, and those this call recorded. */
  readonly runs: number;
  readonly skipped: number;
  readonly recorded: number;
  readonly seconds: number;
}

/**
 * A pool of `workers` worker threads (default: every core) that each run one run at a time:
 * `pool.run(run)` resolves to its record. The caller destroys it.
 */
export function createPool(workers = availableParallelism()): Piscina<Run, RunRecord> {
  if (!Number.isInteger(workers) || workers < 1) {
    throw new ConfigError(
      `workers must be a positive integer, got ${String(workers)}; 1 runs one run at a time.`,
    );
  }
  if (!existsSync(WORKER)) {
    throw new ConfigError(`${WORKER} is missing: build @twostep/study first (pnpm build).`);
  }
  return new Piscina<Run, RunRecord>({
    filename: WORKER,
    minThreads: workers,
    maxThreads: workers,
    concurrentTasksPerWorker: 1,
    // The workers run the built package as published, whatever flags started this process (a
    // test runner's `--conditions` would point them at TypeScript sources).
    execArgv: [],
  });
}

/** The runs of `spec` that `store` has no record of, in the spec's order. */
export async function pendingRuns(spec: Spec, store: RecordStore): Promise<Run[]> {
  const done = new Set((await store.records()).map((r) => r.id));
  return expand(spec).filter((run) => !done.has(run.id));
}

/**
 * Runs every run of `spec` not in `options.store` on a pool of worker threads and adds each
 * record as its run ends: a study stopped (signal, Ctrl-C, a crash) and started again runs
 * only what is missing, and never a recorded run twice.
 */
export async function runStudy(spec: Spec, options: StudyOptions): Promise<StudySummary> {
  const { store, signal } = options;
  const pool = createPool(options.workers);
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const abort = () => void pool.destroy();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    signal?.throwIfAborted();
    const runs = expand(spec).length;
    const pending = await pendingRuns(spec, store);
    let done = 0;
    await Promise.all(
      pending.map(async (run) => {
        const record = await pool.run(run);
        if (!(await store.add(record))) return;
        done++;
        const seconds = elapsed();
        options.onProgress?.({
          record,
          done,
          total: pending.length,
          skipped: runs - pending.length,
          elapsed: seconds,
          remaining: (seconds / done) * (pending.length - done),
        });
      }),
    );
    return { runs, skipped: runs - pending.length, recorded: done, seconds: elapsed() };
  } finally {
    signal?.removeEventListener('abort', abort);
    await pool.destroy();
  }
}
