import {
  ACTIVATION_NAMES,
  type AdamStep,
  type Backend,
  type BackendOptions,
  broadcastKind,
  ConfigError,
  checkConcatRows,
  checkData,
  checkDType,
  checkOneOf,
  checkOperands,
  checkSameShape,
  checkShape,
  checkSlice,
  type DType,
  type FusedActivation,
  type MatMulOptions,
  type MemoryInfo,
  matMulShape,
  SPECIFICATION_VERSION,
  UNARY_OPS,
  type UnaryOp,
} from '@twostep/core/backend';
import * as kernels from './kernels.js';
import { gemm } from './matmul.js';
import { TsMatrix } from './matrix.js';
import { BufferPool, DEFAULT_POOL_BYTES } from './pool.js';
import { type Gemm, simdGemm } from './simd.js';

export interface TsBackendOptions extends BackendOptions {
  /** The most bytes of freed buffers kept for reuse (default 64 MiB). */
  readonly poolBytes?: number;
  /**
   * Compute matrix products with the WebAssembly SIMD kernel where the runtime has it
   * (default true); false keeps every op in plain TypeScript.
   */
  readonly simd?: boolean;
}

export const DTYPES: readonly DType[] = ['float32', 'float64'];

/** `poolBytes` a byte count (0 keeps no freed buffer), `simd` a boolean: else a ConfigError. */
function checkOptions(poolBytes: unknown, simd: unknown): void {
  if (typeof poolBytes !== 'number' || !Number.isSafeInteger(poolBytes) || poolBytes < 0) {
    throw new ConfigError(
      `createBackend: poolBytes is ${String(poolBytes)}; it must be a whole number of bytes ≥ 0 (0 keeps no freed buffer), e.g. { poolBytes: ${DEFAULT_POOL_BYTES} } (the default, 64 MiB).`,
    );
  }
  if (typeof simd !== 'boolean') {
    throw new ConfigError(
      `createBackend: simd is ${JSON.stringify(simd)}; it must be true (the WebAssembly SIMD kernel where the runtime has it, the default) or false (plain TypeScript).`,
    );
  }
}

/**
 * The reference backend: TypeScript over Float32Array or Float64Array, synchronous, with
 * fused activation and Adam kernels, a buffer pool, and matrix products in WebAssembly SIMD
 * (emitted by `simd.ts`) where the runtime has it.
 */
export class TsBackend implements Backend<TsMatrix> {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly name = 'ts';
  readonly dtype: DType;
  readonly dtypes = DTYPES;
  readonly supports = {
    readSync: true,
    fusedActivation: true,
    fusedAdam: true,
    fusedAxpy: true,
  } as const;
  /** What computes matrix products: the WebAssembly SIMD kernel, or plain TypeScript. */
  readonly matMulKernel: 'wasm-simd' | 'typescript';
  readonly #pool: BufferPool;
  readonly #gemm: Gemm;

  constructor({
    dtype = 'float32',
    poolBytes = DEFAULT_POOL_BYTES,
    simd = true,
  }: TsBackendOptions = {}) {
    checkDType('ts', dtype, DTYPES);
    checkOptions(poolBytes, simd);
    this.dtype = dtype;
    const Store = dtype === 'float32' ? Float32Array : Float64Array;
    this.#pool = new BufferPool(Store, poolBytes);
    const kernel = simd ? simdGemm(Store) : undefined;
    this.#gemm = kernel ?? gemm;
    this.matMulKernel = kernel ? 'wasm-simd' : 'typescript';
  }

  /** A new matrix over a pooled buffer of stale data, which the caller overwrites. */
  #alloc(rows: number, cols: number): TsMatrix {
    return new TsMatrix(rows, cols, this.dtype, this.#pool.take(rows * cols), this.#pool, this);
  }

  // transfer

  fromArray(data: ArrayLike<number>, rows: number, cols: number): TsMatrix {
    checkData('fromArray', data, rows, cols);
    const out = this.#alloc(rows, cols);
    out.data.set(data);
    return out;
  }

  fill(rows: number, cols: number, value: number): TsMatrix {
    checkShape('fill', rows, cols);
    const out = this.#alloc(rows, cols);
    out.data.fill(value);
    return out;
  }

  copy(a: TsMatrix): TsMatrix {
    checkOperands('copy', this, a);
    const out = this.#alloc(a.rows, a.cols);
    out.data.set(a.data);
    return out;
  }

  async read(m: TsMatrix): Promise<Float32Array | Float64Array> {
    checkOperands('read', this, m);
    return m.data.slice();
  }

  readSync(m: TsMatrix): Float32Array | Float64Array {
    checkOperands('readSync', this, m);
    return m.data.slice();
  }

  // linear algebra

  matMul(a: TsMatrix, b: TsMatrix, options: MatMulOptions = {}): TsMatrix {
    checkOperands('matMul', this, a, b);
    const [rows, cols] = matMulShape(a, b, options);
    const inner = options.transposeA ? a.rows : a.cols;
    const out = this.#alloc(rows, cols);
    // Strides of A(i, p) and B(p, j) over the stored row-major data.
    const [ai, ap] = options.transposeA ? [1, a.cols] : [a.cols, 1];
    const [bp, bj] = options.transposeB ? [1, b.cols] : [b.cols, 1];
    this.#gemm(a.data, b.data, out.data, rows, cols, inner, ai, ap, bp, bj);
    return out;
  }

