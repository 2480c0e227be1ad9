/**
 * Operand checks shared by every backend, so the same mistake gets the same message on all
 * of them. Each throws a `TwoStepError` naming the op, the shapes and the fix.
 */
import type { Backend, DType, MatMulOptions, Matrix } from './contract.js';
import {
  ConfigError,
  DisposedMatrixError,
  DTypeError,
  ForeignMatrixError,
  ShapeError,
} from './errors.js';
import { shown } from './json.js';

const shape = (m: Matrix): string => `${m.rows}×${m.cols}`;

/**
 * Rejects, in this order over all operands: a disposed one, one of a dtype other than the
 * backend's, a matrix another instance created. `backend` is the instance computing (`this`).
 * One pass (every op of every backend runs it): a disposed operand throws at once, the first
 * of each other kind is kept until the end.
 */
export function checkOperands(op: string, backend: Backend, ...operands: Matrix[]): void {
  const dtype = backend.dtype;
  let otherDType: Matrix | undefined;
  let foreign: Matrix | undefined;
  for (const m of operands) {
    if (m.isDisposed) {
      throw new DisposedMatrixError(
        `${op}: ${m} was disposed. Keep a matrix alive (return it from tidy, or do not dispose it) while it is still used.`,
      );
    }
    if (m.dtype !== dtype) otherDType ??= m;
    else if (m.backend !== backend) foreign ??= m;
  }
  if (otherDType) {
    throw new DTypeError(
      `${op}: ${otherDType} is ${otherDType.dtype} but this backend computes in ${dtype}. Create every operand on the same backend instance.`,
    );
  }
  if (foreign) {
    throw new ForeignMatrixError(
      `${op}: ${foreign} was created by another ${foreign.backend?.name ?? 'backend'} instance, not by this ${backend.name} instance. ` +
        'Create every operand on the instance that computes with it, or move it across: backend.fromArray(await other.read(m), m.rows, m.cols).',
    );
  }
}

/** Rows and columns must be positive integers. */
export function checkShape(op: string, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new ShapeError(
      `${op}: shape ${rows}×${cols} is invalid; rows and columns must be positive integers (an empty batch has no columns).`,
    );
  }
}

/** Data for `fromArray` (row-major) or `fromColumns` (column-major) must hold exactly rows · cols numbers. */
export function checkData(
  op: string,
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  order: 'row-major' | 'column-major' = 'row-major',
): void {
  checkShape(op, rows, cols);
  if (data.length !== rows * cols) {
    throw new ShapeError(
      `${op}: ${data.length} values cannot fill a ${rows}×${cols} matrix; pass exactly ${rows * cols} numbers in ${order} order.`,
    );
  }
}

/** The shape of op(a) · op(b), or a ShapeError naming both operands and the flags. */
export function matMulShape(
  a: Matrix,
  b: Matrix,
  { transposeA = false, transposeB = false }: MatMulOptions = {},
): [rows: number, cols: number] {
  const [m, k] = transposeA ? [a.cols, a.rows] : [a.rows, a.cols];
  const [k2, n] = transposeB ? [b.cols, b.rows] : [b.rows, b.cols];
  if (k !== k2) {
    const name = (x: string, t: boolean) => (t ? `${x}ᵀ` : x);
    throw new ShapeError(
      `matMul: cannot multiply ${name('a', transposeA)} (${m}×${k}) by ${name('b', transposeB)} (${k2}×${n}) ` +
        `from a ${shape(a)} and b ${shape(b)}: the inner sizes differ. Check the transpose flags.`,
    );
  }
  return [m, n];
}

/** The kernels of `supports.fusedBias`: a layer's products with the formal neuron (Remark 1). */
export type AffineKernel = 'affine' | 'affineGradient' | 'affineDeltaUp';

/**
 * The shape of a `fusedBias` kernel's result, or a ShapeError naming the op, both operands
 * and the fix. Wh is Nh × (N(h−1) + 1), its bias in the last column (Remark 1); X(h−1) is
 * N(h−1) × B without the formal neuron's row; δdown_h is Nh × B.
 *
 * - `affine(w, x)`: Wh · [X(h−1); 1], Nh × B; w.cols = x.rows + 1;
 * - `affineGradient(deltaDown, x)`: δdown_h · [X(h−1); 1]ᵀ, Nh × (N(h−1) + 1); the same B;
 * - `affineDeltaUp(w, deltaDown)`: (W♯h)ᵀ · δdown_h, N(h−1) × B; the same Nh, w.cols ≥ 2.
 */
