/**
 * The reference's checks of the rule: Section 4's closed forms, central differences and the
 * seeded cases they run on.
 */

import { LOSS_NAMES } from '@twostep/core';
import {
  CENTRAL_DIFFERENCE_STEP,
  centralDifferences,
  gradientCheckCase,
  relativeError,
  SECTION_FOUR_SIGMAS,
  sectionFour,
} from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';

describe('sectionFour', () => {
  // With σ the identity (σ′ = 1), every quantity is a sum of products done by hand.
  const identity = { sigma: (t: number) => t, sigmaPrime: () => 1 };

  it('A[1,2,1]: every quantity of Section 4.2 by hand', () => {
    const W1 = [
      [2, 1],
      [-1, 3],
    ];
    const r = sectionFour(identity, W1, [[0.5, 4, -2]], 2, 1);
    expect(r.Y1).toEqual([5, 1]); // α1_i1 x + α1_i2
    expect(r.X1).toEqual([5, 1, 1]); // the formal neuron last
    expect([r.Y2, r.X2, r.J]).toEqual([4.5, 4.5, 3.5]); // 0.5·5 + 4·1 − 2; J = f(x) − y
    expect([r.deltaUp2, r.deltaDown2]).toEqual([1, 1]);
    expect(r.deltaUp1).toEqual([0.5, 4]);
    expect(r.deltaDown1).toEqual([0.5, 4]);
    expect(r.deltaW2).toEqual([[5, 1, 1]]); // δdown_2 · X1ᵀ
    expect(r.deltaW1).toEqual([
      [1, 0.5],
      [8, 4],
    ]); // δdown_1 · X0ᵀ, X0 = (x, 1)
    expect(r.deltaUp0).toBe(2 * 0.5 - 1 * 4); // W♯1ᵀ · δdown_1
  });

  it('A[1,1,1] with σ = tanh: δW1 = (σ′(y2)σ′(y1)α2₁x, σ′(y2)σ′(y1)α2₁) of Section 4.1', () => {
    const { sigma, sigmaPrime } = SECTION_FOUR_SIGMAS.tanh;
    const r = sectionFour(SECTION_FOUR_SIGMAS.tanh, [[0.7, -0.3]], [[1.3, 0.2]], 0.9, 0.4);
    const [y1, y2] = [0.7 * 0.9 - 0.3, 1.3 * sigma(0.7 * 0.9 - 0.3) + 0.2];
    expect(r.deltaW2[0]![0]).toBeCloseTo(sigmaPrime(y2) * sigma(y1), 15);
    expect(r.deltaW1[0]![0]).toBeCloseTo(sigmaPrime(y2) * sigmaPrime(y1) * 1.3 * 0.9, 15);
  });

  it('rejects weights that are not A[1,N1,1] with bias', () => {
    expect(() => sectionFour(identity, [[1, 2, 3]], [[1, 2]], 0, 0)).toThrow(RangeError);
    expect(() => sectionFour(identity, [[1, 2]], [[1]], 0, 0)).toThrow(/W2 1 × \(N1 \+ 1\)/);
  });

  it('σ′ of each σ is its derivative', async () => {
    for (const { sigma, sigmaPrime } of Object.values(SECTION_FOUR_SIGMAS)) {
      for (const t of [-3, -0.4, 0, 0.7, 2.5]) {
        const point = [t];
        const [d] = await centralDifferences(() => sigma(point[0]!), [point]);
        expect(Math.abs(d![0]! - sigmaPrime(t))).toBeLessThanOrEqual(1e-10);
      }
    }
  });
});

describe('centralDifferences', () => {
  it('is exact on polynomials of degree 4 (the five-point stencil), entry by entry', async () => {
    const rows = [[1, -2], Float64Array.of(0.5)];
    const J = () => rows[0]![0]! ** 4 + 3 * rows[0]![1]! ** 3 - rows[1]![0]! ** 2;
    const d = await centralDifferences(J, rows);
    expect(d).toHaveLength(2);
    expect(Math.abs(d[0]![0]! - 4)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(d[0]![1]! - 36)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(d[1]![0]! + 1)).toBeLessThanOrEqual(1e-9);
    // Every entry is back where it was.
    expect(rows[0]).toEqual([1, -2]);
    expect(Array.from(rows[1]!)).toEqual([0.5]);
  });

  it('moves one entry at a time by ±s and ±2s, and awaits an async J', async () => {
    const row = [1, 2];
    const seen: number[][] = [];
    await centralDifferences(
      async () => {
        seen.push([...row]);
        return 0;
      },
      [row],
      0.25,
    );
    expect(seen).toEqual([
      [1.5, 2],
      [1.25, 2],
      [0.75, 2],
      [0.5, 2],
      [1, 2.5],
      [1, 2.25],
      [1, 1.75],
      [1, 1.5],
    ]);
    expect(CENTRAL_DIFFERENCE_STEP).toBe(1e-3);
  });
});

describe('relativeError', () => {
  it('is ‖a − b‖ / max(‖a‖, ‖b‖), 0 when both vanish', () => {
    expect(relativeError([3, 4], [0, 0])).toBe(1);
    expect(relativeError([3, 0], [3, 4])).toBeCloseTo(4 / 5, 15);
    expect(relativeError([0, 0], [0, 0])).toBe(0);
    expect(relativeError(Float64Array.of(1, 1), [1, 1])).toBe(0);
  });
});

describe('gradientCheckCase', () => {
  const limits = { maxWidth: 5, maxBatch: 3 };
  const cases = Array.from({ length: 24 }, (_, i) => gradientCheckCase(i + 1, limits));

  it('is reproducible from its seed', () => {
    expect(gradientCheckCase(7, limits)).toEqual(gradientCheckCase(7, limits));
    expect(gradientCheckCase(7, limits)).not.toEqual(gradientCheckCase(8, limits));
  });

  it('draws depths 1–4, widths and batches within the limits, data of the right shapes', () => {
    for (const c of cases) {
      const L = c.architecture.length - 1;
      expect(L).toBeGreaterThanOrEqual(1);
      expect(L).toBeLessThanOrEqual(4);
      expect(c.architecture.every((n) => n >= 1 && n <= limits.maxWidth)).toBe(true);
      if (c.seed % 3 === 0) expect(c.batch).toBe(1);
      else expect(c.batch).toBeGreaterThanOrEqual(2);
      expect(c.batch).toBeLessThanOrEqual(limits.maxBatch);
      expect(c.bias).toBe(c.seed % 4 !== 1);
      expect(c.activations.map((layer) => layer.length)).toEqual(c.architecture.slice(1));
      expect([c.inputs.rows, c.inputs.cols]).toEqual([c.architecture[0], c.batch]);
      expect([c.targets.rows, c.targets.cols]).toEqual([c.architecture[L], c.batch]);
      expect(c.inputs.data.every((x) => x >= -1 && x < 1)).toBe(true);
    }
    expect(new Set(cases.map((c) => c.loss)).size).toBe(LOSS_NAMES.length);
  });

  it('gives binary cross-entropy sigmoid outputs and softmax cross-entropy distributions', () => {
    for (const c of cases) {
      if (c.loss === 'binaryCrossEntropy')
        expect(new Set(c.activations.at(-1))).toEqual(new Set(['sigmoid']));
      if (c.loss !== 'softmaxCrossEntropy') continue;
      for (let j = 0; j < c.batch; j++) {
        let sum = 0;
        for (let i = 0; i < c.targets.rows; i++) sum += c.targets.data[i * c.batch + j]!;
        expect(sum).toBeCloseTo(1, 12);
      }
    }
  });
});
