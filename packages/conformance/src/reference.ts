/**
 * The float64 reference: every op of the contract written in the most obvious way, on the
 * host, as the living definition the suite compares backends with (after tinygrad's
 * ops_python). `referenceBackend()` wraps it as a Backend so the core's rule and training can
 * run on it too.
 */
import {
  type ActivationKind,
  type AdamStep,
  type Backend,
  broadcastKind,
  checkConcatRows,
  checkData,
  checkOperands,
  checkShape,
  checkSlice,
  type MatMulOptions,
  type Matrix,
  matMulShape,
  SPECIFICATION_VERSION,
  type UnaryOp,
} from '@twostep/core';

/** A row-major float64 matrix on the host. */
export interface Host {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export const host = (rows: number, cols: number, fill: (i: number, j: number) => number): Host => {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = fill(i, j);
  return { rows, cols, data };
};

const at = (m: Host, i: number, j: number) => m.data[i * m.cols + j]!;

export function matMul(
  a: Host,
  b: Host,
  { transposeA = false, transposeB = false }: MatMulOptions = {},
): Host {
  const A = (i: number, p: number) => (transposeA ? at(a, p, i) : at(a, i, p));
  const B = (p: number, j: number) => (transposeB ? at(b, j, p) : at(b, p, j));
  const m = transposeA ? a.cols : a.rows;
  const k = transposeA ? a.rows : a.cols;
  const n = transposeB ? b.rows : b.cols;
  return host(m, n, (i, j) => {
    let s = 0;
    for (let p = 0; p < k; p++) s += A(i, p) * B(p, j);
    return s;
  });
}

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

export const binaryOps: Record<BinaryOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
};

/** b has a's shape or is a column broadcast across a's columns. */
export const binary = (op: BinaryOp, a: Host, b: Host): Host =>
  host(a.rows, a.cols, (i, j) => binaryOps[op](at(a, i, j), at(b, i, b.cols === 1 ? 0 : j)));

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export const unaryOps: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  square: (x) => x * x,
  sqrt: Math.sqrt,
  exp: Math.exp,
  log: Math.log,
  tanh: Math.tanh,
  sigmoid: (x) => (x >= 0 ? sigmoid(x) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => (x > 0 ? x : 0),
  step: (x) => (x > 0 ? 1 : 0),
  softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
};

export const map = (a: Host, f: (x: number) => number): Host =>
  host(a.rows, a.cols, (i, j) => f(at(a, i, j)));

export const sum = (a: Host): Host => host(1, 1, () => a.data.reduce((s, x) => s + x, 0));

export const sumRows = (a: Host): Host =>
  host(a.rows, 1, (i) => {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += at(a, i, j);
    return s;
  });

export const logSoftmax = (a: Host): Host => {
  const logSumExp = Array.from({ length: a.cols }, (_, j) => {
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < a.rows; i++) max = Math.max(max, at(a, i, j));
    let s = 0;
    for (let i = 0; i < a.rows; i++) s += Math.exp(at(a, i, j) - max);
    return max + Math.log(s);
  });
  return host(a.rows, a.cols, (i, j) => at(a, i, j) - logSumExp[j]!);
};

export const sliceCols = (a: Host, start: number, end: number): Host =>
  host(a.rows, end - start, (i, j) => at(a, i, start + j));

export const concatRows = (a: Host, b: Host): Host =>
  host(a.rows + b.rows, a.cols, (i, j) => (i < a.rows ? at(a, i, j) : at(b, i - a.rows, j)));

/** σ and σ' of each activation kind, on numbers. */
export const activationRules: Record<
  ActivationKind,
  { sigma(x: number, alpha: number): number; derivative(x: number, alpha: number): number }
> = {
  identity: { sigma: (x) => x, derivative: () => 1 },
  sigmoid: {
    sigma: unaryOps.sigmoid,
    derivative: (x) => unaryOps.sigmoid(x) * (1 - unaryOps.sigmoid(x)),
  },
  tanh: { sigma: Math.tanh, derivative: (x) => 1 - Math.tanh(x) ** 2 },
  relu: { sigma: unaryOps.relu, derivative: unaryOps.step },
  leakyRelu: {
    sigma: (x, alpha) => (x > 0 ? x : alpha * x),
    derivative: (x, alpha) => (x > 0 ? 1 : alpha),
  },
  softplus: { sigma: unaryOps.softplus, derivative: unaryOps.sigmoid },
};

