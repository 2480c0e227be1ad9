/**
 * The shape every dataset here has, the core's `{ inputs, targets }` plus the labels, and
 * the one split every app uses.
 */
import { ConfigError, checkSeed, oneHot, Random } from '@twostep/core';

/** Samples of a classification task: one row per sample, ready for `train` and `evaluate`. */
export interface Labelled<Row extends ArrayLike<number> = ArrayLike<number>> {
  /** One row of features per sample. */
  readonly inputs: Row[];
  /** One-hot rows of `labels` (the core's `oneHot`). */
  readonly targets: number[][];
  /** The class of each sample, an index into `classes`. */
  readonly labels: Uint8Array;
  /** The name of each class. */
  readonly classes: readonly string[];
}

/** `inputs` with their labels one-hot encoded. */
export function labelled<Row extends ArrayLike<number>>(
  inputs: Row[],
  labels: Uint8Array,
  classes: readonly string[],
): Labelled<Row> {
  return { inputs, targets: oneHot(labels, classes.length), labels, classes };
}

/** Throws a ConfigError naming `name` unless `value` is an integer ≥ `min`. */
export function checkInteger(name: string, value: unknown, min: number, fix: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be an integer ≥ ${min}, got ${String(value)}; ${fix}.`);
  }
}

export interface SplitOptions {
  /** Samples held out for testing: the last `testSize` of the shuffle (0: none). */
  readonly testSize: number;
  /** Samples to train on, the first of the shuffle (default: all not held out). */
  readonly trainSize?: number;
  /** Seed of the shuffle, an integer from 0 to 2³² − 1 (default 0): the same seed gives the same split. */
  readonly seed?: number;
}

/**
 * A seeded shuffle of every sample (the core's `Random(seed).permutation`), the last
 * `testSize` for testing and the first `trainSize` of the rest for training. Rows are shared
 * with `data`, not copied.
 */
export function split<Row extends ArrayLike<number>>(
  data: Labelled<Row>,
  { testSize, trainSize, seed = 0 }: SplitOptions,
): { train: Labelled<Row>; test: Labelled<Row> } {
  const n = data.labels.length;
  if (!Number.isInteger(testSize) || testSize < 0 || testSize >= n) {
    throw new ConfigError(
      `split: testSize must be an integer in 0 … ${n - 1} (the dataset has ${n} samples), got ${String(testSize)}; leave samples for training.`,
    );
  }
  if (trainSize !== undefined) {
    checkInteger('split: trainSize', trainSize, 1, 'omit it to train on every sample not held out');
  }
  checkSeed('split', seed);
  const order = new Random(seed).permutation(n);
  const pick = (indices: Uint32Array): Labelled<Row> => ({
    inputs: Array.from(indices, (i) => data.inputs[i]!),
    targets: Array.from(indices, (i) => data.targets[i]!),
    labels: Uint8Array.from(indices, (i) => data.labels[i]!),
    classes: data.classes,
  });
  const trainEnd = Math.min(trainSize ?? n, n - testSize);
  return { train: pick(order.subarray(0, trainEnd)), test: pick(order.subarray(n - testSize)) };
}

/**
 * The index of the largest of `length` values from `offset` (the first on ties): the class a
 * row of outputs predicts, also inside a row-major block of rows.
 */
export function argmax(
  values: ArrayLike<number>,
  offset = 0,
  length = values.length - offset,
): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (values[offset + i]! > values[offset + best]!) best = i;
  return best;
}
