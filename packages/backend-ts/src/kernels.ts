/**
 * Element-wise and reduction loops over row-major storage. Each writes every entry of `out`
 * (which may hold stale pooled data) and computes in doubles, rounding once on store. Ops are
 * dispatched by a switch outside small loops, so every loop body stays monomorphic.
 */
import type { ActivationKind, AdamStep, UnaryOp } from '@twostep/core/backend';
import type { Store } from './heap.js';

/** 1 / (1 + e⁻ˣ), without overflow: e⁻ˣ is only taken for x ≥ 0. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + eˣ) = max(x, 0) + log1p(e^−|x|), without overflow. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

/**
 * out = a ∘ b for rows × cols a; b has a's shape, or with `column` is a rows × 1 column
 * broadcast across a's columns. A same-shape b is walked as one long row.
 */
export function binary(
  op: BinaryOp,
  out: Store,
  a: Store,
  b: Store,
  rows: number,
  cols: number,
  column: boolean,
): void {
  const runs = column ? rows : 1;
  const length = column ? cols : rows * cols;
  const bStep = column ? 0 : 1;
  for (let r = 0; r < runs; r++) {
    const start = r * length;
    const end = start + length;
    let k = column ? r : 0;
    switch (op) {
      case 'add':
        for (let i = start; i < end; i++, k += bStep) out[i] = a[i]! + b[k]!;
        break;
      case 'sub':
        for (let i = start; i < end; i++, k += bStep) out[i] = a[i]! - b[k]!;
        break;
      case 'mul':
        for (let i = start; i < end; i++, k += bStep) out[i] = a[i]! * b[k]!;
        break;
      case 'div':
        for (let i = start; i < end; i++, k += bStep) out[i] = a[i]! / b[k]!;
        break;
    }
  }
}

/** out = s · a + t. */
export function affine(out: Store, a: Store, s: number, t: number): void {
  for (let i = 0; i < a.length; i++) out[i] = s * a[i]! + t;
}

/** out = alpha·x + y. */
export function axpy(out: Store, alpha: number, x: Store, y: Store): void {
  for (let i = 0; i < x.length; i++) out[i] = alpha * x[i]! + y[i]!;
}

/** out = a limited to [lo, hi] (NaN stays NaN). */
export function clamp(out: Store, a: Store, lo: number, hi: number): void {
  for (let i = 0; i < a.length; i++) out[i] = Math.min(Math.max(a[i]!, lo), hi);
}

export function unary(op: UnaryOp, out: Store, a: Store): void {
  const n = a.length;
  switch (op) {
    case 'square':
      for (let i = 0; i < n; i++) out[i] = a[i]! * a[i]!;
      break;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(a[i]!);
      break;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(a[i]!);
      break;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(a[i]!);
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(a[i]!);
      break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) out[i] = sigmoid(a[i]!);
      break;
    case 'relu': // Math.max keeps NaN, so a diverging layer stays visible
      for (let i = 0; i < n; i++) out[i] = Math.max(a[i]!, 0);
      break;
    case 'step':
      for (let i = 0; i < n; i++) out[i] = a[i]! > 0 ? 1 : 0;
      break;
    case 'softplus':
      for (let i = 0; i < n; i++) out[i] = softplus(a[i]!);
      break;
  }
}

/** out = σ(y) for an activation kind; leaky relu's slope for y ≤ 0 is `alpha`. */
export function activate(kind: ActivationKind, alpha: number, out: Store, y: Store): void {
  switch (kind) {
    case 'identity':
      out.set(y);
      break;
    case 'leakyRelu':
      for (let i = 0; i < y.length; i++) out[i] = y[i]! > 0 ? y[i]! : alpha * y[i]!;
      break;
    default:
      unary(kind, out, y);
  }
}

/** out = δup ⊙ σ'(y), σ' evaluated at y (in forms that keep its relative accuracy). */
export function deltaDown(
  kind: ActivationKind,
  alpha: number,
  out: Store,
  d: Store,
  y: Store,
): void {
  const n = d.length;
  switch (kind) {
    case 'identity':
      out.set(d);
      break;
    case 'sigmoid': // s(1 − s) = e/(1 + e)² with e = e^−|y|, accurate where s saturates
      for (let i = 0; i < n; i++) {
        const e = Math.exp(-Math.abs(y[i]!));
        out[i] = (d[i]! * e) / ((1 + e) * (1 + e));
      }
      break;
    case 'tanh': // 1 − t² = 4e/(1 + e)² with e = e^−2|y|, accurate where t saturates
      for (let i = 0; i < n; i++) {
        const e = Math.exp(-2 * Math.abs(y[i]!));
        out[i] = (d[i]! * 4 * e) / ((1 + e) * (1 + e));
      }
      break;
    case 'relu':
      for (let i = 0; i < n; i++) out[i] = d[i]! * (y[i]! > 0 ? 1 : 0);
      break;
    case 'leakyRelu':
      for (let i = 0; i < n; i++) out[i] = d[i]! * (y[i]! > 0 ? 1 : alpha);
      break;
    case 'softplus':
      for (let i = 0; i < n; i++) out[i] = d[i]! * sigmoid(y[i]!);
      break;
  }
}

/** One Adam step into wOut, mOut, vOut (see `Backend.adam`). */
export function adam(
  { stepSize, beta1, beta2, epsilon }: AdamStep,
  w: Store,
  g: Store,
  m: Store,
  v: Store,
  wOut: Store,
  mOut: Store,
  vOut: Store,
): void {
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]!;
    const mi = beta1 * m[i]! + c1 * gi;
    const vi = beta2 * v[i]! + c2 * gi * gi;
    mOut[i] = mi;
    vOut[i] = vi;
    wOut[i] = w[i]! - (stepSize * mi) / (Math.sqrt(vi) + epsilon);
  }
}

/** The sum of all entries. */
export function sum(a: Store): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

/** out = log softmax of every column: (a − max) − log Σ exp(a − max). */
export function logSoftmax(out: Store, a: Store, rows: number, cols: number): void {
  const n = rows * cols;
  for (let c = 0; c < cols; c++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let i = c; i < n; i += cols) max = Math.max(max, a[i]!);
    let s = 0;
    for (let i = c; i < n; i += cols) s += Math.exp(a[i]! - max);
    const logS = Math.log(s);
    for (let i = c; i < n; i += cols) out[i] = a[i]! - max - logS;
  }
}

/** out = columns [start, end) of the rows × cols a. */
export function sliceCols(
  out: Store,
  a: Store,
  rows: number,
  cols: number,
  start: number,
  end: number,
): void {
  for (let r = 0, o = 0; r < rows; r++) {
    for (let i = r * cols + start, stop = r * cols + end; i < stop; i++) out[o++] = a[i]!;
  }
}
