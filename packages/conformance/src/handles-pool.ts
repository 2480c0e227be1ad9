/**
 * Disposal, reuse and `memory()`: a result never carries stale data from storage a backend
 * reuses, disposing twice changes nothing, and `memory()` counts what is live. Every op of
 * `callsOf` is run, on a pool filled with garbage of every shape it may take.
 */
import { dispose } from '@twostep/core';
import type { Backend, Matrix, MemoryInfo } from '@twostep/core/backend';
import { type Check, fail } from './check.js';
import {
  expectHeld,
  GARBAGE,
  garbage,
  handleCalls,
  label,
  pollute,
  type Shape,
  seedOf,
  shapesOf,
  snapshot,
  upload,
} from './handles-calls.js';
import { check, download, randomHost, round } from './util.js';

const AREA = 'handles';

const bytesOf = (k: Backend, shapes: readonly Shape[]) =>
  shapes.reduce((sum, [r, c]) => sum + r * c * (k.dtype === 'float32' ? 4 : 8), 0);

const show = (m: MemoryInfo) => `${m.matrices} matrices, ${m.bytes} bytes`;

function expectMemory(k: Backend, what: string, expected: MemoryInfo): void {
  const now = k.memory();
  if (now.matrices !== expected.matrices || now.bytes !== expected.bytes) {
    fail(`memory() ${what}: ${show(now)}, expected ${show(expected)}.`);
  }
}

const plus = (m: MemoryInfo, matrices: number, bytes: number): MemoryInfo => ({
  matrices: m.matrices + matrices,
  bytes: m.bytes + bytes,
});

const SHAPES: readonly Shape[] = [
  [3, 5],
  [1, 1],
  [7, 1],
  [1, 9],
  [6, 6],
];

/** Whether data `i` equals an earlier one, so that immutable storage may hold both once. */
const repeats = (data: readonly Float64Array[], i: number) =>
  data
    .slice(0, i)
    .some((d) => d.length === data[i]!.length && d.every((x, j) => Object.is(x, data[i]![j])));

