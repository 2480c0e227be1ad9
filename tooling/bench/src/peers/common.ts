/** What the peer trainers share: the Result's extra fields, timing, and the data as flat arrays. */
import { argmax } from '@twostep/datasets';
import type { Result, Workload } from '../protocol.js';

/** A peer's Result; `note` says what the peer does differently, or why a workload does not apply. */
export interface PeerResult extends Result {
  readonly note?: string;
}

/** The most memory this process has held, in bytes (every trainer reports it). */
export const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

/**
 * Throughput of `w`'s timed epochs, which took `seconds` in `stepsPerEpoch` optimizer steps
 * each (one per mini-batch unless the trainer steps per sample).
 */
export const speed = (
  w: Workload,
  seconds: number,
  stepsPerEpoch = Math.ceil(w.trainSize / w.batchSize),
): Pick<Result, 'samplesPerSecond' | 'stepMs'> => ({
  samplesPerSecond: (w.trainSize * w.epochs) / seconds,
  stepMs: (seconds * 1000) / (stepsPerEpoch * w.epochs),
});

/**
 * Test accuracy after the warm-up epoch and after the last (1 + epochs), as a Result's fields:
 * only those the workload measures (a test set; a last epoch after the first).
 */
export async function accuracies(
  w: Workload,
  accuracy1: number | undefined,
  accuracy: () => number | undefined | Promise<number | undefined>,
): Promise<Pick<Result, 'accuracy1' | 'accuracyLast'>> {
  if (w.testSize === 0 || accuracy1 === undefined) return {};
  return w.epochs > 0 ? { accuracy1, accuracyLast: await accuracy() } : { accuracy1 };
}

/**
 * A peer that is not on this machine and not an npm package (PyTorch): its runs are skipped,
 * not failed (the worker exits with EXIT_SKIPPED and prints the message, one line that says
 * how to get it).
 */
export class PeerUnavailableError extends Error {
  override readonly name = 'PeerUnavailableError';
}

/** The Result of a peer that cannot run `w`: no measurement, only the reason. */
export const notApplicable = (trainer: string, w: Workload, note: string): PeerResult => ({
  trainer,
  workload: w.name,
  note,
  peakRss: peakRss(),
});

/** Samples as one row-major n × width Float32Array (what tensors are built from). */
export function flatten(rows: readonly ArrayLike<number>[], width: number): Float32Array {
  const flat = new Float32Array(rows.length * width);
  rows.forEach((row, i) => {
    flat.set(row, i * width);
  });
  return flat;
}

/** Share of rows of the row-major `outputs` (one row of `classes` per sample) whose argmax is the label. */
export function accuracyOf(
  outputs: ArrayLike<number>,
  labels: Uint8Array,
  classes: number,
): number {
  let right = 0;
  labels.forEach((label, i) => {
    if (argmax(outputs, i * classes, classes) === label) right++;
  });
  return labels.length === 0 ? Number.NaN : right / labels.length;
}
