import { describe, expect, it } from 'vitest';
import { toMnistPixels } from '../src/draw.js';

/** A `size` × `size` ink channel with the rectangle [x0, x1) × [y0, y1) at full ink. */
function rectangle(size: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const alpha = new Uint8Array(size * size);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) alpha[y * size + x] = 255;
  return alpha;
}

/** Centre of mass and bounding box of 28 × 28 pixels. */
function measure(pixels: number[]) {
  let [mass, mx, my] = [0, 0, 0];
  let [top, left, bottom, right] = [28, 28, -1, -1];
  pixels.forEach((v, i) => {
    const [x, y] = [i % 28, Math.floor(i / 28)];
    if (v > 0)
      [top, left, bottom, right] = [
        Math.min(top, y),
        Math.min(left, x),
        Math.max(bottom, y),
        Math.max(right, x),
      ];
    mass += v;
    mx += v * (x + 0.5);
    my += v * (y + 0.5);
  });
  return { cx: mx / mass, cy: my / mass, width: right - left + 1, height: bottom - top + 1 };
}

describe('a drawing as an MNIST digit', () => {
  it('is scaled into the 20 × 20 box and centred by its mass, wherever it was drawn', () => {
    const pixels = toMnistPixels(rectangle(280, 10, 20, 90, 120), 280, 280);
    expect(pixels).toHaveLength(784);
    expect(pixels.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(Math.max(...pixels)).toBeCloseTo(1, 9);
    const m = measure(pixels);
    expect(Math.abs(m.cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(m.cy - 14)).toBeLessThanOrEqual(0.5);
    expect(m.height).toBe(20);
    // 80 × 100 keeps its aspect: 16 × 20.
    expect(m.width).toBe(16);
  });

  it('keeps a thin stroke thin', () => {
    const m = measure(toMnistPixels(rectangle(280, 200, 30, 214, 250), 280, 280));
    expect(m.height).toBe(20);
    expect(m.width).toBeLessThanOrEqual(2);
  });

  it('averages the ink of each cell (anti-aliasing)', () => {
    // A 40 × 40 square half inked (left half): cells straddle nothing, so 0 or 1 only…
    const half = toMnistPixels(rectangle(40, 0, 0, 20, 40), 40, 40);
    expect(new Set(half.filter((v) => v > 0))).toEqual(new Set([1]));
    // …while a checkerboard averages to ½.
    const board = new Uint8Array(40 * 40).map((_, i) =>
      ((i % 40) + Math.floor(i / 40)) % 2 ? 255 : 0,
    );
    const averaged = toMnistPixels(board, 40, 40).filter((v) => v > 0);
    expect(averaged.every((v) => Math.abs(v - 0.5) < 0.05)).toBe(true);
  });

  it('is all zeros when nothing is drawn', () => {
    expect(toMnistPixels(new Uint8Array(280 * 280), 280, 280)).toEqual(new Array(784).fill(0));
  });
});
