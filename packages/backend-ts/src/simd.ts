/**
 * The backend's WebAssembly SIMD kernels, emitted as bytes (`assembler.ts`). Every kernel
 * works on byte addresses in the backend's memory, where its matrices live, and takes a range
 * [from, to) of its outer loop first, so that a thread pool can split it into chunks that write
 * disjoint entries: results never depend on how the range was split.
 *
 * - `block`: 4-row blocks of a matrix product (lanes across the columns of C).
 * - `pack`: the rows of a transposed operand, copied into rows for `block`.
 * - `dot`: float32 only, 4-row blocks of a product with one column (lanes along the shared
 *   dimension, then summed): per-sample SGD's Yh = Wh · x.
 * - element-wise kernels (`ELEMENTWISE`), over 16-byte vectors.
 *
 * Element-wise kernels compute in float64 lanes and round once on store, as the TypeScript
 * loops in `kernels.ts` do, so they give the same bits in float32 and float64. The products
 * sum each entry of C in order along the shared dimension (as `gemm` does) in float64; in
 * float32 they accumulate in float32 lanes, fused (relaxed SIMD's madd) where the engine has it.
 */
import {
  BLOCK,
  BR,
  BR_IF,
  type Code,
  END,
  type ExportedFunction,
  F32_ADD,
  F32_DEMOTE_F64,
  F32X4,
  F32X4_DEMOTE_F64X2_ZERO,
  F64,
  F64X2,
  F64X2_PROMOTE_LOW_F32X4,
  f32Store,
  f32x4ExtractLane,
  get,
  I32,
  I32_ADD,
  I32_EQZ,
  I32_GE_U,
  I32_GT_U,
  I32_MUL,
  I32_SHL,
  I32_SUB,
  IF,
  i32,
  type Lanes,
  LOOP,
  Locals,
  load,
  loop,
  moduleBytes,
  SELECT,
  set,
  shuffle,
  simd,
  store,
  tee,
  V128,
  V128_AND,
  V128_BITSELECT,
  VOID,
  zero,
} from './assembler.js';

/** Bytes a `block` step covers along a row of C: 2 vectors (8 float32 or 4 float64 columns). */
export const BLOCK_BYTES = 32;

/** Bytes of one vector, the unit of element-wise kernels. */
export const VECTOR_BYTES = 16;

/** What a kernel module is built for. */
export interface KernelTarget {
  readonly dtype: 'float32' | 'float64';
  /** Over a shared memory (for threads). */
  readonly shared: boolean;
  /** With relaxed SIMD's fused multiply-add in the float32 products. */
  readonly relaxed: boolean;
}

/**
 * `block(from, to, a, b, c, nb, k, ai, ap, bp, cn, bias)`, addresses and strides in bytes: for
 * the 4-row blocks from … to − 1 of C and its bytes j < nb (a multiple of 32) along a row,
 *
 *   C(i, j) = Σp A(i, p) · B(p, j) [+ A(i, k) where bias is 1],
 *   A(i, p) at a + i·ai + p·ap,   B(p, j) at b + p·bp + j,
 *
 * with C's row i at c + i·cn. Each step of p multiplies 4 entries of a column of A, splat
 * across lanes, by 2 vectors of a row of B: 8 multiply-adds per 6 loads.
 */
