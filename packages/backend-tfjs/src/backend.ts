import * as tf from '@tensorflow/tfjs-core';
import {
  ACTIVATION_NAMES,
  type AdamStep,
  type AffineKernel,
  affineShape,
  type Backend,
  BackendUnavailableError,
  broadcastKind,
  checkConcatRows,
  checkData,
  checkOneOf,
  checkOperands,
  checkSameShape,
  checkShape,
  checkSlice,
  type DType,
  DTypeError,
  type FusedActivation,
  type MatMulOptions,
  type MemoryInfo,
  matMulShape,
  ShapeError,
  SPECIFICATION_VERSION,
  UNARY_OPS,
  type UnaryOp,
} from '@twostep/core/backend';
import { FORMAL_NEURON, type Product } from './formal-neuron.js';
import { TfjsMatrix } from './matrix.js';

const DTYPES: readonly DType[] = ['float32'];

/**
 * Formulations that some tfjs backends (4.22) run much faster than the direct one, measured
 * on MNIST-sized operands (docs/performance.md):
 * - `transposeFirst`: matMul on a transposed copy rather than with a transpose flag (wasm: a
 *   128 × 64 · 64 × 785 product with transposeB takes 5.8 ms, transpose + product 1.5 ms);
 * - `gatherColumns`: sliceCols as a gather of the columns (cpu: 128 × 785 → 128 × 784 takes
 *   35 ms as a slice, 6.3 ms as a gather);
 * - `biasInProduct`: `affine` as one `tf.fused.matMul` with the bias column (see
 *   `formal-neuron.ts`: faster on WebGL, slower where W♯h has to be copied first).
 */
type Tuning = { transposeFirst?: true; gatherColumns?: true; biasInProduct?: true };
const TUNING: Record<string, Tuning> = {
  wasm: { transposeFirst: true },
  cpu: { gatherColumns: true },
  webgl: { biasInProduct: true },
};

type Tensor = tf.Tensor;

/** σ'(y) · δ for a uniform activation, in forms that keep their accuracy where σ saturates. */
function deltaDownOf(
  d: Tensor,
  y: Tensor,
  { kind, alpha }: FusedActivation,
  tfBackend: string,
): Tensor {
  switch (kind) {
    case 'identity':
      return tf.clone(d);
    case 'sigmoid': {
      // s(1 − s) = e/(1 + e)² with e = e^−|y|
      const e = tf.exp(tf.neg(tf.abs(y)));
      return tf.div(tf.mul(d, e), tf.square(tf.add(e, 1)));
    }
    case 'tanh': {
      // 1 − t² = 4e/(1 + e)² with e = e^−2|y|
      const e = tf.exp(tf.mul(tf.abs(y), -2));
      return tf.div(tf.mul(tf.mul(d, e), 4), tf.square(tf.add(e, 1)));
    }
    case 'relu':
      return tf.mul(d, tf.step(y, 0));
    case 'leakyRelu':
      return tf.mul(d, tf.step(y, alpha));
    case 'softplus': // σ' is the sigmoid, as `unary` computes it on this tfjs backend
      return tf.mul(d, unaryOf('sigmoid', y, tfBackend));
  }
}

/**
 * tanh near 0 by its series x·(1 − x²/3 + 2x⁴/15 − 17x⁶/315), within 3 ulps for |x| < 1/4:
 * WebGL's tanh, (1 − e^−2|x|)/(1 + e^−2|x|), loses every digit there (tanh(1e-3) is 250 ulps off).
 */
function tanhNearZero(a: Tensor): Tensor {
  const x2 = tf.square(a);
  const p = tf.add(
    tf.mul(tf.add(tf.mul(tf.add(tf.mul(x2, -17 / 315), 2 / 15), x2), -1 / 3), x2),
    1,
  );
  return tf.where(tf.less(tf.abs(a), 0.25), tf.mul(a, p), tf.tanh(a));
}

