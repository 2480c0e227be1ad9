/**
 * The WGSL compute shaders of the backend, as data: each kernel names its scalar parameters
 * (a uniform struct, written by the host in this order), its input and output buffers, and its
 * body. `source` assembles the shader. Every buffer is an `array<f32>` (or `array<u32>` where
 * a kernel moves bits without arithmetic, so that subnormals and NaN payloads pass untouched).
 *
 * WGSL lets an implementation assume that no NaN or infinity reaches a shader and leaves the
 * builtins undefined outside their domains (log(0), sqrt(−1), a division by 0). The contract
 * lets non-finite values flow through every op, so the helpers below decide those cases by the
 * bits, never by a comparison a compiler may fold away, and return IEEE's results.
 */

/** A scalar parameter: its name and its WGSL type. */
export type Param = readonly [name: string, type: 'u32' | 'f32'];

export interface Kernel {
  readonly name: string;
  readonly params: readonly Param[];
  /** Storage buffers read, in binding order after the uniform (binding 0). */
  readonly inputs: readonly string[];
  /** Storage buffers written, after the inputs. */
  readonly outputs: readonly string[];
  /**
   * The element type of every buffer: `f32` (the default), `u32`, or `vec4f` (an `entrywise`
   * kernel, whose `n` counts vec4s).
   */
  readonly element?: 'f32' | 'u32' | 'vec4f';
  readonly workgroupSize: readonly [number, number];
  /** Declarations before the entry point (workgroup memory, helper functions). */
  readonly declarations?: string;
  /** The entry point's body; `wg` (workgroup id), `lid` (local id) and `p` (the parameters). */
  readonly body: string;
}

/** Invocations of an element-wise workgroup; a dispatch covers `n` entries, one each. */
export const ELEMENTWISE_SIZE = 64;

/** The largest workgroup count of one dispatch dimension (WebGPU's default limit). */
export const MAX_GROUPS = 65_535;

