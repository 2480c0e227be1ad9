/**
 * What the `handles` checks share: every op's call (and the calls whose result equals an
 * operand, where a shortcut would hand back the operand or a view of it), seeded operands,
 * exact snapshots, and garbage matrices that fill a buffer pool with stale data.
 */
import { dispose } from '@twostep/core';
import type { Backend, Matrix } from '@twostep/core/backend';
import { callsOf, OP_CALLS, type OpCall } from './calls.js';
import { expectEntries, fail } from './check.js';
import { download, randomHost } from './util.js';

export type Shape = readonly [rows: number, cols: number];

/** The seed of the `n`th call's operands. */
export const seedOf = (n: number) => 900 + 10 * n;

/** Calls whose result equals an operand: a shortcut returning the operand (or a view) fails. */
const IDENTITY_CALLS: readonly OpCall[] = [
  { name: 'scale by 1 plus 0', operands: [[3, 4]], call: (k, a) => [k.scale(a!, 1, 0)] },
  {
    name: 'sliceCols of every column',
    operands: [[3, 4]],
    call: (k, a) => [k.sliceCols(a!, 0, a!.cols)],
  },
  {
    name: 'clamp to ±Infinity',
    operands: [[3, 4]],
    call: (k, a) => [k.clamp(a!, -Infinity, Infinity)],
  },
  { name: 'sum of a 1×1 matrix', operands: [[1, 1]], call: (k, a) => [k.sum(a!)] },
  {
    name: 'axpy with alpha 0',
    operands: [
      [3, 4],
      [3, 4],
    ],
    call: (k, x, y) => [k.axpy!(0, x!, y!)],
    needs: 'fusedAxpy',
  },
];

/** Every op's call that applies to `backend`, and the identity calls. */
export const handleCalls = (backend: Backend): OpCall[] =>
  callsOf(backend, [...OP_CALLS, ...IDENTITY_CALLS]);

const shape = ([r, c]: Shape) => `${r}×${c}`;

/** The call and its operands' shapes, e.g. `add of a column (3×4, 3×1)`. */
export const label = (call: OpCall, shapes: readonly Shape[] = call.operands) =>
  `${call.name} (${shapes.map(shape).join(', ')})`;

/** Seeded operands of mixed sign (both branches of relu, step, clamp), one seed per operand. */
export const upload = (k: Backend, shapes: readonly Shape[], seed: number): Matrix[] =>
  shapes.map(([r, c], i) => {
    const h = randomHost(seed + i, r, c, -2, 2);
    return k.fromArray(h.data, r, c);
  });

/** The data of each matrix, as read now. */
export const snapshot = async (k: Backend, ms: readonly Matrix[]): Promise<Float64Array[]> =>
  Promise.all(ms.map(async (m) => (await download(k, m)).data));

/** Each of `ms` must still hold `expected`, exactly (and be live). */
export async function expectHeld(
  k: Backend,
  what: (i: number) => string,
  ms: readonly Matrix[],
  expected: readonly Float64Array[],
): Promise<void> {
  for (const [i, m] of ms.entries()) {
    if (m.isDisposed) fail(`${what(i)}: it was disposed.`);
    const data = (await download(k, m)).data;
    expectEntries(what(i), k.dtype, data, expected[i]!, { ulps: 0, cols: m.cols });
  }
}

/** Stale data a buffer pool may hold: NaN, and a finite sentinel no op here computes. */
export const GARBAGE = [Number.NaN, -7777] as const;

/**
 * Matrices of every shape in `shapes`, of its row and column vectors and of 1×1 (what an op's
 * temporaries take), `count` of each, every entry `value`; live until disposed.
 */
export function garbage(k: Backend, shapes: readonly Shape[], value: number, count = 4): Matrix[] {
  const all = shapes.flatMap(([r, c]): Shape[] => [
    [r, c],
    [r, 1],
    [1, c],
    [1, 1],
  ]);
  return all.flatMap(([r, c]) => Array.from({ length: count }, () => k.fill(r, c, value)));
}

/** Fills the pool with garbage: creates `garbage` and disposes it at once. */
export const pollute = (k: Backend, shapes: readonly Shape[], value: number): void =>
  dispose(k, garbage(k, shapes, value));

export const shapesOf = (ms: readonly Matrix[]): Shape[] => ms.map((m) => [m.rows, m.cols]);
