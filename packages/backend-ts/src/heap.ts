/**
 * The memory every matrix of a backend lives in: one WebAssembly.Memory (shared when threads
 * compute in it), so kernels read and write matrices in place, with no copy in or out.
 *
 * Blocks are 16-byte aligned and rounded up to whole 16-byte vectors (the element-wise
 * kernels' unit). A freed block is kept by size for the next block of that size, up to a byte
 * limit (a training loop that disposes what it creates stops carving after its first step);
 * beyond the limit it joins the spare list, where neighbours merge and any block may be cut.
 */
import { ResourceLimitError } from '@twostep/core/backend';

/** The storage of a matrix: row-major, in the backend's dtype. */
export type Store = Float32Array | Float64Array;

export type StoreConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

/** Free bytes kept by size for reuse, by default: 64 MiB. */
export const DEFAULT_POOL_BYTES = 64 * 1024 * 1024;

const PAGE = 65536;
/** wasm32's largest memory: 65,536 pages, 4 GiB. */
const MAX_PAGES = 65536;
const ALIGN = 16;

const roundUp = (bytes: number) => Math.ceil(bytes / ALIGN) * ALIGN;

export class Heap {
  readonly memory: WebAssembly.Memory;
  /** Counts the memory's growths: views made before a growth must be made again. */
  generation = 0;
  #buffer: ArrayBuffer | SharedArrayBuffer;
  /** The end of the carved part of the memory. */
  #top: number;
  /** Free blocks by size (the pool), and their total bytes. */
  readonly #bins = new Map<number, number[]>();
  #binned = 0;
  /** Free blocks beyond the pool, as [address, bytes] sorted by address, neighbours merged. */
  #spare: [number, number][] = [];
  /** Blocks handed out and not yet given back, and their bytes (as asked, not rounded). */
  liveBlocks = 0;
  liveBytes = 0;
  /** Blocks carved from fresh memory (not reused) since the heap was made. */
  created = 0;

  constructor(
    /** The most free bytes kept by size; 0 keeps none. */
    readonly poolLimit = DEFAULT_POOL_BYTES,
    { shared = false, reserved = 0 }: { shared?: boolean; reserved?: number } = {},
  ) {
    try {
      this.memory = shared
        ? new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true })
        : new WebAssembly.Memory({ initial: 1 });
    } catch (error) {
      // Each memory reserves gigabytes of address space; browsers hold about a hundred at once.
      throw new ResourceLimitError(
        `backend-ts: this runtime cannot reserve a WebAssembly memory for one more backend (${error instanceof Error ? error.message : String(error)}). Each backend holds its own until it is collected: reuse one backend rather than creating one per task, and call close() on those you drop.`,
      );
    }
    this.#buffer = this.memory.buffer;
    this.#top = roundUp(Math.max(reserved, ALIGN)); // address 0 stays unused
  }

  get buffer(): ArrayBuffer | SharedArrayBuffer {
    return this.#buffer;
  }

  /** The address of a new block of at least `bytes` (its contents stale). */
  take(bytes: number): number {
    const size = roundUp(Math.max(bytes, 1));
    const bin = this.#bins.get(size);
    let address = bin?.pop();
    if (address === undefined) address = this.#fromSpare(size) ?? this.#carve(size);
    else {
      this.#binned -= size;
      if (bin!.length === 0) this.#bins.delete(size);
    }
    this.liveBlocks++;
    this.liveBytes += bytes;
    return address;
  }

  /** Takes back a block from `take` of `bytes`; its owner must not use it any more. */
  give(address: number, bytes: number): void {
    this.liveBlocks--;
    this.liveBytes -= bytes;
    const size = roundUp(Math.max(bytes, 1));
    if (this.#binned + size <= this.poolLimit) {
      this.#binned += size;
      const bin = this.#bins.get(size);
      if (bin) bin.push(address);
      else this.#bins.set(size, [address]);
    } else {
      this.#spareBlock(address, size);
    }
  }

  /** Bytes of free blocks kept by size. */
  get pooledBytes(): number {
    return this.#binned;
  }

  /** A typed array over `length` entries at `address` (valid until the memory grows). */
  view<S extends StoreConstructor>(Store: S, address: number, length: number): InstanceType<S> {
    return new Store(this.#buffer as ArrayBuffer, address, length) as InstanceType<S>;
  }

  #fromSpare(size: number): number | undefined {
    const i = this.#spare.findIndex(([, bytes]) => bytes >= size);
    if (i < 0) return undefined;
    const [address, bytes] = this.#spare[i]!;
    if (bytes === size) this.#spare.splice(i, 1);
    else this.#spare[i] = [address + size, bytes - size];
    return address;
  }

  #carve(size: number): number {
    const end = this.#top + size;
    if (end > this.#buffer.byteLength && !this.#grow(end)) {
      // Free blocks kept by size cannot be cut: give them to the spare list and look again.
      if (this.#binned > 0) {
        this.#releaseBins();
        return this.#fromSpare(size) ?? this.#carve(size);
      }
      throw new ResourceLimitError(
        `backend-ts: a block of ${size.toLocaleString('en-US')} bytes does not fit in the backend's WebAssembly memory, which holds ${this.#buffer.byteLength.toLocaleString('en-US')} bytes and cannot grow past 4 GiB (or what this runtime allows). Dispose the matrices you no longer need, or use smaller batches or layers.`,
      );
    }
    const address = this.#top;
    this.#top = end;
    this.created++;
    return address;
  }

  /** Grows the memory to hold `end` bytes (by half its size at least, so growths are few). */
  #grow(end: number): boolean {
    const have = this.#buffer.byteLength / PAGE;
    const need = Math.ceil(end / PAGE) - have;
    if (need > MAX_PAGES - have) return false;
    const grown = [Math.min(Math.max(need, Math.ceil(have / 2)), MAX_PAGES - have), need].some(
      (pages) => {
        try {
          this.memory.grow(pages);
          return true;
        } catch {
          return false;
        }
      },
    );
    if (grown) {
      this.#buffer = this.memory.buffer;
      this.generation++;
    }
    return grown;
  }

  #releaseBins(): void {
    for (const [size, addresses] of this.#bins) {
      for (const address of addresses) this.#spareBlock(address, size);
    }
    this.#bins.clear();
    this.#binned = 0;
  }

  /** Adds a free block to the spare list, merged with its neighbours (or with the top). */
  #spareBlock(address: number, size: number): void {
    const spare = this.#spare;
    let i = 0;
    while (i < spare.length && spare[i]![0] < address) i++;
    let start = address;
    let end = address + size;
    if (i > 0 && spare[i - 1]![0] + spare[i - 1]![1] === start) {
      start = spare[i - 1]![0];
      spare.splice(--i, 1);
    }
    if (i < spare.length && spare[i]![0] === end) {
      end = spare[i]![0] + spare[i]![1];
      spare.splice(i, 1);
    }
    if (end === this.#top) this.#top = start;
    else spare.splice(i, 0, [start, end - start]);
  }
}