/** IEEE's special values and tests by the bits, immune to a compiler's no-NaN assumption. */
const IEEE = /* wgsl */ `
fn isNan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isInf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn isZero(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0u; }
fn negative(x: f32) -> bool { return (bitcast<u32>(x) & 0x80000000u) != 0u; }
// Read from variables: a constant NaN or infinity is a shader compilation error.
var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;
fn nan() -> f32 { return bitcast<f32>(NAN_BITS); }
fn inf(sign: f32) -> f32 { return bitcast<f32>(INF_BITS | (bitcast<u32>(sign) & 0x80000000u)); }

// eˣ: +∞ past the largest float, +0 below the smallest.
fn expIeee(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  if (x > 88.72284f) { return inf(1.0); }
  if (x < -103.97208f) { return 0.0; }
  return exp(x);
}
// ln x: −∞ at ±0, NaN below 0, +∞ at +∞.
fn logIeee(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  if (isZero(x)) { return inf(-1.0); }
  if (negative(x)) { return nan(); }
  if (isInf(x)) { return x; }
  return log(x);
}
// √x: NaN below 0, −0 at −0.
fn sqrtIeee(x: f32) -> f32 {
  if (isNan(x) || isZero(x)) { return x; }
  if (negative(x)) { return nan(); }
  if (isInf(x)) { return x; }
  return sqrt(x);
}
// ln(1 + x) for 0 ≤ x ≤ 1 (softplus's e^−|x|) in arithmetic alone, since a GPU's log near 1
// may be off by 2⁻²¹ absolute: 2·atanh(s) with s = x / (2 + x) ≤ 1/3, its series to s¹⁵
// (the first term left out is below 10⁻⁹ of the sum).
fn log1pUnit(x: f32) -> f32 {
  let s = x / (2.0 + x);
  let s2 = s * s;
  var q = 1.0 / 15.0;
  q = 1.0 / 13.0 + s2 * q;
  q = 1.0 / 11.0 + s2 * q;
  q = 1.0 / 9.0 + s2 * q;
  q = 1.0 / 7.0 + s2 * q;
  q = 1.0 / 5.0 + s2 * q;
  q = 1.0 / 3.0 + s2 * q;
  return 2.0 * s * (1.0 + s2 * q);
}
fn sigmoidIeee(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  if (negative(x)) { let e = expIeee(x); return e / (1.0 + e); }
  return 1.0 / (1.0 + expIeee(-x));
}
// tanh: its odd series to x¹⁵ below |x| = 0.5 (a GPU's tanh, from eˣ, cancels near 0), then
// 1 − 2 / (e^2|x| + 1), and ±1 past |x| = 10, where float32's tanh is ±1.
fn tanhIeee(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  let a = abs(x);
  if (a < 0.5) {
    let x2 = x * x;
    var q = -929569.0 / 638512875.0;
    q = 21844.0 / 6081075.0 + x2 * q;
    q = -1382.0 / 155925.0 + x2 * q;
    q = 62.0 / 2835.0 + x2 * q;
    q = -17.0 / 315.0 + x2 * q;
    q = 2.0 / 15.0 + x2 * q;
    q = -1.0 / 3.0 + x2 * q;
    return x + x * x2 * q;
  }
  let t = select(1.0 - 2.0 / (expIeee(2.0 * a) + 1.0), 1.0, a > 10.0);
  return select(t, -t, negative(x));
}
fn reluIeee(x: f32) -> f32 {
  if (isNan(x) || x > 0.0) { return x; }
  return 0.0;
}
fn stepIeee(x: f32) -> f32 { return select(0.0, 1.0, !isNan(x) && x > 0.0); }
// log(1 + eˣ) = max(x, 0) + log1p(e^−|x|): no overflow at ±1000.
fn softplusIeee(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  return max(x, 0.0) + log1pUnit(expIeee(-abs(x)));
}
// x / y with IEEE's results at y = ±0 and at infinities.
fn divIeee(x: f32, y: f32) -> f32 {
  if (isNan(x) || isNan(y)) { return nan(); }
  if (isZero(y)) {
    if (isZero(x)) { return nan(); }
    return inf(select(1.0, -1.0, negative(x) != negative(y)));
  }
  if (isInf(y)) {
    if (isInf(x)) { return nan(); }
    return select(0.0, -0.0, negative(x) != negative(y));
  }
  return x / y;
}
// min(max(x, lo), hi) with NaN kept, as Math.min(hi, Math.max(lo, x)) gives.
fn clampIeee(x: f32, lo: f32, hi: f32) -> f32 {
  if (isNan(x) || isNan(lo) || isNan(hi)) { return nan(); }
  return min(max(x, lo), hi);
}
`;

/** The unary ops of the contract, as WGSL expressions of `x`. */
export const UNARY_WGSL = {
  square: 'x * x',
  sqrt: 'sqrtIeee(x)',
  exp: 'expIeee(x)',
  log: 'logIeee(x)',
  tanh: 'tanhIeee(x)',
  sigmoid: 'sigmoidIeee(x)',
  relu: 'reluIeee(x)',
  step: 'stepIeee(x)',
  softplus: 'softplusIeee(x)',
} as const;

/** σ and σ' of each fused activation kind (eq. 7), as WGSL expressions of `x` and `p.alpha`. */
export const ACTIVATION_WGSL = {
  identity: { sigma: 'x', derivative: '1.0' },
  sigmoid: { sigma: 'sigmoidIeee(x)', derivative: 'sigmoidIeee(x) * (1.0 - sigmoidIeee(x))' },
  tanh: { sigma: 'tanhIeee(x)', derivative: '1.0 - tanhIeee(x) * tanhIeee(x)' },
  relu: { sigma: 'reluIeee(x)', derivative: 'stepIeee(x)' },
  leakyRelu: {
    sigma: 'select(p.alpha * x, x, x > 0.0 || isNan(x))',
    derivative: 'select(p.alpha, 1.0, x > 0.0)',
  },
  softplus: { sigma: 'softplusIeee(x)', derivative: 'sigmoidIeee(x)' },
} as const;

