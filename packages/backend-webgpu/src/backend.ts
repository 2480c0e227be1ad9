/**
 * The `webgpu` backend: every op of the contract as a WGSL compute shader of this package
 * (`wgsl.ts`) on one WebGPU device, float32, data resident on the GPU until `read`.
 */
import {
  ACTIVATION_NAMES,
  type ActivationKind,
  type AdamStep,
  type AffineKernel,
  affineShape,
  type Backend,
  type BackendSupports,
  broadcastKind,
  checkConcatRows,
  checkData,
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
  ResourceLimitError,
  SPECIFICATION_VERSION,
  UNARY_OPS,
  type UnaryOp,
} from '@twostep/core/backend';
import { Gpu } from './gpu.js';
import { WebgpuMatrix } from './matrix.js';
import {
  ACTIVATION_WGSL,
  ELEMENTWISE_SIZE,
  elementwise,
  entrywise,
  FILL,
  GATHER,
  type Kernel,
  LOG_SOFTMAX,
  MATMUL_KERNELS,
  MATMUL_MIN_GROUPS,
  MAX_GROUPS,
  type MatMulKernel,
  SUM,
  UNARY_WGSL,
} from './wgsl.js';

export const DTYPES: readonly DType[] = ['float32'];

type M = WebgpuMatrix;

/** B(p, j) = 1 nowhere: the formal neuron's ones off (`MATMUL_KERNELS`). */
const NO_ONES = 0xffff_ffff;

/** a ∘ b, b a column broadcast across a's columns (`BINARY` when b has a's shape). */
const broadcast = (name: string, expression: string): Kernel =>
  elementwise(
    `${name}-column`,
    ['a', 'b'],
    ['out'],
    [['cols', 'u32']],
    `let x = a[i];\n  let y = b[i / p.cols];\n  out[i] = ${expression};`,
  );

const EXPRESSIONS = { add: 'x + y', sub: 'x - y', mul: 'x * y', div: 'divIeee(x, y)' } as const;
type BinaryOp = keyof typeof EXPRESSIONS;
const binaryOps = <T>(make: (op: BinaryOp, expression: string) => T) =>
  Object.fromEntries(
    Object.entries(EXPRESSIONS).map(([op, e]) => [op, make(op as BinaryOp, e)]),
  ) as Record<BinaryOp, T>;

/** x ∘ y of two matrices of one shape, entry by entry. */
const BINARY = binaryOps((op, e) => entrywise(op, ['x', 'y'], ['out'], [], `out = ${e};`));
const BROADCAST = binaryOps(broadcast);

/** One kernel per unary op: out = f(x). */
const UNARY = Object.fromEntries(
  UNARY_OPS.map((op) => [op, entrywise(op, ['x'], ['out'], [], `out = ${UNARY_WGSL[op]};`)]),
) as Record<UnaryOp, Kernel>;

const SCALE = entrywise(
  'scale',
  ['x'],
  ['out'],
  [
    ['s', 'f32'],
    ['t', 'f32'],
  ],
  'out = p.s * x + p.t;',
);

const CLAMP = entrywise(
  'clamp',
  ['x'],
  ['out'],
  [
    ['lo', 'f32'],
    ['hi', 'f32'],
  ],
  'out = clampIeee(x, p.lo, p.hi);',
);

const ALPHA = [['alpha', 'f32']] as const;

/** Xh = σ(Yh) (eq. 1) and δdown_h = δup_h ⊙ σ'(Yh) (eq. 5), one kernel each per kind (x = Yh). */
const ACTIVATE = Object.fromEntries(
  ACTIVATION_NAMES.map((kind) => [
    kind,
    entrywise(`activate-${kind}`, ['x'], ['out'], ALPHA, `out = ${ACTIVATION_WGSL[kind].sigma};`),
  ]),
) as Record<ActivationKind, Kernel>;

const DELTA_DOWN = Object.fromEntries(
  ACTIVATION_NAMES.map((kind) => [
    kind,
    entrywise(
      `deltaDown-${kind}`,
      ['up', 'x'],
      ['out'],
      ALPHA,
      `out = up * (${ACTIVATION_WGSL[kind].derivative});`,
    ),
  ]),
) as Record<ActivationKind, Kernel>;

const AXPY = entrywise('axpy', ['x', 'y'], ['out'], [['alpha', 'f32']], 'out = p.alpha * x + y;');

/** One Adam update (the contract's `adam`), the three results in one pass. */
const ADAM = entrywise(
  'adam',
  ['w', 'g', 'm', 'v'],
  ['w2', 'm2', 'v2'],
  [
    ['stepSize', 'f32'],
    ['beta1', 'f32'],
    ['beta2', 'f32'],
    ['epsilon', 'f32'],
  ],
  `let mi = p.beta1 * m + (1.0 - p.beta1) * g;
    let vi = p.beta2 * v + (1.0 - p.beta2) * g * g;
    m2 = mi;
    v2 = vi;
    w2 = w - p.stepSize * mi / (sqrtIeee(vi) + p.epsilon);`,
);

