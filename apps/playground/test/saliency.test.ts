import { afterEach, describe, expect, it, vi } from 'vitest';
import { colourOf, diverging, maxAbs, NONFINITE } from '../src/colours.js';
import { drawSaliency, saliencyImage } from '../src/saliency.js';

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

  it('is red for positive, blue for negative, deeper with |value| / max |value|', () => {
    const values = Array.from({ length: 784 }, (_, i) => (i < 392 ? i + 1 : 391 - i) / 1000);
    const image = saliencyImage(values);
    const rgb = (i: number) => [...image.subarray(4 * i, 4 * i + 3)] as [number, number, number];
    // Hue from the sign (past the faintest shades, which round to white's neighbours).
    for (let i = 20; i < 392; i++) {
      const [r, g, b] = rgb(i);
      expect(r > g && r > b).toBe(true);
      const [r2, g2, b2] = rgb(392 + i);
      expect(b2 > r2 && b2 > g2).toBe(true);
    }
    // Intensity: the distance from white never shrinks as |value| grows, and the largest is full.
    const depth = (i: number) => 765 - rgb(i).reduce((a, c) => a + c, 0);
    for (let i = 1; i < 392; i++) {
      expect(depth(i)).toBeGreaterThanOrEqual(depth(i - 1));
      expect(depth(392 + i)).toBeGreaterThanOrEqual(depth(392 + i - 1));
    }
    expect(depth(391)).toBeGreaterThan(depth(0) + 300);
    expect(rgb(391)).toEqual([...diverging(1, 1)]);
    expect(rgb(783)).toEqual([...diverging(-1, 1)]);
    // Only the ratio to the largest |value| matters.
    expect(saliencyImage(values.map((v) => v * 1e-6))).toEqual(image);
    expect(image.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
  });

  it('draws ±∞ and NaN magenta, and scales the rest by the largest finite |value|', () => {
    const values = new Array(784).fill(0);
    values[0] = Number.POSITIVE_INFINITY;
    values[1] = Number.NEGATIVE_INFINITY;
    values[2] = 0.5;
    const image = saliencyImage(values);
    expect([...image.subarray(0, 3)]).toEqual([255, 0, 255]);
    expect([...image.subarray(4, 7)]).toEqual([255, 0, 255]);
    expect([...image.subarray(8, 11)]).toEqual([...diverging(1, 1)]);
  });

  it('has no NaN when every gradient is 0: white, or grey ink over white', () => {
    const image = saliencyImage(new Array(784).fill(0));
    expect(image.every((v) => v === 255)).toBe(true);
    const pixels = Array.from({ length: 784 }, (_, i) => (i % 28) / 27);
    const inked = saliencyImage(new Array(784).fill(0), pixels);
    for (let i = 0; i < 784; i++) {
      const [r, g, b, a] = inked.subarray(4 * i, 4 * i + 4);
      expect(r === g && g === b && a === 255).toBe(true);
      if (i % 28 > 0) expect(r).toBeLessThan(inked[4 * (i - 1)]!);
    }
    // Ink darkens each colour by the same factor: the hue stays.
    const values = new Array(784).fill(-1);
    const [r, g, b] = saliencyImage(values, new Array(784).fill(1));
    const [r0, g0, b0] = diverging(-1, 1);
    expect(b! / b0).toBeCloseTo(g! / g0, 1);
    expect(r).toBeLessThanOrEqual(r0);
  });
});

describe('drawSaliency', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('puts the 28 × 28 map on the canvas, scaled up with square pixels', () => {
    const put: unknown[] = [];
    vi.stubGlobal(
      'ImageData',
      class {
        constructor(
          readonly data: Uint8ClampedArray,
          readonly width: number,
        ) {}
      },
    );
    vi.stubGlobal(
      'OffscreenCanvas',
      class {
        getContext() {
          return { putImageData: (image: unknown) => put.push(image) };
        }
      },
    );
    const ctx = {
      imageSmoothingEnabled: true,
      drawn: [] as unknown[][],
      clearRect() {},
      drawImage(...args: unknown[]) {
        this.drawn.push([this.imageSmoothingEnabled, ...args.slice(1)]);
      },
    };
    const canvas = { width: 224, height: 224, getContext: () => ctx };
    const values = Array.from({ length: 784 }, (_, i) => i - 392);
    drawSaliency(canvas as unknown as HTMLCanvasElement, values);
    expect(put).toHaveLength(1);
    expect((put[0] as { data: Uint8ClampedArray }).data).toEqual(saliencyImage(values));
    expect(ctx.drawn).toEqual([[false, 0, 0, 224, 224]]);
  });
});
