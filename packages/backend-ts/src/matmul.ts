import type { Store } from './heap.js';

/**
 * c = A · B for an m × k matrix A and a k × n matrix B, each read through strides, so a
 * transposed operand is the same data with its strides swapped (never a copy):
 *
 *   A(i, p) = a[i·ai + p·ap],   B(p, j) = b[p·bp + j·bj],   c[i·cn + j] = Σp A(i, p) · B(p, j),
 *
 * C's rows cn entries apart (n by default; more when C is the left part of a wider matrix).
 * Every entry of C is written (c may hold stale data). The body computes 4 × 4 blocks of c in
 * 16 local accumulators (doubles), so each step of the inner loop does 16 multiply-adds for 8
 * loads; the inner loop walks p, along which every transpose combination reads either
 * contiguous runs (a row of A, a column of Bᵀ) or 4 adjacent entries per step (a column
 * block of Aᵀ, a row block of B). The rows and columns beyond the last full block are
 * plain dot products.
 */
export function gemm(
  a: Store,
  b: Store,
  c: Store,
  m: number,
  n: number,
  k: number,
  ai: number,
  ap: number,
  bp: number,
  bj: number,
  cn = n,
): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  const ai2 = 2 * ai;
  const ai3 = 3 * ai;
  const bj2 = 2 * bj;
  const bj3 = 3 * bj;
  for (let i = 0; i < m4; i += 4) {
    // biome-ignore format: the 4 × 4 block reads best as a grid
    for (let j = 0; j < n4; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let pa = i * ai;
      let pb = j * bj;
      for (let p = 0; p < k; p++) {
        const a0 = a[pa]!, a1 = a[pa + ai]!, a2 = a[pa + ai2]!, a3 = a[pa + ai3]!;
        const b0 = b[pb]!, b1 = b[pb + bj]!, b2 = b[pb + bj2]!, b3 = b[pb + bj3]!;
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        pa += ap;
        pb += bp;
      }
      let o = i * cn + j;
      c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03; o += cn;
      c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13; o += cn;
      c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23; o += cn;
      c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
    }
  }
  gemmEdges(m4, n4, a, b, c, m, n, k, ai, ap, bp, bj, cn);
}

/**
 * The entries of c outside its first `rows` rows × first `cols` columns (which a blocked
 * kernel computed), as plain dot products: columns cols.. of rows ..rows, then all of the
 * rows after. The other arguments are `gemm`'s.
 */
function gemmEdges(rows: number, cols: number, ...args: Parameters<typeof gemm>): void {
  const [a, b, c, m, n, k, ai, ap, bp, bj, cn = n] = args;
  for (let i = 0; i < m; i++) {
    for (let j = i < rows ? cols : 0; j < n; j++) {
      let sum = 0;
      let pa = i * ai;
      let pb = j * bj;
      for (let p = 0; p < k; p++) {
        sum += a[pa]! * b[pb]!;
        pa += ap;
        pb += bp;
      }
      c[i * cn + j] = sum;
    }
  }
}