export const poolChecks: Check[] = [
  check(AREA, 'results never carry stale pooled data', async (k) => {
    const calls = handleCalls(k);
    // fill and fromArray write every entry, whatever the storage they take held.
    for (const value of GARBAGE) {
      for (const [r, c] of SHAPES) {
        pollute(k, [[r, c]], value);
        const data = randomHost(seedOf(-3), r, c);
        const made = [k.fill(r, c, 0), k.fill(r, c, 0.5), k.fromArray(data.data, r, c)];
        const expected: Float64Array[] = [0, 0.5].map((x) => new Float64Array(r * c).fill(x));
        expected.push(round(k, data).data);
        const what = (i: number) =>
          `${['fill with 0', 'fill with 0.5', 'fromArray'][i]} (${r}×${c}), over storage that held ${value}`;
        await expectHeld(k, what, made, expected);
        dispose(k, made);
      }
    }
    // Every op once on a clean pool: nothing is disposed until all have run.
    const clean: { operands: Float64Array[]; results: Float64Array[]; shapes: Shape[] }[] = [];
    const made: Matrix[][] = [];
    for (const [n, call] of calls.entries()) {
      const operands = upload(k, call.operands, seedOf(n));
      const results = call.call(k, ...operands);
      const [data, out] = [await snapshot(k, operands), await snapshot(k, results)];
      clean.push({ operands: data, results: out, shapes: shapesOf(results) });
      made.push(operands, results);
    }
    dispose(k, made);
    // Again, each op on storage left by the previous one and by garbage of every shape it
    // may take; while its results are live, more garbage of their shapes is created.
    const order = [...calls.keys()];
    for (const value of GARBAGE) {
      for (const n of [...order, ...[...order].reverse()]) {
        const [call, { shapes }] = [calls[n]!, clean[n]!];
        const operands = upload(k, call.operands, seedOf(n));
        pollute(k, [...call.operands, ...shapes], value);
        const results = call.call(k, ...operands);
        const live = garbage(k, shapes, value);
        const what = (role: string) => (i: number) =>
          `${label(call)}: ${role} ${i}, over storage that held ${value}, against a clean pool`;
        await expectHeld(k, what('result'), results, clean[n]!.results);
        await expectHeld(k, what('operand'), operands, clean[n]!.operands);
        dispose(k, [operands, results, live]);
      }
    }
  }),
  check(AREA, 'memory() counts live matrices and their bytes, rows · cols · 4 or 8 each', (k) => {
    const start = k.memory();
    const live: Matrix[] = [];
    const expectLive = (what: string) =>
      expectMemory(k, what, plus(start, live.length, bytesOf(k, shapesOf(live))));
    // The second round takes the storage the first one disposed, which is no longer counted.
    for (const round of ['', ' again']) {
      for (const [i, [r, c]] of SHAPES.entries()) {
        live.push(i % 2 ? k.fill(r, c, 1) : k.fromArray(new Float64Array(r * c).fill(0.5), r, c));
        expectLive(`after creating a ${r}×${c} matrix${round}`);
      }
      for (const m of [...live.filter((_, i) => i % 2), ...live.filter((_, i) => i % 2 === 0)]) {
        k.dispose(m);
        live.splice(live.indexOf(m), 1);
        expectLive(`after disposing ${m}${round}`);
      }
    }
  }),
  check(
    AREA,
    "memory() counts every op's results until they are disposed, and nothing for a rejected op",
    async (k) => {
      const start = k.memory();
      for (const [n, call] of handleCalls(k).entries()) {
        const operands = upload(k, call.operands, seedOf(n));
        const before = k.memory();
        const results = call.call(k, ...operands);
        const now = k.memory();
        // Logical bytes for each result; a result holding an operand's or another result's
        // data may share immutable storage with it (tfjs's clone), counted once.
        const data = await snapshot(k, [...operands, ...results]);
        const shapes = shapesOf(results);
        const shared = shapes.filter((_, i) => repeats(data, operands.length + i));
        const [most, least] = [bytesOf(k, shapes), bytesOf(k, shapes) - bytesOf(k, shared)];
        const grew = now.bytes - before.bytes;
        if (now.matrices - before.matrices !== results.length || grew < least || grew > most) {
          fail(
            `memory() after ${label(call)}: from ${show(before)} to ${show(now)}; expected ${results.length} more matrices and ${least === most ? most : `${least} to ${most}`} more bytes.`,
          );
        }
        dispose(k, results);
        expectMemory(k, `after ${label(call)} and disposing its results`, before);
        // A rejected op creates nothing: an operand one row and one column too large, or disposed.
        const rejects = (why: string, args: Matrix[]) => {
          const held = k.memory();
          try {
            dispose(k, call.call(k, ...args)); // accepted: the op errors checks say so
          } catch {
            expectMemory(k, `after ${label(call)} rejected ${why}`, held);
          }
        };
        if (operands.length > 1) {
          const last = operands[operands.length - 1]!;
          const large = k.fill(last.rows + 1, last.cols + 1, 1);
          rejects('an operand one row and one column too large', [...operands.slice(0, -1), large]);
          k.dispose(large);
        }
        k.dispose(operands[0]!);
        rejects('a disposed operand', operands);
        dispose(k, operands);
      }
      expectMemory(k, 'after every op, once everything was disposed', start);
    },
  ),
  check(AREA, 'disposing twice changes nothing and hands the storage out once', async (k) => {
    for (const [n, call] of handleCalls(k).entries()) {
      const operands = upload(k, call.operands, seedOf(n));
      const disposed = [...new Set([...operands, ...call.call(k, ...operands)])];
      dispose(k, disposed);
      const once = k.memory();
      dispose(k, disposed);
      expectMemory(k, `after disposing the operands and results of ${label(call)} twice`, once);
      const undisposed = disposed.findIndex((m) => !m.isDisposed);
      if (undisposed >= 0)
        fail(`${label(call)}: ${disposed[undisposed]} was disposed, yet isDisposed is false.`);
      // Storage returned twice would be handed to two of these.
      const fresh = [...disposed, ...disposed].map((m, i) => k.fill(m.rows, m.cols, i + 1));
      for (const [i, m] of fresh.entries()) {
        const data = (await download(k, m)).data;
        const wrong = data.findIndex((x) => x !== i + 1);
        if (wrong >= 0) {
          fail(
            `${label(call)}: after disposing its matrices twice, a new ${m} filled with ${i + 1} holds ${data[wrong]} at entry ${wrong}: storage was handed out twice.`,
          );
        }
      }
      dispose(k, fresh);
    }
  }),
];
