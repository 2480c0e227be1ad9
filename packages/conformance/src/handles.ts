/**
 * What every op does with handles: returns new matrices, leaves every operand unchanged (also
 * when one matrix is passed as several operands), and `read` hands out copies. Every op of
 * `callsOf` is checked, so an op added to the contract is checked here once it is listed there.
 * Memory, disposal and reuse of pooled storage: `handles-pool.ts`.
 */
import { dispose } from '@twostep/core';
import { type Backend, type Matrix, ShapeError } from '@twostep/core/backend';
import { referenceBackend } from '@twostep/core/reference';
import type { OpCall } from './calls.js';
import { type Check, expectEntries, fail } from './check.js';
import {
  expectHeld,
  GARBAGE,
  handleCalls,
  label,
  pollute,
  type Shape,
  seedOf,
  shapesOf,
  snapshot,
  upload,
} from './handles-calls.js';
import { poolChecks } from './handles-pool.js';
import { check, download, randomHost } from './util.js';

const AREA = 'handles';

/** Each result is a new, live matrix of the expected shape and dtype, distinct from the others. */
function expectNew(
  k: Backend,
  what: string,
  operands: readonly Matrix[],
  results: readonly Matrix[],
  expected: readonly Shape[],
): void {
  if (results.length !== expected.length) {
    fail(`${what}: returned ${results.length} matrices, expected ${expected.length}.`);
  }
  for (const [i, r] of results.entries()) {
    const [rows, cols] = expected[i]!;
    if (operands.includes(r)) {
      fail(`${what}: result ${i} is operand ${operands.indexOf(r)} itself, not a new matrix.`);
    }
    if (results.indexOf(r) < i)
      fail(`${what}: results ${results.indexOf(r)} and ${i} are one matrix.`);
    if (r.isDisposed) fail(`${what}: result ${i} is already disposed.`);
    if (r.rows !== rows || r.cols !== cols || r.dtype !== k.dtype) {
      fail(
        `${what}: result ${i} is ${r.rows}×${r.cols} ${r.dtype}, expected ${rows}×${cols} ${k.dtype}.`,
      );
    }
  }
}

/** Every way to pass one matrix as several of `n` operands: the partitions of their indices. */
function partitions(n: number): number[][][] {
  let all: number[][][] = [[]];
  for (let i = 0; i < n; i++) {
    all = all.flatMap((groups) => [
      ...groups.map((_, g) => groups.map((group, h) => (h === g ? [...group, i] : group))),
      [...groups, [i]],
    ]);
  }
  return all;
}

/**
 * The shapes to try for a partition: each group takes its first operand's shape, or (for a
 * group of several operands) a square of its rows or its columns, as `matMul(a, a)` needs.
 */
function groupShapes(call: OpCall, groups: number[][]): Shape[][] {
  const first = groups.map((g) => call.operands[g[0]!]!);
  const square = (pick: 0 | 1) =>
    groups.map((g, i): Shape => (g.length > 1 ? [first[i]![pick], first[i]![pick]] : first[i]!));
  const variants = [first, square(0), square(1)];
  return variants.filter(
    (v, i) => variants.findIndex((w) => JSON.stringify(w) === JSON.stringify(v)) === i,
  );
}

const sameShape = (a: Shape, b: Shape) => a[0] === b[0] && a[1] === b[1];

/** The call with one matrix per group of `groups`; each must keep its data, exactly. */
async function expectOperandsKept(k: Backend, call: OpCall, groups: number[][], seed: number) {
  const groupOf = call.operands.map((_, i) => groups.findIndex((g) => g.includes(i)));
  const aliased = groups.filter((g) => g.length > 1);
  const as = aliased.map((g) => ` (operands ${g.join(' and ')} one matrix)`).join('');
  for (const shapes of groupShapes(call, groups)) {
    const matrices = upload(k, shapes, seed);
    const operands = groupOf.map((g) => matrices[g]!);
    const what = `${label(call, shapesOf(operands))}${as}`;
    const before = await snapshot(k, matrices);
    let results: Matrix[];
    try {
      results = call.call(k, ...operands);
    } catch (error) {
      dispose(k, matrices);
      // Shapes the contract rejects may throw; passing one matrix twice is always allowed.
      const valid = operands.every((m, i) => sameShape([m.rows, m.cols], call.operands[i]!));
      if (error instanceof ShapeError && !valid) continue;
      throw error;
    }
    await expectHeld(
      k,
      (g) => `${what}: operand ${groups[g]!.join(' and ')} after the op`,
      matrices,
      before,
    );
    if (aliased.length > 0) {
      // The same data in distinct matrices: a result depends on values, not on handles.
      const distinct = groupOf.map((g) => upload(k, [shapes[g]!], seed + g)[0]!);
      const fromDistinct = call.call(k, ...distinct);
      const expected = await snapshot(k, fromDistinct);
      for (const [i, r] of results.entries()) {
        expectEntries(
          `${what}: result ${i}, against distinct operands of the same data`,
          k.dtype,
          (await download(k, r)).data,
          expected[i]!,
          { ulps: 0, cols: r.cols },
        );
      }
      dispose(k, [distinct, fromDistinct]);
    }
    dispose(k, [matrices, results]);
  }
}

