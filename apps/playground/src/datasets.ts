/**
 * The toy datasets of @twostep/datasets under the names the page offers, points in about
 * [−1.5, 1.5]², and the square the page draws them in.
 */
import { circles, moons, spirals, xor } from '@twostep/datasets';

const BY_NAME = { moons, spiral: spirals, xor, circles };
export const TOY_DATASETS = ['moons', 'spiral', 'xor', 'circles'] as const;
export type ToyDataset = (typeof TOY_DATASETS)[number];

export interface Points {
  /** [x, y] per point. */
  readonly inputs: [number, number][];
  /** Class 0 or 1 per point. */
  readonly labels: number[];
}

/** `count` points, half of each class (alternating), with Gaussian noise of std `noise`. */
export function toyDataset(name: ToyDataset, count: number, noise: number, seed: number): Points {
  const { inputs, labels } = BY_NAME[name]({ count, noise, seed });
  return { inputs, labels: Array.from(labels) };
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