/** The flat index of an element-wise invocation over a 2-D grid of `p.gx` groups a row. */
const INDEX = `let i = (wg.y * p.gx + wg.x) * ${ELEMENTWISE_SIZE}u + lid.x;\n  if (i >= p.n) { return; }`;

/**
 * An element-wise kernel: `n` entries, one an invocation; `extra` scalars after `n` and `gx`;
 * `body` runs with `i` the entry's index.
 */
export function elementwise(
  name: string,
  inputs: readonly string[],
  outputs: readonly string[],
  extra: readonly Param[],
  body: string,
  element: 'f32' | 'u32' = 'f32',
): Kernel {
  return {
    name,
    params: [['n', 'u32'], ['gx', 'u32'], ...extra],
    inputs,
    outputs,
    element,
    workgroupSize: [ELEMENTWISE_SIZE, 1],
    body: `${INDEX}\n  ${body}`,
  };
}

const LANES = ['x', 'y', 'z', 'w'] as const;

/**
 * An entry-wise kernel four entries an invocation: every input is read and every output written
 * as one `vec4f` (a GPU's wide loads and stores, and a quarter of the invocations), and `body`
 * runs once per entry with each input's name bound to that entry (an `f32`) and each output a
 * `var` it assigns, so that every entry is computed as a one-entry kernel would. A matrix's
 * buffer holds whole vec4s (the pool rounds sizes to 16 bytes): the last vec4's entries past the
 * matrix read and write padding no matrix entry lies in.
 */
export function entrywise(
  name: string,
  inputs: readonly string[],
  outputs: readonly string[],
  extra: readonly Param[],
  body: string,
): Kernel {
  const lane = (c: (typeof LANES)[number]) =>
    `{\n    ${[
      ...inputs.map((x) => `let ${x} = ${x}4.${c};`),
      ...outputs.map((o) => `var ${o}: f32;`),
      body,
      ...outputs.map((o) => `${o}Out.${c} = ${o};`),
    ].join('\n    ')}\n  }`;
  return {
    name,
    params: [['n', 'u32'], ['gx', 'u32'], ...extra],
    inputs: inputs.map((x) => `${x}Buf`),
    outputs: outputs.map((o) => `${o}Buf`),
    element: 'vec4f',
    workgroupSize: [ELEMENTWISE_SIZE, 1],
    body: [
      INDEX,
      ...inputs.map((x) => `let ${x}4 = ${x}Buf[i];`),
      ...outputs.map((o) => `var ${o}Out: vec4f;`),
      ...LANES.map(lane),
      ...outputs.map((o) => `${o}Buf[i] = ${o}Out;`),
    ].join('\n  '),
  };
}

/** Entries of C an invocation of a matMul kernel sums: `rows` × `cols` (cols a multiple of 4). */
export const MATMUL_BLOCK = { rows: 8, cols: 8 } as const;

/** A matMul kernel and the part of C each of its workgroups computes. */
export interface MatMulKernel {
  readonly kernel: Kernel;
  readonly tile: { readonly rows: number; readonly cols: number };
}

const BLOCK_ROWS = Array.from({ length: MATMUL_BLOCK.rows }, (_, r) => r);
const BLOCK_VECTORS = Array.from({ length: MATMUL_BLOCK.cols / 4 }, (_, v) => v);
const eachRow = (line: (r: number) => string, by = '\n  ') => BLOCK_ROWS.map(line).join(by);
const eachVector = (line: (v: number) => string, by = '\n  ') => BLOCK_VECTORS.map(line).join(by);
const eachEntry = (line: (r: number, v: number) => string, by = ' ') =>
  BLOCK_ROWS.flatMap((r) => BLOCK_VECTORS.map((v) => line(r, v))).join(by);