/**
 * x / y as IEEE 754 has it: WebGL's division returns 1 when x == y, so 0/0 and ∞/∞ gave 1
 * instead of NaN.
 */
function ieeeDiv(x: Tensor, y: Tensor): Tensor {
  const undefinedRatio = tf.logicalAnd(tf.equal(x, y), tf.logicalOr(tf.equal(x, 0), tf.isInf(x)));
  return tf.where(undefinedRatio, tf.scalar(Number.NaN), tf.div(x, y));
}

/**
 * softplus(x) = max(x, 0) + log1p(e^−|x|), with log1p(e) by its series e·(1 − e/2 + e²/3 − …)
 * for e < 0.1 (within an ulp): WebGL's softplus takes log(1 + eˣ), which loses most digits
 * where eˣ is small (1e-3 off at x = −10).
 */
function accurateSoftplus(x: Tensor): Tensor {
  const e = tf.exp(tf.neg(tf.abs(x)));
  // Horner: log1p(e) = e·(1 − e·(1/2 − e·(1/3 − e·(1/4 − e·(1/5 − e/6))))).
  let p = tf.sub(1 / 5, tf.mul(e, 1 / 6));
  for (const c of [1 / 4, 1 / 3, 1 / 2]) p = tf.sub(c, tf.mul(e, p));
  const log1p = tf.where(tf.less(e, 0.1), tf.mul(e, tf.sub(1, tf.mul(e, p))), tf.log1p(e));
  return tf.where(tf.isNaN(x), x, tf.add(tf.maximum(x, 0), log1p));
}

function unaryOf(op: UnaryOp, a: Tensor, tfBackend: string): Tensor {
  switch (op) {
    case 'square':
      return tf.square(a);
    case 'sqrt':
      return tf.sqrt(a);
    case 'exp':
      return tf.exp(a);
    case 'log':
      return tf.log(a);
    case 'tanh': // tfjs-webgpu's tanh is WebGL's formula, as far off near 0
      return tfBackend === 'webgl' || tfBackend === 'webgpu' ? tanhNearZero(a) : tf.tanh(a);
    case 'sigmoid': // tfjs-webgpu's sigmoid gives 0 at NaN
      return tfBackend === 'webgpu' ? tf.where(tf.isNaN(a), a, tf.sigmoid(a)) : tf.sigmoid(a);
    case 'relu': // tf.relu on WebGL gives NaN at −∞; elsewhere it is the faster kernel
      return tfBackend === 'webgl' ? tf.maximum(a, 0) : tf.relu(a);
    case 'step': // the contract's step is 0 at NaN, where tf.step keeps NaN
      return tf.cast(tf.greater(a, 0), 'float32');
    case 'softplus': // tfjs-webgpu's takes log(1 + eˣ) too, and gives ∞ at NaN
      return tfBackend === 'webgl' || tfBackend === 'webgpu' ? accurateSoftplus(a) : tf.softplus(a);
  }
}

function activationOf(y: Tensor, { kind, alpha }: FusedActivation, tfBackend: string): Tensor {
  switch (kind) {
    case 'identity':
      return tf.clone(y);
    case 'leakyRelu':
      // y > 0 ? y : α·y. tf.leakyRelu on WebGL gives NaN at ±∞ and 0 for subnormals.
      return tf.where(tf.greater(y, 0), y, tf.mul(y, alpha));
    default:
      return unaryOf(kind, y, tfBackend);
  }
}

/**
 * The Backend contract over one TensorFlow.js backend (`cpu`, `webgl`, `wasm`, `webgpu` or any
 * other registered one), in float32. Each op is one or a few tfjs ops inside `tf.tidy`, so their
 * temporaries are freed at once; a matrix owns its result tensor until the core disposes it.
 *
 * TensorFlow.js has one engine per page or process, with one active backend. Each op first
 * makes this instance's backend the active one, so instances for different tfjs backends
 * can be used side by side (tfjs moves a tensor's data when another backend reads it).
 */
