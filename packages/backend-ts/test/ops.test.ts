import { SPECIFICATION_VERSION, UNARY_OPS } from '@twostep/core/backend';
import { binaryOps, unaryOps } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import { createBackend, TsMatrix } from '../src/index.js';
import {
  backends,
  type Dense,
  dense,
  expectClose,
  expectMatrix,
  poisonPool,
  stored,
  upload,
} from './reference.js';

const map = (m: Dense, f: (x: number, i: number) => number): Dense => ({
  ...m,
  data: m.data.map(f),
});

/** Entry (r, c) of b for a b that is a's shape or an a.rows × 1 column. */
const broadcast = (a: Dense, b: Dense) => (_: number, i: number) =>
  b.cols === 1 && a.cols !== 1 ? b.data[Math.floor(i / a.cols)]! : b.data[i]!;

/** Edge values and ordinary ones; ±1000 overflow exp unless computed with care. */
const EDGES = [0, 1, -1, 1000, -1000, 0.5, -2.5, 30, -30, 1e-8, -1e-8, 88, -88, 3.7];

describe('createBackend', () => {
  it('describes itself', () => {
    const k = createBackend();
    expect(k.dtype).toBe('float32');
    expect(k.name).toBe('ts');
    expect(k.dtypes).toEqual(['float32', 'float64']);
    expect(k.specificationVersion).toBe(SPECIFICATION_VERSION);
    expect(k.supports).toEqual({
      readSync: true,
      fusedActivation: true,
      fusedAdam: true,
      fusedAxpy: true,
      fusedBias: true,
      fusedTranspose: true,
    });
    expect(createBackend({ dtype: 'float64' }).dtype).toBe('float64');
  });

  it('makes TsMatrix handles over typed arrays of its dtype', () => {
    for (const k of backends()) {
      const m = k.fill(3, 2, 1);
      expect(m).toBeInstanceOf(TsMatrix);
      expect(m.data).toBeInstanceOf(k.dtype === 'float32' ? Float32Array : Float64Array);
      expect([m.rows, m.cols, m.dtype, m.isDisposed]).toEqual([3, 2, k.dtype, false]);
      expect(String(m)).toBe(`Matrix(3×2, ${k.dtype})`);
    }
  });
});

