import { describe, expect, it } from 'vitest';
import { DrawingPad, toMnistPixels } from '../src/draw.js';

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
  return {
    cx: mx / mass,
    cy: my / mass,
    top,
    left,
    width: right - left + 1,
    height: bottom - top + 1,
  };
}

describe('a drawing as an MNIST digit', () => {
  it('is scaled into the 20 × 20 box and centred by its mass, wherever it was drawn', () => {
    for (const [x0, y0, x1, y1] of [
      [10, 20, 90, 120],
      [190, 170, 270, 270],
      [0, 0, 280, 40],
    ] as const) {
      const pixels = toMnistPixels(rectangle(280, x0, y0, x1, y1), 280, 280);
      expect(pixels).toHaveLength(784);
      expect(pixels.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(Math.max(...pixels)).toBeCloseTo(1, 9);
      const m = measure(pixels);
      expect(Math.abs(m.cx - 14)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(m.cy - 14)).toBeLessThanOrEqual(0.5);
      expect(Math.max(m.width, m.height)).toBe(20);
      expect(m.top).toBeGreaterThanOrEqual(4);
      expect(m.left).toBeGreaterThanOrEqual(4);
      expect(m.top + m.height).toBeLessThanOrEqual(24);
      expect(m.left + m.width).toBeLessThanOrEqual(24);
    }
    // 80 × 100 keeps its aspect: 16 × 20.
    const m = measure(toMnistPixels(rectangle(280, 10, 20, 90, 120), 280, 280));
    expect([m.width, m.height]).toEqual([16, 20]);
  });

  it('keeps a thin stroke thin, and scales a small drawing up', () => {
    const m = measure(toMnistPixels(rectangle(280, 200, 30, 214, 250), 280, 280));
    expect(m.height).toBe(20);
    expect(m.width).toBeLessThanOrEqual(2);
    // A 5 × 10 blot in a 28 × 28 image grows to 10 × 20.
    const small = measure(toMnistPixels(rectangle(28, 0, 0, 5, 10), 28, 28));
    expect([small.width, small.height]).toEqual([10, 20]);
  });

  it('centres by mass, not by the box, and keeps the box inside the image', () => {
    // An L: the bar at the bottom pulls the mass down, so the box sits higher than centred.
    const alpha = rectangle(100, 10, 10, 14, 90);
    for (let y = 86; y < 90; y++) for (let x = 10; x < 50; x++) alpha[y * 100 + x] = 255;
    const m = measure(toMnistPixels(alpha, 100, 100));
    expect(Math.abs(m.cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(m.cy - 14)).toBeLessThanOrEqual(0.5);
    expect(m.top).toBeLessThan(4);
    expect(m.left).toBeGreaterThan(14 - m.width / 2);
    // A heavier bar would push the box out of the image: it stops at the edge.
    for (let y = 60; y < 90; y++) for (let x = 10; x < 90; x++) alpha[y * 100 + x] = 255;
    const clamped = measure(toMnistPixels(alpha, 100, 100));
    expect([clamped.top, clamped.height]).toEqual([0, 20]);
    expect(clamped.cy).toBeGreaterThan(14.5);
  });

  it('averages the ink of each cell (anti-aliasing) and reads grey levels', () => {
    // A 40 × 40 square half inked (left half): cells straddle nothing, so 0 or 1 only…
    const half = toMnistPixels(rectangle(40, 0, 0, 20, 40), 40, 40);
    expect(new Set(half.filter((v) => v > 0))).toEqual(new Set([1]));
    // …while a checkerboard averages to ½.
    const board = new Uint8Array(40 * 40).map((_, i) =>
      ((i % 40) + Math.floor(i / 40)) % 2 ? 255 : 0,
    );
    const averaged = toMnistPixels(board, 40, 40).filter((v) => v > 0);
    expect(averaged.every((v) => Math.abs(v - 0.5) < 0.05)).toBe(true);
    const grey = toMnistPixels(
      rectangle(40, 0, 0, 40, 40).map(() => 51),
      40,
      40,
    );
    expect(new Set(grey.filter((v) => v > 0))).toEqual(new Set([0.2]));
  });

  it('is all zeros when nothing is drawn, and refuses too few values', () => {
    expect(toMnistPixels(new Uint8Array(280 * 280), 280, 280)).toEqual(new Array(784).fill(0));
    expect(() => toMnistPixels(new Uint8Array(10), 280, 280)).toThrow('10 values for a 280 × 280');
  });
});

/** A canvas stand-in: an EventTarget that records what its 2D context is asked to draw. */
function fakeCanvas() {
  const calls: string[] = [];
  const alpha = rectangle(280, 100, 40, 140, 240);
  const ctx = new Proxy(
    {
      getImageData: (_x: number, _y: number, w: number, h: number) => {
        const data = new Uint8ClampedArray(4 * w * h);
        alpha.forEach((a, i) => {
          data[4 * i + 3] = a;
        });
        return { data };
      },
    } as Record<string | symbol, unknown>,
    {
      get: (target, key) =>
        target[key] ??
        ((...args: unknown[]) => {
          calls.push(`${String(key)}(${args.length})`);
        }),
      set: (target, key, value) => {
        calls.push(`${String(key)}=${value}`);
        target[key] = value;
        return true;
      },
    },
  );
  const canvas = Object.assign(new EventTarget(), {
    width: 280,
    height: 280,
    getContext: () => ctx,
    setPointerCapture: (id: number) => calls.push(`capture ${id}`),
    getBoundingClientRect: () => ({ left: 0, top: 0, width: 140, height: 140 }),
  });
  const pointer = (type: string, x = 0, y = 0) =>
    canvas.dispatchEvent(
      Object.assign(new Event(type, { cancelable: true }), {
        button: 0,
        pointerId: 7,
        clientX: x,
        clientY: y,
      }),
    );
  return { pad: new DrawingPad(canvas as unknown as HTMLCanvasElement), calls, pointer };
}

describe('the drawing pad', () => {
  it('draws a round stroke in canvas pixels and reports when it ends', () => {
    const { pad, calls, pointer } = fakeCanvas();
    let changes = 0;
    pad.onChange(() => changes++);
    pointer('pointermove', 10, 10); // not pressed: nothing drawn
    expect(calls).toEqual([]);
    pointer('pointerdown', 10, 20);
    expect(calls).toContain('capture 7');
    expect(calls).toContain('arc(5)'); // a dot where the stroke starts
    pointer('pointermove', 30, 40);
    expect(calls).toEqual(expect.arrayContaining(['lineWidth=20', 'lineCap=round', 'stroke(0)']));
    expect(changes).toBe(0);
    pointer('pointerup', 30, 40);
    expect(changes).toBe(1);
    pointer('pointerup', 30, 40); // no stroke in progress
    expect(changes).toBe(1);
    pad.clear();
    expect(changes).toBe(2);
    expect(pad.pixels()).toEqual(toMnistPixels(rectangle(280, 100, 40, 140, 240), 280, 280));
  });

  it('stops listening once disposed', () => {
    const { pad, calls, pointer } = fakeCanvas();
    let changes = 0;
    pad.onChange(() => changes++);
    pad.dispose();
    pointer('pointerdown', 10, 20);
    pointer('pointermove', 30, 40);
    pointer('pointerup', 30, 40);
    expect(calls).toEqual([]);
    expect(changes).toBe(0);
  });
});