  // element-wise

  add(a: TsMatrix, b: TsMatrix): TsMatrix {
    return this.#binary('add', a, b);
  }

  sub(a: TsMatrix, b: TsMatrix): TsMatrix {
    return this.#binary('sub', a, b);
  }

  mul(a: TsMatrix, b: TsMatrix): TsMatrix {
    return this.#binary('mul', a, b);
  }

  div(a: TsMatrix, b: TsMatrix): TsMatrix {
    return this.#binary('div', a, b);
  }

  #binary(op: kernels.BinaryOp, a: TsMatrix, b: TsMatrix): TsMatrix {
    checkOperands(op, this, a, b);
    const column = broadcastKind(op, a, b) === 'column';
    const out = this.#alloc(a.rows, a.cols);
    kernels.binary(op, out.data, a.data, b.data, a.rows, a.cols, column);
    return out;
  }

  scale(a: TsMatrix, s: number, t = 0): TsMatrix {
    checkOperands('scale', this, a);
    const out = this.#alloc(a.rows, a.cols);
    kernels.affine(out.data, a.data, s, t);
    return out;
  }

  unary(op: UnaryOp, a: TsMatrix): TsMatrix {
    checkOneOf('unary', 'op', op, UNARY_OPS);
    checkOperands('unary', this, a);
    const out = this.#alloc(a.rows, a.cols);
    kernels.unary(op, out.data, a.data);
    return out;
  }

  clamp(a: TsMatrix, lo: number, hi: number): TsMatrix {
    checkOperands('clamp', this, a);
    const out = this.#alloc(a.rows, a.cols);
    kernels.clamp(out.data, a.data, lo, hi);
    return out;
  }

  // reductions and structure

  sum(a: TsMatrix): TsMatrix {
    checkOperands('sum', this, a);
    const out = this.#alloc(1, 1);
    out.data[0] = kernels.sum(a.data);
    return out;
  }

  logSoftmax(a: TsMatrix): TsMatrix {
    checkOperands('logSoftmax', this, a);
    const out = this.#alloc(a.rows, a.cols);
    kernels.logSoftmax(out.data, a.data, a.rows, a.cols);
    return out;
  }

  sliceCols(a: TsMatrix, start: number, end: number): TsMatrix {
    checkOperands('sliceCols', this, a);
    checkSlice(a, start, end);
    const out = this.#alloc(a.rows, end - start);
    kernels.sliceCols(out.data, a.data, a.rows, a.cols, start, end);
    return out;
  }

  concatRows(a: TsMatrix, b: TsMatrix): TsMatrix {
    checkOperands('concatRows', this, a, b);
    checkConcatRows(a, b);
    const out = this.#alloc(a.rows + b.rows, a.cols);
    out.data.set(a.data);
    out.data.set(b.data, a.data.length);
    return out;
  }

  // memory

  dispose(m: TsMatrix): void {
    m.release();
  }

  memory(): MemoryInfo {
    return { matrices: this.#pool.liveBuffers, bytes: this.#pool.liveBytes };
  }

  /** Bytes of disposed buffers kept for reuse (not counted by `memory`). */
  get pooledBytes(): number {
    return this.#pool.pooledBytes;
  }

  /** Typed arrays this backend has allocated so far; flat once a training loop is warm. */
  get createdBuffers(): number {
    return this.#pool.created;
  }

  // fused kernels

  activate(y: TsMatrix, { kind, alpha }: FusedActivation): TsMatrix {
    checkOneOf('activate', 'activation', kind, ACTIVATION_NAMES);
    checkOperands('activate', this, y);
    const out = this.#alloc(y.rows, y.cols);
    kernels.activate(kind, alpha, out.data, y.data);
    return out;
  }

  deltaDown(deltaUp: TsMatrix, y: TsMatrix, { kind, alpha }: FusedActivation): TsMatrix {
    checkOneOf('deltaDown', 'activation', kind, ACTIVATION_NAMES);
    checkOperands('deltaDown', this, deltaUp, y);
    checkSameShape('deltaDown', { deltaUp, y });
    const out = this.#alloc(y.rows, y.cols);
    kernels.deltaDown(kind, alpha, out.data, deltaUp.data, y.data);
    return out;
  }

  adam(
    w: TsMatrix,
    g: TsMatrix,
    m: TsMatrix,
    v: TsMatrix,
    step: AdamStep,
  ): { w: TsMatrix; m: TsMatrix; v: TsMatrix } {
    checkOperands('adam', this, w, g, m, v);
    checkSameShape('adam', { w, g, m, v });
    const out = {
      w: this.#alloc(w.rows, w.cols),
      m: this.#alloc(w.rows, w.cols),
      v: this.#alloc(w.rows, w.cols),
    };
    kernels.adam(step, w.data, g.data, m.data, v.data, out.w.data, out.m.data, out.v.data);
    return out;
  }

  axpy(alpha: number, x: TsMatrix, y: TsMatrix): TsMatrix {
    checkOperands('axpy', this, x, y);
    checkSameShape('axpy', { x, y });
    const out = this.#alloc(x.rows, x.cols);
    kernels.axpy(out.data, alpha, x.data, y.data);
    return out;
  }
}
