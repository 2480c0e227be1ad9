/**
 * What a training run leaves besides the model: its config, per-epoch curves, the confusion
 * matrix and a sample of misclassified digits (with their pixels, so `report` needs no data).
 * Written next to the model as `<model>.run.json`; `readRunRecord` reads and checks one.
 */
import { TwoStepError } from '@twostep/core';
import { parseJson, readText } from './files.js';

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
  readonly backend: { readonly name: string; readonly dtype: string };
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
  const value = parseJson(
    text,
    (reason) => new TwoStepError(`the run record ${path} is not JSON: ${reason}`),
  );
  return checkRunRecord(value, path);
}

type Fields = Record<string, unknown>;

/**
 * Checks the shape of a parsed run record (loosely: types, sizes and ranges, not that the
 * numbers agree with one another); errors name `file` and the bad field, e.g. `epochs[2].loss`.
 */
export function checkRunRecord(value: unknown, file: string): RunRecord {
  const fail = (field: string, what: string): never => {
    throw new TwoStepError(`the run record ${file} is not valid: ${field} ${what}.`);
  };
  const object = (v: unknown, field: string): Fields =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Fields)
      : fail(field, 'must be an object');
  const array = (v: unknown, field: string, length?: number): unknown[] => {
    if (!Array.isArray(v)) return fail(field, 'must be an array');
    if (length !== undefined && v.length !== length) {
      fail(field, `must have ${length} entries, not ${v.length}`);
    }
    return v;
  };
  const string = (v: unknown, field: string): string =>
    typeof v === 'string' ? v : fail(field, 'must be a string');
  const number = (v: unknown, field: string, min = -Infinity, max = Infinity): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max
      ? v
      : fail(field, `must be a number${rangeText(min, max)}`);
  const integer = (v: unknown, field: string, min = 0, max = Infinity): number =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
      ? (v as number)
      : fail(field, `must be an integer${rangeText(min, max)}`);

  const root = object(value, 'the record');
  if (root.format !== RUN_FORMAT) fail('format', `must be "${RUN_FORMAT}"`);
  if (root.version !== RUN_VERSION) fail('version', `must be ${RUN_VERSION}`);
  string(root.finishedAt, 'finishedAt');
  object(root.config, 'config');
  const backend = object(root.backend, 'backend');
  string(backend.name, 'backend.name');
  string(backend.dtype, 'backend.dtype');
  const dataset = object(root.dataset, 'dataset');
  string(dataset.name, 'dataset.name');
  const classes = array(dataset.classes, 'dataset.classes');
  if (classes.length === 0) fail('dataset.classes', 'must not be empty');
  classes.forEach((c, i) => {
    string(c, `dataset.classes[${i}]`);
  });
  integer(dataset.trainSize, 'dataset.trainSize');
  integer(dataset.testSize, 'dataset.testSize');
  const pixels =
    integer(dataset.width, 'dataset.width', 1) * integer(dataset.height, 'dataset.height', 1);
  array(root.epochs, 'epochs').forEach((e, i) => {
    const epoch = object(e, `epochs[${i}]`);
    integer(epoch.epoch, `epochs[${i}].epoch`, 1);
    number(epoch.loss, `epochs[${i}].loss`);
    number(epoch.trainAccuracy, `epochs[${i}].trainAccuracy`, 0, 1);
    number(epoch.testAccuracy, `epochs[${i}].testAccuracy`, 0, 1);
    number(epoch.seconds, `epochs[${i}].seconds`, 0);
    number(epoch.samplesPerSecond, `epochs[${i}].samplesPerSecond`, 0);
  });
  number(root.testAccuracy, 'testAccuracy', 0, 1);
  array(root.confusion, 'confusion', classes.length).forEach((row, i) => {
    array(row, `confusion[${i}]`, classes.length).forEach((n, j) => {
      integer(n, `confusion[${i}][${j}]`);
    });
  });
  array(root.misclassified, 'misclassified').forEach((m, i) => {
    const digit = object(m, `misclassified[${i}]`);
    integer(digit.index, `misclassified[${i}].index`);
    integer(digit.label, `misclassified[${i}].label`, 0, classes.length - 1);
    integer(digit.predicted, `misclassified[${i}].predicted`, 0, classes.length - 1);
    array(digit.pixels, `misclassified[${i}].pixels`, pixels).forEach((p, j) => {
      number(p, `misclassified[${i}].pixels[${j}]`);
    });
  });
  return root as unknown as RunRecord;
}

function rangeText(min: number, max: number): string {
  if (min === -Infinity && max === Infinity) return '';
  if (max === Infinity) return ` ≥ ${min}`;
  return min === -Infinity ? ` ≤ ${max}` : ` in [${min}, ${max}]`;
}
