/**
 * Just enough of the WebAssembly binary format (core specification §5, its SIMD and relaxed
 * SIMD extensions) to emit the backend's kernels as bytes from TypeScript: no toolchain and
 * no binary in the package. `simd.ts` writes the kernels with it.
 */

/** Instruction bytes. */
export type Code = number[];

/** Unsigned LEB128, the binary format's integer encoding. */
export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    const byte = n & 0x7f;
    n >>>= 7;
    out.push(n === 0 ? byte : byte | 0x80);
  } while (n !== 0);
  return out;
}

const vector = (bytes: number[]) => [...leb(bytes.length), ...bytes];
const section = (id: number, entries: number[][]) => [
  id,
  ...vector([...leb(entries.length), ...entries.flat()]),
];
const text = (s: string) => vector([...s].map((c) => c.charCodeAt(0)));

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValueType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

// Control, locals, i32 and scalar float instructions (§5.4).
export const BLOCK = 0x02;
export const LOOP = 0x03;
export const IF = 0x04;
export const END = 0x0b;
export const BR = 0x0c;
export const BR_IF = 0x0d;
/** select: the first of two values if the i32 on top is nonzero, else the second. */
export const SELECT = 0x1b;
export const VOID = 0x40;
export const I32_CONST = 0x41;
export const I32_EQZ = 0x45;
export const I32_GE_U = 0x4f;
export const I32_GT_U = 0x4b;
export const I32_ADD = 0x6a;
export const I32_SUB = 0x6b;
export const I32_MUL = 0x6c;
export const I32_SHL = 0x74;
export const F32_ADD = 0x92;
export const F32_DEMOTE_F64 = 0xb6;
export const get = (local: number): Code => [0x20, ...leb(local)];
export const set = (local: number): Code => [0x21, ...leb(local)];
export const tee = (local: number): Code => [0x22, ...leb(local)];
/** f32.store with a 4-byte alignment hint. */
export const f32Store = (offset = 0): Code => [0x38, 2, ...leb(offset)];
export const i32 = (n: number): Code => [I32_CONST, ...signedLeb(n)];

/** Signed LEB128 (i32.const's immediate). */
function signedLeb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A SIMD instruction (prefix 0xfd) with its immediates. */
export const simd = (op: number, ...immediates: number[]): Code => [
  0xfd,
  ...leb(op),
  ...immediates,
];

/** v128.load / v128.store at a 16-byte alignment hint. */
export const load = (offset = 0): Code => simd(0x00, 4, ...leb(offset));
export const store = (offset = 0): Code => simd(0x0b, 4, ...leb(offset));
export const zero: Code = simd(0x0c, ...Array(16).fill(0));
/** i8x16.shuffle with 16 lane indices (0–15 the first operand, 16–31 the second). */
export const shuffle = (...lanes: number[]): Code => simd(0x0d, ...lanes);
export const f32x4ExtractLane = (lane: number): Code => simd(0x1f, lane);
export const V128_AND = 0x4e;
export const V128_BITSELECT = 0x52;
export const F32X4_DEMOTE_F64X2_ZERO = 0x5e;
export const F64X2_PROMOTE_LOW_F32X4 = 0x5f;

/** The SIMD ops of one lane type: float32 in 4 lanes, float64 in 2. */
export interface Lanes {
  /** `vNN.loadNN_splat`: one entry from memory into every lane (a memory op). */
  readonly loadSplat: number;
  readonly splat: number;
  readonly gt: number;
  readonly sqrt: number;
  readonly add: number;
  readonly sub: number;
  readonly mul: number;
  readonly div: number;
  readonly min: number;
  readonly max: number;
  /** relaxed_madd: a · b + c, fused where the hardware can. */
  readonly madd: number;
  /** log2 of the entry's size in bytes (the alignment hint of a splat load). */
  readonly align: number;
}

export const F32X4: Lanes = {
  loadSplat: 0x09,
  splat: 0x13,
  gt: 0x44,
  sqrt: 0xe3,
  add: 0xe4,
  sub: 0xe5,
  mul: 0xe6,
  div: 0xe7,
  min: 0xe8,
  max: 0xe9,
  madd: 0x105,
  align: 2,
};

export const F64X2: Lanes = {
  loadSplat: 0x0a,
  splat: 0x14,
  gt: 0x4a,
  sqrt: 0xef,
  add: 0xf0,
  sub: 0xf1,
  mul: 0xf2,
  div: 0xf3,
  min: 0xf4,
  max: 0xf5,
  madd: 0x107,
  align: 3,
};

/** n local indices: a tuple where n is a literal (so each can be destructured), else an array. */
type Indices<N extends number, T extends number[] = []> = number extends N
  ? number[]
  : T['length'] extends N
    ? T
    : Indices<N, [...T, number]>;

/** A function's locals: its parameters first, then those `local` adds. */
export class Locals {
  readonly #declared: ValueType[] = [];
  constructor(readonly params: readonly ValueType[]) {}

  /** A new local of `type`; its index. */
  local(type: ValueType): number {
    this.#declared.push(type);
    return this.params.length + this.#declared.length - 1;
  }

  /** `n` new locals of `type`; their indices, a tuple of n where n is a literal. */
  locals<N extends number>(type: ValueType, n: N): Indices<N> {
    return Array.from({ length: n }, () => this.local(type)) as Indices<N>;
  }

  /** The locals' declaration, as the code section wants it before a body. */
  get declaration(): Code {
    return [...leb(this.#declared.length), ...this.#declared.flatMap((t) => [1, t])];
  }
}

/** An exported function of no results. */
export interface ExportedFunction {
  readonly name: string;
  readonly locals: Locals;
  readonly body: Code;
}

/**
 * A module of `functions` over an imported `env.memory` (min 1 page); a shared memory is
 * declared with the wasm32 maximum, 65,536 pages, which the imported memory must also have.
 */
export function moduleBytes(
  functions: readonly ExportedFunction[],
  { shared }: { shared: boolean },
): Uint8Array<ArrayBuffer> {
  const limits = shared ? [0x03, ...leb(1), ...leb(65536)] : [0x00, ...leb(1)];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // \0asm, version 1
    ...section(
      1,
      functions.map((f) => [0x60, ...vector([...f.locals.params]), 0]),
    ), // one type per function: (params) → ()
    ...section(2, [[...text('env'), ...text('memory'), 0x02, ...limits]]),
    ...section(
      3,
      functions.map((_, i) => leb(i)),
    ),
    ...section(
      7,
      functions.map((f, i) => [...text(f.name), 0x00, ...leb(i)]),
    ),
    ...section(
      10,
      functions.map((f) => vector([...f.locals.declaration, ...f.body, END])),
    ),
  ]);
}

/** `for (i = from; i < to; i++) body`, with `i` an i32 local already holding `from`. */
export function loop(i: number, to: number, body: Code): Code {
  // biome-ignore format: the block reads best as the nested structure it is
  return [
    BLOCK, VOID, LOOP, VOID,
    ...get(i), ...get(to), I32_GE_U, BR_IF, 1,
    ...body,
    ...get(i), ...i32(1), I32_ADD, ...set(i),
    BR, 0, END, END,
  ];
}