/**
 * The backend on one device. Ops record commands and return at once; `read` waits for them.
 * Matrices are float32 storage buffers, pooled by size (`dispose` gives them back).
 */
export class WebgpuBackend implements Backend<M> {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly name = 'webgpu';
  readonly dtype: DType = 'float32';
  readonly dtypes = DTYPES;
  readonly supports: BackendSupports = {
    readSync: false,
    fusedActivation: true,
    fusedAdam: true,
    fusedAxpy: true,
    fusedBias: true,
    fusedTranspose: true,
    // Shaders may flush subnormal results to zero (WGSL leaves it to the implementation).
    flushesSubnormals: true,
  };
  /** The adapter the device came from: vendor, architecture, description as the browser gives them. */
  readonly adapter: string;
  readonly #gpu: Gpu;
  readonly #live = new Set<M>();
  #bytes = 0;

  constructor(device: GPUDevice, adapter: string) {
    this.#gpu = new Gpu(device);
    this.adapter = adapter;
  }

  /** One line for an app's header: the backend and its adapter. */
  get description(): string {
    return `webgpu float32 · ${this.adapter}`;
  }

  /**
   * The GPU storage this backend holds: buffers in live matrices and in its pool, with their
   * allocated bytes (`memory()` counts the matrices' logical bytes only). Flat from one training
   * step to the next once the pool holds every size a step uses.
   */
  gpuMemory(): { buffers: number; bytes: number; pooledBytes: number } {
    return this.#gpu.buffers;
  }

  /** Destroys the device and every matrix with it; later ops throw that it was closed. */
  close(): void {
    this.#gpu.destroy();
  }

  /** A new rows × cols matrix over a (pooled) buffer whose contents the caller writes. */
  #alloc(op: string, rows: number, cols: number): M {
    const bytes = rows * cols * 4;
    if (bytes > this.#gpu.maxBindingBytes) {
      throw new ResourceLimitError(
        `webgpu: ${op}: a ${rows}×${cols} matrix needs ${bytes.toLocaleString('en-US')} bytes, more than this GPU binds to a shader (${this.#gpu.maxBindingBytes.toLocaleString('en-US')}). Use smaller batches or layers, or the ts backend.`,
      );
    }
    const m = new WebgpuMatrix(rows, cols, this, this.#gpu.take(bytes));
    this.#live.add(m);
    this.#bytes += bytes;
    return m;
  }

