/**
 * Seeded 2-D toy datasets of two classes, points in about [−1.5, 1.5]²: the same name,
 * size, noise and seed give the same points in every browser.
 */
import { Random } from '@twostep/core';

export const TOY_DATASETS = ['moons', 'spiral', 'xor', 'circles'] as const;
export type ToyDataset = (typeof TOY_DATASETS)[number];

export interface Points {
  /** [x, y] per point. */
  readonly inputs: [number, number][];
  /** Class 0 or 1 per point. */
  readonly labels: number[];
}

type Draw = (random: Random, label: number) => [number, number];

/** One point of class `label` before noise. */
const SHAPES: Record<ToyDataset, Draw> = {
  // Two interleaved half circles (the classic "two moons").
  moons(random, label) {
    const t = random.uniform(0, Math.PI);
    return label === 0
      ? [Math.cos(t) - 0.5, Math.sin(t) - 0.25]
      : [0.5 - Math.cos(t), 0.25 - Math.sin(t)];
  },
  // Two arms of an Archimedean spiral, one and a half turns each.
  spiral(random, label) {
    const r = random.uniform(0.05, 1);
    const angle = 3 * Math.PI * r + label * Math.PI;
    return [1.4 * r * Math.cos(angle), 1.4 * r * Math.sin(angle)];
  },
  // Opposite quadrants share a class.
  xor(random, label) {
    const sx = random.next() < 0.5 ? -1 : 1;
    const sy = label === 0 ? sx : -sx;
    return [sx * random.uniform(0.1, 1.2), sy * random.uniform(0.1, 1.2)];
  },
  // A disc inside a ring.
  circles(random, label) {
    const angle = random.uniform(0, 2 * Math.PI);
    const r = label === 0 ? random.uniform(0, 0.5) : random.uniform(0.9, 1.3);
    return [r * Math.cos(angle), r * Math.sin(angle)];
  },
};

/** `count` points, half of each class (alternating), with Gaussian noise of std `noise`. */
export function toyDataset(name: ToyDataset, count: number, noise: number, seed: number): Points {
  const random = new Random(seed);
  const inputs: [number, number][] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    const [x, y] = SHAPES[name](random, label);
    inputs.push([x + noise * random.normal(), y + noise * random.normal()]);
    labels.push(label);
  }
  return { inputs, labels };
}

/** The square the page draws: every dataset's points fall inside it, up to noise. */
export const EXTENT = 1.6;

/** `size` × `size` grid points over [−EXTENT, EXTENT]², row by row from the top left. */
export function grid(size: number): [number, number][] {
  const points: [number, number][] = [];
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const at = (i: number) => -EXTENT + (2 * EXTENT * (i + 0.5)) / size;
      points.push([at(c), -at(r)]);
    }
  }
  return points;
}
