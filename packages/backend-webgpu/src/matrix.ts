import type { Backend, DType, Matrix } from '@twostep/core/backend';

/** A rows × cols float32 matrix, row-major in a storage buffer of its backend's device. */
export class WebgpuMatrix implements Matrix {
  readonly dtype: DType = 'float32';
  /** Set by `dispose`, which gives the buffer back to the backend's pool. */
  isDisposed = false;

  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly backend: Backend<WebgpuMatrix>,
    /** Holds rows · cols float32 values (its size may be rounded up). */
    readonly buffer: GPUBuffer,
  ) {}

  /** Its data's bytes: rows · cols float32 values (its buffer may be larger). */
  get bytes(): number {
    return this.rows * this.cols * 4;
  }

  /** For example `Matrix(3×2, float32)`; never the data. */
  toString(): string {
    return `Matrix(${this.rows}×${this.cols}, ${this.dtype})`;
  }
}
