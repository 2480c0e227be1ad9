import { ConfigError } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { circles, moons, spirals, xor } from '../src/index.js';
import { fingerprint } from './hash.js';

const TOYS = { moons, spirals, xor, circles };

describe.each(Object.entries(TOYS))('%s', (name, make) => {
  it('has count points of two coordinates, half of each class, one-hot targets', () => {
    const data = make({ count: 200, noise: 0.05, seed: 3 });
    expect(data.inputs).toHaveLength(200);
    expect(data.inputs.every((p) => p.length === 2)).toBe(true);
    expect(data.labels.filter((l) => l === 1)).toHaveLength(100);
    expect(data.classes).toEqual(['0', '1']);
    data.targets.forEach((row, i) => {
      expect(row).toEqual(data.labels[i] === 0 ? [1, 0] : [0, 1]);
    });
    for (const [x, y] of data.inputs) expect(Math.max(Math.abs(x), Math.abs(y))).toBeLessThan(1.6);
  });

  it('is seeded: the same seed gives the same points, another seed others', () => {
    expect(make({ seed: 5 })).toEqual(make({ seed: 5 }));
    expect(make({ seed: 6 }).inputs).not.toEqual(make({ seed: 5 }).inputs);
    expect(make()).toEqual(make({ count: 200, noise: 0.1, seed: 0 }));
  });

  it('names the bad argument and the fix', () => {
    expect(() => make({ count: 1 })).toThrow(ConfigError);
    expect(() => make({ count: 2.5 })).toThrow(
      `${name}: count must be an integer ≥ 2, got 2.5; give at least one point of each class.`,
    );
    expect(() => make({ noise: -1 })).toThrow(
      `${name}: noise must be a finite number ≥ 0, got -1; 0 draws the exact shape.`,
    );
    expect(() => make({ noise: Number.NaN })).toThrow('noise must be a finite number ≥ 0, got NaN');
    expect(() => make({ seed: 0.5 })).toThrow(
      `${name}: seed is 0.5; a seed must be an integer from 0 to 4294967295 (2³² − 1), e.g. { seed: 0 }.`,
    );
    // Beyond 32 bits a seed would wrap onto a smaller one (1e300 gave seed 0's points).
    expect(() => make({ seed: 1e300 })).toThrow(`${name}: seed is 1e+300`);
    expect(() => make({ seed: -1 })).toThrow(`${name}: seed is -1`);
  });
});

it('draws the points the playground drew before the package (same seed, same numbers)', () => {
  // Fingerprints of the playground's former toyDataset(name, count, noise, seed).
  const before = {
    moons: ['700d652b0a925c60', 'bb60761d44d5e546'],
    spirals: ['021c68999e33cfb0', '6723d99aca50400d'],
    xor: ['08cc4ec48f760263', '83db782413e0d671'],
    circles: ['0f54239249650f9f', '7ef354db844af8c5'],
  };
  for (const [name, make] of Object.entries(TOYS)) {
    const print = ({ inputs, labels }: ReturnType<typeof moons>) =>
      fingerprint([inputs.flat()], labels, true);
    expect([
      print(make({ count: 200, noise: 0.05, seed: 3 })),
      print(make({ count: 300, noise: 0.1, seed: 0 })),
    ]).toEqual(before[name as keyof typeof before]);
  }
});

it('draws the shapes they are named after (no noise)', () => {
  const m = moons({ count: 100, noise: 0, seed: 1 });
  m.inputs.forEach(([x, y], i) => {
    const [cx, cy] = m.labels[i] === 0 ? [-0.5, -0.25] : [0.5, 0.25];
    expect(Math.hypot(x - cx, y - cy)).toBeCloseTo(1, 12);
    expect(m.labels[i] === 0 ? y - cy : cy - y).toBeGreaterThanOrEqual(0);
  });
  const x = xor({ count: 100, noise: 0, seed: 1 });
  expect(x.inputs.map(([a, b]) => (a * b > 0 ? 0 : 1))).toEqual(Array.from(x.labels));
  const c = circles({ count: 100, noise: 0, seed: 1 });
  expect(c.inputs.map(([a, b]) => (Math.hypot(a, b) < 0.7 ? 0 : 1))).toEqual(Array.from(c.labels));
  const s = spirals({ count: 100, noise: 0, seed: 1 });
  s.inputs.forEach(([a, b], i) => {
    const r = Math.hypot(a, b) / 1.4;
    expect(Math.cos(Math.atan2(b, a) - (3 * Math.PI * r + s.labels[i]! * Math.PI))).toBeCloseTo(
      1,
      9,
    );
  });
});
