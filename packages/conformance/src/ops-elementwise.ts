/**
 * Element-wise ops against the float64 reference: `add`, `sub`, `mul`, `div` (same shape and a
 * broadcast column), `scale`, `clamp` and every `unary` op, on every shape and at edge values.
 */
import { type Backend, type Matrix, UNARY_OPS, type UnaryOp } from '@twostep/core/backend';
import * as ref from '@twostep/core/reference';
import { type Check, MIN_NORMAL } from './check.js';
import {
  AREA,
  abs,
  edgeValues,
  held,
  MATRIX_SHAPES,
  MAX,
  row,
  shape,
  someHost,
  subnormalOperands,
  wideHost,
} from './shapes.js';
import { check, expectMatrix, scoped } from './util.js';

const BINARY_OPS = ['add', 'sub', 'mul', 'div'] as const;
type BinaryOp = (typeof BINARY_OPS)[number];

/**
 * The scale of each binary op's entry: |a| + |b| for add and sub (one rounding of a sum of two
 * terms), |a ∘ b| for mul and div (one rounding of the result).
 */
const binaryScale = (op: BinaryOp, a: ref.Host, b: ref.Host): Float64Array =>
  op === 'add' || op === 'sub'
    ? ref.binary('add', abs(a), abs(b)).data
    : abs(ref.binary(op, a, b)).data;

/** The result of `op` on the backend, checked against the reference, entry by entry. */
async function expectBinary(k: Backend, op: BinaryOp, a: Held, b: Held, what: string) {
  await expectMatrix(k, `${op}(${what})`, k[op](a.m, b.m), ref.binary(op, a.h, b.h), {
    scale: binaryScale(op, a.h, b.h),
  });
}

type Held = { m: Matrix; h: ref.Host };

const binaryCheck = (op: BinaryOp) =>
  check(AREA, `${op}: same shape and a broadcast column, on every shape`, (backend) =>
    scoped(backend, async (k) => {
      for (const [s, [rows, cols]] of MATRIX_SHAPES.entries()) {
        const a = await held(k, someHost(s, rows, cols));
        // Divisors kept away from 0 (wide-range ones are at least 2⁻²⁴ in magnitude).
        const [lo, hi] = op === 'div' ? [0.5, 2] : [-1, 1];
        const b = await held(k, someHost(s + 500, rows, cols, lo, hi));
        const column = await held(k, someHost(s + 1000, rows, 1, lo, hi));
        await expectBinary(k, op, a, b, `${shape(a.h)}, ${shape(b.h)}`);
        await expectBinary(k, op, a, column, `${shape(a.h)}, ${rows}×1 column`);
      }
    }),
  );

/** Every pair of edge values: a's columns and b's rows run through them; then b as a column. */
const binaryEdges = (op: BinaryOp) =>
  check(AREA, `${op}: every pair of NaN, ±0, ±Infinity, subnormal, huge and tiny`, (backend) =>
    scoped(backend, async (k) => {
      const e = edgeValues(k);
      const n = e.length;
      const a = await held(
        k,
        ref.host(n, n, (_, j) => e[j]!),
      );
      const b = await held(
        k,
        ref.host(n, n, (i) => e[i]!),
      );
      const column = await held(
        k,
        ref.host(n, 1, (i) => e[i]!),
      );
      const what = `a = [${e.join(', ')}] in every row`;
      await expectBinary(k, op, a, b, `${what}, b = the same in every column`);
      await expectBinary(k, op, a, column, `${what}, b = the same as a ${n}×1 column`);
    }),
  );

/** |s·a| + |t|: the two terms of s · a + t (the product and the sum each rounded once). */
const scaleScale = (a: ref.Host, s: number, t: number) =>
  a.data.map((x) => Math.abs(s * x) + Math.abs(t));

