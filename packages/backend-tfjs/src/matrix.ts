import type { Tensor2D } from '@tensorflow/tfjs-core';
import { type Backend, DisposedMatrixError, type Matrix } from '@twostep/core/backend';

/** A rows × cols float32 matrix held as a TensorFlow.js `Tensor2D`, owned by a `TfjsBackend`. */
export class TfjsMatrix implements Matrix {
  readonly dtype = 'float32';
  readonly rows: number;
  readonly cols: number;
  #tensor: Tensor2D | undefined;

  constructor(
    tensor: Tensor2D,
    /** The instance that created it; the only one that computes with it. */
    readonly backend: Backend<TfjsMatrix>,
  ) {
    [this.rows, this.cols] = tensor.shape;
    this.#tensor = tensor;
  }

  /**
   * The tensor, for interop with TensorFlow.js code; it stays owned by this matrix (do not
   * dispose it, and copy it with `tf.clone` to keep it past the matrix). Throws once disposed.
   */
  get tensor(): Tensor2D {
    if (!this.#tensor) throw new DisposedMatrixError(`${this} was disposed; its tensor is gone.`);
    return this.#tensor;
  }

  get isDisposed(): boolean {
    return this.#tensor === undefined;
  }

  toString(): string {
    return `Matrix(${this.rows}×${this.cols}, float32)`;
  }

  /** Disposes the tensor; a second call does nothing. */
  release(): void {
    this.#tensor?.dispose();
    this.#tensor = undefined;
  }
}
