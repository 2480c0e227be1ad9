/**
 * Reductions and structure against the float64 reference: `sum`, `logSoftmax` (both sums of
 * many terms), `sliceCols` and `concatRows` (exact), on every shape and at edge values.
 */
import type { Backend } from '@twostep/core/backend';
import * as ref from '@twostep/core/reference';
import { type Check, OP_ULPS } from './check.js';
import {
  AREA,
  abs,
  edgeValues,
  held,
  MATRIX_SHAPES,
  MAX,
  row,
  SIZES,
  shape,
  someHost,
  subnormal,
} from './shapes.js';
import { check, expectMatrix, scoped } from './util.js';

/** Σ|aᵢⱼ|: a sum of n terms, in any order, is off by up to γ_n of it (ulps OP_ULPS + n). */
async function expectSum(k: Backend, a: ref.Host, what: string) {
  const x = await held(k, a);
  await expectMatrix(k, `sum(${what})`, k.sum(x.m), ref.sum(x.h), {
    ulps: OP_ULPS + a.data.length,
    scale: ref.sum(abs(x.h)).data,
  });
}

const sumChecks = [
  check(AREA, 'sum: every shape, uniform and wide-range data', (backend) =>
    scoped(backend, async (k) => {
      for (const [s, [rows, cols]] of MATRIX_SHAPES.entries()) {
        await expectSum(k, someHost(s + 4000, rows, cols), `${rows}×${cols}`);
      }
    }),
  ),
  check(AREA, 'sum: NaN, ±Infinity, overflow, subnormals and cancellation', (backend) =>
    scoped(backend, async (k) => {
      const sub = subnormal(k);
      const big = MAX[k.dtype];
      for (const values of [
        edgeValues(k),
        [1, Infinity, 2],
        [Infinity, -Infinity],
        [-Infinity, 3, -1],
        [big, big, -1],
        [-big, -big],
        ...(k.supports.flushesSubnormals ? [] : [[sub, sub, sub, -sub / 2]]),
        [1e30, 1, -1e30, 2],
        [0.1, 0.2, -0.3],
        [-0, -0],
      ]) {
        await expectSum(k, row(values), `[${values.join(', ')}]`);
      }
    }),
  ),
];

/**
 * The scale of logSoftmax's entry: the contract's formula aᵢⱼ − log Σₖ exp(aₖⱼ) subtracts two
 * terms, each rounded to its own magnitude, and the sum under the log (terms ≤ 1 once the
 * column's maximum is taken out, the largest exactly 1) costs γ_rows absolutely; so
 * |aᵢⱼ| + |log Σₖ exp(aₖⱼ)| + 1, with ulps OP_ULPS + rows.
 */
function logSoftmaxScale(a: ref.Host): Float64Array {
  const y = ref.logSoftmax(a);
  return a.data.map((x, i) => Math.abs(x) + Math.abs(x - y.data[i]!) + 1);
}

async function expectLogSoftmax(k: Backend, a: ref.Host, what: string) {
  const x = await held(k, a);
  const scale = logSoftmaxScale(x.h);
  await expectMatrix(k, `logSoftmax(${what})`, k.logSoftmax(x.m), ref.logSoftmax(x.h), {
    ulps: OP_ULPS + a.rows,
    scale: scale.map((s) => (Number.isFinite(s) ? s : 0)),
  });
}

/** Columns of `values`, one column per list, padded with the list's last value. */
const columns = (...values: number[][]): ref.Host => {
  const rows = Math.max(...values.map((v) => v.length));
  return ref.host(rows, values.length, (i, j) => values[j]![Math.min(i, values[j]!.length - 1)]!);
};

const logSoftmaxChecks = [
  check(AREA, 'logSoftmax: by columns, on every shape', (backend) =>
    scoped(backend, async (k) => {
      for (const [s, [rows, cols]] of MATRIX_SHAPES.entries()) {
        await expectLogSoftmax(k, someHost(2 * s + 5000, rows, cols, -5, 5), `${rows}×${cols}`);
      }
    }),
  ),
  check(
    AREA,
    'logSoftmax: maxima anywhere, below −745, at ±1000, equal entries, one row, NaN, −∞',
    (backend) =>
      scoped(backend, async (k) => {
        const cases: [string, ref.Host][] = [
          // The maximum in the last, a middle and the first row; each exp underflows unless the
          // column's maximum is taken out first (every entry below −745, or far below the rest).
          ['maxima not in the first row', columns([-3, 1, 2, 7], [0, 9, 1, -2], [5, 1, 2, 3])],
          ['every entry below −745', columns([-1000, -1001, -1003], [-800, -760, -750.5])],
          ['entries ±1000', columns([1e3, -1e3, 999], [-500, -501, -502], [-1e3, 1e3, 1e3])],
          ['equal entries', columns([2, 2, 2, 2, 2], [-1e3, -1e3, -1e3, -1e3, -1e3])],
          ['one row', row([-1e3, 0, 1e3, 3.5, -0])],
          ['a NaN and a −∞', columns([1, Number.NaN, 2], [1, -Infinity, 2])],
          [
            'a 1025-row column with its maximum last',
            ref.host(1025, 2, (i, j) => (j ? -i : i) / 7),
          ],
        ];
        for (const [what, h] of cases) await expectLogSoftmax(k, h, `${shape(h)}, ${what}`);
      }),
  ),
];

/** Column ranges starting and ending at block boundaries of a `cols`-wide matrix. */
const ranges = (cols: number): [number, number][] => {
  const cuts = [...new Set([0, ...SIZES, 1024, cols])].filter((c) => c <= cols);
  return cuts
    .flatMap((c, i): [number, number][] => [
      [0, c],
      [c, cols],
      [c, cuts[i + 2] ?? cols],
    ])
    .filter(([start, end]) => start < end);
};

const structureShapes: [number, number][] = [
  [1, 2100],
  [3, 1030],
  [17, 65],
  [2, 9],
];

const sliceColsCheck = check(
  AREA,
  'sliceCols: exact, at every block boundary of wide matrices',
  (backend) =>
    scoped(backend, async (k) => {
      for (const [s, [rows, cols]] of structureShapes.entries()) {
        const a = await held(k, someHost(s + 6000, rows, cols));
        for (const [start, end] of ranges(cols)) {
          await expectMatrix(
            k,
            `sliceCols(${rows}×${cols}, ${start}, ${end})`,
            k.sliceCols(a.m, start, end),
            ref.sliceCols(a.h, start, end),
            { ulps: 0 },
          );
        }
      }
    }),
);

const concatRowsCheck = check(
  AREA,
  'concatRows: exact, either side one row, large and wide',
  (backend) =>
    scoped(backend, async (k) => {
      for (const [s, [top, bottom, cols]] of [
        [1, 1, 1],
        [1, 4, 9],
        [4, 1, 9],
        [1, 1, 2100],
        [1025, 1, 17],
        [1, 1023, 5],
        [63, 65, 64],
        [3, 5, 1030],
      ].entries()) {
        const a = await held(k, someHost(s + 7000, top!, cols!));
        const b = await held(k, someHost(s + 7100, bottom!, cols!));
        await expectMatrix(
          k,
          `concatRows(${shape(a.h)}, ${shape(b.h)})`,
          k.concatRows(a.m, b.m),
          ref.concatRows(a.h, b.h),
          { ulps: 0 },
        );
      }
    }),
);

export const structureChecks: Check[] = [
  ...sumChecks,
  ...logSoftmaxChecks,
  sliceColsCheck,
  concatRowsCheck,
];