export class TfjsBackend implements Backend<TfjsMatrix> {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly name: string;
  readonly dtype = 'float32';
  readonly dtypes = DTYPES;
  readonly supports: Backend['supports'];
  /** The TensorFlow.js backend this instance computes on, e.g. `webgl`. */
  readonly tfBackend: string;
  /** Present when `supports.readSync`: on the CPU backends, not on WebGL or WebGPU. */
  readonly readSync?: (m: TfjsMatrix) => Float32Array;

  /** Use `createTfjsBackend`, which activates and initialises the tfjs backend first. */
  constructor(tfBackend: string) {
    this.tfBackend = tfBackend;
    this.name = `tfjs-${tfBackend}`;
    // A GPU backend can only read back by waiting for the GPU; it declares no readSync.
    this.supports = {
      readSync: tfBackend !== 'webgl' && tfBackend !== 'webgpu',
      fusedActivation: true,
      fusedAdam: true,
      fusedBias: true,
      // GPU shaders may flush subnormal results; so does XNNPACK's sigmoid on wasm.
      flushesSubnormals: tfBackend !== 'cpu',
    };
    if (this.supports.readSync) {
      this.readSync = (m) => {
        checkOperands('readSync', this, m);
        return Float32Array.from(m.tensor.dataSync() as Float32Array);
      };
    }
  }

