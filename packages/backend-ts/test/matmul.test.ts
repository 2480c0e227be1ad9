import { type MatMulOptions, ShapeError } from '@twostep/core/backend';
import { type Host, map, matMul } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import { createBackend, type TsBackend, type TsMatrix } from '../src/index.js';
import { type Dense, dense, expectMatrix, kernels, poisonPool, upload } from './reference.js';

const host = (m: Dense): Host => ({ rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) });

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
  [16, 40, 16], // whole SIMD blocks, no edges
  [130, 200, 260], // grows the SIMD kernel's memory
];

/**
 * c is op(a)·op(b) within the standard bound for sums of k products in the dtype's unit
 * roundoff u: |c − A·B| ≤ γk·(|A|·|B|), γk = k·u/(1 − k·u) (Higham, Accuracy and Stability,
 * §3.5). The reference sums in float64, in the same bound for u = 2⁻⁵³; twice γk covers both.
 */
function expectProduct(k: TsBackend, c: TsMatrix, a: Dense, b: Dense, flags: MatMulOptions) {
  const exact = matMul(host(a), host(b), flags);
  const magnitude = matMul(map(host(a), Math.abs), map(host(b), Math.abs), flags);
  const inner = flags.transposeA ? a.rows : a.cols;
  const u = k.dtype === 'float32' ? 2 ** -24 : 2 ** -53;
  const gamma = (inner * u) / (1 - inner * u);
  expect([c.rows, c.cols]).toEqual([exact.rows, exact.cols]);
  const got = k.readSync(c);
  exact.data.forEach((e, i) => {
    const bound = 2 * gamma * magnitude.data[i]! + u * Math.abs(e);
    if (!(Math.abs(got[i]! - e) <= bound)) {
      expect.fail(`entry ${i}: got ${got[i]}, expected ${e} within ${bound}`);
    }
  });
}

describe.each(kernels())('matMul, $dtype, $matMulKernel', (k) => {
  describe.each(FLAGS)('transposeA $transposeA, transposeB $transposeB', (flags) => {
    it.each(SHAPES)('%i×%i · %i', (m, inner, n) => {
      // Store a and b so that op(a) is m × inner and op(b) is inner × n.
      const [a, storedA] = upload(
        k,
        flags.transposeA ? dense(inner, m, m * 31 + inner) : dense(m, inner, m * 31 + inner),
      );
      const [b, storedB] = upload(
        k,
        flags.transposeB ? dense(n, inner, n * 17 + inner) : dense(inner, n, n * 17 + inner),
      );
      poisonPool(k, m, n);
      const c = k.matMul(a, b, flags);
      expectProduct(k, c, storedA, storedB, flags);
      // Operands are unchanged.
      expectMatrix(k, a, storedA);
      expectMatrix(k, b, storedB);
      for (const x of [a, b, c]) k.dispose(x);
    });
  });

  it('defaults to no transposes', () => {
    const [a, da] = upload(k, dense(3, 4, 5));
    const [b, db] = upload(k, dense(4, 2, 6));
    expectMatrix(k, k.matMul(a, b), matMul(host(da), host(db)), 1);
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

describe('matMul kernels', () => {
  it('uses WebAssembly SIMD where the runtime has it, unless told not to', () => {
    expect(typeof WebAssembly.validate).toBe('function');
    expect(createBackend().matMulKernel).toBe('wasm-simd');
    expect(createBackend({ dtype: 'float64' }).matMulKernel).toBe('wasm-simd');
    expect(createBackend({ simd: false }).matMulKernel).toBe('typescript');
  });

  it.each(FLAGS)('float64: both kernels give the same bits (same order of sums) %o', (flags) => {
    const [simd, plain] = [true, false].map((s) => createBackend({ dtype: 'float64', simd: s }));
    const [m, inner, n] = [70, 90, 45];
    const a = dense(flags.transposeA ? inner : m, flags.transposeA ? m : inner, 3);
    const b = dense(flags.transposeB ? n : inner, flags.transposeB ? inner : n, 4);
    const [x, y] = [simd!, plain!].map((k) =>
      k.readSync(k.matMul(upload(k, a)[0], upload(k, b)[0], flags)),
    );
    expect(Array.from(x!)).toEqual(Array.from(y!));
  });

  // affine adds the bias column after each sum: in the SIMD blocks (the overlapping last ones
  // too) as their last step, after the `dot` and TypeScript products otherwise. Where the
  // product sums in the dtype, that is W · [X; 1], whose last term is bh · 1, bit for bit: every
  // float64 path, and float32's SIMD blocks (the float32 TypeScript and `dot` products sum
  // otherwise, in doubles or in lanes, and round before the bias as they did before).
  it.each([
    ['float32', true],
    ['float32', false],
    ['float64', false],
  ] as const)('%s (relaxed %s): affine gives the bits of W · [X; 1]', (dtype, relaxedSimd) => {
    const blocks: [number, number, number][] = [
      [4, 8, 8],
      [5, 9, 9],
      [9, 33, 13],
      [132, 301, 70],
    ];
    const others: [number, number, number][] = [
      [1, 3, 1],
      [3, 5, 2],
      [7, 17, 1],
      [130, 200, 1],
    ];
    for (const threads of [1, 3]) {
      const k = createBackend({ dtype, threads, relaxedSimd });
      for (const [m, inner, n] of dtype === 'float64' ? [...blocks, ...others] : blocks) {
        const w = upload(k, dense(m, inner + 1, m + inner))[0];
        const x = upload(k, dense(inner, n, n + inner))[0];
        const [got, composed] = [k.affine(w, x), k.matMul(w, k.concatRows(x, k.fill(1, n, 1)))].map(
          (c) => Array.from(k.readSync(c)),
        );
        if (JSON.stringify(got) !== JSON.stringify(composed))
          expect.fail(
            `${threads} threads, W ${m}×${inner + 1}, X ${inner}×${n}: ${got} ≠ ${composed}`,
          );
      }
      k.close();
    }
  });

  // A transposed B is packed into rows (4 × 4 or 2 × 2 tiles transposed in registers, the last
  // ones overlapping; fewer rows than a tile in TypeScript) and multiplied by the same kernel as
  // a B stored in rows: the same bits, on every edge of a tile.
  it.each(['float32', 'float64'] as const)(
    '%s: B transposed gives the bits of the same B stored in rows, at every tile edge',
    (dtype) => {
      for (const threads of [1, 3]) {
        const k = createBackend({ dtype, threads });
        for (const [m, inner, n] of [
          ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((p) =>
            [8, 9, 10, 11, 12, 13, 17].map((j) => [4, p, j]),
          ),
          [132, 301, 70], // shared with the workers, on 3 threads
        ] as [number, number, number][]) {
          const a = dense(m, inner, m + inner);
          const rows = dense(inner, n, n + inner);
          const columns = dense(n, inner, 0);
          for (let p = 0; p < inner; p++)
            for (let j = 0; j < n; j++) columns.data[j * inner + p] = rows.data[p * n + j]!;
          const [x, y] = [
            k.matMul(upload(k, a)[0], upload(k, columns)[0], { transposeB: true }),
            k.matMul(upload(k, a)[0], upload(k, rows)[0]),
          ].map((c) => Array.from(k.readSync(c)));
          if (JSON.stringify(x) !== JSON.stringify(y))
            expect.fail(`${threads} threads, ${m}×${inner} · ${inner}×${n}: ${x} ≠ ${y}`);
        }
        k.close();
      }
    },
  );
});
