/**
 * The MNIST digits shipped by the `mnist` package: 10,000 real handwritten digits of 28 × 28
 * pixels in [0, 1], read from its JSON files (nothing is downloaded), and a fixed, seeded
 * train/test split.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Random } from '@twostep/core';

export const WIDTH = 28;
export const HEIGHT = 28;
export const PIXELS = WIDTH * HEIGHT;
export const CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export interface Digits {
  /** One row of 784 pixels per digit, row-major, 0 = background. */
  readonly images: Float32Array[];
  /** The digit each image shows, 0–9. */
  readonly labels: Uint8Array;
}

let cache: Digits | undefined;

/** All 10,000 digits, grouped by class as the package stores them (0s first). */
export function loadDigits(): Digits {
  if (cache) return cache;
  const folder = join(dirname(createRequire(import.meta.url).resolve('mnist')), 'digits');
  const images: Float32Array[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const { data } = JSON.parse(readFileSync(join(folder, `${digit}.json`), 'utf8')) as {
      data: number[];
    };
    for (let start = 0; start + PIXELS <= data.length; start += PIXELS) {
      images.push(Float32Array.from(data.slice(start, start + PIXELS)));
      labels.push(digit);
    }
  }
  cache = { images, labels: Uint8Array.from(labels) };
  return cache;
}

export interface Split {
  readonly train: Digits;
  readonly test: Digits;
}

/**
 * A seeded shuffle of every digit, the last `testSize` for testing and the rest (or the
 * first `trainSize`) for training; the same seed gives the same split.
 */
export function split(digits: Digits, testSize: number, seed: number, trainSize?: number): Split {
  const order = new Random(seed).permutation(digits.labels.length);
  const pick = (indices: ArrayLike<number>): Digits => ({
    images: Array.from(indices, (i) => digits.images[i]!),
    labels: Uint8Array.from(indices, (i) => digits.labels[i]!),
  });
  const trainEnd = Math.min(trainSize ?? Number.POSITIVE_INFINITY, order.length - testSize);
  return {
    train: pick(order.subarray(0, trainEnd)),
    test: pick(order.subarray(order.length - testSize)),
  };
}

/** The class with the largest output. */
export const argmax = (row: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
};

/** confusion[actual][predicted] over `outputs` (one row per digit) and their true labels. */
export function confusionMatrix(
  outputs: readonly ArrayLike<number>[],
  labels: ArrayLike<number>,
): number[][] {
  const confusion = CLASSES.map(() => CLASSES.map(() => 0));
  for (const [i, row] of outputs.entries()) confusion[labels[i]!]![argmax(row)]!++;
  return confusion;
}

/** The share of the confusion matrix on its diagonal. */
export const accuracyOf = (confusion: number[][]): number =>
  confusion.reduce((sum, row, i) => sum + row[i]!, 0) /
  confusion.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
