/**
 * What a training run leaves besides the model: its config, per-epoch curves, the confusion
 * matrix and a sample of misclassified digits (with their pixels, so `report` needs no data).
 * Written next to the model as `<model>.run.json`; `readRunRecord` reads and checks one.
 */
import { TwoStepError } from '@twostep/core';
import { type Checker, checker, parseJsonAsWritten } from '@twostep/core/check';
import { readText } from './files.js';

export const RUN_FORMAT = 'twostep-run';
export const RUN_VERSION = 1;

export interface EpochRecord {
  /** 1-based. */
  readonly epoch: number;
  /** Mean training loss J over the epoch's batches. */
  readonly loss: number;
  readonly trainAccuracy: number;
  /** Accuracy on the held-out test set after this epoch. */
  readonly testAccuracy: number;
  /** Wall time of the epoch's training steps. */
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

export interface Misclassified {
  /** Index into the test set. */
  readonly index: number;
  /** The true class, an index into `dataset.classes`. */
  readonly label: number;
  readonly predicted: number;
  /** The image, row-major, `dataset.width · dataset.height` values in [0, 1] (0 is background). */
  readonly pixels: number[];
}

export interface RunRecord {
  readonly format: typeof RUN_FORMAT;
  readonly version: typeof RUN_VERSION;
  /** ISO 8601 time the run ended. */
  readonly finishedAt: string;
  /** The effective config (defaults < file < environment < flags), as the app resolved it. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The backend it ran on, with its threads when it counts them (ts does). */
  readonly backend: { readonly name: string; readonly dtype: string; readonly threads?: number };
  readonly dataset: {
    readonly name: string;
    /** Class names, e.g. '0' … '9'. */
    readonly classes: string[];
    readonly trainSize: number;
    readonly testSize: number;
    /** Image size in pixels (28 × 28 for MNIST). */
    readonly width: number;
    readonly height: number;
  };
  readonly epochs: EpochRecord[];
  readonly testAccuracy: number;
  /** confusion[actual][predicted]: test samples of class `actual` predicted as `predicted`. */
  readonly confusion: number[][];
  /** Up to a few dozen misclassified test digits, in test-set order. */
  readonly misclassified: Misclassified[];
}

// ─── Reading and checking the run record ─────────────────────────────────────────────────

/** Reads a run record; a missing file, bad JSON or a misshapen field is a TwoStepError. */
export async function readRunRecord(path: string): Promise<RunRecord> {
  const text = await readText(
    path,
    (reason) =>
      new TwoStepError(
        `cannot read the run record ${path} (${reason}); train a model first, or pass --run <file>.`,
      ),
  );
  const value = parseJsonAsWritten(
    text,
    (reason) => new TwoStepError(`the run record ${path} is not JSON: ${reason}`),
  );
  return checkRunRecord(value, path);
}

/**
 * Checks the shape of a parsed run record (loosely: types, sizes and ranges, not that the
 * numbers agree with one another); errors name `file`, the bad field (`epochs[2].loss`) and
 * its value as written.
 */
export function checkRunRecord(value: unknown, file: string): RunRecord {
  const c = checker(
    (problem) => new TwoStepError(`the run record ${file} is not valid: ${problem}.`),
  );
  const root = c.object(value, 'the record');
  c.equal(root.format, 'format', RUN_FORMAT);
  c.equal(root.version, 'version', RUN_VERSION);
  c.string(root.finishedAt, 'finishedAt');
  c.object(root.config, 'config');
  const backend = c.object(root.backend, 'backend');
  c.string(backend.name, 'backend.name');
  c.string(backend.dtype, 'backend.dtype');
  if (backend.threads !== undefined) c.integer(backend.threads, 'backend.threads', 1);
  const dataset = c.object(root.dataset, 'dataset');
  c.string(dataset.name, 'dataset.name');
  const classes = c.array(dataset.classes, 'dataset.classes');
  if (classes.length === 0) c.fail('dataset.classes', 'a non-empty array', classes);
  classes.forEach((name, i) => {
    c.string(name, `dataset.classes[${i}]`);
  });
  c.integer(dataset.trainSize, 'dataset.trainSize');
  c.integer(dataset.testSize, 'dataset.testSize');
  const pixels =
    c.integer(dataset.width, 'dataset.width', 1) * c.integer(dataset.height, 'dataset.height', 1);
  checkEpochs(c, root.epochs, 'epochs');
  c.number(root.testAccuracy, 'testAccuracy', 0, 1);
  c.array(root.confusion, 'confusion', classes.length).forEach((row, i) => {
    c.array(row, `confusion[${i}]`, classes.length).forEach((n, j) => {
      c.integer(n, `confusion[${i}][${j}]`);
    });
  });
  c.array(root.misclassified, 'misclassified').forEach((m, i) => {
    const digit = c.object(m, `misclassified[${i}]`);
    c.integer(digit.index, `misclassified[${i}].index`);
    c.integer(digit.label, `misclassified[${i}].label`, 0, classes.length - 1);
    c.integer(digit.predicted, `misclassified[${i}].predicted`, 0, classes.length - 1);
    c.array(digit.pixels, `misclassified[${i}].pixels`, pixels).forEach((p, j) => {
      c.number(p, `misclassified[${i}].pixels[${j}]`);
    });
  });
  return root as unknown as RunRecord;
}

/**
 * Per-epoch records, as a run record's `epochs` and a checkpoint's `history` hold them: the
 * epochs 1, 2, … in order (`length` of them when given).
 */
export function checkEpochs(c: Checker, value: unknown, field: string, length?: number): void {
  c.array(value, field, length).forEach((e, i) => {
    const epoch = c.object(e, `${field}[${i}]`);
    const at = `${field}[${i}]`;
    c.integer(epoch.epoch, `${at}.epoch`, i + 1, i + 1);
    c.number(epoch.loss, `${at}.loss`);
    c.number(epoch.trainAccuracy, `${at}.trainAccuracy`, 0, 1);
    c.number(epoch.testAccuracy, `${at}.testAccuracy`, 0, 1);
    c.number(epoch.seconds, `${at}.seconds`, 0);
    c.number(epoch.samplesPerSecond, `${at}.samplesPerSecond`, 0);
  });
}