export function affineShape(op: AffineKernel, a: Matrix, b: Matrix): [rows: number, cols: number] {
  if (op === 'affine') {
    if (a.cols === b.rows + 1) return [a.rows, b.cols];
    throw new ShapeError(
      `affine: cannot compute W♯ · X + b from W ${shape(a)} and X ${shape(b)}: W needs X.rows + 1 = ${b.rows + 1} columns, the last one the bias (Remark 1). ` +
        "Pass X without the formal neuron's row of ones, and W in the paper's layout.",
    );
  }
  if (op === 'affineGradient') {
    if (a.cols === b.cols) return [a.rows, b.rows + 1];
    throw new ShapeError(
      `affineGradient: δdown ${shape(a)} and X ${shape(b)} hold ${a.cols} and ${b.cols} samples; both need one column per sample of the same batch.`,
    );
  }
  if (a.cols < 2) {
    throw new ShapeError(
      `affineDeltaUp: W ${shape(a)} has only its bias column, so W♯ is empty; W is Nh × (N(h−1) + 1) with N(h−1) ≥ 1.`,
    );
  }
  if (a.rows === b.rows) return [a.cols - 1, b.cols];
  throw new ShapeError(
    `affineDeltaUp: cannot compute (W♯)ᵀ · δdown from W ${shape(a)} and δdown ${shape(b)}: δdown needs W's ${a.rows} rows, one per neuron of the layer.`,
  );
}

/**
 * Element-wise operands: b has a's shape (`'same'`) or is an a.rows × 1 column broadcast
 * across a's columns (`'column'`).
 */
export function broadcastKind(op: string, a: Matrix, b: Matrix): 'same' | 'column' {
  if (a.rows === b.rows && a.cols === b.cols) return 'same';
  if (a.rows === b.rows && b.cols === 1) return 'column';
  throw new ShapeError(
    `${op}: cannot combine a ${shape(a)} with b ${shape(b)}; b must be ${shape(a)} or a ${a.rows}×1 column.`,
  );
}

/** Operands combined entry by entry without broadcasting (fused kernels) share the first one's shape. */
export function checkSameShape(op: string, operands: Record<string, Matrix>): void {
  const entries = Object.entries(operands);
  const [firstName, first] = entries[0]!;
  for (const [name, m] of entries) {
    if (m.rows !== first.rows || m.cols !== first.cols) {
      throw new ShapeError(
        `${op}: ${name} is ${shape(m)} but ${firstName} is ${shape(first)}; they must have the same shape.`,
      );
    }
  }
}

/** Columns [start, end) must be a non-empty range inside a. */
export function checkSlice(a: Matrix, start: number, end: number): void {
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(end) ||
    start < 0 ||
    end > a.cols ||
    start >= end
  ) {
    throw new ShapeError(
      `sliceCols: columns [${start}, ${end}) are not a non-empty range of a ${shape(a)}; use 0 ≤ start < end ≤ ${a.cols}.`,
    );
  }
}

/** Stacking a on b needs the same number of columns. */
export function checkConcatRows(a: Matrix, b: Matrix): void {
  if (a.cols !== b.cols) {
    throw new ShapeError(
      `concatRows: cannot stack a ${shape(a)} on b ${shape(b)}; both need the same number of columns.`,
    );
  }
}

/** A backend asked for a dtype it lacks. */
export function checkDType(backend: string, dtype: DType, supported: readonly DType[]): void {
  if (!supported.includes(dtype)) {
    throw new DTypeError(
      `Backend '${backend}' does not support ${dtype}; it supports ${supported.join(', ')}. ` +
        `Ask for ${supported.join(' or ')}, or pick a backend that supports ${dtype}.`,
    );
  }
}

/** A named option (a unary op, an activation kind) must be one of `allowed`. */
export function checkOneOf<T extends string>(
  op: string,
  what: string,
  value: T,
  allowed: readonly T[],
): void {
  if (!allowed.includes(value)) {
    throw new ConfigError(
      `${op}: unknown ${what} ${shown(value)}; use one of ${allowed.join(', ')}.`,
    );
  }
}