/** `read` and `readSync` of `m` hand out copies, and snapshots; disposes `m`. */
async function expectCopies(k: Backend, what: string, m: Matrix): Promise<void> {
  const held = (await download(k, m)).data;
  const shape: Shape[] = [[m.rows, m.cols]];
  const same = (how: string, data: ArrayLike<number>) =>
    expectEntries(`${what}: ${how}`, k.dtype, data, held, { ulps: 0, cols: m.cols });
  const reads: [
    string,
    () => Float32Array | Float64Array | Promise<Float32Array | Float64Array>,
  ][] = [['read', () => k.read(m)]];
  if (k.supports.readSync) reads.push(['readSync', () => k.readSync!(m)]);
  const kept: [string, Float32Array | Float64Array][] = [];
  for (const [name, read] of reads) {
    const first = await read();
    const second = await read();
    if (first === second) fail(`${what}: two calls of ${name} returned the same array.`);
    first.fill(GARBAGE[1]);
    same(`${name} after the array an earlier ${name} returned was changed`, await read());
    same(`the array of a second ${name} after the first one's was changed`, second);
    kept.push([name, second]);
  }
  // A read resolves to the data at the time it was called, whatever runs before it is awaited.
  const pending = k.read(m);
  pollute(k, shape, GARBAGE[1]);
  same('a read awaited after other matrices of its shape were created and disposed', await pending);
  k.dispose(m);
  pollute(k, shape, GARBAGE[1]);
  for (const [name, data] of kept) {
    same(`an array from ${name}, after the matrix was disposed and its storage reused`, data);
  }
}

export const handleChecks: Check[] = [
  check(AREA, 'every op returns new matrices, independent of its operands', async (k) => {
    // fromArray copies the data it is given: changing the array afterwards changes no matrix.
    const data = randomHost(seedOf(-2), 3, 4).data;
    for (const source of [Float32Array.from(data), Float64Array.from(data), Array.from(data)]) {
      const m = k.fromArray(source, 3, 4);
      const held = await snapshot(k, [m]);
      source.fill(GARBAGE[1]);
      const what = () => `fromArray (3×4) of a ${source.constructor.name}, after it was changed`;
      await expectHeld(k, what, [m], held);
      k.dispose(m);
    }
    const ref = referenceBackend();
    for (const [n, call] of handleCalls(k).entries()) {
      const what = label(call);
      const expected = shapesOf(call.call(ref, ...upload(ref, call.operands, seedOf(n))));
      const operands = upload(k, call.operands, seedOf(n));
      const before = await snapshot(k, operands);
      const results = call.call(k, ...operands);
      expectNew(k, what, operands, results, expected);
      // Disposing the results (and reusing their storage) leaves the operands as they were.
      dispose(k, results);
      pollute(k, expected, GARBAGE[1]);
      const operand = (i: number) => `${what}: operand ${i} after the results were disposed`;
      await expectHeld(k, operand, operands, before);
      // Disposing the operands (and reusing their storage) leaves the results as they were.
      const again = call.call(k, ...operands);
      const held = await snapshot(k, again);
      dispose(k, operands);
      pollute(k, call.operands, GARBAGE[1]);
      const result = (i: number) => `${what}: result ${i} after the operands were disposed`;
      await expectHeld(k, result, again, held);
      dispose(k, again);
    }
  }),
  check(
    AREA,
    'every op leaves every operand unchanged, also one matrix passed twice',
    async (k) => {
      for (const [n, call] of handleCalls(k).entries()) {
        for (const groups of partitions(call.operands.length)) {
          await expectOperandsKept(k, call, groups, seedOf(n));
        }
      }
    },
  ),
  check(AREA, 'read and readSync return copies, as of the time of the read', async (k) => {
    const [a] = upload(k, [[3, 4]], seedOf(-1));
    await expectCopies(k, 'fromArray (3×4)', a!);
    await expectCopies(k, 'fill (2×5)', k.fill(2, 5, 0.25));
    for (const [n, call] of handleCalls(k).entries()) {
      const operands = upload(k, call.operands, seedOf(n));
      for (const [i, r] of call.call(k, ...operands).entries()) {
        await expectCopies(k, `${label(call)}: result ${i}`, r);
      }
      dispose(k, operands);
    }
  }),
  ...poolChecks,
];
