import { Random } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { downsample, loadDigits, workloadData } from '../src/data.js';
import { DATA_SEED } from '../src/protocol.js';
import { workload } from '../src/workloads.js';

describe('data', () => {
  it('loads the 10,000 digits of the mnist package, pixels in [0, 1], from its cache too', () => {
    const { inputs, labels } = loadDigits();
    expect(inputs).toHaveLength(10_000);
    expect(labels).toHaveLength(10_000);
    expect(Math.min(...inputs[0]!)).toBe(0);
    expect(Math.max(...inputs[0]!)).toBeLessThanOrEqual(1);
    expect(new Set(labels).size).toBe(10);
  });

  it('shuffles with DATA_SEED: the same order every time, and a fixed one', () => {
    const order = new Random(DATA_SEED).permutation(10_000);
    // A change of seed or generator changes every trainer's data: this pins it.
    expect(Array.from(order.subarray(0, 5))).toMatchInlineSnapshot(`
      [
        1259,
        2864,
        173,
        6247,
        6778,
      ]
    `);
    const data = workloadData(workload('W1'));
    expect(data.train.inputs[0]).toBe(loadDigits().inputs[1259]);
  });

  it('splits W1 into the first 8,000 for training and the last 2,000 for testing', () => {
    const w = workload('W1');
    const data = workloadData(w);
    expect(data.train.inputs).toHaveLength(8000);
    expect(data.test.inputs).toHaveLength(2000);
    expect(data.train.inputs[0]).toHaveLength(784);
    const order = new Random(DATA_SEED).permutation(10_000);
    expect(data.test.inputs[1999]).toBe(loadDigits().inputs[order[9999]!]);
    // Targets are the labels one-hot.
    data.train.targets.slice(0, 50).forEach((row, i) => {
      expect(row.indexOf(1)).toBe(data.train.labels[i]);
      expect(row.reduce((a, b) => a + b, 0)).toBe(1);
    });
    // Every digit is in both sets, and the split is the same each time.
    expect(new Set(data.test.labels).size).toBe(10);
    expect(workloadData(w).train.labels).toEqual(data.train.labels);
    expect(workloadData(workload('W3')).test.inputs).toEqual([]);
  });

  it('takes the --quick training set as a prefix of the full one', () => {
    const full = workloadData(workload('W1'));
    const quick = workloadData(workload('W1', true));
    expect(quick.train.labels).toEqual(full.train.labels.subarray(0, quick.train.labels.length));
  });

  it('averages the central 24 × 24 pixels over 3 × 3 blocks for W2', () => {
    const image = new Float32Array(784);
    // The border (2 pixels wide) is dropped; the pixel at (2, 2) goes to block (0, 0).
    image.fill(1, 0, 28);
    image[2 * 28 + 2] = 0.9;
    image[25 * 28 + 25] = 0.45;
    const out = downsample(image);
    expect(out).toHaveLength(64);
    expect(out[0]).toBeCloseTo(0.1, 6);
    expect(out[63]).toBeCloseTo(0.05, 6);
    expect(out.slice(1, 63).every((v) => v === 0)).toBe(true);
    const data = workloadData(workload('W2'));
    expect(data.train.inputs[0]).toHaveLength(64);
    expect(data.train.inputs).toHaveLength(8000);
  });
});
