/**
 * A small kernel module for the ThreadPool tests, emitted as bytes (LEB128, sections). It
 * imports `env.memory` shared; each instance takes an id at instantiation (its start function
 * adds 1 to the i32 at byte 0), so the pool's own instance on the calling thread, made first,
 * is 0 and the workers' are 1, 2, …
 *
 * Kernels, over units i in [from, to); `where` says which instances trap or store: bit 0 the
 * workers', bit 1 the calling thread's:
 * - fill(from, to, address, value): f64 at address + 8i = value + i
 * - mark(from, to, address, spin, where): `spin` empty loop turns, then i32 at address + 8i
 *   += 1 (atomically) and i32 at address + 8i + 4 = the instance's id; then traps (unreachable)
 *   where `where` says
 * - store(from, to, address, where): i32 at address = 1 where `where` says
 * - hold(from, to, flag): in a worker's instance, spins until the i32 at flag is nonzero
 * - empty(from, to): nothing
 */
import {
  BLOCK,
  BR,
  BR_IF,
  END,
  F64,
  get,
  I32,
  I32_ADD,
  I32_EQZ,
  I32_SHL,
  I32_SUB,
  i32,
  LOOP,
  leb,
  set,
  VOID,
} from '../src/assembler.js';

const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]) => [id, ...leb(bytes.length), ...bytes];
const name = (s: string) => [...leb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

const [UNREACHABLE, IF, DROP, SELECT] = [0x00, 0x04, 0x1a, 0x1b];
const [GLOBAL_GET, GLOBAL_SET] = [0x23, 0x24];
const [I32_GE_S, I32_AND] = [0x4e, 0x71];
const [F64_ADD, F64_CONVERT_I32_S] = [0xa0, 0xb7];
const I32_STORE = (offset: number) => [0x36, 2, ...leb(offset)];
const F64_STORE = [0x39, 3, 0];
const I32_ATOMIC_LOAD = [0xfe, 0x10, 2, 0];
const I32_ATOMIC_RMW_ADD = [0xfe, 0x1e, 2, 0];

/** for (; from < to; from++) body, with from and to in locals 0 and 1. */
const units = (...body: number[]) => [
  BLOCK,
  VOID,
  LOOP,
  VOID,
  ...get(0),
  ...get(1),
  I32_GE_S,
  BR_IF,
  1,
  ...body,
  ...get(0),
  ...i32(1),
  I32_ADD,
  ...set(0),
  BR,
  0,
  END,
  END,
];
/** address + 8 · from, address in local `l`. */
const entry = (l: number) => [...get(l), ...get(0), ...i32(3), I32_SHL, I32_ADD];
/** Whether `where` (local `l`) names this instance: where & (a worker's ? 1 : 2). */
const here = (l: number) => [...get(l), ...i32(1), ...i32(2), GLOBAL_GET, 0, SELECT, I32_AND];

const TYPES = {
  fill: [I32, I32, I32, F64],
  mark: [I32, I32, I32, I32, I32],
  store: [I32, I32, I32, I32],
  hold: [I32, I32, I32],
  empty: [I32, I32],
} as const;

// biome-ignore format: instruction groups
const CODE: Record<keyof typeof TYPES, { locals?: number[]; code: number[] }> = {
  fill: { code: units(...entry(2), ...get(3), ...get(0), F64_CONVERT_I32_S, F64_ADD, ...F64_STORE) },
  mark: {
    locals: [1, I32], // spin counter
    code: units(
      ...get(3), ...set(5),
      BLOCK, VOID, LOOP, VOID, ...get(5), I32_EQZ, BR_IF, 1,
      ...get(5), ...i32(1), I32_SUB, ...set(5), BR, 0, END, END,
      ...entry(2), ...i32(1), ...I32_ATOMIC_RMW_ADD, DROP,
      ...entry(2), GLOBAL_GET, 0, ...I32_STORE(4),
      ...here(4), IF, VOID, UNREACHABLE, END,
    ),
  },
  store: { code: [...here(3), IF, VOID, ...get(2), ...i32(1), ...I32_STORE(0), END] },
  hold: {
    code: [GLOBAL_GET, 0, IF, VOID, LOOP, VOID, ...get(2), ...I32_ATOMIC_LOAD, I32_EQZ, BR_IF, 0, END, END],
  },
  empty: { code: [] },
};

/** The kernels' names, in export order. */
export const KERNELS = Object.keys(TYPES) as (keyof typeof TYPES)[];

/** Byte 0 counts instances; the tests put control blocks and data from here on. */
export const FREE = 64;

/** The module's bytes (a shared-memory import may be up to 65536 pages: any memory fits). */
export function moduleBytes(): Uint8Array<ArrayBuffer> {
  const types = KERNELS.map((k) => [0x60, ...vec(TYPES[k].map((t) => [t])), 0]);
  const start = KERNELS.length; // function index of the start function, type index likewise
  const bodies = [
    ...KERNELS.map((k) => {
      const { locals, code } = CODE[k];
      return [...vec(locals ? [locals] : []), ...code, END];
    }),
    [...vec([]), ...i32(0), ...i32(1), ...I32_ATOMIC_RMW_ADD, GLOBAL_SET, 0, END],
  ];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([...types, [0x60, 0, 0]])),
    // env.memory: shared (limits flag 0x03), min 1, max 65536 pages
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x03, ...leb(1), ...leb(65536)]])),
    ...section(3, vec([...KERNELS.map((_, i) => leb(i)), leb(start)])),
    ...section(6, vec([[I32, 0x01, ...i32(0), END]])), // global 0: mutable i32, the instance id
    ...section(7, vec(KERNELS.map((k, i) => [...name(k), 0x00, ...leb(i)]))),
    ...section(8, leb(start)),
    ...section(10, vec(bodies.map((b) => [...leb(b.length), ...b]))),
  ]);
}

/** A shared memory of `pages` 64 KiB pages. */
export function sharedMemory(pages = 16): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}
