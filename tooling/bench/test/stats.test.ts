import { describe, expect, it } from 'vitest';
import { maxRelativeDifference, median, range, ratio } from '../src/stats.js';

describe('stats', () => {
  it('takes medians of odd and even counts without reordering the input', () => {
    const xs = [5, 1, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('gives the range', () => {
    expect(range([3, 1, 2])).toEqual([1, 3]);
  });

  it('computes ratios, undefined when either side is missing', () => {
    expect(ratio(300, 100)).toBe(3);
    expect(ratio(undefined, 100)).toBeUndefined();
    expect(ratio(300, undefined)).toBeUndefined();
    expect(ratio(300, 0)).toBeUndefined();
  });

  it('measures gradient differences relative to each layer’s largest entry', () => {
    const a = [Float64Array.of(1, -2, 0), Float64Array.of(10, 0)];
    expect(maxRelativeDifference(a, a)).toBe(0);
    // 0.01 off in the first layer (scale 2), 0.5 off in the second (scale 10).
    const b = [Float64Array.of(1, -2.01, 0), Float64Array.of(10, 0.5)];
    expect(maxRelativeDifference(a, b)).toBeCloseTo(0.05, 12);
    // An entry near 0 does not blow it up.
    expect(
      maxRelativeDifference([Float64Array.of(1, 1e-12)], [Float64Array.of(1, 2e-12)]),
    ).toBeCloseTo(1e-12, 20);
    expect(() => maxRelativeDifference(a, [a[0]!])).toThrow(/2 gradients against 1/);
  });
});