function blockKernel(lanes: Lanes, fused: boolean): ExportedFunction {
  const L = new Locals(Array(12).fill(I32));
  const [from, to, a, b, c, nb, k, ai, ap, bp, cn, bias] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const [j, p, pa, pb, pc, ar, cr] = L.locals(I32, 7);
  const acc = L.locals(V128, 8);
  const [b0, b1, s] = L.locals(V128, 3);
  const add = (l: number, ...value: Code) => [...get(l), ...value, I32_ADD, ...set(l)];
  const rowOfA = (r: number) => [
    ...get(pa),
    ...Array(r)
      .fill([...get(ai), I32_ADD])
      .flat(),
  ];
  const multiplyAdd = (into: number, bv: number) =>
    fused
      ? [...get(s), ...get(bv), ...get(into), ...simd(lanes.madd), ...set(into)]
      : [...get(into), ...get(s), ...get(bv), ...simd(lanes.mul), ...simd(lanes.add), ...set(into)];
  // biome-ignore format: one instruction group per line
  const step = [
    ...get(pb), ...load(0), ...set(b0),
    ...get(pb), ...load(16), ...set(b1),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...rowOfA(r), ...simd(lanes.loadSplat, lanes.align, 0), ...set(s),
      ...multiplyAdd(acc[2 * r]!, b0), ...multiplyAdd(acc[2 * r + 1]!, b1),
    ]),
    ...add(pa, ...get(ap)),
    ...add(pb, ...get(bp)),
    ...get(p), ...i32(1), I32_SUB, ...set(p),
  ];
  // With `bias`, A(i, k), the entry just past the sum on each row of A (the bias column of Wh
  // in `affine`), added after the sum as the composition adds it: the same bits.
  const addBias = [0, 1, 2, 3].flatMap((r) => [
    ...rowOfA(r),
    ...simd(lanes.loadSplat, lanes.align, 0),
    ...set(s),
    ...[0, 1].flatMap((v) => [
      ...get(acc[2 * r + v]!),
      ...get(s),
      ...simd(lanes.add),
      ...set(acc[2 * r + v]!),
    ]),
  ]);
  const stores = [0, 1, 2, 3].flatMap((r) => [
    ...[0, 1].flatMap((v) => [...get(pc), ...get(acc[2 * r + v]!), ...store(16 * v)]),
    ...add(pc, ...get(cn)),
  ]);
  // biome-ignore format: the code reads best laid out as the nested blocks and loops it is
  const body = [
    ...get(a), ...get(from), ...get(ai), ...i32(2), I32_SHL, I32_MUL, I32_ADD, ...set(ar),
    ...get(c), ...get(from), ...get(cn), ...i32(2), I32_SHL, I32_MUL, I32_ADD, ...set(cr),
    ...loop(from, to, [
      ...i32(0), ...set(j),
      BLOCK, VOID, LOOP, VOID, // column blocks j
      ...get(j), ...get(nb), I32_GE_U, BR_IF, 1,
      ...acc.flatMap((l) => [...zero, ...set(l)]),
      ...get(ar), ...set(pa), ...get(b), ...get(j), I32_ADD, ...set(pb), ...get(k), ...set(p),
      BLOCK, VOID, ...get(p), I32_EQZ, BR_IF, 0,
      LOOP, VOID, ...step, ...get(p), BR_IF, 0, END, // p = k … 1
      END,
      ...get(bias), IF, VOID, ...addBias, END,
      ...get(cr), ...get(j), I32_ADD, ...set(pc),
      ...stores,
      ...add(j, ...i32(BLOCK_BYTES)),
      BR, 0, END, END,
      ...add(ar, ...get(ai), ...i32(2), I32_SHL),
      ...add(cr, ...get(cn), ...i32(2), I32_SHL),
    ]),
  ];
  return { name: 'block', locals: L, body };
}

/**
 * `dot(from, to, a, b, c, kb, ai, cn)`, float32, in bytes: for the 4-row blocks from … to − 1,
 * C(i) = Σ A(i, p) · b(p) over the first kb bytes (a multiple of 16) of A's row i (at a + i·ai,
 * contiguous) and of b; C(i) at c + i·cn. Four lanes of partial sums per row, added pairwise.
 */
