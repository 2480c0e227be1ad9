import { describe, expect, it } from 'vitest';
import { initialWeights, WORKLOAD_NAMES, WORKLOADS, workload } from '../src/workloads.js';

describe('workloads', () => {
  it('defines W1–W5 as specified', () => {
    expect(WORKLOAD_NAMES).toEqual(['W1', 'W2', 'W3', 'W4', 'W5']);
    expect(WORKLOADS.W1).toMatchObject({
      architecture: [784, 128, 10],
      activation: 'relu',
      batchSize: 64,
      learningRate: 0.1,
      epochs: 4,
      trainSize: 8000,
      testSize: 2000,
    });
    expect(WORKLOADS.W2).toMatchObject({
      architecture: [64, 64, 64, 64, 64, 64, 10],
      activation: 'tanh',
      batchSize: 16,
    });
    expect(WORKLOADS.W3).toMatchObject({
      architecture: [784, 128, 10],
      activation: 'relu',
      batchSize: 1,
    });
    expect(WORKLOADS.W4).toMatchObject({
      architecture: [784, 128, 10],
      batchSize: 64,
      trainSize: 64,
    });
    expect(WORKLOADS.W5).toMatchObject({
      architecture: [784, 512, 512, 10],
      activation: 'relu',
      batchSize: 128,
      learningRate: 0.05,
      // 1 warm-up + 2 timed: accuracy after epochs 1 and 3.
      epochs: 2,
      trainSize: 8000,
      testSize: 2000,
    });
    for (const w of Object.values(WORKLOADS)) {
      expect(w.trainSize + w.testSize).toBeLessThanOrEqual(10_000);
      expect(w.architecture.at(-1)).toBe(10);
    }
  });

  it('scales each workload down for --quick, keeping its network and batch', () => {
    for (const name of WORKLOAD_NAMES) {
      const full = workload(name);
      const quick = workload(name, true);
      expect(quick).toMatchObject({
        name,
        architecture: full.architecture,
        activation: full.activation,
        batchSize: full.batchSize,
        learningRate: full.learningRate,
      });
      expect(quick.trainSize * (1 + quick.epochs)).toBeLessThanOrEqual(
        full.trainSize * (1 + full.epochs),
      );
      expect(quick.repeats ?? 0).toBeLessThanOrEqual(full.repeats ?? 0);
    }
    expect(workload('W1')).toBe(WORKLOADS.W1);
    // W5 --quick: a few hundred samples (two batches to train), one timed epoch.
    expect(workload('W5', true)).toMatchObject({ epochs: 1, trainSize: 256, testSize: 256 });
  });

  it('gives every trainer the same initial weights: seed 1, He for relu, zero biases', () => {
    const weights = initialWeights(WORKLOADS.W1);
    expect(weights.map((w) => [w.length, w[0]!.length])).toEqual([
      [128, 785],
      [10, 129],
    ]);
    expect(initialWeights(WORKLOADS.W1)).toEqual(weights);
    expect(weights.every((w) => w.every((row) => row.at(-1) === 0))).toBe(true);
    // He normal: standard deviation √(2 / 784) ≈ 0.0505 in the first layer.
    const first = weights[0]!.flatMap((row) => row.slice(0, -1));
    const std = Math.sqrt(first.reduce((a, v) => a + v * v, 0) / first.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / 784), 2);
    // W3 and W4 share W1's network.
    expect(initialWeights(WORKLOADS.W4)).toEqual(weights);
    expect(initialWeights(WORKLOADS.W2).map((w) => w[0]!.length)).toEqual([65, 65, 65, 65, 65, 65]);
    expect(initialWeights(WORKLOADS.W5).map((w) => [w.length, w[0]!.length])).toEqual([
      [512, 785],
      [512, 513],
      [10, 513],
    ]);
  });
});
