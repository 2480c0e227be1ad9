import { circles, moons, spirals, xor } from '@twostep/datasets';
import { describe, expect, it } from 'vitest';
import { EXTENT, grid, TOY_DATASETS, toyDataset } from '../src/datasets.js';

describe('toy datasets', () => {
  it('are the sets of @twostep/datasets under the names the page offers', () => {
    const sets = { moons, spiral: spirals, xor, circles };
    for (const name of TOY_DATASETS) {
      const { inputs, labels } = sets[name]({ count: 200, noise: 0.05, seed: 3 });
      expect(toyDataset(name, 200, 0.05, 3)).toEqual({ inputs, labels: Array.from(labels) });
    }
  });

  it.each(TOY_DATASETS)('%s: balanced, inside the drawn square', (name) => {
    const a = toyDataset(name, 200, 0.05, 3);
    expect(a.labels.filter((l) => l === 1)).toHaveLength(100);
    for (const [x, y] of a.inputs) {
      expect(Math.abs(x)).toBeLessThan(EXTENT);
      expect(Math.abs(y)).toBeLessThan(EXTENT);
    }
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