/**
 * (s, t) pairs: every factor a kernel may take a shortcut on (1: a copy, −1: a negation, 0: a
 * fill), and ordinary, tiny and huge ones, each with no offset, an offset and one that cancels.
 */
const SCALES: [number, number][] = [1, -1, 0, -2.5, 1e-30, 1e30].flatMap((s) =>
  [0, 3, -0.75].map((t): [number, number] => [s, t]),
);

const scaleChecks = [
  check(AREA, 'scale: s · a + t for every shape, factor and offset', (backend) =>
    scoped(backend, async (k) => {
      for (const [i, [rows, cols]] of MATRIX_SHAPES.entries()) {
        const a = await held(k, someHost(i + 1500, rows, cols));
        const [s, t] = SCALES[i % SCALES.length]!;
        await expectMatrix(
          k,
          `scale(${shape(a.h)}, ${s}, ${t})`,
          t === 0 && i % 2 ? k.scale(a.m, s) : k.scale(a.m, s, t),
          ref.map(a.h, (x) => s * x + t),
          { scale: scaleScale(a.h, s, t) },
        );
      }
    }),
  ),
  check(AREA, 'scale: edge values, with every factor and offset', (backend) =>
    scoped(backend, async (k) => {
      const a = await held(k, row(edgeValues(k)));
      for (const [s, t] of [...SCALES, [2, Number.NaN], [Infinity, 0], [-1, -Infinity]] as const) {
        await expectMatrix(
          k,
          `scale([${a.h.data.join(', ')}], ${s}, ${t})`,
          k.scale(a.m, s, t),
          ref.map(a.h, (x) => s * x + t),
          { scale: scaleScale(a.h, s, t) },
        );
      }
    }),
  ),
];

/** Bounds: two-sided, one-sided (±Infinity), equal, and around 0. */
const BOUNDS: [number, number][] = [
  [-1, 0.5],
  [0, Infinity],
  [-Infinity, 0],
  [0.1, 0.1],
  [-1e-30, 1e-30],
];

async function expectClamp(k: Backend, a: Held, [lo, hi]: [number, number], what: string) {
  const expected = ref.map(a.h, (x) => Math.min(hi, Math.max(lo, x)));
  await expectMatrix(k, `clamp(${what}, ${lo}, ${hi})`, k.clamp(a.m, lo, hi), expected, {
    ulps: 0,
  });
}

/** clamp is exact: each entry is the entry itself or a bound; NaN stays NaN (for every bound). */
const clampCheck = check(
  AREA,
  'clamp: exact on every shape and edge value, NaN stays NaN',
  (backend) =>
    scoped(backend, async (k) => {
      for (const [i, [rows, cols]] of MATRIX_SHAPES.entries()) {
        const a = await held(k, someHost(i + 2000, rows, cols, -3, 3));
        await expectClamp(k, a, BOUNDS[i % BOUNDS.length]!, shape(a.h));
      }
      const edges = await held(k, row(edgeValues(k)));
      const what = `[${edges.h.data.join(', ')}]`;
      for (const bounds of BOUNDS) await expectClamp(k, edges, bounds, what);
    }),
);

/**
 * Each op's edges: where it overflows, underflows (to subnormals and to 0, in float32 and in
 * float64), is ±∞ or NaN, and leaves its domain.
 */
