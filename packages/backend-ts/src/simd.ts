/**
 * The matrix product's 4-row blocks in WebAssembly SIMD, emitted as bytes by the code below
 * (no toolchain, no binary in the package). Each kernel step multiplies 4 entries of a
 * column of A, splat across lanes, by 2 vectors of a row of B: 4 × 8 float32 (or 4 × 4
 * float64) accumulators, 8 vector multiply-adds per 6 loads, against 16 scalar ones per 8
 * loads in `gemm`. B's rows must be contiguous, so a transposed B is packed first; A is read
 * through its strides as it is. Where WebAssembly or its SIMD is missing (or a page's
 * Content-Security-Policy forbids compiling it), `simdGemm` returns undefined and the
 * backend keeps `gemm`.
 */
import { gemm, gemmEdges } from './matmul.js';
import type { Store, StoreConstructor } from './pool.js';

/** Unsigned LEB128, the binary format's integer encoding. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    const byte = n & 0x7f;
    n >>>= 7;
    out.push(n === 0 ? byte : byte | 0x80);
  } while (n !== 0);
  return out;
}

const vector = (bytes: number[]) => [...leb(bytes.length), ...bytes];
const section = (id: number, ...entries: number[][]) => [
  id,
  ...vector([...leb(entries.length), ...entries.flat()]),
];
const text = (s: string) => vector([...s].map((c) => c.charCodeAt(0)));

// Opcodes (core specification §5.4 and its SIMD extension, prefix 0xfd).
const I32 = 0x7f;
const V128 = 0x7b;
const [BLOCK, LOOP, END, BR, BR_IF, VOID] = [0x02, 0x03, 0x0b, 0x0c, 0x0d, 0x40];
const [GET, SET] = [0x20, 0x21];
const [I32_CONST, I32_EQZ, I32_GE_U, I32_ADD, I32_SUB, I32_SHL] = [
  0x41, 0x45, 0x4f, 0x6a, 0x6b, 0x74,
];
const simd = (op: number, ...immediates: number[]) => [0xfd, ...leb(op), ...immediates];
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const V128_CONST = 0x0c;

/** The lane type's ops: float32 in 4 lanes, float64 in 2. */
const LANES = {
  float32: { splat: 0x09, add: 0xe4, mul: 0xe6, align: 2 },
  float64: { splat: 0x0a, add: 0xf0, mul: 0xf2, align: 3 },
} as const;

/** Bytes a kernel step covers along a row of C: 2 vectors. */
const BLOCK_BYTES = 32;

/**
 * `block(a, b, c, m4, nb, k, ai, ap, bp, cn)`, addresses and strides in bytes: for rows
 * i < m4 (a multiple of 4) and bytes j < nb (a multiple of 32) of C's rows,
 *
 *   C(i, j) = Σp A(i, p) · B(p, j),   A(i, p) at a + i·ai + p·ap,   B(p, j) at b + p·bp + j,
 *
 * with C's row i at c + i·cn.
 */
function kernelModule(lanes: (typeof LANES)[keyof typeof LANES]): Uint8Array<ArrayBuffer> {
  // Locals: the 10 parameters, then i, j, p, pa, pb, pc, ar, cr (i32), 8 accumulators, b0, b1, s.
  const [a, b, c, m4, nb, k, ai, ap, bp, cn] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [i, j, p, pa, pb, pc, ar, cr] = [10, 11, 12, 13, 14, 15, 16, 17];
  const acc = [18, 19, 20, 21, 22, 23, 24, 25];
  const [b0, b1, s] = [26, 27, 28];
  const get = (l: number) => [GET, ...leb(l)];
  const set = (l: number) => [SET, ...leb(l)];
  const add = (l: number, ...value: number[]) => [...get(l), ...value, I32_ADD, ...set(l)];
  const load = (offset: number) => simd(V128_LOAD, 4, ...leb(offset));
  const store = (offset: number) => simd(V128_STORE, 4, ...leb(offset));
  // A(i + r, p) is at pa + r·ai.
  const rowOfA = (r: number) => [
    ...get(pa),
    ...Array(r)
      .fill([...get(ai), I32_ADD])
      .flat(),
  ];
  // One step of p: b0, b1 = B(p, j…); per row r, s = splat A(i + r, p), acc += s · b0, s · b1.
  // biome-ignore format: one instruction group per line
  const step = [
    ...get(pb), ...load(0), ...set(b0),
    ...get(pb), ...load(16), ...set(b1),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...rowOfA(r), ...simd(lanes.splat, lanes.align, 0), ...set(s),
      ...[b0, b1].flatMap((bv, v) => [
        ...get(acc[2 * r + v]!), ...get(s), ...get(bv), ...simd(lanes.mul), ...simd(lanes.add),
        ...set(acc[2 * r + v]!),
      ]),
    ]),
    ...add(pa, ...get(ap)),
    ...add(pb, ...get(bp)),
    ...get(p), I32_CONST, 1, I32_SUB, ...set(p),
  ];
  const stores = [0, 1, 2, 3].flatMap((r) => [
    ...[0, 1].flatMap((v) => [...get(pc), ...get(acc[2 * r + v]!), ...store(16 * v)]),
    ...add(pc, ...get(cn)),
  ]);
  // biome-ignore format: the code reads best laid out as the nested blocks and loops it is
  const code = [
    ...get(a), ...set(ar), ...get(c), ...set(cr), I32_CONST, 0, ...set(i),
    BLOCK, VOID, LOOP, VOID, // rows i
    ...get(i), ...get(m4), I32_GE_U, BR_IF, 1,
    I32_CONST, 0, ...set(j),
    BLOCK, VOID, LOOP, VOID, // column blocks j
    ...get(j), ...get(nb), I32_GE_U, BR_IF, 1,
    ...acc.flatMap((l) => [...simd(V128_CONST, ...Array(16).fill(0)), ...set(l)]),
    ...get(ar), ...set(pa), ...get(b), ...get(j), I32_ADD, ...set(pb), ...get(k), ...set(p),
    BLOCK, VOID, ...get(p), I32_EQZ, BR_IF, 0,
    LOOP, VOID, ...step, ...get(p), BR_IF, 0, END, // p = k … 1
    END,
    ...get(cr), ...get(j), I32_ADD, ...set(pc),
    ...stores,
    ...add(j, I32_CONST, BLOCK_BYTES),
    BR, 0, END, END,
    ...add(i, I32_CONST, 4),
    ...add(ar, ...get(ai), I32_CONST, 2, I32_SHL),
    ...add(cr, ...get(cn), I32_CONST, 2, I32_SHL),
    BR, 0, END, END,
    END,
  ];
  const locals = [...leb(2), ...leb(8), I32, ...leb(11), V128];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // \0asm, version 1
    ...section(1, [0x60, ...vector(Array(10).fill(I32)), 0]), // type 0: (i32 × 10) → ()
    ...section(2, [...text('env'), ...text('memory'), 0x02, 0x00, 0x01]), // memory, min 1 page
    ...section(3, [0]), // function 0 has type 0
    ...section(7, [...text('block'), 0x00, 0]), // export function 0 as "block"
    ...section(10, vector([...locals, ...code])),
  ]);
}

