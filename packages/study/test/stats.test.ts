import { describe, expect, it } from 'vitest';
import type { RunSettings } from '../src/grid.js';
import type { RunRecord } from '../src/run.js';
import {
  cells,
  compareRules,
  estimate,
  FRACTION,
  holm,
  NONNEGATIVE,
  rankBiserial,
  timeToTarget,
} from '../src/stats.js';
import { SETTINGS } from './settings.js';

// Hollander & Wolfe (1973), p. 29: depression scores at a first (x) and second (y) visit.
const X = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
const Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];

const UNBOUNDED = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY] as const;

describe('estimate', () => {
  it('is the mean ± t(0.975, n − 1) · s / √n', () => {
    // t(0.975, 4) = 2.7764451 (tables); s = √2.5.
    const e = estimate([1, 2, 3, 4, 5], UNBOUNDED);
    const half = (2.7764451 * Math.sqrt(2.5)) / Math.sqrt(5);
    expect(e.n).toBe(5);
    expect(e.mean).toBe(3);
    expect(e.low).toBeCloseTo(3 - half, 6);
    expect(e.high).toBeCloseTo(3 + half, 6);
  });

  it('has no interval from one value, and a zero-width one from equal values', () => {
    expect(estimate([0.9], FRACTION)).toEqual({
      n: 1,
      mean: 0.9,
      low: Number.NaN,
      high: Number.NaN,
    });
    expect(estimate([0.5, 0.5, 0.5], FRACTION)).toEqual({ n: 3, mean: 0.5, low: 0.5, high: 0.5 });
  });

  it('cuts the interval at the bounds the mean cannot leave', () => {
    // t(0.975, 2) = 4.3027; s = 0.0577 for 1, 1, 0.9: 0.967 ± 0.143 reaches past 1.
    const whole = estimate([1, 1, 0.9], UNBOUNDED);
    expect(whole.high).toBeCloseTo(0.9667 + 0.1434, 3);
    expect(estimate([1, 1, 0.9], FRACTION)).toEqual({ ...whole, high: 1 });
    // 0.01, 0.01, 0.5 seconds: 0.173 ± 0.701 reaches below 0.
    expect(estimate([0.01, 0.01, 0.5], UNBOUNDED).low).toBeLessThan(0);
    expect(estimate([0.01, 0.01, 0.5], NONNEGATIVE)).toEqual({
      ...estimate([0.01, 0.01, 0.5], UNBOUNDED),
      low: 0,
    });
  });
});

describe('rankBiserial and holm', () => {
  it('gives (W+ − W−) / (W+ + W−) over the ranks of |d|', () => {
    // |d| ranks: the two negative differences (−0.08, −0.147) rank 2 and 3: W− = 5, W+ = 40.
    expect(rankBiserial(X.map((x, i) => x - Y[i]!))).toBeCloseTo(35 / 45, 12);
    // Ties share their mean rank; zeros are dropped: ranks 1.5, 1.5, 3 → (1.5 + 3 − 1.5) / 6.
    expect(rankBiserial([0, 1, -1, 2])).toBe(0.5);
    expect(rankBiserial([0, 0])).toBe(0);
  });

  it("adjusts p-values by Holm's step-down, keeping their order", () => {
    expect(holm([0.01, 0.04, 0.03])).toEqual([0.03, 0.06, 0.06]);
    expect(holm([0.5, 0.6])).toEqual([1, 1]);
  });
});

const base: RunSettings = { ...SETTINGS, epochs: 2 };

/** A record of two epochs ending at `accuracy`, each epoch taking `seconds`. */
const record = (settings: Partial<RunSettings>, accuracy: number, seconds = 1): RunRecord => ({
  id: JSON.stringify(settings),
  settings: { ...base, ...settings },
  epochs: [
    { epoch: 1, trainLoss: 1, trainAccuracy: 0.5, testLoss: 1, testAccuracy: accuracy - 0.1 },
    { epoch: 2, trainLoss: 0.5, trainAccuracy: 0.9, testLoss: 0.4, testAccuracy: accuracy },
  ],
  seconds: [seconds, seconds],
});

describe('cells and compareRules', () => {
  const records = X.flatMap((x, i) => [
    record({ seed: i + 1 }, x / 4),
    record({ seed: i + 1, mode: 'layerwise' }, Y[i]! / 4, 2),
    record({ seed: i + 1, rule: 'classic' }, x / 4),
  ]);

  it('groups runs by their settings but the seed', () => {
    const found = cells(records, 0.5);
    expect(found.map((c) => c.variant)).toEqual(['twoStep global', 'twoStep layerwise', 'classic']);
    expect(found[0]!.seeds).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(found[0]!.testAccuracy).toEqual(
      estimate(
        X.map((x) => x / 4),
        FRACTION,
      ),
    );
    expect(found[1]!.secondsPerEpoch).toEqual({ n: 9, mean: 2, low: 2, high: 2 });
    // Reached 0.5 test accuracy: x / 4 ≥ 0.5 for 1.83…3.06 at epoch 2 (4 s in), 3.06 at epoch 1.
    expect(found[0]!.reached).toBe(X.filter((x) => x / 4 >= 0.5).length);
    expect(timeToTarget(records[7 * 3]!, 0.5)).toBe(1);
  });

  it("compares the rules on their shared seeds: Wilcoxon's p, Holm, the effect size", () => {
    const comparisons = compareRules(records);
    expect(comparisons.map((c) => [c.a, c.b])).toEqual([
      ['twoStep global', 'twoStep layerwise'],
      ['twoStep global', 'classic'],
      ['twoStep layerwise', 'classic'],
    ]);
    const [first, same, third] = comparisons;
    expect(first!.pairs).toBe(9);
    // Hollander & Wolfe's paired test gives p = 0.0390625 (exact); scaling by 1/4 changes no rank.
    expect(first!.p).toBeCloseTo(0.0390625, 10);
    expect(first!.effect).toBeCloseTo(35 / 45, 12);
    expect(first!.meanDifference).toBeCloseTo(
      X.reduce((a, x, i) => a + (x - Y[i]!) / 4, 0) / 9,
      12,
    );
    expect(same).toMatchObject({ p: 1, effect: 0, meanDifference: 0 });
    expect(comparisons.map((c) => c.pHolm)).toEqual(holm(comparisons.map((c) => c.p)));
    expect(third!.effect).toBeCloseTo(-35 / 45, 12);
  });
});
