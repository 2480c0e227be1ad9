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
 * A pool of worker threads that each run one run at a time: `run(run)` resolves to its record.
 * The caller destroys it; the runs in flight are then thrown away (rejected).
 */
export class RunPool extends Piscina<Run, RunRecord> {
  #destroyed = false;

  constructor(threads: number) {
    super({
      filename: WORKER,
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: 1,
      // The workers run the built package as published, whatever flags started this process (a
      // test runner's `--conditions` would point them at TypeScript sources).
      execArgv: [],
    });
    // Piscina emits 'error' for a thread that fails between runs, and for a run's result that
    // arrives from a thread destroy() has just ended ("Unexpected message from Worker"): the
    // first is thrown as before; the second is a run thrown away on purpose (a study stopped
    // mid-run), not an error.
    this.on('error', (error: unknown) => {
      if (!this.#destroyed) throw error;
    });
  }

  override destroy(): Promise<void> {
    this.#destroyed = true;
    return super.destroy();
  }
}

/** A pool of `workers` worker threads (default: every core); see RunPool. */
export function createPool(workers = availableParallelism()): RunPool {
  if (!Number.isInteger(workers) || workers < 1) {
    throw new ConfigError(
      `workers must be a positive integer, got ${String(workers)}; 1 runs one run at a time.`,
    );
  }
  if (!existsSync(WORKER)) {
    throw new ConfigError(`${WORKER} is missing: build @twostep/study first (pnpm build).`);
  }
  return new RunPool(workers);
}

/** The runs of `spec` (given, when already expanded) that `store` has no record of, in order. */
export async function pendingRuns(
  spec: Spec,
  store: RecordStore,
  runs: readonly Run[] = expand(spec),
): Promise<Run[]> {
  const done = new Set((await store.records()).map((r) => r.id));
  return runs.filter((run) => !done.has(run.id));
}

/**
 * The clock of a study that has `total` runs to do and found `skipped` done: `next(record)`
 * counts a run as recorded and gives the Progress to report, `seconds()` the time so far.
 */
export function progressClock(total: number, skipped: number) {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  let done = 0;
  return {
    seconds,
    done: () => done,
    next(record: RunRecord): Progress {
      done++;
      const elapsed = seconds();
      return {
        record,
        done,
        total,
        skipped,
        elapsed,
        remaining: (elapsed / done) * (total - done),
      };
    },
  };
}

/**
 * Runs every run of `spec` not in `options.store` on a pool of worker threads and adds each
 * record as its run ends: a study stopped (signal, Ctrl-C, a crash) and started again runs
 * only what is missing, and never a recorded run twice.
 */
export async function runStudy(spec: Spec, options: StudyOptions): Promise<StudySummary> {
  const { store, signal } = options;
  const pool = createPool(options.workers);
  const abort = () => void pool.destroy();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    signal?.throwIfAborted();
    const runs = expand(spec);
    const pending = await pendingRuns(spec, store, runs);
    const skipped = runs.length - pending.length;
    const clock = progressClock(pending.length, skipped);
    await Promise.all(
      pending.map(async (run) => {
        const record = await pool.run(run);
        if (!(await store.add(record))) return;
        const progress = clock.next(record); // counts the run, reported or not
        options.onProgress?.(progress);
      }),
    );
    return { runs: runs.length, skipped, recorded: clock.done(), seconds: clock.seconds() };
  } finally {
    signal?.removeEventListener('abort', abort);
    await pool.destroy();
  }
}