/** One Adam update, as the contract's doc comment states it. */
export function adam(
  w: Host,
  g: Host,
  m: Host,
  v: Host,
  s: AdamStep,
): { w: Host; m: Host; v: Host } {
  const m2 = host(w.rows, w.cols, (i, j) => s.beta1 * at(m, i, j) + (1 - s.beta1) * at(g, i, j));
  const v2 = host(
    w.rows,
    w.cols,
    (i, j) => s.beta2 * at(v, i, j) + (1 - s.beta2) * at(g, i, j) ** 2,
  );
  const w2 = host(
    w.rows,
    w.cols,
    (i, j) => at(w, i, j) - (s.stepSize * at(m2, i, j)) / (Math.sqrt(at(v2, i, j)) + s.epsilon),
  );
  return { w: w2, m: m2, v: v2 };
}

class RefMatrix implements Matrix {
  readonly dtype = 'float64' as const;
  isDisposed = false;
  constructor(readonly value: Host) {}
  get rows() {
    return this.value.rows;
  }
  get cols() {
    return this.value.cols;
  }
  toString() {
    return `Matrix(${this.rows}×${this.cols}, float64)`;
  }
}

/**
 * The reference as a Backend (float64, no fused kernels): slow, obvious, and what every
 * backend's training is compared with.
 */
export function referenceBackend(): Backend<RefMatrix> {
  const live = new Set<RefMatrix>();
  const op = (name: string, ...ms: RefMatrix[]) => {
    checkOperands(name, 'float64', ...ms);
    return ms.map((m) => m.value);
  };
  const make = (value: Host) => {
    const m = new RefMatrix(value);
    live.add(m);
    return m;
  };
  const bin = (name: BinaryOp) => (a: RefMatrix, b: RefMatrix) => {
    const [x, y] = op(name, a, b);
    broadcastKind(name, a, b);
    return make(binary(name, x!, y!));
  };
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'reference',
    dtype: 'float64',
    dtypes: ['float64'],
    supports: { readSync: true, fusedActivation: false, fusedAdam: false },
    fromArray(data, rows, cols) {
      checkData('fromArray', data, rows, cols);
      return make({ rows, cols, data: Float64Array.from(data) });
    },
    fill(rows, cols, value) {
      checkShape('fill', rows, cols);
      return make(host(rows, cols, () => value));
    },
    async read(m) {
      return Float64Array.from(op('read', m)[0]!.data);
    },
    readSync(m) {
      return Float64Array.from(op('readSync', m)[0]!.data);
    },
    matMul(a, b, options) {
      const [x, y] = op('matMul', a, b);
      matMulShape(a, b, options);
      return make(matMul(x!, y!, options));
    },
    add: bin('add'),
    sub: bin('sub'),
    mul: bin('mul'),
    div: bin('div'),
    scale(a, s, t = 0) {
      return make(map(op('scale', a)[0]!, (x) => s * x + t));
    },
    unary(name, a) {
      return make(map(op('unary', a)[0]!, unaryOps[name]));
    },
    clamp(a, lo, hi) {
      return make(map(op('clamp', a)[0]!, (x) => Math.min(hi, Math.max(lo, x))));
    },
    sum(a) {
      return make(sum(op('sum', a)[0]!));
    },
    sumRows(a) {
      return make(sumRows(op('sumRows', a)[0]!));
    },
    logSoftmax(a) {
      return make(logSoftmax(op('logSoftmax', a)[0]!));
    },
    sliceCols(a, start, end) {
      const [x] = op('sliceCols', a);
      checkSlice(a, start, end);
      return make(sliceCols(x!, start, end));
    },
    concatRows(a, b) {
      const [x, y] = op('concatRows', a, b);
      checkConcatRows(a, b);
      return make(concatRows(x!, y!));
    },
    dispose(m) {
      m.isDisposed = true;
      live.delete(m);
    },
    memory() {
      let bytes = 0;
      for (const m of live) bytes += m.rows * m.cols * 8;
      return { matrices: live.size, bytes };
    },
  };
}