const edges = (k: Backend, op: UnaryOp): number[] => {
  const common = [
    Number.NaN,
    0,
    -0,
    Infinity,
    -Infinity,
    ...subnormalOperands(k),
    MIN_NORMAL[k.dtype],
  ];
  const specific: Record<UnaryOp, number[]> = {
    square: [2, -3, 1e-20, -1e-20, 1e-160, 1e20, -1e20, 1e160, MAX[k.dtype]],
    sqrt: [-1, 1e-30, 2, 1e30, MAX[k.dtype], -MAX[k.dtype]],
    exp: [1, -1, 20, 88.7, 88.8, 709.7, 709.8, -87.3, -100, -104, -708, -740, -746, 1e3, -1e3],
    log: [1, 2, 1 + 2 ** -20, 1 - 2 ** -20, 1e-30, 1e30, MAX[k.dtype], -1, ...subnormalOperands(k)],
    tanh: [1e-30, 1e-3, -1e-3, 0.5, -0.5, 9, 10, 20, -20, 1e3, -1e3],
    sigmoid: [1, -1, 1e-3, 30, -30, 88, -88, -100, -104, 745, -745, 1e3, -1e3],
    relu: [1, -1, 1e-30, -1e-30, MAX[k.dtype], -MAX[k.dtype]],
    step: [1, -1, 1e-30, -1e-30, MAX[k.dtype], -MAX[k.dtype]],
    softplus: [1, -1, 1e-3, 30, -30, 88, 89, -88, -100, -104, 710, -745, 1e3, -1e3],
  };
  return [...common, ...specific[op]];
};

/** Random data per op: inside its domain, over the range where it changes. */
const DATA: Record<UnaryOp, (seed: number, rows: number, cols: number) => ref.Host> = {
  square: wideHost,
  sqrt: (s, r, c) => abs(wideHost(s, r, c)),
  exp: (s, r, c) => someHost(2 * s, r, c, -80, 80),
  log: (s, r, c) => abs(wideHost(s, r, c)),
  tanh: (s, r, c) => someHost(2 * s, r, c, -10, 10),
  sigmoid: (s, r, c) => someHost(2 * s, r, c, -40, 40),
  relu: wideHost,
  step: wideHost,
  softplus: (s, r, c) => someHost(2 * s, r, c, -40, 40),
};

/** x · f'(x) for each op, from x and y = f(x): how far f moves when x is rounded once. */
const ARGUMENT_TERM: Record<UnaryOp, (x: number, y: number) => number> = {
  square: (_, y) => 2 * y,
  sqrt: (_, y) => y / 2,
  exp: (x, y) => x * y,
  log: () => 1,
  tanh: (x, y) => x * (1 - y * y),
  sigmoid: (x, y) => x * y * (1 - y),
  relu: (_, y) => y,
  step: () => 0,
  softplus: (x) => x * ref.unaryOps.sigmoid(x),
};

/**
 * |f(x)| + |x · f'(x)|: a library function rounds its result and may round its argument once
 * (argument reduction: GLSL ES 3.00 allows exp (3 + 2|x|) ulps, log 2⁻²¹ absolutely near 1).
 */
const unaryScale = (op: UnaryOp, x: ref.Host, y: ref.Host) =>
  x.data.map((xi, i) => {
    const yi = y.data[i]!;
    const term = Math.abs(ARGUMENT_TERM[op](xi, yi));
    return Math.abs(yi) + (Number.isFinite(term) ? term : 0);
  });

async function expectUnary(k: Backend, op: UnaryOp, x: Held, what: string) {
  const y = ref.map(x.h, ref.unaryOps[op]);
  await expectMatrix(k, `unary('${op}', ${what})`, k.unary(op, x.m), y, {
    scale: unaryScale(op, x.h, y),
  });
}

const unaryCheck = (op: UnaryOp) =>
  check(AREA, `unary ${op}: on every shape and at its edges`, (backend) =>
    scoped(backend, async (k) => {
      const x = await held(k, row(edges(k, op)));
      await expectUnary(k, op, x, `[${x.h.data.join(', ')}]`);
      for (const [s, [rows, cols]] of MATRIX_SHAPES.entries()) {
        const a = await held(k, DATA[op](s + 3000, rows, cols));
        await expectUnary(k, op, a, shape(a.h));
      }
    }),
  );

export const elementwiseChecks: Check[] = [
  ...BINARY_OPS.flatMap((op) => [binaryCheck(op), binaryEdges(op)]),
  ...scaleChecks,
  clampCheck,
  ...UNARY_OPS.map(unaryCheck),
];
