import type { Backend, DType, Matrix } from '@twostep/core/backend';
import type { Heap, Store, StoreConstructor } from './heap.js';

const STORES: Record<DType, StoreConstructor> = { float32: Float32Array, float64: Float64Array };
const EMPTY: Record<DType, Store> = { float32: new Float32Array(0), float64: new Float64Array(0) };

/**
 * A rows × cols matrix, row-major, in the WebAssembly memory of the `TsBackend` that owns it
 * (at `address`), so its kernels read and write it in place.
 */
export class TsMatrix implements Matrix {
  #heap: Heap | undefined;
  #view: Store;
  #generation: number;

  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly dtype: DType,
    heap: Heap,
    /** The byte address of the first entry in the backend's memory. */
    readonly address: number,
    /** The instance that created it; the only one that computes with it. */
    readonly backend: Backend<TsMatrix>,
  ) {
    this.#heap = heap;
    this.#generation = heap.generation;
    this.#view = heap.view(STORES[dtype], address, rows * cols);
  }

  /**
   * The row-major entries (a Float32Array or Float64Array over the backend's memory: read or
   * write them, do not keep them past the next op); empty once disposed.
   */
  get data(): Store {
    const heap = this.#heap;
    if (heap && heap.generation !== this.#generation) {
      this.#generation = heap.generation;
      this.#view = heap.view(STORES[this.dtype], this.address, this.rows * this.cols);
    }
    return this.#view;
  }

  get isDisposed(): boolean {
    return this.#heap === undefined;
  }

  toString(): string {
    return `Matrix(${this.rows}×${this.cols}, ${this.dtype})`;
  }

  /** Gives the storage back to the backend's memory; a second call does nothing. */
  release(): void {
    if (!this.#heap) return;
    this.#heap.give(this.address, this.rows * this.cols * this.#view.BYTES_PER_ELEMENT);
    this.#heap = undefined;
    this.#view = EMPTY[this.dtype];
  }
}