/**
 * C = A · B, m × n row-major with k shared, A(i, p) = a[i·ai + p·ap], B(p, j) = b[p·bp + j·bj]
 * (the transpose flags are strides, never copies). The formal neuron of Remark 1 without its
 * row of ones: B(`onesRow`, j) = 1 (`affine`, B = [X; 1], onesRow = k − 1, B's last row) and
 * B(p, `onesCol`) = 1 (`affineGradient`, B = [X; 1]ᵀ); 0xffffffff turns either off.
 *
 * Each invocation sums a MATMUL_BLOCK of C from the operands as they lie (no workgroup memory,
 * no barriers: a GPU's caches serve the reuse, and a software rasterizer runs it without
 * synchronising), each entry over p in order: the same bits on every run. The loop over p holds
 * no test: rows and columns past C's edge read C's last ones (and are never stored), the
 * offsets step by the strides, the ones column is a select and the ones row the last term,
 * added after the loop; a compiler that does little for us (SwiftShader's) runs it several
 * times faster than the same sums with the tests inside.
 */
function matMul([gx, gy]: readonly [number, number]): MatMulKernel {
  const kernel: Kernel = {
    name: `matMul-${gx}x${gy}`,
    params: [
      ['m', 'u32'],
      ['n', 'u32'],
      ['k', 'u32'],
      ['ai', 'u32'],
      ['ap', 'u32'],
      ['bp', 'u32'],
      ['bj', 'u32'],
      ['onesRow', 'u32'],
      ['onesCol', 'u32'],
    ],
    inputs: ['a', 'b'],
    outputs: ['c'],
    workgroupSize: [gx, gy],
    body: `
  let i0 = (wg.y * ${gy}u + lid.y) * ${MATMUL_BLOCK.rows}u;
  let j0 = (wg.x * ${gx}u + lid.x) * ${MATMUL_BLOCK.cols}u;
  if (i0 >= p.m || j0 >= p.n) { return; }
  let lastRow = p.m - 1u;
  let lastCol = vec4u(p.n - 1u);
  ${eachRow((r) => `let a${r} = min(i0 + ${r}u, lastRow) * p.ai;`)}
  ${eachVector((v) => `let col${v} = j0 + ${4 * v}u + vec4u(0u, 1u, 2u, 3u);`)}
  ${eachVector((v) => `let b${v} = min(col${v}, lastCol) * p.bj;`)}
  ${eachVector((v) => `let ones${v} = col${v} == vec4u(p.onesCol);`)}
  ${eachEntry((r, v) => `var c${r}_${v} = vec4f(0.0);`)}
  let end = min(p.k, p.onesRow);
  var qa = 0u;
  var qb = 0u;
  for (var q = 0u; q < end; q++) {
    ${eachVector((v) => `let bv${v} = select(vec4f(b[qb + b${v}.x], b[qb + b${v}.y], b[qb + b${v}.z], b[qb + b${v}.w]), vec4f(1.0), ones${v});`, '\n    ')}
    ${eachRow((r) => `{ let av = a[qa + a${r}]; ${eachVector((v) => `c${r}_${v} += av * bv${v};`, ' ')} }`, '\n    ')}
    qa += p.ap;
    qb += p.bp;
  }
  if (end < p.k) {
    ${eachRow((r) => `{ let av = a[qa + a${r}]; ${eachVector((v) => `c${r}_${v} += vec4f(av);`, ' ')} }`, '\n    ')}
  }
  ${eachEntry((r, v) => `store(i0 + ${r}u, col${v}, c${r}_${v});`, '\n  ')}`,
    declarations: `
fn store(i: u32, j: vec4u, v: vec4f) {
  if (i >= p.m) { return; }
  for (var s = 0u; s < 4u; s++) {
    if (j[s] < p.n) { c[i * p.n + j[s]] = v[s]; }
  }
}`,
  };
  return { kernel, tile: { rows: MATMUL_BLOCK.rows * gy, cols: MATMUL_BLOCK.cols * gx } };
}