/** A matrix product with `gemm`'s signature. */
export type Gemm = typeof gemm;

/**
 * Below this many multiply-adds in the blocks, copying the operands into WebAssembly memory
 * costs more than the kernel saves, and `gemm` computes the whole product.
 */
const MIN_BLOCK_MULTIPLY_ADDS = 4096;

/**
 * Below this many multiply-adds per entry of C (the shared dimension k), a product is bound
 * by writing C, and copying C out of WebAssembly memory doubles that: per-sample SGD's
 * 128 × 1 · 1 × 785 outer product made a training step 20% slower through the kernel.
 */
const MIN_SHARED = 8;

const PAGE = 65536;

/** Writes B(p, j) = b[p·bp + j·bj] for p < k, j < cols into `to` from `at`, row-major. */
function pack(b: Store, to: Store, at: number, k: number, cols: number, bp: number, bj: number) {
  for (let p = 0; p < k; p++) {
    const row = at + p * cols;
    for (let j = 0, q = p * bp; j < cols; j++, q += bj) to[row + j] = b[q]!;
  }
}

/**
 * `gemm` with its 4-row blocks computed by the SIMD kernel for `Store`'s lane type, or
 * undefined where WebAssembly SIMD is unavailable. The kernel works in a WebAssembly memory
 * of its own that grows to the largest product seen and is then reused, so a training loop
 * allocates nothing here after its first step.
 */
export function simdGemm(Store: StoreConstructor): Gemm | undefined {
  if (!compiled.has(Store)) compiled.set(Store, compile(Store));
  return compiled.get(Store);
}

/** One kernel (and memory) per lane type, shared by the backends of a thread. */
const compiled = new Map<StoreConstructor, Gemm | undefined>();

function compile(Store: StoreConstructor): Gemm | undefined {
  const size = Store.BYTES_PER_ELEMENT;
  const memory = new WebAssembly.Memory({ initial: 1 });
  let block: (...args: number[]) => void;
  try {
    const bytes = kernelModule(size === 4 ? LANES.float32 : LANES.float64);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    block = instance.exports.block as typeof block;
  } catch {
    return undefined;
  }
  let heap: Store = new Store(memory.buffer);
  const cols = BLOCK_BYTES / size; // columns of C per kernel step
  return (a, b, c, m, n, k, ai, ap, bp, bj) => {
    const m4 = m - (m % 4);
    const nb = n - (n % cols);
    if (k < MIN_SHARED || m4 * nb * k < MIN_BLOCK_MULTIPLY_ADDS) {
      return gemm(a, b, c, m, n, k, ai, ap, bp, bj);
    }
    // Memory layout (entries): A as stored; B as stored when its rows are contiguous, else
    // packed as k × nb; then C's first m4 rows.
    const packed = bj !== 1;
    const bAt = a.length;
    const cAt = bAt + (packed ? k * nb : b.length);
    const end = (cAt + m4 * n) * size;
    if (end > memory.buffer.byteLength) {
      try {
        memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
      } catch {
        // Past what a WebAssembly memory holds (4 GiB at most): the product stays in TypeScript.
        return gemm(a, b, c, m, n, k, ai, ap, bp, bj);
      }
      heap = new Store(memory.buffer);
    }
    heap.set(a);
    if (packed) pack(b, heap, bAt, k, nb, bp, bj);
    else heap.set(b, bAt);
    const rowOfB = packed ? nb : bp;
    block(
      0,
      bAt * size,
      cAt * size,
      m4,
      nb * size,
      k,
      ai * size,
      ap * size,
      rowOfB * size,
      n * size,
    );
    c.set(heap.subarray(cAt, cAt + m4 * n));
    gemmEdges(m4, nb, a, b, c, m, n, k, ai, ap, bp, bj);
  };
}
