/**
 * The Backend contract: the only thing a tensor library has to implement to run the two-step
 * rule. Everything in the rule is a matrix (a batch is Nh × B, columns are samples), so the
 * contract is rank-2 and small. Gradients, scopes and training live in the core; a backend
 * only computes, disposes handles and counts them.
 */

/**
 * Version of this contract. A backend declares the version it was written for.
 * 2: `copy` added; `sumRows` and the unary ops `neg` and `abs` removed (the core never used them);
 * `Matrix.backend` added: every op rejects a matrix of another instance (`ForeignMatrixError`).
 *
 * The version changes when a backend written for the previous one would no longer be right: a
 * required member added, removed or redefined. An optional fused kernel is not such a change:
 * it comes with a `supports` flag that is absent (false) on every backend written before it, and
 * the core falls back to the basic ops there (`axpy` and `fusedAxpy`; `affine`,
 * `affineGradient`, `affineDeltaUp` and `fusedBias`; `fromColumns` and `fusedTranspose` were
 * added so, within version 2).
 */
export const SPECIFICATION_VERSION = 2;

export type DType = 'float32' | 'float64';

export const DTYPES: readonly DType[] = ['float32', 'float64'];

/** A backend's handle on a rows × cols matrix. Opaque to the core beyond these fields. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly dtype: DType;
  readonly isDisposed: boolean;
  /**
   * The instance that created the matrix. Only that instance computes with it: its storage may
   * be a buffer of one device, counted in that instance's `memory()`.
   */
  readonly backend: Backend;
  /** For example `Matrix(3×2, float64)`; never the data (which may live on a GPU). */
  toString(): string;
}

/**
 * Element-wise unary ops. `step(x)` is 1 for x > 0 and 0 otherwise (σ' of relu, 0 for NaN);
 * `relu(x)` is max(x, 0) (NaN stays NaN); `softplus(x)` is log(1 + eˣ), computed without overflow.
 */
export type UnaryOp =
  | 'square'
  | 'sqrt'
  | 'exp'
  | 'log'
  | 'tanh'
  | 'sigmoid'
  | 'relu'
  | 'step'
  | 'softplus';

export const UNARY_OPS: readonly UnaryOp[] = [
  'square',
  'sqrt',
  'exp',
  'log',
  'tanh',
  'sigmoid',
  'relu',
  'step',
  'softplus',
];

/** The activation kinds a backend may fuse (see {@link Backend.activate}). */
export type ActivationKind = 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'softplus';

/** A uniform activation for a fused kernel; `alpha` is leaky relu's slope for x ≤ 0. */
export interface FusedActivation {
  readonly kind: ActivationKind;
  readonly alpha: number;
}

/** Hyper-parameters of one Adam step, with the bias corrections already folded in. */
export interface AdamStep {
  /** Step size with bias correction: lr · √(1 − β2ᵗ) / (1 − β1ᵗ). */
  readonly stepSize: number;
  readonly beta1: number;
  readonly beta2: number;
  /** ε, scaled like the step: ε · √(1 − β2ᵗ). */
  readonly epsilon: number;
}

/** Optional capabilities, declared by the backend, never guessed from its name. */
export interface BackendSupports {
  /** `readSync` is implemented (false on backends whose data lives on a GPU). */
  readonly readSync: boolean;
  /** `activate` and `deltaDown` are implemented (fused σ(Y) and δup ⊙ σ'(Y), eq. 5). */
  readonly fusedActivation: boolean;
  /** `adam` is implemented (one fused Adam update). */
  readonly fusedAdam: boolean;
  /** `axpy` is implemented (α·x + y in one pass: the SGD and momentum updates). Absent: false. */
  readonly fusedAxpy?: boolean;
  /**
   * `affine`, `affineGradient` and `affineDeltaUp` are implemented: a layer's three products
   * with the formal neuron of Remark 1 (the bias) without its row of ones. Declare it only when
   * all three exist. Absent: false; the core then appends the row (`concatRows`, `fill`) and
   * slices W♯h (`sliceCols`).
   */
  readonly fusedBias?: boolean;
  /**
   * `fromColumns` is implemented: a batch uploaded from its samples as they lie, one after
   * another, transposed by the backend. Absent: false; the core then gathers the columns itself
   * and calls `fromArray`.
   */
  readonly fusedTranspose?: boolean;
  /**
   * Arithmetic may give 0 where the exact result is below the smallest normal number (GPU
   * shaders may flush subnormals, GLSL ES 3.00 §4.7.1; some SIMD kernels do). Storage keeps
   * subnormals all the same. Absent: false, every result that should be subnormal is.
   */
  readonly flushesSubnormals?: boolean;
}

