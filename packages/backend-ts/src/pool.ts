/**
 * Typed-array storage for one dtype. Live buffers (held by undisposed matrices) are counted;
 * freed buffers are kept by length for the next matrix of that size, up to a byte limit, so a
 * training loop that disposes what it creates stops allocating after its first step.
 */

/** The storage of a matrix: row-major, in the backend's dtype. */
export type Store = Float32Array | Float64Array;

export type StoreConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

/** Pooled (free) bytes kept by default: 64 MiB. */
export const DEFAULT_POOL_BYTES = 64 * 1024 * 1024;

export class BufferPool {
  /** Free buffers by length. */
  private readonly free = new Map<number, Store[]>();
  private freeBytes = 0;
  /** Buffers handed out and not yet returned. */
  liveBuffers = 0;
  liveBytes = 0;
  /** Buffers allocated with `new` (not taken from the free lists) since the pool was made. */
  created = 0;

  constructor(
    private readonly Store: StoreConstructor,
    /** The most free bytes kept; a buffer returned beyond it is left to the garbage collector. */
    readonly limit = DEFAULT_POOL_BYTES,
  ) {}

  /** A buffer of `length` entries holding stale data: the caller must overwrite all of it. */
  take(length: number): Store {
    const list = this.free.get(length);
    const reused = list?.pop();
    if (list?.length === 0) this.free.delete(length);
    const buffer = reused ?? new this.Store(length);
    if (reused) this.freeBytes -= buffer.byteLength;
    else this.created++;
    this.liveBuffers++;
    this.liveBytes += buffer.byteLength;
    return buffer;
  }

  /** Takes back a buffer from `take`; its owner must not use it any more. */
  give(buffer: Store): void {
    this.liveBuffers--;
    this.liveBytes -= buffer.byteLength;
    if (this.freeBytes + buffer.byteLength > this.limit) return;
    this.freeBytes += buffer.byteLength;
    const list = this.free.get(buffer.length);
    if (list) list.push(buffer);
    else this.free.set(buffer.length, [buffer]);
  }

  /** Bytes of free buffers held for reuse. */
  get pooledBytes(): number {
    return this.freeBytes;
  }
}