  /** Runs `fn` on this instance's tfjs backend, freeing every tensor it made but the result. */
  #run(fn: () => Tensor): TfjsMatrix {
    this.#activate();
    return new TfjsMatrix(tf.tidy(fn) as tf.Tensor2D, this);
  }

  /**
   * Matrices of the 2-D float32 tensors `fn` returns, computed on this instance's tfjs backend
   * (every other tensor it makes is freed): for computations beyond the contract, such as the
   * `autodiff` rule. Called through the core's `tracked` view, the matrices join the open scope.
   */
  fromTensors(fn: () => tf.Tensor2D[]): TfjsMatrix[] {
    this.#activate();
    const tensors = tf.tidy(fn);
    const bad = tensors.find((t) => t.rank !== 2 || t.dtype !== 'float32');
    if (bad) {
      tf.dispose(tensors);
      const Refusal = bad.rank !== 2 ? ShapeError : DTypeError;
      throw new Refusal(
        `${this.name}: fromTensors takes 2-D float32 tensors; got a ${bad.rank}-D ${bad.dtype} one.`,
      );
    }
    return tensors.map((t) => new TfjsMatrix(t, this));
  }

  #activate(): void {
    if (tf.getBackend() === this.tfBackend) return;
    // For an initialised backend, setBackend switches before its promise settles.
    void tf.setBackend(this.tfBackend);
    if (tf.getBackend() !== this.tfBackend) {
      throw new BackendUnavailableError(
        `${this.name}: TensorFlow.js could not switch back to its '${this.tfBackend}' backend (it is '${tf.getBackend()}'). ` +
          'Await tf.setBackend before using this instance again, or create one backend per tfjs backend.',
      );
    }
  }

  // transfer

  fromArray(data: ArrayLike<number>, rows: number, cols: number): TfjsMatrix {
    checkData('fromArray', data, rows, cols);
    // A fresh copy: tfjs keeps the array it is given, so the caller's could change the matrix.
    const values = Float32Array.from(data);
    return this.#run(() => tf.tensor2d(values, [rows, cols], 'float32'));
  }

  fill(rows: number, cols: number, value: number): TfjsMatrix {
    checkShape('fill', rows, cols);
    return this.#run(() => tf.fill([rows, cols], value, 'float32'));
  }

  copy(a: TfjsMatrix): TfjsMatrix {
    checkOperands('copy', this, a);
    // tfjs tensors are immutable: a clone shares the data, counted once, freed with the last handle.
    return this.#run(() => tf.clone(a.tensor));
  }

  async read(m: TfjsMatrix): Promise<Float32Array> {
    checkOperands('read', this, m);
    // A copy: on the CPU backends `data()` hands out the tensor's own storage.
    return Float32Array.from((await m.tensor.data()) as Float32Array);
  }

  // linear algebra

  matMul(a: TfjsMatrix, b: TfjsMatrix, options: MatMulOptions = {}): TfjsMatrix {
    checkOperands('matMul', this, a, b);
    matMulShape(a, b, options);
    const { transposeA = false, transposeB = false } = options;
    return this.#run(() => this.#product(a.tensor, b.tensor, transposeA, transposeB));
  }

  /** op(a) · op(b): with the transpose flags, or on transposed copies where that is faster. */
  readonly #product: Product = (a, b, transposeA, transposeB) => {
    if (!TUNING[this.tfBackend]?.transposeFirst) return tf.matMul(a, b, transposeA, transposeB);
    const op = (m: Tensor, transpose: boolean) => (transpose ? tf.transpose(m) : m);
    return tf.matMul(op(a, transposeA), op(b, transposeB));
  };

  // element-wise: tfjs broadcasts an a.rows × 1 column across a's columns by itself

  add(a: TfjsMatrix, b: TfjsMatrix): TfjsMatrix {
    return this.#binary('add', a, b, tf.add);
  }

  sub(a: TfjsMatrix, b: TfjsMatrix): TfjsMatrix {
    return this.#binary('sub', a, b, tf.sub);
  }

  mul(a: TfjsMatrix, b: TfjsMatrix): TfjsMatrix {
    return this.#binary('mul', a, b, tf.mul);
  }

  div(a: TfjsMatrix, b: TfjsMatrix): TfjsMatrix {
    return this.#binary('div', a, b, this.tfBackend === 'webgl' ? ieeeDiv : tf.div);
  }

  #binary(
    op: string,
    a: TfjsMatrix,
    b: TfjsMatrix,
    kernel: (x: Tensor, y: Tensor) => Tensor,
  ): TfjsMatrix {
    checkOperands(op, this, a, b);
    broadcastKind(op, a, b);
    return this.#run(() => kernel(a.tensor, b.tensor));
  }

  scale(a: TfjsMatrix, s: number, t = 0): TfjsMatrix {
    checkOperands('scale', this, a);
    return this.#run(() => {
      const scaled = s === 1 ? tf.clone(a.tensor) : tf.mul(a.tensor, s);
      return t === 0 ? scaled : tf.add(scaled, t);
    });
  }

  unary(op: UnaryOp, a: TfjsMatrix): TfjsMatrix {
    checkOneOf('unary', 'op', op, UNARY_OPS);
    checkOperands('unary', this, a);
    return this.#run(() => unaryOf(op, a.tensor, this.tfBackend));
  }

  clamp(a: TfjsMatrix, lo: number, hi: number): TfjsMatrix {
    checkOperands('clamp', this, a);
    // NaN stays NaN: tf.clipByValue fills with lo when lo === hi, and tfjs-wasm's clamp
    // turns NaN into lo.
    const t = a.tensor;
    return this.#run(() => tf.where(tf.notEqual(t, t), t, tf.clipByValue(t, lo, hi)));
  }

  // reductions and structure

  sum(a: TfjsMatrix): TfjsMatrix {
    checkOperands('sum', this, a);
    return this.#run(() => tf.reshape(tf.sum(a.tensor), [1, 1]));
  }

  logSoftmax(a: TfjsMatrix): TfjsMatrix {
    checkOperands('logSoftmax', this, a);
    // Columns are samples: reduce over axis 0 (tf.logSoftmax reduces the last axis).
    return this.#run(() => tf.sub(a.tensor, tf.logSumExp(a.tensor, 0, true)));
  }

  sliceCols(a: TfjsMatrix, start: number, end: number): TfjsMatrix {
    checkOperands('sliceCols', this, a);
    checkSlice(a, start, end);
    if (!TUNING[this.tfBackend]?.gatherColumns) {
      return this.#run(() => tf.slice(a.tensor, [0, start], [a.rows, end - start]));
    }
    return this.#run(() => tf.gather(a.tensor, tf.range(start, end, 1, 'int32'), 1));
  }

  concatRows(a: TfjsMatrix, b: TfjsMatrix): TfjsMatrix {
    checkOperands('concatRows', this, a, b);
    checkConcatRows(a, b);
    return this.#run(() => tf.concat([a.tensor, b.tensor], 0));
  }

  // memory

  dispose(m: TfjsMatrix): void {
    m.release();
  }

  /**
   * From `tf.memory()`: the engine's live tensors and their bytes. The engine is shared by
   * every instance in the page or process and by any tfjs code of your own, so these count
   * all of it; a leak anywhere in the engine shows here.
   */
  memory(): MemoryInfo {
    const { numTensors, numBytes } = tf.memory();
    return { matrices: numTensors, bytes: numBytes };
  }

  // fused kernels

  activate(y: TfjsMatrix, activation: FusedActivation): TfjsMatrix {
    checkOneOf('activate', 'activation', activation.kind, ACTIVATION_NAMES);
    checkOperands('activate', this, y);
    return this.#run(() => activationOf(y.tensor, activation, this.tfBackend));
  }

  deltaDown(deltaUp: TfjsMatrix, y: TfjsMatrix, activation: FusedActivation): TfjsMatrix {
    checkOneOf('deltaDown', 'activation', activation.kind, ACTIVATION_NAMES);
    checkOperands('deltaDown', this, deltaUp, y);
    checkSameShape('deltaDown', { deltaUp, y });
    return this.#run(() => deltaDownOf(deltaUp.tensor, y.tensor, activation, this.tfBackend));
  }

  affine(w: TfjsMatrix, x: TfjsMatrix): TfjsMatrix {
    return this.#formalNeuron('affine', w, x);
  }

  affineGradient(deltaDown: TfjsMatrix, x: TfjsMatrix): TfjsMatrix {
    return this.#formalNeuron('affineGradient', deltaDown, x);
  }

  affineDeltaUp(w: TfjsMatrix, deltaDown: TfjsMatrix): TfjsMatrix {
    return this.#formalNeuron('affineDeltaUp', w, deltaDown);
  }

  /** A kernel of `fusedBias` (see formal-neuron.ts): operands, then shapes, then the tensors. */
  #formalNeuron(op: AffineKernel, a: TfjsMatrix, b: TfjsMatrix): TfjsMatrix {
    checkOperands(op, this, a, b);
    affineShape(op, a, b);
    const inProduct = TUNING[this.tfBackend]?.biasInProduct === true;
    return this.#run(() => FORMAL_NEURON[op](a.tensor, b.tensor, this.#product, inProduct));
  }

  adam(
    w: TfjsMatrix,
    g: TfjsMatrix,
    m: TfjsMatrix,
    v: TfjsMatrix,
    { stepSize, beta1, beta2, epsilon }: AdamStep,
  ): { w: TfjsMatrix; m: TfjsMatrix; v: TfjsMatrix } {
    checkOperands('adam', this, w, g, m, v);
    checkSameShape('adam', { w, g, m, v });
    this.#activate();
    const out = tf.tidy(() => {
      const m1 = tf.add(tf.mul(m.tensor, beta1), tf.mul(g.tensor, 1 - beta1));
      const v1 = tf.add(tf.mul(v.tensor, beta2), tf.mul(tf.square(g.tensor), 1 - beta2));
      const w1 = tf.sub(w.tensor, tf.div(tf.mul(m1, stepSize), tf.add(tf.sqrt(v1), epsilon)));
      return { w: w1, m: m1, v: v1 } as Record<'w' | 'm' | 'v', tf.Tensor2D>;
    });
    return {
      w: new TfjsMatrix(out.w, this),
      m: new TfjsMatrix(out.m, this),
      v: new TfjsMatrix(out.v, this),
    };
  }
}