  /** Checks the device and the operands, as every op does first. */
  #operands(op: string, ...ms: M[]): void {
    this.#gpu.check(op);
    checkOperands(op, this, ...ms);
  }

  /** An element-wise kernel over every entry of `outs` (of one shape) from `ins` and scalars. */
  #elementwise(kernel: Kernel, outs: readonly M[], ins: readonly M[], extra: readonly number[]) {
    const entries = outs[0]!.rows * outs[0]!.cols;
    // An entrywise kernel's invocation takes four entries (one vec4f).
    const n = kernel.element === 'vec4f' ? Math.ceil(entries / 4) : entries;
    const [gx, gy] = Gpu.grid(Math.ceil(n / ELEMENTWISE_SIZE));
    const buffers = [...ins, ...outs].map((m) => m.buffer);
    this.#gpu.dispatch(kernel, [n, gx, ...extra], buffers, [gx, gy]);
  }

  /** A new matrix of a's shape: `kernel` over a (and the other inputs), with its scalars. */
  #map(op: string, kernel: Kernel, ins: readonly M[], extra: readonly number[] = []): M {
    const out = this.#alloc(op, ins[0]!.rows, ins[0]!.cols);
    this.#elementwise(kernel, [out], ins, extra);
    return out;
  }

  /**
   * A new m × n matrix C = A · B with the strides and the formal neuron's ones of the matMul
   * kernels (`MATMUL_KERNELS`: A(i, p) = a[i·ai + p·ap], B(p, j) = b[p·bp + j·bj]).
   */
  #product(
    op: string,
    a: M,
    b: M,
    [m, n, k]: readonly [number, number, number],
    [ai, ap, bp, bj]: readonly [number, number, number, number],
    { onesRow = NO_ONES, onesCol = NO_ONES } = {},
  ): M {
    const grid = ({ tile }: MatMulKernel): [number, number] => [
      Math.ceil(n / tile.cols),
      Math.ceil(m / tile.rows),
    ];
    // The large tile, unless it leaves the product too few workgroups to spread.
    const { large, small } = MATMUL_KERNELS;
    const [x, y] = grid(large);
    const { kernel, tile } = x * y >= MATMUL_MIN_GROUPS ? large : small;
    const groups: [number, number] = kernel === large.kernel ? [x, y] : grid(small);
    if (groups[0] > MAX_GROUPS || groups[1] > MAX_GROUPS) {
      throw new ResourceLimitError(
        `webgpu: ${op}: a ${m}×${n} product is beyond one dispatch (${(MAX_GROUPS * tile.rows).toLocaleString('en-US')} rows and ${(MAX_GROUPS * tile.cols).toLocaleString('en-US')} columns at most); split the batch, or use the ts backend.`,
      );
    }
    const c = this.#alloc(op, m, n);
    const params = [m, n, k, ai, ap, bp, bj, onesRow, onesCol];
    this.#gpu.dispatch(kernel, params, [a.buffer, b.buffer, c.buffer], groups);
    return c;
  }

  /** Entry (r, c) of a new rows × cols matrix is a[r·rowStride + c·colStride + offset]. */
  #gather(
    op: string,
    a: M,
    rows: number,
    cols: number,
    [rowStride, colStride, offset]: readonly [number, number, number],
  ): M {
    const out = this.#alloc(op, rows, cols);
    this.#elementwise(GATHER, [out], [a], [cols, rowStride, colStride, offset]);
    return out;
  }

  // transfer

  /** A new rows × cols matrix holding row-major `data` (checked by the caller). */
  #upload(op: string, data: ArrayLike<number>, rows: number, cols: number): M {
    const out = this.#alloc(op, rows, cols);
    this.#gpu.write(out.buffer, data instanceof Float32Array ? data : Float32Array.from(data));
    return out;
  }

  fromArray(data: ArrayLike<number>, rows: number, cols: number): M {
    this.#gpu.check('fromArray');
    checkData('fromArray', data, rows, cols);
    return this.#upload('fromArray', data, rows, cols);
  }

  /** The data uploaded as it lies (cols × rows), then transposed by a shader. */
  fromColumns(data: ArrayLike<number>, rows: number, cols: number): M {
    this.#gpu.check('fromColumns');
    checkData('fromColumns', data, rows, cols, 'column-major');
    const laid = this.#upload('fromColumns', data, cols, rows);
    const out = this.#gather('fromColumns', laid, rows, cols, [1, rows, 0]);
    this.dispose(laid);
    return out;
  }

  fill(rows: number, cols: number, value: number): M {
    this.#gpu.check('fill');
    checkShape('fill', rows, cols);
    const out = this.#alloc('fill', rows, cols);
    const bits = new Uint32Array(new Float32Array([value]).buffer)[0]!;
    this.#elementwise(FILL, [out], [], [bits]);
    return out;
  }

  copy(a: M): M {
    this.#operands('copy', a);
    const out = this.#alloc('copy', a.rows, a.cols);
    this.#gpu.copy(a.buffer, 0, out.buffer, 0, a.bytes);
    return out;
  }

  async read(m: M): Promise<Float32Array> {
    this.#operands('read', m);
    return new Float32Array(await this.#gpu.read(m.buffer, m.bytes, 'read'));
  }

  // linear algebra

  matMul(a: M, b: M, options: MatMulOptions = {}): M {
    this.#operands('matMul', a, b);
    const [rows, cols] = matMulShape(a, b, options);
    const k = options.transposeA ? a.rows : a.cols;
    const [ai, ap] = options.transposeA ? [1, a.cols] : [a.cols, 1];
    const [bp, bj] = options.transposeB ? [1, b.cols] : [b.cols, 1];
    return this.#product('matMul', a, b, [rows, cols, k], [ai, ap, bp, bj]);
  }

  // element-wise

  #binary(op: BinaryOp, a: M, b: M): M {
    this.#operands(op, a, b);
    return broadcastKind(op, a, b) === 'column'
      ? this.#map(op, BROADCAST[op], [a, b], [a.cols])
      : this.#map(op, BINARY[op], [a, b]);
  }

  add(a: M, b: M): M {
    return this.#binary('add', a, b);
  }

  sub(a: M, b: M): M {
    return this.#binary('sub', a, b);
  }

  mul(a: M, b: M): M {
    return this.#binary('mul', a, b);
  }

  div(a: M, b: M): M {
    return this.#binary('div', a, b);
  }

  scale(a: M, s: number, t = 0): M {
    this.#operands('scale', a);
    return this.#map('scale', SCALE, [a], [s, t]);
  }

  unary(op: UnaryOp, a: M): M {
    checkOneOf('unary', 'op', op, UNARY_OPS);
    this.#operands('unary', a);
    return this.#map('unary', UNARY[op], [a]);
  }

  clamp(a: M, lo: number, hi: number): M {
    this.#operands('clamp', a);
    return this.#map('clamp', CLAMP, [a], [lo, hi]);
  }

  // reductions and structure

  sum(a: M): M {
    this.#operands('sum', a);
    const out = this.#alloc('sum', 1, 1);
    this.#gpu.dispatch(SUM, [a.rows * a.cols], [a.buffer, out.buffer], [1, 1]);
    return out;
  }

  logSoftmax(a: M): M {
    this.#operands('logSoftmax', a);
    const out = this.#alloc('logSoftmax', a.rows, a.cols);
    const [gx, gy] = Gpu.grid(Math.ceil(a.cols / ELEMENTWISE_SIZE));
    this.#gpu.dispatch(LOG_SOFTMAX, [a.cols, gx, a.rows], [a.buffer, out.buffer], [gx, gy]);
    return out;
  }

  sliceCols(a: M, start: number, end: number): M {
    this.#operands('sliceCols', a);
    checkSlice(a, start, end);
    return this.#gather('sliceCols', a, a.rows, end - start, [a.cols, 1, start]);
  }

  /** Row-major, a on top of b is a's entries then b's: two copies. */
  concatRows(a: M, b: M): M {
    this.#operands('concatRows', a, b);
    checkConcatRows(a, b);
    const out = this.#alloc('concatRows', a.rows + b.rows, a.cols);
    this.#gpu.copy(a.buffer, 0, out.buffer, 0, a.bytes);
    this.#gpu.copy(b.buffer, 0, out.buffer, a.bytes, b.bytes);
    return out;
  }

  // memory

  dispose(m: M): void {
    if (!this.#live.delete(m)) return; // disposed already, or another instance's
    m.isDisposed = true;
    this.#bytes -= m.bytes;
    this.#gpu.give(m.buffer);
  }

  memory(): MemoryInfo {
    return { matrices: this.#live.size, bytes: this.#bytes };
  }

  // fused kernels

  activate(y: M, activation: FusedActivation): M {
    checkOneOf('activate', 'activation', activation.kind, ACTIVATION_NAMES);
    this.#operands('activate', y);
    return this.#map('activate', ACTIVATE[activation.kind], [y], [activation.alpha]);
  }

  deltaDown(deltaUp: M, y: M, activation: FusedActivation): M {
    checkOneOf('deltaDown', 'activation', activation.kind, ACTIVATION_NAMES);
    this.#operands('deltaDown', deltaUp, y);
    checkSameShape('deltaDown', { deltaUp, y });
    return this.#map('deltaDown', DELTA_DOWN[activation.kind], [deltaUp, y], [activation.alpha]);
  }

  adam(w: M, g: M, m: M, v: M, step: AdamStep): { w: M; m: M; v: M } {
    this.#operands('adam', w, g, m, v);
    checkSameShape('adam', { w, g, m, v });
    const outs = [0, 1, 2].map(() => this.#alloc('adam', w.rows, w.cols)) as [M, M, M];
    const scalars = [step.stepSize, step.beta1, step.beta2, step.epsilon];
    this.#elementwise(ADAM, outs, [w, g, m, v], scalars);
    return { w: outs[0], m: outs[1], v: outs[2] };
  }

  axpy(alpha: number, x: M, y: M): M {
    this.#operands('axpy', x, y);
    checkSameShape('axpy', { x, y });
    return this.#map('axpy', AXPY, [x, y], [alpha]);
  }

  // the formal neuron (Remark 1): the ones of [X(h−1); 1] are the product's, not a matrix

  #affine(op: AffineKernel, a: M, b: M): [rows: number, cols: number] {
    this.#operands(op, a, b);
    return affineShape(op, a, b);
  }

  /** Yh = Wh · [X(h−1); 1]: the bias is the sum's last term, as in the composition. */
  affine(w: M, x: M): M {
    const [rows, cols] = this.#affine('affine', w, x);
    const ones = { onesRow: x.rows };
    return this.#product('affine', w, x, [rows, cols, w.cols], [w.cols, 1, x.cols, 1], ones);
  }

  /** ∂J/∂Wh = δdown_h · [X(h−1); 1]ᵀ: B(p, N(h−1)) = 1 gives the bias's row sums. */
  affineGradient(deltaDown: M, x: M): M {
    const [rows, cols] = this.#affine('affineGradient', deltaDown, x);
    const [batch, ones] = [x.cols, { onesCol: x.rows }];
    return this.#product(
      'affineGradient',
      deltaDown,
      x,
      [rows, cols, batch],
      [batch, 1, 1, batch],
      ones,
    );
  }

  /** δup_h−1 = (W♯h)ᵀ · δdown_h: Wh read transposed, its bias column never reached. */
  affineDeltaUp(w: M, deltaDown: M): M {
    const [rows, cols] = this.#affine('affineDeltaUp', w, deltaDown);
    const strides = [1, w.cols, deltaDown.cols, 1] as const;
    return this.#product('affineDeltaUp', w, deltaDown, [rows, cols, w.rows], strides);
  }
}
