/**
 * The shapes and data the `ops` area tries: sizes on both sides of the block boundaries of
 * real kernels, arranged in covering designs (each size on each dimension at least once) so
 * the suite stays fast, and data with a wide dynamic range.
 */

import { Random } from '@twostep/core';
import type { Backend, DType, Matrix } from '@twostep/core/backend';
import { type Host, host } from '@twostep/core/reference';
import { MIN_NORMAL } from './check.js';
import { download, randomHost } from './util.js';

/**
 * Sizes at and around where kernels switch paths: 1 (vector paths), 4, 8 and 16 (SIMD lanes,
 * register blocks), 64, 256 and 1024 (tiles, workgroups), each with a partial last block.
 */
export const SIZES = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 63, 64, 65, 127, 256, 1023, 1025];

/** Small and awkward sizes a large size is paired with. */
const PARTNERS = [1, 3, 5, 7, 2, 9, 17, 6];
const partner = (i: number) => PARTNERS[i % PARTNERS.length]!;

/** rows × cols: every size as rows and as cols, the other side small or awkward; squares. */
export const MATRIX_SHAPES: [number, number][] = [
  ...SIZES.flatMap((s, i): [number, number][] => [
    [s, partner(i)],
    [partner(i + 3), s],
  ]),
  [16, 16],
  [17, 17],
  [64, 64],
  [65, 63],
];

/** The same shapes, fewer of the large ones: for ops whose reference is costlier. */
export const SMALL_SHAPES = MATRIX_SHAPES.filter(([r, c]) => r * c <= 4096);

/**
 * matMul sizes (m, k, n): every size on each of m, k and n, the others small or awkward; dot
 * products (m = n = 1) and matrix–vector products (m = 1 or n = 1) with long inner sizes;
 * square operands, where a flag ignored still gives a result of the right shape.
 */
export const PRODUCTS: [number, number, number][] = [
  ...SIZES.flatMap((s, i): [number, number, number][] => [
    [s, partner(i), partner(i + 1)],
    [partner(i + 2), s, partner(i + 3)],
    [partner(i + 4), partner(i + 5), s],
  ]),
  [1, 1025, 1],
  [1, 4097, 1],
  [1, 1023, 65],
  [65, 1025, 1],
  [1, 256, 256],
  [256, 256, 1],
  ...[4, 5, 8, 16, 17, 64, 65].map((s): [number, number, number] => [s, s, s]),
  [63, 65, 127],
];

/**
 * Seeded data whose magnitudes span 2⁻²⁴ to 2²⁴ with random signs: a wrong result among small
 * entries must show beside large ones.
 */
export function wideHost(seed: number, rows: number, cols: number): Host {
  const random = new Random(seed);
  return host(rows, cols, () => random.uniform(-1, 1) * 2 ** Math.round(random.uniform(-24, 24)));
}

/** Seeded data, uniform in [lo, hi) for even seeds and of wide range for odd ones. */
export const someHost = (seed: number, rows: number, cols: number, lo = -1, hi = 1): Host =>
  seed % 2 ? wideHost(seed, rows, cols) : randomHost(seed, rows, cols, lo, hi);

/** The largest finite number of the dtype. */
export const MAX: Record<DType, number> = {
  float32: 3.4028234663852886e38,
  float64: Number.MAX_VALUE,
};

/** A subnormal of the dtype, 2¹⁰ times below the smallest normal. */
export const subnormal = (k: Backend) => MIN_NORMAL[k.dtype] / 2 ** 10;

/**
 * Subnormal operands for arithmetic: none for a backend that declares `flushesSubnormals`
 * (it may read them as 0, as GPU shaders do); its storage still keeps them exactly.
 */
export const subnormalOperands = (k: Backend): number[] =>
  k.supports.flushesSubnormals ? [] : [subnormal(k), -subnormal(k)];

/**
 * Values at the edges of the dtype, as stored: NaN, ±0, ±Infinity, the largest and smallest
 * normal, subnormals, huge and tiny values, and ordinary ones.
 */
export const storedValues = (k: Backend): number[] =>
  [Number.NaN, 0, -0, Infinity, -Infinity, 1, -1.5, 3, MAX[k.dtype], -MAX[k.dtype]].concat([
    MIN_NORMAL[k.dtype],
    subnormal(k),
    -subnormal(k),
    1e30,
    -1e-30,
    1e-30,
  ]);

/** The edge values as operands of arithmetic (see {@link subnormalOperands}). */
export const edgeValues = (k: Backend): number[] =>
  storedValues(k).filter(
    (x) => !(x !== 0 && Math.abs(x) < MIN_NORMAL[k.dtype]) || !k.supports.flushesSubnormals,
  );

export const upload = (k: Backend, h: Host): Matrix => k.fromArray(h.data, h.rows, h.cols);

/** The data uploaded, and as the backend holds it (float32 rounds on upload). */
export const held = async (k: Backend, h: Host) => {
  const m = upload(k, h);
  return { m, h: await download(k, m) };
};

/** |x| entry by entry. */
export const abs = (h: Host): Host => ({ ...h, data: h.data.map(Math.abs) });

/** A row-major host matrix holding `values` in one row. */
export const row = (values: number[]): Host => host(1, values.length, (_, j) => values[j]!);

/** The area of every check of the ops files. */
export const AREA = 'ops';

/** rows×cols, as failures name a shape. */
export const shape = (h: { rows: number; cols: number }) => `${h.rows}×${h.cols}`;
