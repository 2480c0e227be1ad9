import { describe, expect, it } from 'vitest';
import { CAPACITY, LossCurve } from '../src/loss-curve.js';

/** A curve of `losses`, pushed one by one. */
function curveOf(losses: readonly number[]) {
  const curve = new LossCurve();
  for (const loss of losses) curve.push(loss);
  return curve.view();
}

/** The mean of each run of `size` values (the last run may be shorter), summed directly. */
function blockMeans(values: readonly number[], size: number): number[] {
  const means: number[] = [];
  for (let i = 0; i < values.length; i += size) {
    const block = values.slice(i, i + size);
    means.push(block.reduce((a, b) => a + b, 0) / block.length);
  }
  return means;
}

describe('the loss curve', () => {
  it('keeps every epoch while they fit', () => {
    const losses = Array.from({ length: CAPACITY - 1 }, (_, i) => 1 / (i + 1));
    expect(curveOf(losses)).toEqual({
      points: losses,
      epochsPerPoint: 1,
      epochs: CAPACITY - 1,
      last: losses.at(-1),
    });
    expect(curveOf([])).toEqual({ points: [], epochsPerPoint: 1, epochs: 0, last: Number.NaN });
  });

  it.each([CAPACITY, CAPACITY + 1, 3 * CAPACITY + 5, 100_000, 1_000_003])(
    'holds %i epochs in at most CAPACITY points, each the mean of its epochs',
    (epochs) => {
      const losses = Array.from({ length: epochs }, (_, i) => 2 + Math.sin(i / 7) + i / epochs);
      const view = curveOf(losses);
      expect(view.epochs).toBe(epochs);
      expect(view.last).toBe(losses.at(-1));
      expect(view.points.length).toBeLessThanOrEqual(CAPACITY);
      // The fewest points per epoch that fit, a power of 2.
      const stride = view.epochsPerPoint;
      expect(Math.log2(stride) % 1).toBe(0);
      expect(Math.ceil(epochs / stride)).toBeLessThan(CAPACITY);
      expect(stride === 1 || Math.ceil(epochs / (stride / 2)) >= CAPACITY).toBe(true);
      const expected = blockMeans(losses, stride);
      expect(view.points).toHaveLength(expected.length);
      view.points.forEach((p, i) => {
        expect(Math.abs(p - expected[i]!)).toBeLessThanOrEqual(1e-12 * expected[i]!);
      });
    },
  );

  it('carries a non-finite loss into its point, and keeps the others', () => {
    const losses = Array.from({ length: 3 * CAPACITY }, () => 1);
    losses[5] = Number.POSITIVE_INFINITY;
    losses[2000] = Number.NaN;
    const view = curveOf(losses);
    expect(view.epochsPerPoint).toBe(4);
    expect(view.points[1]).toBe(Number.POSITIVE_INFINITY);
    expect(view.points[500]).toBeNaN();
    expect(view.points.filter((p) => p === 1)).toHaveLength(view.points.length - 2);
  });
});