function dotKernel(fused: boolean): ExportedFunction {
  const L = new Locals(Array(8).fill(I32));
  const [from, to, a, b, c, kb, ai, cn] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [p, ar, cr] = L.locals(I32, 3);
  const acc = L.locals(V128, 4);
  const bv = L.local(V128);
  const add = (l: number, ...value: Code) => [...get(l), ...value, I32_ADD, ...set(l)];
  const rowOfA = (r: number) => [
    ...get(ar),
    ...Array(r)
      .fill([...get(ai), I32_ADD])
      .flat(),
  ];
  const multiplyAdd = (r: number) => {
    const x = [...rowOfA(r), ...get(p), I32_ADD, ...load()];
    return fused
      ? [...x, ...get(bv), ...get(acc[r]!), ...simd(F32X4.madd), ...set(acc[r]!)]
      : [
          ...get(acc[r]!),
          ...x,
          ...get(bv),
          ...simd(F32X4.mul),
          ...simd(F32X4.add),
          ...set(acc[r]!),
        ];
  };
  const lane = (r: number, l: number) => [...get(acc[r]!), ...f32x4ExtractLane(l)];
  // biome-ignore format: the code reads best laid out as the nested blocks and loops it is
  const body = [
    ...get(a), ...get(from), ...get(ai), ...i32(2), I32_SHL, I32_MUL, I32_ADD, ...set(ar),
    ...get(c), ...get(from), ...get(cn), ...i32(2), I32_SHL, I32_MUL, I32_ADD, ...set(cr),
    ...loop(from, to, [
      ...acc.flatMap((l) => [...zero, ...set(l)]),
      ...i32(0), ...set(p),
      BLOCK, VOID, LOOP, VOID,
      ...get(p), ...get(kb), I32_GE_U, BR_IF, 1,
      ...get(b), ...get(p), I32_ADD, ...load(), ...set(bv),
      ...[0, 1, 2, 3].flatMap(multiplyAdd),
      ...add(p, ...i32(16)),
      BR, 0, END, END,
      ...[0, 1, 2, 3].flatMap((r) => [
        ...get(cr), ...Array(r).fill([...get(cn), I32_ADD]).flat(),
        ...lane(r, 0), ...lane(r, 1), F32_ADD, ...lane(r, 2), ...lane(r, 3), F32_ADD, F32_ADD,
        ...f32Store(),
      ]),
      ...add(ar, ...get(ai), ...i32(2), I32_SHL),
      ...add(cr, ...get(cn), ...i32(2), I32_SHL),
    ]),
  ];
  return { name: 'dot', locals: L, body };
}

/** Entries of one vector along each side of a `pack` tile: 4 float32 or 2 float64. */
export const packTile = (dtype: 'float32' | 'float64'): number => VECTOR_BYTES / BYTES[dtype];

const BYTES = { float32: 4, float64: 8 } as const;

/**
 * `pack(from, to, b, out, k, cols, bj)`, in bytes: the packed copy, row-major (rows cols·size
 * bytes long), of the k × cols operand B(p, j) at b + p·size + j·bj: a transposed operand,
 * contiguous along p, laid out in rows for `block`. Unit u is the tile of T = `packTile` rows
 * from p = u·T and every T columns, T vectors loaded down B's columns, transposed in registers
 * (shuffles), stored along the rows; the last rows and columns are one more tile that ends at k
 * (at cols) and overlaps the ones before it (the same bits, copied again). k, cols ≥ T.
 */
function packKernel(dtype: 'float32' | 'float64'): ExportedFunction {
  const L = new Locals(Array(7).fill(I32));
  const [from, to, b, out, k, cols, bj] = [0, 1, 2, 3, 4, 5, 6];
  const [p, j, jj, source, target, rowBytes] = L.locals(I32, 6);
  const size = BYTES[dtype];
  const T = packTile(dtype);
  const v = L.locals(V128, T);
  const t = L.locals(V128, T);
  /** The lanes of a shuffle of two vectors as bytes: entries `picks` of the 2T entries. */
  const pick = (...picks: number[]) =>
    shuffle(...picks.flatMap((e) => Array.from({ length: size }, (_, i) => e * size + i)));
  /** The smaller of `value` and `limit` (both code that pushes an i32). */
  const atMost = (value: Code, limit: Code) => [
    ...limit,
    ...value,
    ...value,
    ...limit,
    I32_GT_U,
    SELECT,
  ];
  const add = (l: number, ...value: Code) => [...get(l), ...value, I32_ADD, ...set(l)];
  /** Shuffles of the vectors x and y, one per list of entries. */
  const shuffles = (x: number, y: number, ...picks: number[][]) =>
    picks.map((entries) => [...get(x), ...get(y), ...pick(...entries)]);
  // Row s of the tile is lane s of every loaded vector. 4 × 4: interleave pairs, then halves.
  const [v0, v1, v2, v3] = v as [number, number, number, number];
  const [t0, t1, t2, t3] = t as [number, number, number, number];
  const interleave =
    T === 4
      ? [
          ...shuffles(v0, v1, [0, 4, 1, 5], [2, 6, 3, 7]),
          ...shuffles(v2, v3, [0, 4, 1, 5], [2, 6, 3, 7]),
        ].flatMap((code, i) => [...code, ...set(t[i]!)])
      : [];
  const rows =
    T === 4
      ? [
          ...shuffles(t0, t2, [0, 1, 4, 5], [2, 3, 6, 7]),
          ...shuffles(t1, t3, [0, 1, 4, 5], [2, 3, 6, 7]),
        ]
      : shuffles(v0, v1, [0, 2], [1, 3]);
  // biome-ignore format: the code reads best laid out as the nested blocks and loops it is
  const tile = [
    // Column jj = min(j, cols − T): B(p…p+T−1, jj + c) is the vector at source + (jj + c)·bj.
    ...atMost(get(j), [...get(cols), ...i32(T), I32_SUB]), ...set(jj),
    ...get(b), ...get(p), ...i32(size), I32_MUL, I32_ADD,
    ...get(jj), ...get(bj), I32_MUL, I32_ADD, ...set(source),
    ...v.flatMap((vc) => [...get(source), ...load(0), ...set(vc), ...add(source, ...get(bj))]),
    ...interleave,
    ...get(out), ...get(p), ...get(rowBytes), I32_MUL, I32_ADD,
    ...get(jj), ...i32(size), I32_MUL, I32_ADD, ...set(target),
    ...rows.flatMap((row) => [...get(target), ...row, ...store(0), ...add(target, ...get(rowBytes))]),
  ];
  // biome-ignore format: the code reads best laid out as the nested blocks and loops it is
  const body = [
    ...get(cols), ...i32(size), I32_MUL, ...set(rowBytes),
    ...loop(from, to, [
      // Rows from p = min(u·T, k − T).
      ...atMost([...get(from), ...i32(T), I32_MUL], [...get(k), ...i32(T), I32_SUB]), ...set(p),
      ...i32(0), ...set(j),
      BLOCK, VOID, LOOP, VOID,
      ...get(j), ...get(cols), I32_GE_U, BR_IF, 1,
      ...tile,
      ...add(j, ...i32(T)),
      BR, 0, END, END,
    ]),
  ];
  return { name: 'pack', locals: L, body };
}

