/**
 * The float64 reference: every op of the Backend contract written in the most obvious way, on
 * the host, as its living definition (after tinygrad's ops_python). The conformance suite
 * compares every backend with these ops; `referenceBackend()` wraps them as a Backend, so the
 * rule and training run on it too. Slow on purpose: one obvious line per op, no tricks.
 * Beside the ops, what the rule itself is checked against: the paper's Section 4 closed forms
 * and central finite differences.
 */
import { ACTIVATION_NAMES } from './activations.js';
import {
  type ActivationKind,
  type AdamStep,
  type Backend,
  FUSED_KERNELS,
  type FusedActivation,
  type FusedKernelFlag,
  type MatMulOptions,
  type Matrix,
  SPECIFICATION_VERSION,
  UNARY_OPS,
  type UnaryOp,
} from './contract.js';
import {
  type AffineKernel,
  affineShape,
  broadcastKind,
  checkConcatRows,
  checkData,
  checkOneOf,
  checkOperands,
  checkSameShape,
  checkShape,
  checkSlice,
  matMulShape,
} from './validate.js';

export {
  CENTRAL_DIFFERENCE_STEP,
  centralDifferences,
  type Entries,
  type GradientCheckCase,
  gradientCheckCase,
  gradientCheckCoverage,
  gradientCheckNetwork,
  gradientCheckTitle,
  relativeError,
} from './differences.js';
export {
  SECTION_FOUR_SIGMAS,
  type SectionFour,
  type SectionFourSigma,
  sectionFour,
} from './section4.js';

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

/**
 * op(a) · op(b): Yh = Wh · X(h−1) (eq. 1), δup_h−1 = (W♯h)ᵀ · δdown_h (eq. 25) and
 * ∂J/∂Wh = δdown_h · X(h−1)ᵀ (eq. 6, 22).
 */
