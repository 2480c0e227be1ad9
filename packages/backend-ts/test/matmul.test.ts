import { ShapeError } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import {
  backends,
  type Dense,
  dense,
  expectMatrix,
  matMul,
  poisonPool,
  transpose,
  upload,
} from './reference.js';

const FLAGS = [
  { transposeA: false, transposeB: false },
  { transposeA: true, transposeB: false },
  { transposeA: false, transposeB: true },
  { transposeA: true, transposeB: true },
];

/** [m, k, n]: op(a) is m × k, op(b) is k × n. */
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 9, 1], // row · column
  [9, 1, 7], // outer product
  [1, 6, 9], // row · matrix
  [9, 6, 1], // matrix · column
  [37, 5, 3], // tall
  [3, 5, 41], // wide
  [5, 7, 3], // no full 4 × 4 block in k
  [33, 17, 33], // one edge row and column
  [8, 8, 8],
  [66, 130, 35],
];

describe.each(backends())('matMul, $dtype', (k) => {
  describe.each(FLAGS)('transposeA $transposeA, transposeB $transposeB', (flags) => {
    it.each(SHAPES)('%i×%i · %i', (m, inner, n) => {
      // Store a and b so that op(a) is m × inner and op(b) is inner × n.
      const logicalA = dense(m, inner, m * 31 + inner);
      const logicalB = dense(inner, n, n * 17 + inner);
      const [a, storedA] = upload(k, flags.transposeA ? transpose(logicalA) : logicalA);
      const [b, storedB] = upload(k, flags.transposeB ? transpose(logicalB) : logicalB);
      const opA: Dense = flags.transposeA ? transpose(storedA) : storedA;
      const opB: Dense = flags.transposeB ? transpose(storedB) : storedB;
      poisonPool(k, m, n);
      const c = k.matMul(a, b, flags);
      expectMatrix(k, c, matMul(opA, opB), 1);
      // Operands are unchanged.
      expectMatrix(k, a, storedA);
      expectMatrix(k, b, storedB);
      for (const x of [a, b, c]) k.dispose(x);
    });
  });

  it('defaults to no transposes', () => {
    const [a, da] = upload(k, dense(3, 4, 5));
    const [b, db] = upload(k, dense(4, 2, 6));
    expectMatrix(k, k.matMul(a, b), matMul(da, db), 1);
  });

  it('computes exactly on small integers', () => {
    const a = k.fromArray([1, 2, 3, 4, 5, 6], 2, 3);
    const b = k.fromArray([7, 8, 9, 10, 11, 12], 3, 2);
    expect(Array.from(k.readSync(k.matMul(a, b)))).toEqual([58, 64, 139, 154]);
    expect(Array.from(k.readSync(k.matMul(a, a, { transposeB: true })))).toEqual([14, 32, 32, 77]);
    expect(Array.from(k.readSync(k.matMul(b, b, { transposeB: true })))).toEqual([
      113, 143, 173, 143, 181, 219, 173, 219, 265,
    ]);
  });

  it.each(FLAGS)('rejects mismatched inner sizes (%o)', (flags) => {
    const a = k.fill(2, 3, 1);
    const b = k.fill(2, 3, 1); // op(a)·op(b) fits only for aᵀ·b and a·bᵀ
    const fits = flags.transposeA !== flags.transposeB;
    const before = k.memory();
    if (fits) k.dispose(k.matMul(a, b, flags));
    else expect(() => k.matMul(a, b, flags)).toThrow(ShapeError);
    expect(k.memory()).toEqual(before);
  });
});
