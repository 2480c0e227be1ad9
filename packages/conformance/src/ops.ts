/**
 * Every op of the Backend contract against the float64 reference, entry by entry, on shapes
 * across kernels' block boundaries and at edge values. This file: transfer and `matMul`;
 * `ops-elementwise.ts` and `ops-structure.ts` the rest. Each check's name starts with its op.
 */
import type { Backend, MatMulOptions } from '@twostep/core/backend';
import * as ref from '@twostep/core/reference';
import { type Check, expectClose, fail, OP_ULPS } from './check.js';
import { elementwiseChecks } from './ops-elementwise.js';
import { structureChecks } from './ops-structure.js';
import {
  abs,
  edgeValues,
  held,
  MATRIX_SHAPES,
  PRODUCTS,
  row,
  someHost,
  storedValues,
  upload,
  wideHost,
} from './shapes.js';
import { check, expectMatrix, scoped } from './util.js';

const AREA = 'ops';
const EXACT = { ulps: 0 };

/** The edge values repeated to fill rows × cols. */
export const edgeHost = (k: Backend, rows: number, cols: number): ref.Host => {
  const e = storedValues(k);
  return ref.host(rows, cols, (i, j) => e[(i * cols + j) % e.length]!);
};

/** Σₖ|aᵢₖ·bₖⱼ|: rounding a sum of k products costs up to γ_k of it (ulps OP_ULPS + k). */
const matMulScale = (a: ref.Host, b: ref.Host, o: MatMulOptions) =>
  ref.matMul(abs(a), abs(b), o).data;

const flagged = (h: { rows: number; cols: number }, t: boolean) =>
  `${h.rows}×${h.cols}${t ? 'ᵀ' : ''}`;

const transferChecks: Check[] = [
  check(AREA, 'fromArray and read return the data, row-major, exactly, on every shape', (backend) =>
    scoped(backend, async (k) => {
      for (const [s, [rows, cols]] of MATRIX_SHAPES.entries()) {
        const h = s % 3 ? wideHost(s, rows, cols) : edgeHost(k, rows, cols);
        await expectMatrix(k, `fromArray(${rows}×${cols}) then read`, upload(k, h), h, EXACT);
      }
      // Values that need every bit of the declared dtype survive the round trip exactly.
      const precise = row([Math.PI / 7, 1 / 3, -Math.E * 1e10, 0.1 + 2 ** -40]);
      const what = `fromArray then read keeps full ${k.dtype} precision`;
      await expectMatrix(k, what, upload(k, precise), precise, EXACT);
      const edges = row(storedValues(k));
      const m = upload(k, edges);
      await expectMatrix(k, `fromArray([${edges.data.join(', ')}]) then read`, m, edges, EXACT);
      if (k.supports.readSync) {
        if (!k.readSync) fail('supports.readSync is true but readSync is missing.');
        expectClose('readSync equals read', k.readSync(m), await k.read(m), 0);
      }
    }),
  ),
  check(AREA, 'fill: every entry the value, on every shape and edge value', (backend) =>
    scoped(backend, async (k) => {
      const values = [-1.5, 0.1, ...storedValues(k)];
      for (const [s, [rows, cols]] of MATRIX_SHAPES.entries()) {
        const v = values[s % values.length]!;
        const what = `fill(${rows}, ${cols}, ${v})`;
        await expectMatrix(
          k,
          what,
          k.fill(rows, cols, v),
          ref.host(rows, cols, () => v),
          EXACT,
        );
      }
    }),
  ),
  check(AREA, 'copy: the data, exactly, on every shape and edge value', (backend) =>
    scoped(backend, async (k) => {
      for (const [s, [rows, cols]] of MATRIX_SHAPES.entries()) {
        const a = await held(k, s % 2 ? someHost(s, rows, cols) : edgeHost(k, rows, cols));
        await expectMatrix(k, `copy(${rows}×${cols})`, k.copy(a.m), a.h, EXACT);
      }
    }),
  ),
];

/** matMul with both flags, on every product of PRODUCTS; every third on wide-range data. */
const matMulCheck = (transposeA: boolean, transposeB: boolean) =>
  check(
    AREA,
    `matMul: transposeA = ${transposeA}, transposeB = ${transposeB}, on every block boundary`,
    (backend) =>
      scoped(backend, async (k) => {
        for (const [i, [m, kk, n]] of PRODUCTS.entries()) {
          // Operands stored as the flags say: aᵀ is held as k × m, bᵀ as n × k.
          const [ar, ac] = transposeA ? [kk, m] : [m, kk];
          const [br, bc] = transposeB ? [n, kk] : [kk, n];
          const data = i % 3 === 2 ? wideHost : someHost;
          const a = await held(k, data(2 * i, ar, ac));
          const b = await held(k, data(2 * i + 1000, br, bc));
          const o = { transposeA, transposeB };
          const what = `matMul(${flagged(a.h, transposeA)}, ${flagged(b.h, transposeB)}) (m = ${m}, k = ${kk}, n = ${n})`;
          await expectMatrix(k, what, k.matMul(a.m, b.m, o), ref.matMul(a.h, b.h, o), {
            ulps: OP_ULPS + kk,
            scale: matMulScale(a.h, b.h, o),
          });
        }
      }),
  );

/** Non-finite operands flow through a product: NaN and ±Infinity reach the entries they touch. */
const matMulEdges = check(
  AREA,
  'matMul: NaN, ±Infinity, ±0 and subnormals flow through',
  (backend) =>
    scoped(backend, async (k) => {
      const e = edgeValues(k).filter((x) => Math.abs(x) < 1e20 || !Number.isFinite(x));
      for (const [m, kk, n] of [
        [e.length, 1, 3],
        [1, e.length, 1],
        [5, 1, e.length],
      ] as const) {
        const a = await held(
          k,
          ref.host(m, kk, (i, j) => (kk === 1 ? e[i % e.length]! : e[j]!)),
        );
        const b = await held(
          k,
          ref.host(kk, n, (_, j) => (j % 2 ? -0.5 : 2)),
        );
        const what = `matMul(${m}×${kk} with edge values, ${kk}×${n})`;
        await expectMatrix(k, what, k.matMul(a.m, b.m), ref.matMul(a.h, b.h), {
          ulps: OP_ULPS + kk,
          scale: matMulScale(a.h, b.h, {}),
        });
      }
    }),
);

export const opChecks: Check[] = [
  ...transferChecks,
  ...[false, true].flatMap((tA) => [false, true].map((tB) => matMulCheck(tA, tB))),
  matMulEdges,
  ...elementwiseChecks,
  ...structureChecks,
];
