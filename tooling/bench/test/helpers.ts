/** Runs as the CLI collects them, for the report and target tests. */
import type { Result, WorkloadName } from '../src/protocol.js';
import type { Run } from '../src/report.js';

/** A run that returned `result` (with 100 MB peak RSS). */
export const ok = (
  trainer: string,
  workload: WorkloadName,
  repetition: number,
  result: Partial<Result>,
): Run => ({
  trainer,
  workload,
  repetition,
  status: 'ok',
  seconds: 1,
  result: { trainer, workload, peakRss: 100 * 2 ** 20, ...result },
});

/** W1 runs of `trainer`, one per speed, with accuracies 0.9 (or `accuracy1`) and 0.95. */
export const w1 = (trainer: string, speeds: number[], accuracy1 = 0.9): Run[] =>
  speeds.map((samplesPerSecond, i) =>
    ok(trainer, 'W1', i + 1, { samplesPerSecond, accuracy1, accuracyLast: 0.95 }),
  );

/** A run whose worker exited without a Result. */
export const notRun = (
  trainer: string,
  workload: WorkloadName,
  status: Run['status'],
  error = 'e',
): Run => ({ trainer, workload, repetition: 1, status, seconds: 1, error });