/**
 * An element-wise kernel: `inputs` addresses and `scalars` (f64) in, `outputs` addresses out.
 * `body` gives, per output in order, code that leaves its value on the stack, from `x(k)`
 * (input k's lanes), `s(k)` (scalar k in every lane), `v(op)` (the lanes' op) and `temp(n)` (a
 * v128 local for a value an earlier output computed and a later one reuses).
 *
 * `exact` kernels round the same whether float32 lanes compute them or float64 lanes do and
 * the result is rounded to float32 (sums, products, quotients and square roots of float32
 * values, comparisons, min and max, against scalars rounded to float32): they run on 4 float32
 * lanes. The others (scalars that are doubles, chains of operations) promote each half of a
 * float32 vector to float64 lanes, compute, and round once.
 */
interface Elementwise {
  readonly inputs: number;
  readonly scalars: number;
  readonly outputs: number;
  readonly exact?: boolean;
  readonly body: (
    x: (k: number) => Code,
    s: (k: number) => Code,
    v: (op: keyof Lanes) => Code,
    temp: (n: number) => number,
  ) => Code[];
}

const binary = (op: 'add' | 'sub' | 'mul' | 'div'): Elementwise => ({
  inputs: 2,
  scalars: 0,
  outputs: 1,
  exact: true,
  body: (x, _, v) => [[...x(0), ...x(1), ...v(op)]],
});
const unary = (
  code: (x: Code, s: (k: number) => Code, v: (op: keyof Lanes) => Code) => Code,
  { scalars = 0, exact = false } = {},
): Elementwise => ({
  inputs: 1,
  scalars,
  outputs: 1,
  exact,
  body: (x, s, v) => [code(x(0), s, v)],
});
const positive = (x: Code, v: (op: keyof Lanes) => Code) => [...x, ...zero, ...v('gt')];
/** 1.0 in both float64 lanes. */
const ONE = simd(0x0c, ...[0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);

/**
 * The element-wise kernels, by name: the signature is (from, to, outputs…, inputs…, scalars…)
 * with from and to counting 16-byte vectors. Each mirrors its loop in `kernels.ts` operation
 * for operation (so NaN, ±0 and rounding come out the same).
 */
export const ELEMENTWISE = {
  add: binary('add'),
  sub: binary('sub'),
  mul: binary('mul'),
  div: binary('div'),
  /** s · a + t. */
  scale: unary((x, s, v) => [...s(0), ...x, ...v('mul'), ...s(1), ...v('add')], { scalars: 2 }),
  /** α · x + y. */
  axpy: {
    inputs: 2,
    scalars: 1,
    outputs: 1,
    body: (x, s, v) => [[...s(0), ...x(0), ...v('mul'), ...x(1), ...v('add')]],
  },
  /** min(max(a, lo), hi): NaN stays NaN. */
  clamp: unary((x, s, v) => [...x, ...s(0), ...v('max'), ...s(1), ...v('min')], {
    scalars: 2,
    exact: true,
  }),
  square: unary((x, _, v) => [...x, ...x, ...v('mul')], { exact: true }),
  sqrt: unary((x, _, v) => [...x, ...v('sqrt')], { exact: true }),
  /** max(a, 0): NaN stays NaN. */
  relu: unary((x, _, v) => [...x, ...zero, ...v('max')], { exact: true }),
  /** 1 where a > 0, else 0 (NaN too); scalar 0 is 1. */
  step: unary((x, s, v) => [...positive(x, v), ...s(0), ...simd(V128_AND)], {
    scalars: 1,
    exact: true,
  }),
  /** y > 0 ? y : α · y. */
  leakyRelu: unary(
    (x, s, v) => [...x, ...s(0), ...x, ...v('mul'), ...positive(x, v), ...simd(V128_BITSELECT)],
    { scalars: 1 },
  ),
  /** δdown = δup · (y > 0 ? 1 : 0); scalar 0 is 1. */
  reluDown: {
    inputs: 2,
    scalars: 1,
    outputs: 1,
    exact: true,
    body: (x, s, v) => [[...x(0), ...positive(x(1), v), ...s(0), ...simd(V128_AND), ...v('mul')]],
  },
  /** δdown = δup · (y > 0 ? 1 : α); scalars 1 and α. */
  leakyReluDown: {
    inputs: 2,
    scalars: 2,
    outputs: 1,
    body: (x, s, v) => [
      [...x(0), ...s(0), ...s(1), ...positive(x(1), v), ...simd(V128_BITSELECT), ...v('mul')],
    ],
  },
  /**
   * Adam (`kernels.adam`): outputs m, v, w; inputs w, g, m, v; scalars stepSize, β1, β2, ε.
   * 1 − β1 and 1 − β2 are formed in the lanes, as the loop forms them in doubles.
   */
  adam: {
    inputs: 4,
    scalars: 4,
    outputs: 3,
    // biome-ignore format: one output per line
    body: (x, s, v, temp) => [
      [...s(1), ...x(2), ...v('mul'), ...ONE, ...s(1), ...v('sub'), ...x(1), ...v('mul'), ...v('add'), ...tee(temp(0))],
      [...s(2), ...x(3), ...v('mul'), ...ONE, ...s(2), ...v('sub'), ...x(1), ...v('mul'), ...x(1), ...v('mul'), ...v('add'), ...tee(temp(1))],
      [...x(0), ...s(0), ...get(temp(0)), ...v('mul'), ...get(temp(1)), ...v('sqrt'), ...s(3), ...v('add'), ...v('div'), ...v('sub')],
    ],
  },
} as const satisfies Record<string, Elementwise>;

export type ElementwiseKernel = keyof typeof ELEMENTWISE;

function elementwiseKernel(
  name: string,
  { inputs, scalars, outputs, exact = false, body }: Elementwise,
  dtype: 'float32' | 'float64',
): ExportedFunction {
  const L = new Locals([
    I32,
    I32,
    ...Array(outputs + inputs).fill(I32),
    ...Array(scalars).fill(F64),
  ]);
  const [from, to] = [0, 1];
  const out = (o: number) => 2 + o;
  const input = (k: number) => 2 + outputs + k;
  const lanes = dtype === 'float32' && exact ? F32X4 : F64X2;
  const v = (op: keyof Lanes) => simd(lanes[op]);
  const offset = L.local(I32);
  const splats = Array.from({ length: scalars }, () => L.local(V128));
  const temps: number[] = [];
  const temp = (n: number) => (temps[n] ??= L.local(V128));
  const s = (k: number) => get(splats[k]!);
  const address = (param: number) => [...get(param), ...get(offset), I32_ADD];
  const setSplats = splats.flatMap((l, k) => [
    ...get(2 + outputs + inputs + k),
    ...(lanes === F32X4 ? [F32_DEMOTE_F64] : []),
    ...v('splat'),
    ...set(l),
  ]);
  let each: Code;
  if (lanes === F32X4 || dtype === 'float64') {
    const xs = Array.from({ length: inputs }, () => L.local(V128));
    each = [
      ...xs.flatMap((l, k) => [...address(input(k)), ...load(), ...set(l)]),
      ...body((k) => get(xs[k]!), s, v, temp).flatMap((value, o) => {
        const result = L.local(V128);
        return [...value, ...set(result), ...address(out(o)), ...get(result), ...store()];
      }),
    ];
  } else {
    // Each vector holds 4 float32 entries: lanes 0–1 and 2–3 are promoted to float64 pairs,
    // computed as in float64, then rounded and put back together.
    const halves = [0, 1].map(() => Array.from({ length: inputs }, () => L.local(V128)));
    const results = [0, 1].map(() => Array.from({ length: outputs }, () => L.local(V128)));
    const raw = L.local(V128);
    const promote = simd(F64X2_PROMOTE_LOW_F32X4);
    const high = shuffle(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
    // biome-ignore format: one instruction group per line
    each = [
      ...Array.from({ length: inputs }, (_, k) => [
        ...address(input(k)), ...load(), ...set(raw),
        ...get(raw), ...promote, ...set(halves[0]![k]!),
        ...get(raw), ...get(raw), ...high, ...promote, ...set(halves[1]![k]!),
      ]).flat(),
      ...[0, 1].flatMap((h) =>
        body((k) => get(halves[h]![k]!), s, v, temp).flatMap((value, o) => [...value, ...set(results[h]![o]!)]),
      ),
      ...Array.from({ length: outputs }, (_, o) => [
        ...address(out(o)),
        ...get(results[0]![o]!), ...simd(F32X4_DEMOTE_F64X2_ZERO),
        ...get(results[1]![o]!), ...simd(F32X4_DEMOTE_F64X2_ZERO),
        ...shuffle(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23),
        ...store(),
      ]).flat(),
    ];
  }
  const at = [...get(from), ...i32(4), I32_SHL, ...set(offset)];
  const step = [...get(offset), ...i32(16), I32_ADD, ...set(offset)];
  // `loop` counts `from` up to `to`; the byte offset follows it.
  return { name, locals: L, body: [...setSplats, ...at, ...loop(from, to, [...each, ...step])] };
}

/** The kernel module's bytes for a target. */
export function kernelBytes({ dtype, shared, relaxed }: KernelTarget): Uint8Array<ArrayBuffer> {
  const lanes = dtype === 'float32' ? F32X4 : F64X2;
  const fused = relaxed && dtype === 'float32';
  const functions = [
    blockKernel(lanes, fused),
    packKernel(dtype),
    ...(dtype === 'float32' ? [dotKernel(fused)] : []),
    ...Object.entries(ELEMENTWISE).map(([name, spec]) => elementwiseKernel(name, spec, dtype)),
  ];
  return moduleBytes(functions, { shared });
}

const modules = new Map<string, WebAssembly.Module | undefined>();

/**
 * The compiled kernels for a target, or undefined where this runtime cannot compile them
 * (no WebAssembly, no SIMD, a Content-Security-Policy without `wasm-unsafe-eval`). Compiled
 * once per target and shared by every backend of the thread.
 */
export function kernelModule(target: KernelTarget): WebAssembly.Module | undefined {
  const key = `${target.dtype}/${target.shared}/${target.relaxed}`;
  if (!modules.has(key)) {
    try {
      modules.set(key, new WebAssembly.Module(kernelBytes(target)));
    } catch {
      modules.set(key, undefined);
    }
  }
  return modules.get(key);
}

let relaxedSupport: boolean | undefined;

/** Whether the engine has relaxed SIMD (its fused multiply-add): validated once. */
export function hasRelaxedSimd(): boolean {
  if (relaxedSupport === undefined) {
    try {
      relaxedSupport = WebAssembly.validate(
        kernelBytes({ dtype: 'float32', shared: false, relaxed: true }),
      );
    } catch {
      relaxedSupport = false;
    }
  }
  return relaxedSupport;
}
