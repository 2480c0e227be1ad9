/**
 * The app's MNIST: the digits of @twostep/datasets split as the config says, and the
 * confusion matrix of a model's outputs on them.
 */
import { argmax, type Labelled, split } from '@twostep/datasets';
import { loadMnist, MNIST_CLASSES } from '@twostep/datasets/mnist';
import { type Config, checkSizes } from './config.js';

export type Digits = Labelled<Float32Array>;

/**
 * The training and test digits of `config`: the last `testSize` of a seeded shuffle are held
 * out. A `trainSize` beyond the digits left is an error (the split itself would quietly give
 * fewer, and the run record would claim more).
 */
export function splitDigits(config: Pick<Config, 'testSize' | 'splitSeed' | 'trainSize'>): {
  train: Digits;
  test: Digits;
} {
  checkSizes(config);
  return split(loadMnist(), {
    testSize: config.testSize,
    trainSize: config.trainSize,
    seed: config.splitSeed,
  });
}

/** confusion[actual][predicted] over `outputs` (one row per digit) and their true labels. */
export function confusionMatrix(
  outputs: readonly ArrayLike<number>[],
  labels: ArrayLike<number>,
): number[][] {
  const confusion = MNIST_CLASSES.map(() => MNIST_CLASSES.map(() => 0));
  for (const [i, row] of outputs.entries()) confusion[labels[i]!]![argmax(row)]!++;
  return confusion;
}

/** The share of the confusion matrix on its diagonal. */
export const accuracyOf = (confusion: number[][]): number =>
  confusion.reduce((sum, row, i) => sum + row[i]!, 0) /
  confusion.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