/**
 * The matMul kernels: 8 × 8 invocations (64 × 64 entries of C), and 4 × 4 (32 × 32) for
 * products too small to give the large tile's workgroups to every core.
 */
export const MATMUL_KERNELS = { large: matMul([8, 8]), small: matMul([4, 4]) } as const;

/** The fewest workgroups a product takes the large tile with (else the small one). */
export const MATMUL_MIN_GROUPS = 16;

const REDUCE_SIZE = 256;

/** The sum of every entry, by one workgroup in a fixed order (deterministic): a 1 × 1 result. */
export const SUM: Kernel = {
  name: 'sum',
  params: [['n', 'u32']],
  inputs: ['a'],
  outputs: ['out'],
  workgroupSize: [REDUCE_SIZE, 1],
  declarations: `var<workgroup> partial: array<f32, ${REDUCE_SIZE}>;`,
  body: `
  var s = 0.0;
  for (var i = lid.x; i < p.n; i += ${REDUCE_SIZE}u) { s += a[i]; }
  partial[lid.x] = s;
  workgroupBarrier();
  for (var half = ${REDUCE_SIZE / 2}u; half > 0u; half /= 2u) {
    if (lid.x < half) { partial[lid.x] += partial[lid.x + half]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { out[0] = partial[0]; }`,
};

/** log(softmax) of every column, one invocation a column: shifted by the column's maximum. */
export const LOG_SOFTMAX: Kernel = elementwise(
  'logSoftmax',
  ['a'],
  ['out'],
  [['rows', 'u32']],
  `let cols = p.n;
  var m = a[i];
  for (var r = 1u; r < p.rows; r++) {
    let v = a[r * cols + i];
    if (isNan(v) || v > m) { m = v; }
  }
  var s = 0.0;
  for (var r = 0u; r < p.rows; r++) { s += expIeee(a[r * cols + i] - m); }
  let shift = m + logIeee(s);
  for (var r = 0u; r < p.rows; r++) { out[r * cols + i] = a[r * cols + i] - shift; }`,
);

/** Entry (r, c) of a `rows × cols` result is a[r·rowStride + c·colStride + offset], as bits. */
export const GATHER: Kernel = elementwise(
  'gather',
  ['a'],
  ['out'],
  [
    ['cols', 'u32'],
    ['rowStride', 'u32'],
    ['colStride', 'u32'],
    ['offset', 'u32'],
  ],
  'out[i] = a[(i / p.cols) * p.rowStride + (i % p.cols) * p.colStride + p.offset];',
  'u32',
);

/** Every entry `value` (its bits, so that −0 and NaN come out as given). */
export const FILL: Kernel = elementwise(
  'fill',
  [],
  ['out'],
  [['value', 'u32']],
  'out[i] = p.value;',
  'u32',
);

/** The WGSL of a kernel: its parameter struct, bindings, helpers and entry point. */
export function source(kernel: Kernel): string {
  const element = kernel.element ?? 'f32';
  const fields = kernel.params.map(([name, type]) => `  ${name}: ${type},`).join('\n');
  const buffers = [
    ...kernel.inputs.map((name) => ['read', name] as const),
    ...kernel.outputs.map((name) => ['read_write', name] as const),
  ]
    .map(
      ([access, name], b) =>
        `@group(0) @binding(${b + 1}) var<storage, ${access}> ${name}: array<${element}>;`,
    )
    .join('\n');
  const [x, y] = kernel.workgroupSize;
  return `struct Params {\n${fields}\n}
@group(0) @binding(0) var<uniform> p: Params;
${buffers}
${IEEE}
${kernel.declarations ?? ''}
@compute @workgroup_size(${x}, ${y})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  ${kernel.body}
}
`;
}