/** The flags of `supports` that declare fused kernels. */
export type FusedKernelFlag = Exclude<keyof BackendSupports, 'readSync' | 'flushesSubnormals'>;

/** The optional kernels each fused-kernel flag of `supports` declares. */
export const FUSED_KERNELS: {
  readonly [flag in FusedKernelFlag]-?: readonly FusedKernel[];
} = {
  fusedActivation: ['activate', 'deltaDown'],
  fusedAdam: ['adam'],
  fusedAxpy: ['axpy'],
  fusedBias: ['affine', 'affineGradient', 'affineDeltaUp'],
  fusedTranspose: ['fromColumns'],
};

/** The optional methods of {@link Backend} other than `readSync`: its fused kernels. */
export type FusedKernel = Exclude<
  { [K in keyof Backend]-?: undefined extends Backend[K] ? K : never }[keyof Backend],
  'readSync'
>;

export interface MatMulOptions {
  /** Use aᵀ instead of a. A flag, never a copy. */
  readonly transposeA?: boolean;
  /** Use bᵀ instead of b. A flag, never a copy. */
  readonly transposeB?: boolean;
}

export interface MemoryInfo {
  /** Matrices created and not yet disposed. */
  readonly matrices: number;
  /** Bytes held by those matrices (rows · cols · bytes per element). */
  readonly bytes: number;
}

/**
 * The contract holds what the core calls (each op is used by the rule, a loss, an activation,
 * an optimizer or the trainer) and two things for callers: `memory`, the count that leak checks
 * read, and the optional `readSync`, for hosts that cannot await (a draw loop on a CPU backend).
 * Every op returns a new matrix and leaves its operands unchanged. An op throws, in this order,
 * a `DisposedMatrixError` for a disposed operand, a `DTypeError` for an operand of another
 * dtype, a `ForeignMatrixError` for a matrix of another instance (`m.backend !== this`) and a
 * `ShapeError` for operands that do not fit; `./validate.ts` has helpers that word these the
 * same way for every backend. A rejected call creates nothing. Shapes with a zero dimension
 * are rejected.
 */
export interface Backend<M extends Matrix = Matrix> {
  /** The contract version this backend implements: {@link SPECIFICATION_VERSION}. */
  readonly specificationVersion: number;
  /** For example `ts` or `tfjs-webgl`. */
  readonly name: string;
  /** The dtype of every matrix this instance creates. */
  readonly dtype: DType;
  /** Every dtype the backend can be created with. */
  readonly dtypes: readonly DType[];
  readonly supports: BackendSupports;

  // transfer
  /** A rows × cols matrix from row-major data (`data.length` must be rows · cols). */
  fromArray(data: ArrayLike<number>, rows: number, cols: number): M;
  /** A rows × cols matrix with every entry `value`. */
  fill(rows: number, cols: number, value: number): M;
  /**
   * A new matrix with a's data, for snapshots of weights and optimizer state. A backend whose
   * matrices are immutable may share the data (tfjs's `clone`); disposing one never frees the other.
   */
  copy(a: M): M;
  /** A row-major copy of the data. */
  read(m: M): Promise<Float32Array | Float64Array>;
  /** As `read`, synchronously; present when `supports.readSync`. */
  readSync?(m: M): Float32Array | Float64Array;
  /**
   * A rows × cols matrix from column-major data, entry (i, j) at `data[j · rows + i]`: a batch
   * whose samples (its columns) lie one after another, as users hold them. What `fromArray` of
   * the transposed data gives, with the same checks and errors; declared by
   * `supports.fusedTranspose`.
   */
  fromColumns?(data: ArrayLike<number>, rows: number, cols: number): M;

