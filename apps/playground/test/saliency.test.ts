import { describe, expect, it } from 'vitest';
import { colourOf, diverging, maxAbs, NONFINITE } from '../src/colours.js';
import { saliencyImage } from '../src/saliency.js';

describe('the diverging colour scale', () => {
  it('is white at 0, red above, blue below, deeper with |value|, clamped at the scale', () => {
    expect(diverging(0, 1)).toEqual([255, 255, 255]);
    const [r, , b] = diverging(0.5, 1);
    const [r2, , b2] = diverging(-0.5, 1);
    expect(r).toBeGreaterThan(b);
    expect(b2).toBeGreaterThan(r2);
    const green = [0.1, 0.3, 0.6, 0.9].map((v) => diverging(v, 1)[1]);
    expect(green).toEqual([...green].sort((a, c) => c - a));
    expect(new Set(green).size).toBe(4);
    expect(diverging(5, 1)).toEqual(diverging(1, 1));
    expect(diverging(3, 0)).toEqual([255, 255, 255]);
    expect(diverging(Number.NaN, 1)).toEqual(NONFINITE);
    expect(diverging(Number.NEGATIVE_INFINITY, 1)).toEqual(NONFINITE);
    expect(colourOf(-1, 1)).toBe(`rgb(${diverging(-1, 1).join(',')})`);
  });

  it('scales by the largest finite |value|', () => {
    expect(maxAbs([1, -3, Number.NaN, 2, Number.POSITIVE_INFINITY])).toBe(3);
    expect(maxAbs([])).toBe(0);
  });
});

describe('the saliency map', () => {
  it('colours each pixel by its gradient, over the ink', () => {
    const values = new Array(784).fill(0);
    values[0] = 2;
    values[1] = -1;
    values[2] = Number.NaN;
    const image = saliencyImage(values);
    expect(image).toHaveLength(784 * 4);
    expect([...image.subarray(0, 4)]).toEqual([...diverging(2, 2), 255]);
    expect([...image.subarray(4, 8)]).toEqual([...diverging(-1, 2), 255]);
    expect([...image.subarray(8, 11)]).toEqual([...NONFINITE]);
    expect([...image.subarray(12, 16)]).toEqual([255, 255, 255, 255]);
    const inked = saliencyImage(values, new Array(784).fill(1));
    expect(inked[12]).toBeLessThan(255);
  });

  it('has no NaN when every gradient is 0', () => {
    const image = saliencyImage(new Array(784).fill(0));
    expect(image.every((v) => v === 255)).toBe(true);
  });
});
