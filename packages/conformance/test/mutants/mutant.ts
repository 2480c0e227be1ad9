/**
 * A mutant: backend-ts with one bug, derived from the real TsBackend by overriding one member
 * (or the reference, for kernels backend-ts does not have), and the checks that must catch it
 * (its guard: a pattern of `area: check` names).
 */
import type { Backend, DType } from '@twostep/core/backend';
import { TsBackend, type TsBackendOptions, type TsMatrix } from '../../../backend-ts/src/index.js';

export interface Mutant {
  readonly name: string;
  /** The checks that guard what it broke; at least one of them must fail. */
  readonly guard: RegExp;
  /** The dtypes the bug shows in (a float32 shortcut is no bug on a float32 backend). */
  readonly dtypes: readonly DType[];
  readonly create: (dtype: DType) => Backend;
}

type BackendClass = new (options: TsBackendOptions) => TsBackend;

export const mutant = (
  name: string,
  guard: RegExp,
  Backend: BackendClass,
  dtypes: readonly DType[] = ['float32', 'float64'],
): Mutant => ({ name, guard, dtypes, create: (dtype) => new Backend({ dtype }) });

/** Entry (i, j) of a matrix of backend-ts. */
export const at = (m: TsMatrix, i: number, j: number): number => m.data[i * m.cols + j]!;

/** Rewrites every entry of `out` in place (the bug's effect on a fresh result); returns it. */
export function edit(
  out: TsMatrix,
  f: (value: number, row: number, col: number, index: number) => number,
): TsMatrix {
  const { data, cols } = out;
  const values = Array.from(data, (y, n) => f(y, Math.floor(n / cols), n % cols, n));
  data.set(values);
  return out;
}

/** backend-ts with the member `name` replaced by what `value` gives (undefined: absent). */
export const replacing = (
  name: keyof TsBackend,
  value: (backend: TsBackend) => unknown,
): BackendClass =>
  class extends TsBackend {
    constructor(options: TsBackendOptions) {
      super(options);
      Object.defineProperty(this, name, { value: value(this) });
    }
  };

/** backend-ts whose `op` pads short data with zeros: what a missing length check lets through. */
export const padding = (op: 'fromArray' | 'fromColumns'): BackendClass =>
  replacing(op, (b) => (data: ArrayLike<number>, rows: number, cols: number) => {
    const n = rows * cols;
    const padded =
      data.length < n ? [...Array.from(data), ...Array<number>(n - data.length).fill(0)] : data;
    return TsBackend.prototype[op].call(b, padded, rows, cols);
  });
