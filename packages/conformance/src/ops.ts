/** Every op of the Backend contract against the float64 reference, on edge shapes and values. */
import {
  type Backend,
  DisposedMatrixError,
  type Matrix,
  ShapeError,
  UNARY_OPS,
  type UnaryOp,
} from '@twostep/core/backend';
import * as ref from '@twostep/core/reference';
import { type Check, expectClose, expectThrows, fail } from './check.js';
import { check, download, expectMatrix, randomHost, scoped } from './util.js';

const AREA = 'ops';

/** rows × cols shapes the suite tries: 1×1, 1×N, N×1, tall, wide, square. */
const SHAPES: [number, number][] = [
  [1, 1],
  [1, 9],
  [9, 1],
  [37, 3],
  [3, 37],
  [8, 8],
];

/** matMul operand shapes (m, k, n): dot products, outer products, non-multiples of 4, k = 1. */
const PRODUCTS: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 1],
  [7, 1, 5],
  [5, 7, 3],
  [33, 17, 9],
  [4, 64, 4],
  [2, 3, 40],
];

const upload = (k: Backend, h: ref.Host): Matrix => k.fromArray(h.data, h.rows, h.cols);

/** The data as the backend holds it (float32 rounds on upload). */
const held = async (k: Backend, h: ref.Host) => {
  const m = upload(k, h);
  return { m, h: await download(k, m) };
};

/** Inputs that probe each unary op's edges (inside its domain, plus where it is ±∞ or NaN). */
const EDGES: Record<UnaryOp, number[]> = {
  square: [0, 2, -3, 1e-20, -1e10],
  sqrt: [0, 1e-30, 2, 1e30, -1],
  exp: [0, 1, -1, 20, -20, 80, -80, 1e3, -1e3],
  log: [1, 2, 1e-30, 1e30, 0, -1],
  tanh: [0, 0.5, -0.5, 20, -20, 1e3, -1e3],
  sigmoid: [0, 1, -1, 30, -30, 1e3, -1e3],
  relu: [0, -0, 1, -1, 1e-30, -1e-30, 1e30],
  step: [0, -0, 1, -1, 1e-30, -1e-30],
  softplus: [0, 1, -1, 30, -30, 1e3, -1e3],
};

/** Denormals: below float32's smallest normal (1.2e-38) and float64's (2.2e-308). */
const denormal = (k: Backend) => (k.dtype === 'float32' ? Math.fround(1e-40) : 1e-310);