  // linear algebra
  /** op(a) · op(b), where op transposes when the flag is set. */
  matMul(a: M, b: M, options?: MatMulOptions): M;

  // element-wise; `b` has a's shape, or is a column (a.rows × 1) broadcast across a's columns
  add(a: M, b: M): M;
  sub(a: M, b: M): M;
  /** Hadamard product a ⊙ b. */
  mul(a: M, b: M): M;
  div(a: M, b: M): M;
  /** s · a + t, entry by entry. */
  scale(a: M, s: number, t?: number): M;
  unary(op: UnaryOp, a: M): M;
  /** Each entry limited to [lo, hi]. */
  clamp(a: M, lo: number, hi: number): M;

  // reductions and structure
  /** The sum of every entry, as a 1 × 1 matrix (no read-back). */
  sum(a: M): M;
  /** log(softmax) of every column: aᵢⱼ − log Σₖ exp(aₖⱼ), computed without overflow. */
  logSoftmax(a: M): M;
  /** Columns [start, end) of a. */
  sliceCols(a: M, start: number, end: number): M;
  /** a stacked on top of b (same number of columns). */
  concatRows(a: M, b: M): M;

  // memory
  /** Frees the matrix; using it afterwards throws `DisposedMatrixError`. Disposing twice is a no-op. */
  dispose(m: M): void;
  memory(): MemoryInfo;

  // optional fused kernels, declared in `supports`
  /** σ(Y) for a uniform activation. */
  activate?(y: M, activation: FusedActivation): M;
  /** δdown = δup ⊙ σ'(Y) (eq. 5) for a uniform activation, σ' evaluated at Y. */
  deltaDown?(deltaUp: M, y: M, activation: FusedActivation): M;
  /**
   * One Adam update: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², w ← w − stepSize·m / (√v + ε).
   */
  adam?(w: M, g: M, m: M, v: M, step: AdamStep): { w: M; m: M; v: M };
  /** α·x + y (x and y of one shape), what `scale` then `add` give, in one pass. */
  axpy?(alpha: number, x: M, y: M): M;

  // the formal neuron (Remark 1), declared by `supports.fusedBias`. Wh is Nh × (N(h−1) + 1) in
  // the paper's layout, as users see it: W♯h (eq. 13) is its first N(h−1) columns and the bias
  // bh its last. X(h−1) is N(h−1) × B *without* the formal neuron's row of ones, δdown_h is
  // Nh × B. Each kernel gives what the composition in its comment gives, without making the row
  // or the slice; operands are checked as every op's (`checkOperands`), then their shapes
  // (`affineShape`: a ShapeError naming the op, both operands and the fix).
  /**
   * Yh = Wh · [X(h−1); 1] = W♯h · X(h−1) + bh (eq. 1, 20, with the formal neuron of Remark 1):
   * `matMul(w, concatRows(x, fill(1, x.cols, 1)))`. `w` is Nh × (N(h−1) + 1), `x` is
   * N(h−1) × B (w.cols = x.rows + 1); the result is Nh × B.
   */
  affine?(w: M, x: M): M;
  /**
   * ∂J/∂Wh = δdown_h · [X(h−1); 1]ᵀ = [δdown_h · X(h−1)ᵀ | δdown_h · 1] (eq. 6, 22): the
   * gradient in Wh's layout, the bias's (the row sums of δdown_h) in the last column;
   * `matMul(deltaDown, concatRows(x, fill(1, x.cols, 1)), { transposeB: true })`. `deltaDown` is
   * Nh × B, `x` is N(h−1) × B (the same B); the result is Nh × (N(h−1) + 1).
   */
  affineGradient?(deltaDown: M, x: M): M;
  /**
   * δup_h−1 = (W♯h)ᵀ · δdown_h (eq. 25, W♯h of eq. 13): Wh's bias column takes no part;
   * `matMul(sliceCols(w, 0, w.cols − 1), deltaDown, { transposeA: true })`. `w` is
   * Nh × (N(h−1) + 1) with at least two columns, `deltaDown` is Nh × B; the result is N(h−1) × B.
   */
  affineDeltaUp?(w: M, deltaDown: M): M;
}

/** What every backend's `create` takes (a backend may take more options of its own). */
export interface BackendOptions {
  readonly dtype?: DType;
}