export function matMul(
  a: Host,
  b: Host,
  { transposeA = false, transposeB = false }: MatMulOptions = {},
): Host {
  const A = (i: number, p: number) => (transposeA ? at(a, p, i) : at(a, i, p));
  const B = (p: number, j: number) => (transposeB ? at(b, j, p) : at(b, p, j));
  const k = transposeA ? a.rows : a.cols;
  return host(transposeA ? a.cols : a.rows, transposeB ? b.rows : b.cols, (i, j) => {
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
  square: (x) => x * x,
  sqrt: Math.sqrt,
  exp: Math.exp,
  log: Math.log,
  tanh: Math.tanh,
  // eˣ / (1 + eˣ) for x < 0, so e⁻ˣ never overflows.
  sigmoid: (x) => (x >= 0 ? sigmoid(x) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => Math.max(x, 0), // NaN stays NaN, as every other op lets it through
  step: (x) => (x > 0 ? 1 : 0),
  softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
};

export const map = (a: Host, f: (x: number) => number): Host =>
  host(a.rows, a.cols, (i, j) => f(at(a, i, j)));

export const sum = (a: Host): Host => host(1, 1, () => a.data.reduce((s, x) => s + x, 0));

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

/** σ and σ' of each activation kind (eq. 7), on numbers. */
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

/** Xh = σh(Yh) (eq. 1) for a uniform activation. */
export const activate = (y: Host, { kind, alpha }: FusedActivation): Host =>
  map(y, (x) => activationRules[kind].sigma(x, alpha));

/** δdown_h = δup_h ⊙ σh'(Yh) (eq. 5) for a uniform activation. */
export const deltaDown = (deltaUp: Host, y: Host, { kind, alpha }: FusedActivation): Host =>
  host(
    y.rows,
    y.cols,
    (i, j) => at(deltaUp, i, j) * activationRules[kind].derivative(at(y, i, j), alpha),
  );

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

/** α·x + y. */
export const axpy = (alpha: number, x: Host, y: Host): Host =>
  host(x.rows, x.cols, (i, j) => alpha * at(x, i, j) + at(y, i, j));

/** The formal neuron's row of ones under X(h−1) (Remark 1). */
const withOnes = (x: Host): Host =>
  concatRows(
    x,
    host(1, x.cols, () => 1),
  );

/** Yh = Wh · [X(h−1); 1] = W♯h · X(h−1) + bh (eq. 1, 20; Remark 1). */
export const affine = (w: Host, x: Host): Host => matMul(w, withOnes(x));

/** ∂J/∂Wh = δdown_h · [X(h−1); 1]ᵀ (eq. 6, 22), the bias gradient in the last column. */
export const affineGradient = (deltaDown: Host, x: Host): Host =>
  matMul(deltaDown, withOnes(x), { transposeB: true });

/** δup_h−1 = (W♯h)ᵀ · δdown_h (eq. 13, 25). */
export const affineDeltaUp = (w: Host, deltaDown: Host): Host =>
  matMul(sliceCols(w, 0, w.cols - 1), deltaDown, { transposeA: true });

class ReferenceMatrix implements Matrix {
  readonly dtype = 'float64' as const;
  isDisposed = false;
  constructor(
    readonly value: Host,
    readonly backend: Backend<ReferenceMatrix>,
  ) {}
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
 * The reference as a Backend: float64, every op above checked through the core's validate
 * helpers. It declares the fused kernels too, each the obvious definition of what it fuses,
 * so the rule's fused path has a reference as well; `withoutFusedKernels` gives the basic-op
 * path.
 */
export function referenceBackend(): Backend<ReferenceMatrix> {
  const live = new Set<ReferenceMatrix>();
  const operands = (op: string, ...ms: ReferenceMatrix[]) => {
    checkOperands(op, backend, ...ms);
    return ms.map((m) => m.value);
  };
  const make = (value: Host) => {
    const m = new ReferenceMatrix(value, backend);
    live.add(m);
    return m;
  };
  const formalNeuron =
    (op: AffineKernel, f: (a: Host, b: Host) => Host) =>
    (a: ReferenceMatrix, b: ReferenceMatrix) => {
      const [x, y] = operands(op, a, b);
      affineShape(op, a, b);
      return make(f(x!, y!));
    };
  const elementWise = (op: BinaryOp) => (a: ReferenceMatrix, b: ReferenceMatrix) => {
    const [x, y] = operands(op, a, b);
    broadcastKind(op, a, b);
    return make(binary(op, x!, y!));
  };
  // Its matrices' creator, and the instance `checkOperands` compares them with.
  const backend: Backend<ReferenceMatrix> = {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'reference',
    dtype: 'float64',
    dtypes: ['float64'],
    supports: {
      readSync: true,
      fusedActivation: true,
      fusedAdam: true,
      fusedAxpy: true,
      fusedBias: true,
      fusedTranspose: true,
    },
    fromArray(data, rows, cols) {
      checkData('fromArray', data, rows, cols);
      return make({ rows, cols, data: Float64Array.from(data) });
    },
    fromColumns(data, rows, cols) {
      checkData('fromColumns', data, rows, cols, 'column-major');
      return make(host(rows, cols, (i, j) => data[j * rows + i]!));
    },
    fill(rows, cols, value) {
      checkShape('fill', rows, cols);
      return make(host(rows, cols, () => value));
    },
    copy(a) {
      return make(map(operands('copy', a)[0]!, (x) => x));
    },
    async read(m) {
      return Float64Array.from(operands('read', m)[0]!.data);
    },
    readSync(m) {
      return Float64Array.from(operands('readSync', m)[0]!.data);
    },
    matMul(a, b, options) {
      const [x, y] = operands('matMul', a, b);
      matMulShape(a, b, options);
      return make(matMul(x!, y!, options));
    },
    add: elementWise('add'),
    sub: elementWise('sub'),
    mul: elementWise('mul'),
    div: elementWise('div'),
    scale(a, s, t = 0) {
      return make(map(operands('scale', a)[0]!, (x) => s * x + t));
    },
    unary(op, a) {
      checkOneOf('unary', 'op', op, UNARY_OPS);
      return make(map(operands('unary', a)[0]!, unaryOps[op]));
    },
    clamp(a, lo, hi) {
      return make(map(operands('clamp', a)[0]!, (x) => Math.min(hi, Math.max(lo, x))));
    },
    sum(a) {
      return make(sum(operands('sum', a)[0]!));
    },
    logSoftmax(a) {
      return make(logSoftmax(operands('logSoftmax', a)[0]!));
    },
    sliceCols(a, start, end) {
      const [x] = operands('sliceCols', a);
      checkSlice(a, start, end);
      return make(sliceCols(x!, start, end));
    },
    concatRows(a, b) {
      const [x, y] = operands('concatRows', a, b);
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
    activate(y, activation) {
      checkOneOf('activate', 'activation', activation.kind, ACTIVATION_NAMES);
      return make(activate(operands('activate', y)[0]!, activation));
    },
    deltaDown(up, y, activation) {
      checkOneOf('deltaDown', 'activation', activation.kind, ACTIVATION_NAMES);
      const [u, x] = operands('deltaDown', up, y);
      checkSameShape('deltaDown', { deltaUp: up, y });
      return make(deltaDown(u!, x!, activation));
    },
    adam(w, g, m, v, step) {
      const [wh, gh, mh, vh] = operands('adam', w, g, m, v);
      checkSameShape('adam', { w, g, m, v });
      const next = adam(wh!, gh!, mh!, vh!, step);
      return { w: make(next.w), m: make(next.m), v: make(next.v) };
    },
    axpy(alpha, x, y) {
      const [xh, yh] = operands('axpy', x, y);
      checkSameShape('axpy', { x, y });
      return make(axpy(alpha, xh!, yh!));
    },
    affine: formalNeuron('affine', affine),
    affineGradient: formalNeuron('affineGradient', affineGradient),
    affineDeltaUp: formalNeuron('affineDeltaUp', affineDeltaUp),
  };
  return backend;
}

/** Every flag of `supports` that declares fused kernels. */
const FUSED_KERNEL_FLAGS = Object.keys(FUSED_KERNELS) as FusedKernelFlag[];

/**
 * The backend with every optional fused kernel hidden (its `supports` flag false, its method
 * absent), so the core takes the basic-op path: the rule is checked on both. With `flags`,
 * only the kernels of those flags are hidden (`['fusedBias']`: the formal neuron's row and
 * W♯h's slice come back, every other fused kernel stays).
 */
export function withoutFusedKernels<B extends Backend>(
  backend: B,
  flags: readonly FusedKernelFlag[] = FUSED_KERNEL_FLAGS,
): B {
  const hidden = new Set<PropertyKey>(flags.flatMap((flag) => FUSED_KERNELS[flag]));
  const declaresNone = Object.fromEntries(flags.map((flag) => [flag, false]));
  return new Proxy(backend, {
    get(target, property) {
      if (property === 'supports') return { ...target.supports, ...declaresNone };
      if (hidden.has(property)) return undefined;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
