import {
  ACTIVATION_NAMES,
  type AdamStep,
  affineShape,
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
import { Compute, closeWhenCollected } from './compute.js';
import { DEFAULT_POOL_BYTES, Heap, type StoreConstructor } from './heap.js';
import * as kernels from './kernels.js';
import { gemm } from './matmul.js';
import { TsMatrix } from './matrix.js';
import {
  BLOCK_BYTES,
  type ElementwiseKernel,
  hasRelaxedSimd,
  kernelModule,
  packTile,
  VECTOR_BYTES,
} from './simd.js';
import { CONTROL_BYTES, defaultThreads, threadSupport } from './threads.js';

export interface TsBackendOptions extends BackendOptions {
  /** The most bytes of freed matrices kept by size for reuse (default 64 MiB). */
  readonly poolBytes?: number;
  /**
   * Compute with the WebAssembly SIMD kernels where the runtime has them (default true); false
   * keeps every op in plain TypeScript (and one thread).
   */
  readonly simd?: boolean;
  /**
   * Use relaxed SIMD's fused multiply-add in float32 products where the engine has it (default
   * true). Float64 never fuses: its products keep the rounding of the plain sums.
   */
  readonly relaxedSimd?: boolean;
  /**
   * Threads in all, counting the calling one, that share products and long element-wise passes
   * (default `defaultThreads()`: the cores, up to 8). 1 keeps everything on the calling thread.
   * Where threads cannot run (no SharedArrayBuffer: a page that is not cross-origin isolated;
   * no workers; no SIMD), the backend uses one and `description` says why.
   */
  readonly threads?: number;
}

export const DTYPES: readonly DType[] = ['float32', 'float64'];

/** The most threads a backend takes: beyond it, more workers only add synchronisation. */
export const MAX_THREADS = 64;

/** Whole bytes ≥ 0, booleans, and a whole number of threads in 1…MAX_THREADS: else a ConfigError. */
function checkOptions(
  poolBytes: unknown,
  simd: unknown,
  relaxedSimd: unknown,
  threads: unknown,
): void {
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
  if (typeof relaxedSimd !== 'boolean') {
    throw new ConfigError(
      `createBackend: relaxedSimd is ${JSON.stringify(relaxedSimd)}; it must be true (fused multiply-add in float32 products where the engine has it, the default) or false (plain SIMD).`,
    );
  }
  if (
    typeof threads !== 'number' ||
    !Number.isInteger(threads) ||
    threads < 1 ||
    threads > MAX_THREADS
  ) {
    throw new ConfigError(
      `createBackend: threads is ${JSON.stringify(threads)}; it must be a whole number from 1 (this thread only) to ${MAX_THREADS}, e.g. { threads: ${defaultThreads()} } (the default here: this machine's cores, up to 8).`,
    );
  }
}

/**
 * Below this many multiply-adds (or entries, for element-wise kernels), a kernel runs on the
 * calling thread: waking the workers, and the caches of two cores trading the result, cost
 * more than they save. Per-sample SGD's update of 100,480 weights (W3) was 35% slower shared.
 */
const PARALLEL_MULTIPLY_ADDS = 1 << 18;
const PARALLEL_ENTRIES = 1 << 18;

/**
 * The reference backend: every matrix lives in one WebAssembly memory, where WebAssembly SIMD
 * kernels (emitted by `simd.ts`) compute products, element-wise ops, fused activations and
 * optimizer updates in place, on several threads where the runtime allows; the rest (and
 * everything, with `simd: false`) is TypeScript over the same memory.
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
    fusedBias: true,
    fusedTranspose: true,
  } as const;
  readonly #heap: Heap;
  /** Why the backend uses one thread where more were asked. */
  readonly #single: string | undefined;
  readonly #relaxed: boolean;
  readonly #Store: StoreConstructor;
  readonly #compute: Compute | undefined;

  constructor({
    dtype = 'float32',
    poolBytes = DEFAULT_POOL_BYTES,
    simd = true,
    relaxedSimd = true,
    threads = defaultThreads(),
  }: TsBackendOptions = {}) {
    checkDType('ts', dtype, DTYPES);
    checkOptions(poolBytes, simd, relaxedSimd, threads);
    this.dtype = dtype;
    this.#Store = dtype === 'float32' ? Float32Array : Float64Array;
    const relaxed = simd && relaxedSimd && dtype === 'float32' && hasRelaxedSimd();
    const single = simd ? kernelModule({ dtype, shared: false, relaxed }) : undefined;
    let why: string | undefined;
    if (threads > 1) {
      const support = threadSupport();
      if (!simd) why = 'simd: false computes in TypeScript on this thread';
      else if (!single) why = 'this runtime cannot compile WebAssembly SIMD';
      else if (!support.available) why = support.reason;
    }
    const shared = threads > 1 && !why ? kernelModule({ dtype, shared: true, relaxed }) : undefined;
    if (threads > 1 && !why && !shared)
      why = 'this runtime cannot compile kernels over shared memory';
    this.#heap = new Heap(poolBytes, { shared: shared !== undefined, reserved: CONTROL_BYTES });
    const module = shared ?? single;
    if (module) {
      this.#compute = new Compute(module, this.#heap.memory, shared ? threads : 1);
      if (shared) closeWhenCollected.register(this, this.#compute.workers);
    }
    this.#relaxed = relaxed;
    this.#single = why;
  }

  /** What computes matrix products: the WebAssembly SIMD kernels, or plain TypeScript. */
  get matMulKernel(): 'wasm-simd' | 'typescript' {
    return this.#compute ? 'wasm-simd' : 'typescript';
  }

  /** The threads that compute, counting the calling one. */
  get threads(): number {
    return this.#compute?.threads ?? 1;
  }

  /** One line: dtype, kernels, threads, and why one thread where more were asked. */
  get description(): string {
    const kernels = `${this.matMulKernel}${this.#compute && this.#relaxed ? ' (relaxed)' : ''}`;
    const threads = `${this.threads} thread${this.threads === 1 ? '' : 's'}`;
    const why = this.#single ?? this.#compute?.failure;
    return `ts ${this.dtype} · ${kernels} · ${threads}${why ? ` (${why})` : ''}`;
  }

  /** Ends the worker threads; later ops run on the calling thread. Idempotent. */
  close(): void {
    this.#compute?.close();
  }

  /** A new matrix over a block of stale data, which the caller overwrites. */
  #alloc(rows: number, cols: number): TsMatrix {
    const bytes = rows * cols * this.#Store.BYTES_PER_ELEMENT;
    return new TsMatrix(rows, cols, this.dtype, this.#heap, this.#heap.take(bytes), this);
  }

  /** Runs `kernel` over `units` on this thread, or shares it with the workers when it is big. */
  #run(kernel: string, units: number, big: boolean, args: number[]): void {
    this.#compute!.run(kernel, units, big, args);
  }

  /** An element-wise kernel over every entry of `outs` (of one shape) from `ins` and scalars. */
  #elementwise(
    kernel: ElementwiseKernel,
    outs: readonly TsMatrix[],
    ins: readonly TsMatrix[],
    scalars: readonly number[] = [],
  ): void {
    const entries = outs[0]!.rows * outs[0]!.cols;
    const units = Math.ceil((entries * this.#Store.BYTES_PER_ELEMENT) / VECTOR_BYTES);
    const addresses = [...outs, ...ins].map((m) => m.address);
    this.#run(kernel, units, entries >= PARALLEL_ENTRIES, [...addresses, ...scalars]);
  }

  /**
   * c = A · B (m × n, k shared) with A(i, p) = a[i·ai + p·ap], B(p, j) = b[p·bp + j·bj], strides
   * in entries: the SIMD `block` kernel for C's 4-row blocks and whole 32-byte column blocks (B
   * packed first when its rows are not contiguous), `dot` for a float32 column, `gemm` (over the
   * same memory) for the rest. With `bias`, A(i, k) (`affine`'s bias column, just past the sum)
   * is added to each C(i, j) after its sum.
   */
  #product(
    a: TsMatrix,
    b: TsMatrix,
    c: TsMatrix,
    m: number,
    n: number,
    k: number,
    ai: number,
    ap: number,
    bp: number,
    bj: number,
    cn = n,
    bias = false,
  ): void {
    const size = this.#Store.BYTES_PER_ELEMENT;
    const m4 = m - (m % 4);
    const wide = BLOCK_BYTES / size; // columns of C per block
    const nb = n - (n % wide);
    const simd = this.#compute !== undefined && m4 > 0;
    // Allocated before any view is taken: a growing memory would leave earlier views stale.
    // (Every transposed operand is contiguous along p: bp is 1 where bj is not.)
    const packed = simd && nb > 0 && bj !== 1 && bp === 1 ? this.#alloc(k, n) : undefined;
    const args = [a.data, b.data, c.data, m, n, k, ai, ap, bp, bj, cn] as const;
    const big = m4 * n * k >= PARALLEL_MULTIPLY_ADDS;
    const k4 = k - (k % 4);
    // The last rows (and columns) past the whole blocks are one more block that ends at row m
    // (column n) and overlaps the blocks before it: the entries it computes again come out
    // the same bits (each is its own sum, in the same order).
    const lastRows = m4 < m ? [[m - 4, 1]] : [];
    const blocks = simd && nb > 0 && (bj === 1 || packed !== undefined);
    if (blocks) {
      if (packed) this.#transpose(b, packed); // B is bᵀ: b is n × k, bj = k
      const from = packed ?? b;
      const rowOfB = packed ? n : bp;
      const block = (row: number, rows: number, column: number, columns: number) =>
        this.#run('block', rows, big && rows > 1, [
          a.address + row * ai * size,
          from.address + column * size,
          c.address + (row * cn + column) * size,
          ...[columns * size, k, ai * size, ap * size, rowOfB * size, cn * size, bias ? 1 : 0],
        ]);
      const lastColumns = nb < n ? [[n - wide, wide]] : [];
      for (const [row, rows] of [[0, m4 / 4], ...lastRows]) {
        for (const [column, columns] of [[0, nb], ...lastColumns])
          block(row!, rows!, column!, columns!);
      }
      packed?.release();
    } else if (simd && this.dtype === 'float32' && n === 1 && ap === 1 && bp === 1 && k4 > 0) {
      for (const [row, rows] of [[0, m4 / 4], ...lastRows]) {
        this.#run('dot', rows!, big && rows! > 1, [
          a.address + row! * ai * size,
          b.address,
          c.address + row! * cn * size,
          ...[k4 * size, ai * size, cn * size],
        ]);
      }
      dotTails(k4, ...args);
    } else {
      gemm(...args);
    }
    // C(i, j) += A(i, k) after the sums, where the blocks did not add it themselves.
    if (bias && !blocks) {
      const [x, y] = [a.data, c.data];
      for (let i = 0; i < m; i++) {
        const bh = x[i * ai + k * ap]!;
        for (let o = i * cn, end = o + n; o < end; o++) y[o] = y[o]! + bh;
      }
    }
  }

  /** out = aᵀ (out is a.cols × a.rows): `pack`'s register tiles, or TypeScript below a tile. */
  #transpose(a: TsMatrix, out: TsMatrix): void {
    const [rows, cols] = [a.rows, a.cols];
    const tile = packTile(this.dtype);
    if (this.#compute && rows >= tile && cols >= tile) {
      const size = this.#Store.BYTES_PER_ELEMENT;
      const args = [a.address, out.address, cols, rows, cols * size];
      this.#run('pack', Math.ceil(cols / tile), rows * cols >= PARALLEL_ENTRIES, args);
    } else {
      const [from, to] = [a.data, out.data];
      for (let p = 0; p < cols; p++)
        for (let j = 0; j < rows; j++) to[p * rows + j] = from[j * cols + p]!;
    }
  }

  // transfer

  fromArray(data: ArrayLike<number>, rows: number, cols: number): TsMatrix {
    checkData('fromArray', data, rows, cols);
    const out = this.#alloc(rows, cols);
    out.data.set(data);
    return out;
  }

  /**
   * The data laid in the memory as the cols × rows matrix it is in rows, then transposed by
   * `pack` (4 × 4 or 2 × 2 tiles in registers; shared by the threads when it is big): an MNIST
   * batch of 64 takes about a fifth of the time of the core gathering its columns.
   */
  fromColumns(data: ArrayLike<number>, rows: number, cols: number): TsMatrix {
    checkData('fromColumns', data, rows, cols, 'column-major');
    const [laid, out] = [this.#alloc(cols, rows), this.#alloc(rows, cols)];
    laid.data.set(data);
    this.#transpose(laid, out);
    laid.release();
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

  /** Yh = W♯h · X + bh: the product over W's first columns, the bias column added after each sum. */
  affine(w: TsMatrix, x: TsMatrix): TsMatrix {
    checkOperands('affine', this, w, x);
    const [rows, cols] = affineShape('affine', w, x);
    const out = this.#alloc(rows, cols);
    this.#product(w, x, out, rows, cols, x.rows, w.cols, 1, x.cols, 1, cols, true);
    return out;
  }

  /** [δdown · Xᵀ | δdown · 1]: the product into the first columns, row sums into the last. */
  affineGradient(deltaDown: TsMatrix, x: TsMatrix): TsMatrix {
    checkOperands('affineGradient', this, deltaDown, x);
    const [rows, cols] = affineShape('affineGradient', deltaDown, x);
    const out = this.#alloc(rows, cols);
    const batch = x.cols;
    this.#product(deltaDown, x, out, rows, x.rows, batch, batch, 1, 1, batch, cols);
    const [c, d] = [out.data, deltaDown.data];
    for (let i = 0; i < rows; i++) {
      let sum = 0;
      for (let j = i * batch, end = j + batch; j < end; j++) sum += d[j]!;
      c[i * cols + x.rows] = sum;
    }
    return out;
  }

  /** (W♯h)ᵀ · δdown: W read through its strides, its last column never touched. */
  affineDeltaUp(w: TsMatrix, deltaDown: TsMatrix): TsMatrix {
    checkOperands('affineDeltaUp', this, w, deltaDown);
    const [rows, cols] = affineShape('affineDeltaUp', w, deltaDown);
    const out = this.#alloc(rows, cols);
    this.#product(w, deltaDown, out, rows, cols, w.rows, 1, w.cols, deltaDown.cols, 1);
    return out;
  }

  matMul(a: TsMatrix, b: TsMatrix, options: MatMulOptions = {}): TsMatrix {
    checkOperands('matMul', this, a, b);
    const [rows, cols] = matMulShape(a, b, options);
    const inner = options.transposeA ? a.rows : a.cols;
    const out = this.#alloc(rows, cols);
    // Strides of A(i, p) and B(p, j) over the stored row-major data.
    const [ai, ap] = options.transposeA ? [1, a.cols] : [a.cols, 1];
    const [bp, bj] = options.transposeB ? [1, b.cols] : [b.cols, 1];
    this.#product(a, b, out, rows, cols, inner, ai, ap, bp, bj);
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
    if (this.#compute && !column) this.#elementwise(op, [out], [a, b]);
    else kernels.binary(op, out.data, a.data, b.data, a.rows, a.cols, column);
    return out;
  }

  scale(a: TsMatrix, s: number, t = 0): TsMatrix {
    checkOperands('scale', this, a);
    const out = this.#alloc(a.rows, a.cols);
    if (this.#compute) this.#elementwise('scale', [out], [a], [s, t]);
    else kernels.affine(out.data, a.data, s, t);
    return out;
  }

  unary(op: UnaryOp, a: TsMatrix): TsMatrix {
    checkOneOf('unary', 'op', op, UNARY_OPS);
    checkOperands('unary', this, a);
    const out = this.#alloc(a.rows, a.cols);
    if (this.#compute && op in SIMD_UNARY)
      this.#elementwise(op as SimdUnary, [out], [a], SIMD_UNARY[op as SimdUnary]);
    else kernels.unary(op, out.data, a.data);
    return out;
  }

  clamp(a: TsMatrix, lo: number, hi: number): TsMatrix {
    checkOperands('clamp', this, a);
    const out = this.#alloc(a.rows, a.cols);
    if (this.#compute) this.#elementwise('clamp', [out], [a], [lo, hi]);
    else kernels.clamp(out.data, a.data, lo, hi);
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
    return { matrices: this.#heap.liveBlocks, bytes: this.#heap.liveBytes };
  }

  /** Bytes of disposed matrices kept by size for reuse (not counted by `memory`). */
  get pooledBytes(): number {
    return this.#heap.pooledBytes;
  }

  /** Blocks of fresh memory this backend has carved so far; flat once a training loop is warm. */
  get createdBuffers(): number {
    return this.#heap.created;
  }

  // fused kernels

  activate(y: TsMatrix, { kind, alpha }: FusedActivation): TsMatrix {
    checkOneOf('activate', 'activation', kind, ACTIVATION_NAMES);
    checkOperands('activate', this, y);
    const out = this.#alloc(y.rows, y.cols);
    if (kind === 'identity') out.data.set(y.data);
    else if (this.#compute && kind === 'relu') this.#elementwise('relu', [out], [y]);
    else if (this.#compute && kind === 'leakyRelu')
      this.#elementwise('leakyRelu', [out], [y], [alpha]);
    else kernels.activate(kind, alpha, out.data, y.data);
    return out;
  }

  deltaDown(deltaUp: TsMatrix, y: TsMatrix, { kind, alpha }: FusedActivation): TsMatrix {
    checkOneOf('deltaDown', 'activation', kind, ACTIVATION_NAMES);
    checkOperands('deltaDown', this, deltaUp, y);
    checkSameShape('deltaDown', { deltaUp, y });
    const out = this.#alloc(y.rows, y.cols);
    if (kind === 'identity') out.data.set(deltaUp.data);
    else if (this.#compute && kind === 'relu')
      this.#elementwise('reluDown', [out], [deltaUp, y], [1]);
    else if (this.#compute && kind === 'leakyRelu') {
      this.#elementwise('leakyReluDown', [out], [deltaUp, y], [1, alpha]);
    } else kernels.deltaDown(kind, alpha, out.data, deltaUp.data, y.data);
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
    if (this.#compute) {
      const { stepSize, beta1, beta2, epsilon } = step;
      this.#elementwise(
        'adam',
        [out.m, out.v, out.w],
        [w, g, m, v],
        [stepSize, beta1, beta2, epsilon],
      );
    } else kernels.adam(step, w.data, g.data, m.data, v.data, out.w.data, out.m.data, out.v.data);
    return out;
  }

  axpy(alpha: number, x: TsMatrix, y: TsMatrix): TsMatrix {
    checkOperands('axpy', this, x, y);
    checkSameShape('axpy', { x, y });
    const out = this.#alloc(x.rows, x.cols);
    if (this.#compute) this.#elementwise('axpy', [out], [x, y], [alpha]);
    else kernels.axpy(out.data, alpha, x.data, y.data);
    return out;
  }
}

/** The unary ops with a SIMD kernel, and the scalars it takes. */
const SIMD_UNARY = { square: [], sqrt: [], relu: [], step: [1] } as const satisfies Partial<
  Record<UnaryOp, readonly number[]>
>;
type SimdUnary = keyof typeof SIMD_UNARY;

/** After `dot` summed the first k4 terms of every row of a one-column product, adds the rest. */
function dotTails(k4: number, ...args: Parameters<typeof gemm>): void {
  const [a, b, c, m, n, k, ai, , , , cn = n] = args;
  for (let i = 0; i < m; i++) {
    let sum = c[i * cn]!;
    for (let p = k4; p < k; p++) sum += a[i * ai + p]! * b[p]!;
    c[i * cn] = sum;
  }
}