describe.each(backends())('$dtype', (k) => {
  const dtype = k.dtype;

  describe('transfer', () => {
    it('fromArray takes arrays and typed arrays, rounding to the dtype', () => {
      const values = [0.1, -2, 1 / 3, 1e-40, 4, 5];
      for (const source of [values, Float64Array.from(values), Float32Array.from(values)]) {
        poisonPool(k, 2, 3);
        const m = k.fromArray(source, 2, 3);
        const expected = source instanceof Float32Array ? Array.from(source) : values;
        expect(Array.from(k.readSync(m))).toEqual(stored(dtype, expected));
      }
    });

    it('fill', () => {
      poisonPool(k, 4, 3);
      expect(Array.from(k.readSync(k.fill(4, 3, 0.1)))).toEqual(stored(dtype, Array(12).fill(0.1)));
    });

    it('copy is a new matrix with the same data, independent of its source', () => {
      const a = k.fromArray([0.1, -2, 1e-40, 4, 5, 6], 2, 3);
      poisonPool(k, 2, 3);
      const b = k.copy(a);
      expect(b).not.toBe(a);
      expect(Array.from(k.readSync(b))).toEqual(Array.from(k.readSync(a)));
      k.dispose(a);
      expect(b.isDisposed).toBe(false);
      expect(Array.from(k.readSync(b))).toEqual(stored(dtype, [0.1, -2, 1e-40, 4, 5, 6]));
    });

    it('read and readSync return copies in the dtype', async () => {
      const m = k.fromArray([1, 2, 3], 3, 1);
      const copies = [await k.read(m), k.readSync(m)];
      for (const copy of copies) {
        expect(copy).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
        expect(Array.from(copy)).toEqual([1, 2, 3]);
        copy[0] = 99;
      }
      expect(copies[0]).not.toBe(copies[1]);
      expect(Array.from(k.readSync(m))).toEqual([1, 2, 3]);
    });
  });

  describe.each(['add', 'sub', 'mul', 'div'] as const)('%s', (op) => {
    it.each([
      ['same shape', [5, 7], [5, 7]],
      ['a column', [5, 7], [5, 1]],
      ['1 × 1', [1, 1], [1, 1]],
      ['a column of one row', [1, 6], [1, 1]],
      ['one column', [6, 1], [6, 1]],
    ] as const)('with b of %s', (_, [rows, cols], [bRows, bCols]) => {
      const [a, da] = upload(k, dense(rows, cols, 3));
      const [b, db] = upload(
        k,
        map(dense(bRows, bCols, 4), (x) => x + 2),
      ); // no division by ~0
      poisonPool(k, rows, cols);
      const c = k[op](a, b);
      const expected = map(da, (x, i) => binaryOps[op](x, broadcast(da, db)(x, i)));
      expectMatrix(k, c, expected);
      expectMatrix(k, a, da);
      expectMatrix(k, b, db);
    });
  });

  it('scale computes s · a + t', () => {
    const [a, da] = upload(k, dense(4, 9, 5));
    poisonPool(k, 4, 9);
    expectMatrix(
      k,
      k.scale(a, -2.5),
      map(da, (x) => -2.5 * x),
    );
    poisonPool(k, 4, 9);
    expectMatrix(
      k,
      k.scale(a, 3, 0.25),
      map(da, (x) => 3 * x + 0.25),
      1,
    );
  });

  it('clamp limits to [lo, hi]', () => {
    const [a, da] = upload(k, dense(3, 5, 6, 4));
    poisonPool(k, 3, 5);
    expectMatrix(
      k,
      k.clamp(a, -1, 0.5),
      map(da, (x) => Math.min(Math.max(x, -1), 0.5)),
    );
  });

  describe('unary', () => {
    it.each(UNARY_OPS)('%s', (op) => {
      const values = [...EDGES, ...dense(1, 20, 7, 5).data];
      const [a, da] = upload(k, { rows: 2, cols: values.length / 2, data: values });
      poisonPool(k, a.rows, a.cols);
      const out = k.unary(op, a);
      expectMatrix(k, out, map(da, unaryOps[op])); // the reference's definition
      expectMatrix(k, a, da);
    });

    it.each(['sigmoid', 'softplus', 'tanh'] as const)('%s is finite at ±1000', (op) => {
      const out = k.readSync(k.unary(op, k.fromArray([1000, -1000], 1, 2)));
      expect(out.every(Number.isFinite)).toBe(true);
    });

    it('sigmoid and softplus saturate exactly', () => {
      const x = k.fromArray([1000, -1000], 2, 1);
      expect(Array.from(k.readSync(k.unary('sigmoid', x)))).toEqual([1, 0]);
      expect(Array.from(k.readSync(k.unary('softplus', x)))).toEqual([1000, 0]);
    });

    it('step and relu are 0 at 0', () => {
      const x = k.fromArray([0, -0], 1, 2);
      expect(Array.from(k.readSync(k.unary('step', x)))).toEqual([0, 0]);
      expect(Array.from(k.readSync(k.unary('relu', x))).map((v) => v === 0)).toEqual([true, true]);
    });
  });

  describe('reductions', () => {
    it.each([
      [1, 1],
      [7, 5],
      [3, 40],
    ])('sum of %i×%i', (rows, cols) => {
      const [a, da] = upload(k, dense(rows, cols, rows + cols));
      poisonPool(k, 1, 1);
      const total = k.sum(a);
      expectMatrix(k, total, { rows: 1, cols: 1, data: [da.data.reduce((s, x) => s + x, 0)] }, 1);
    });

    it.each([
      ['small values', dense(6, 5, 8, 3)],
      ['large values', dense(4, 3, 9, 900)],
      ['a single row', dense(1, 4, 10)],
      ['values of ±1000', { rows: 3, cols: 3, data: [1000, -1000, 0, -1000, 1000, 0, 0, 0, 1000] }],
    ])('logSoftmax by columns, %s', (_, m) => {
      const [a, da] = upload(k, m);
      poisonPool(k, m.rows, m.cols);
      const out = k.logSoftmax(a);
      const expected = map(da, (x, i) => {
        const c = i % m.cols;
        const column = da.data.filter((_, j) => j % m.cols === c);
        const max = Math.max(...column);
        return x - (max + Math.log(column.reduce((s, y) => s + Math.exp(y - max), 0)));
      });
      expectMatrix(k, out, expected, 1);
      expect(k.readSync(out).every(Number.isFinite)).toBe(true);
    });
  });

  describe('structure', () => {
    it.each([
      [0, 1],
      [2, 5],
      [0, 7],
      [6, 7],
    ])('sliceCols [%i, %i)', (start, end) => {
      const [a, da] = upload(k, dense(3, 7, 11));
      poisonPool(k, 3, end - start);
      const out = k.sliceCols(a, start, end);
      const data = da.data.filter((_, i) => i % 7 >= start && i % 7 < end);
      expectMatrix(k, out, { rows: 3, cols: end - start, data });
    });

    it('concatRows stacks a on b', () => {
      const [a, da] = upload(k, dense(2, 3, 12));
      const [b, db] = upload(k, dense(4, 3, 13));
      poisonPool(k, 6, 3);
      expectMatrix(k, k.concatRows(a, b), { rows: 6, cols: 3, data: [...da.data, ...db.data] });
      expectMatrix(k, k.concatRows(b, a), { rows: 6, cols: 3, data: [...db.data, ...da.data] });
    });
  });

  it('float32 stores every result rounded to float32', () => {
    const a = k.fromArray([0.1, 0.2], 1, 2);
    const third = k.readSync(k.div(k.fill(1, 2, 1), k.fill(1, 2, 3)));
    expectClose(third, [1 / 3, 1 / 3], dtype);
    expect(third[0]).toBe(dtype === 'float32' ? Math.fround(1 / 3) : 1 / 3);
    expect(k.readSync(k.add(a, a))[0]).toBe(dtype === 'float32' ? Math.fround(0.2) : 0.2);
  });
});
