import { describe, expect, it } from 'vitest';
import { EXTENT, grid, TOY_DATASETS, toyDataset } from '../src/datasets.js';

describe('toy datasets', () => {
  it.each(TOY_DATASETS)('%s: seeded, balanced, inside the drawn square', (name) => {
    const a = toyDataset(name, 200, 0.05, 3);
    expect(toyDataset(name, 200, 0.05, 3)).toEqual(a);
    expect(toyDataset(name, 200, 0.05, 4).inputs).not.toEqual(a.inputs);
    expect(a.labels.filter((l) => l === 1)).toHaveLength(100);
    for (const [x, y] of a.inputs) {
      expect(Math.abs(x)).toBeLessThan(EXTENT);
      expect(Math.abs(y)).toBeLessThan(EXTENT);
    }
  });

  it('draws the shapes they are named after (no noise)', () => {
    const moons = toyDataset('moons', 100, 0, 1);
    // Class 0 is the upper half circle of radius 1 around (−0.5, −0.25).
    moons.inputs.forEach(([x, y], i) => {
      const [cx, cy] = moons.labels[i] === 0 ? [-0.5, -0.25] : [0.5, 0.25];
      expect(Math.hypot(x - cx, y - cy)).toBeCloseTo(1, 12);
      expect(moons.labels[i] === 0 ? y - cy : cy - y).toBeGreaterThanOrEqual(0);
    });
    const xor = toyDataset('xor', 100, 0, 1);
    expect(xor.inputs.map(([x, y]) => (x * y > 0 ? 0 : 1))).toEqual(xor.labels);
    const circles = toyDataset('circles', 100, 0, 1);
    expect(circles.inputs.map(([x, y]) => (Math.hypot(x, y) < 0.7 ? 0 : 1))).toEqual(
      circles.labels,
    );
    const spiral = toyDataset('spiral', 100, 0, 1);
    // Radius 1.4 r at angle 3πr, the second arm turned by π.
    spiral.inputs.forEach(([x, y], i) => {
      const r = Math.hypot(x, y) / 1.4;
      const angle = 3 * Math.PI * r + spiral.labels[i]! * Math.PI;
      expect(Math.cos(Math.atan2(y, x) - angle)).toBeCloseTo(1, 9);
    });
  });

  it('lays the grid row by row from the top left, cell centres', () => {
    const g = grid(4);
    expect(g).toHaveLength(16);
    const step = (2 * EXTENT) / 4;
    expect(g[0]![0]).toBeCloseTo(-EXTENT + step / 2, 12);
    expect(g[0]![1]).toBeCloseTo(EXTENT - step / 2, 12);
    expect(g[3]![0]).toBeCloseTo(EXTENT - step / 2, 12);
    expect(g[15]![1]).toBeCloseTo(-EXTENT + step / 2, 12);
  });
});
