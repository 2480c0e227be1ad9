import type { Backend, DType, Matrix } from '@twostep/core/backend';
import type { BufferPool, Store } from './pool.js';

const EMPTY: Record<DType, Store> = {
  float32: new Float32Array(0),
  float64: new Float64Array(0),
};

/** A rows × cols matrix in a row-major typed array, owned by a `TsBackend`. */
export class TsMatrix implements Matrix {
  #data: Store;
  #pool: BufferPool | undefined;

  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly dtype: DType,
    data: Store,
    pool: BufferPool,
    /** The instance that created it; the only one that computes with it. */
    readonly backend: Backend<TsMatrix>,
  ) {
    this.#data = data;
    this.#pool = pool;
  }

  /** The row-major entries (a Float32Array or Float64Array); empty once disposed. */
  get data(): Store {
    return this.#data;
  }

  get isDisposed(): boolean {
    return this.#pool === undefined;
  }

  toString(): string {
    return `Matrix(${this.rows}×${this.cols}, ${this.dtype})`;
  }

  /** Returns the storage to the pool it came from; a second call does nothing. */
  release(): void {
    if (!this.#pool) return;
    this.#pool.give(this.#data);
    this.#pool = undefined;
    this.#data = EMPTY[this.dtype];
  }
}
