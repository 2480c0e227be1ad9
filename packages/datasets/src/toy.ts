/**
 * Seeded 2-D toy datasets of two classes, points in about [−1.5, 1.5]²: the same size, noise
 * and seed give the same points on every machine and in every browser.
 */
import { ConfigError, checkSeed, Random } from '@twostep/core';
import { checkInteger, type Labelled, labelled } from './labelled.js';

/** A point of the plane, [x, y]. */
export type Point = [number, number];

export interface ToyOptions {
  /** Points, half of each class, alternating 0, 1, 0, … (default 200). */
  readonly count?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate (default 0.1). */
  readonly noise?: number;
  /** Seed of the points (default 0). */
  readonly seed?: number;
}

/** One point of class `label`, before noise. */
type Draw = (random: Random, label: number) => Point;

/** `count` points of `draw`, each followed by its two noise draws, in one seeded stream. */
function toy(name: string, draw: Draw, options: ToyOptions): Labelled<Point> {
  const { count = 200, noise = 0.1, seed = 0 } = options;
  checkInteger(`${name}: count`, count, 2, 'give at least one point of each class');
  if (typeof noise !== 'number' || !(noise >= 0) || !Number.isFinite(noise)) {
    throw new ConfigError(
      `${name}: noise must be a finite number ≥ 0, got ${String(noise)}; 0 draws the exact shape.`,
    );
  }
  checkSeed(name, seed);
  const random = new Random(seed);
  const inputs: Point[] = [];
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    const [x, y] = draw(random, label);
    inputs.push([x + noise * random.normal(), y + noise * random.normal()]);
    labels[i] = label;
  }
  return labelled(inputs, labels, ['0', '1']);
}

/** Two interleaved half circles of radius 1, around (−0.5, −0.25) and (0.5, 0.25). */
export const moons = (options: ToyOptions = {}): Labelled<Point> =>
  toy(
    'moons',
    (random, label) => {
      const t = random.uniform(0, Math.PI);
      return label === 0
        ? [Math.cos(t) - 0.5, Math.sin(t) - 0.25]
        : [0.5 - Math.cos(t), 0.25 - Math.sin(t)];
    },
    options,
  );

/** Two arms of an Archimedean spiral (radius 1.4 r at angle 3πr), the second turned by π. */
export const spirals = (options: ToyOptions = {}): Labelled<Point> =>
  toy(
    'spirals',
    (random, label) => {
      const r = random.uniform(0.05, 1);
      const angle = 3 * Math.PI * r + label * Math.PI;
      return [1.4 * r * Math.cos(angle), 1.4 * r * Math.sin(angle)];
    },
    options,
  );

/** Opposite quadrants share a class: class 0 where x·y > 0. */
export const xor = (options: ToyOptions = {}): Labelled<Point> =>
  toy(
    'xor',
    (random, label) => {
      const sx = random.next() < 0.5 ? -1 : 1;
      const sy = label === 0 ? sx : -sx;
      return [sx * random.uniform(0.1, 1.2), sy * random.uniform(0.1, 1.2)];
    },
    options,
  );

/** A disc of radius 0.5 (class 0) inside a ring from 0.9 to 1.3 (class 1). */
export const circles = (options: ToyOptions = {}): Labelled<Point> =>
  toy(
    'circles',
    (random, label) => {
      const angle = random.uniform(0, 2 * Math.PI);
      const r = label === 0 ? random.uniform(0, 0.5) : random.uniform(0.9, 1.3);
      return [r * Math.cos(angle), r * Math.sin(angle)];
    },
    options,
  );