export const opChecks: Check[] = [
  check(AREA, 'fromArray and read return the data, row-major, on every edge shape', (backend) =>
    scoped(backend, async (k) => {
      for (const [rows, cols] of SHAPES) {
        const h = ref.host(rows, cols, (i, j) => i * cols + j - 0.25);
        await expectMatrix(k, `fromArray(${rows}×${cols}) then read`, upload(k, h), h);
      }
      // Values that need every bit of the declared dtype survive the round trip exactly.
      const precise = ref.host(
        1,
        4,
        (_, j) => [Math.PI / 7, 1 / 3, -Math.E * 1e10, 0.1 + 2 ** -40][j]!,
      );
      await expectMatrix(
        k,
        `fromArray then read keeps full ${k.dtype} precision`,
        upload(k, precise),
        precise,
        0,
      );
      const tiny = denormal(k);
      const m = k.fromArray([tiny, -tiny], 1, 2);
      expectClose('fromArray keeps denormals', await k.read(m), [tiny, -tiny], 0);
      if (k.supports.readSync) {
        if (!k.readSync) fail('supports.readSync is true but readSync is missing.');
        expectClose('readSync equals read', k.readSync(m), await k.read(m), 0);
      }
    }),
  ),
  check(AREA, 'fill', (backend) =>
    scoped(backend, async (k) => {
      for (const [rows, cols] of SHAPES) {
        await expectMatrix(
          k,
          `fill(${rows}, ${cols}, -1.5)`,
          k.fill(rows, cols, -1.5),
          ref.host(rows, cols, () => -1.5),
        );
      }
    }),
  ),
  check(AREA, 'copy is a new matrix with the data, independent of its source', (backend) =>
    scoped(backend, async (k) => {
      for (const [s, [rows, cols]] of SHAPES.entries()) {
        const a = await held(k, randomHost(60 + s, rows, cols));
        const copy = k.copy(a.m);
        if (copy === a.m) fail(`copy(${rows}×${cols}) returned its operand, not a new matrix.`);
        await expectMatrix(k, `copy(${rows}×${cols})`, copy, a.h, 0);
        backend.dispose(a.m);
        await expectMatrix(k, `copy(${rows}×${cols}) after its source was disposed`, copy, a.h, 0);
        const again = k.copy(copy);
        backend.dispose(again);
        await expectMatrix(
          k,
          `copy(${rows}×${cols}) after a copy of it was disposed`,
          copy,
          a.h,
          0,
        );
      }
    }),
  ),
  ...[false, true].flatMap((transposeA) =>
    [false, true].map((transposeB) =>
      check(AREA, `matMul with transposeA = ${transposeA}, transposeB = ${transposeB}`, (backend) =>
        scoped(backend, async (k) => {
          for (const [i, [m, kk, n]] of PRODUCTS.entries()) {
            // Operands stored as the flags say: aᵀ is held as k × m, bᵀ as n × k.
            const a = await held(k, randomHost(10 + i, transposeA ? kk : m, transposeA ? m : kk));
            const b = await held(k, randomHost(20 + i, transposeB ? n : kk, transposeB ? kk : n));
            const c = k.matMul(a.m, b.m, { transposeA, transposeB });
            const what = `matMul(${a.m.rows}×${a.m.cols}${transposeA ? 'ᵀ' : ''}, ${b.m.rows}×${b.m.cols}${transposeB ? 'ᵀ' : ''})`;
            await expectMatrix(k, what, c, ref.matMul(a.h, b.h, { transposeA, transposeB }));
          }
        }),
      ),
    ),
  ),
  ...(['add', 'sub', 'mul', 'div'] as const).map((op) =>
    check(AREA, `${op}: same shape and a broadcast column`, (backend) =>
      scoped(backend, async (k) => {
        for (const [s, [rows, cols]] of SHAPES.entries()) {
          const a = await held(k, randomHost(30 + s, rows, cols));
          // Divisors kept away from 0.
          const [lo, hi] = op === 'div' ? [0.5, 2] : [-1, 1];
          const b = await held(k, randomHost(40 + s, rows, cols, lo, hi));
          const column = await held(k, randomHost(50 + s, rows, 1, lo, hi));
          await expectMatrix(
            k,
            `${op}(${rows}×${cols}, ${rows}×${cols})`,
            k[op](a.m, b.m),
            ref.binary(op, a.h, b.h),
          );
          await expectMatrix(
            k,
            `${op}(${rows}×${cols}, ${rows}×1 column)`,
            k[op](a.m, column.m),
            ref.binary(op, a.h, column.h),
          );
        }
      }),
    ),
  ),
  check(AREA, 'scale with and without an offset', (backend) =>
    scoped(backend, async (k) => {
      const a = await held(k, randomHost(60, 9, 4));
      await expectMatrix(
        k,
        'scale(a, -2.5)',
        k.scale(a.m, -2.5),
        ref.map(a.h, (x) => -2.5 * x),
      );
      await expectMatrix(
        k,
        'scale(a, 0.5, 3)',
        k.scale(a.m, 0.5, 3),
        ref.map(a.h, (x) => 0.5 * x + 3),
      );
    }),
  ),
  ...UNARY_OPS.map((op) =>
    check(AREA, `unary ${op} at edge values`, (backend) =>
      scoped(backend, async (k) => {
        const inputs = [...EDGES[op], denormal(k), -denormal(k)];
        const x = await held(
          k,
          ref.host(1, inputs.length, (_, j) => inputs[j]!),
        );
        await expectMatrix(
          k,
          `unary('${op}', [${inputs.join(', ')}])`,
          k.unary(op, x.m),
          ref.map(x.h, ref.unaryOps[op]),
        );
        const random = await held(
          k,
          randomHost(70, 5, 6, op === 'log' || op === 'sqrt' ? 0.01 : -3, 3),
        );
        await expectMatrix(
          k,
          `unary('${op}') on 5×6`,
          k.unary(op, random.m),
          ref.map(random.h, ref.unaryOps[op]),
        );
      }),
    ),
  ),
  check(AREA, 'clamp', (backend) =>
    scoped(backend, async (k) => {
      const a = await held(k, randomHost(80, 4, 7, -3, 3));
      await expectMatrix(
        k,
        'clamp(a, -1, 0.5)',
        k.clamp(a.m, -1, 0.5),
        ref.map(a.h, (x) => Math.min(0.5, Math.max(-1, x))),
      );
    }),
  ),
  check(AREA, 'sum on every edge shape', (backend) =>
    scoped(backend, async (k) => {
      for (const [s, [rows, cols]] of SHAPES.entries()) {
        const a = await held(k, randomHost(90 + s, rows, cols));
        await expectMatrix(k, `sum(${rows}×${cols})`, k.sum(a.m), ref.sum(a.h));
      }
    }),
  ),
  check(AREA, 'logSoftmax by columns, without overflow', (backend) =>
    scoped(backend, async (k) => {
      for (const [s, [rows, cols]] of SHAPES.entries()) {
        const a = await held(k, randomHost(100 + s, rows, cols, -5, 5));
        await expectMatrix(
          k,
          `logSoftmax(${rows}×${cols})`,
          k.logSoftmax(a.m),
          ref.logSoftmax(a.h),
        );
      }
      const big = await held(
        k,
        ref.host(3, 2, (i, j) => (j === 0 ? [1e3, -1e3, 999][i]! : [-500, -501, -502][i]!)),
      );
      await expectMatrix(
        k,
        'logSoftmax with entries ±1000',
        k.logSoftmax(big.m),
        ref.logSoftmax(big.h),
      );
    }),
  ),
  check(AREA, 'sliceCols and concatRows', (backend) =>
    scoped(backend, async (k) => {
      const a = await held(k, randomHost(110, 4, 9));
      for (const [start, end] of [
        [0, 9],
        [0, 1],
        [8, 9],
        [2, 7],
      ] as const) {
        await expectMatrix(
          k,
          `sliceCols(4×9, ${start}, ${end})`,
          k.sliceCols(a.m, start, end),
          ref.sliceCols(a.h, start, end),
        );
      }
      const b = await held(k, randomHost(111, 1, 9));
      await expectMatrix(
        k,
        'concatRows(4×9, 1×9)',
        k.concatRows(a.m, b.m),
        ref.concatRows(a.h, b.h),
      );
      await expectMatrix(
        k,
        'concatRows(1×9, 4×9)',
        k.concatRows(b.m, a.m),
        ref.concatRows(b.h, a.h),
      );
    }),
  ),
  check(AREA, 'ops leave their operands unchanged', (backend) =>
    scoped(backend, async (k) => {
      const a = await held(k, randomHost(120, 3, 3));
      const b = await held(k, randomHost(121, 3, 3));
      for (const run of [
        () => k.add(a.m, b.m),
        () => k.copy(a.m),
        () => k.matMul(a.m, b.m, { transposeA: true }),
        () => k.unary('exp', a.m),
        () => k.scale(a.m, 2, 1),
        () => k.logSoftmax(a.m),
        () => k.concatRows(a.m, b.m),
      ]) {
        run();
        await expectMatrix(k, 'an operand after an op', a.m, a.h, 0);
        await expectMatrix(k, 'an operand after an op', b.m, b.h, 0);
      }
    }),
  ),
  check(AREA, 'bad shapes are rejected with a ShapeError', (backend) =>
    scoped(backend, async (k) => {
      const a = k.fill(2, 3, 1);
      const b = k.fill(2, 3, 1);
      expectThrows('matMul(2×3, 2×3)', () => k.matMul(a, b), ShapeError, /matMul/);
      expectThrows(
        'matMul(2×3ᵀ, 2×3ᵀ)',
        () => k.matMul(a, b, { transposeA: true, transposeB: true }),
        ShapeError,
      );
      expectThrows('add(2×3, 3×2)', () => k.add(a, k.fill(3, 2, 1)), ShapeError, /add/);
      expectThrows('mul(2×3, 1×3 row)', () => k.mul(a, k.fill(1, 3, 1)), ShapeError);
      expectThrows('sub(2×3, 3×1 column)', () => k.sub(a, k.fill(3, 1, 1)), ShapeError);
      expectThrows('sliceCols(2×3, 2, 2)', () => k.sliceCols(a, 2, 2), ShapeError, /sliceCols/);
      expectThrows('sliceCols(2×3, 0, 4)', () => k.sliceCols(a, 0, 4), ShapeError);
      expectThrows(
        'concatRows(2×3, 2×2)',
        () => k.concatRows(a, k.fill(2, 2, 1)),
        ShapeError,
        /concatRows/,
      );
      expectThrows(
        'fromArray with 5 values for 2×3',
        () => k.fromArray([1, 2, 3, 4, 5], 2, 3),
        ShapeError,
        /fromArray/,
      );
      expectThrows('fill(0, 3) (an empty batch)', () => k.fill(0, 3, 1), ShapeError);
      expectThrows('fromArray([], 1, 0)', () => k.fromArray([], 1, 0), ShapeError);
    }),
  ),
  check(
    AREA,
    'a disposed matrix is rejected with a DisposedMatrixError; disposing twice is a no-op',
    (backend) =>
      scoped(backend, async (k) => {
        const a = k.fill(2, 2, 1);
        const b = k.fill(2, 2, 1);
        k.dispose(a);
        k.dispose(a);
        if (!a.isDisposed) fail('dispose: isDisposed is still false.');
        expectThrows('add with a disposed operand', () => k.add(a, b), DisposedMatrixError);
        expectThrows('matMul with a disposed operand', () => k.matMul(b, a), DisposedMatrixError);
        expectThrows('unary on a disposed matrix', () => k.unary('exp', a), DisposedMatrixError);
        let error: unknown;
        await k.read(a).catch((e: unknown) => {
          error = e;
        });
        expectThrows(
          'read of a disposed matrix',
          () => {
            if (error) throw error;
          },
          DisposedMatrixError,
        );
      }),
  ),
  check(AREA, 'memory() counts live matrices and their bytes', (backend) => {
    const bytes = backend.dtype === 'float32' ? 4 : 8;
    const before = backend.memory();
    const ms = [backend.fill(3, 5, 0), backend.fill(1, 1, 0)];
    const during = backend.memory();
    if (during.matrices !== before.matrices + 2 || during.bytes !== before.bytes + 16 * bytes) {
      fail(
        `memory(): after creating a 3×5 and a 1×1 matrix it went from ${JSON.stringify(before)} to ${JSON.stringify(during)}; expected +2 matrices, +${16 * bytes} bytes.`,
      );
    }
    for (const m of ms) backend.dispose(m);
    const after = backend.memory();
    if (after.matrices !== before.matrices || after.bytes !== before.bytes) {
      fail(
        `memory(): after disposing them it is ${JSON.stringify(after)}, expected ${JSON.stringify(before)}.`,
      );
    }
  }),
];
