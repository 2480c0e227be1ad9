/**
 * Data as users hold it (one row per sample, arrays or typed arrays), checked once and laid
 * out as the rule wants it: a batch is an N × B matrix whose columns are samples.
 */
import type { Backend, DType, Matrix } from './contract.js';
import { ConfigError, DTypeError, NonFiniteError, ShapeError } from './errors.js';
import { shown } from './json.js';
import { checkLimit } from './limits.js';

/** One row per sample. */
export type Rows = ArrayLike<ArrayLike<number>>;

export interface Dataset {
  readonly inputs: Rows;
  readonly targets: Rows;
}

/**
 * Samples checked once for width and finiteness, then read where they are: batches are
 * gathered from the caller's rows, never copied whole (a copy of 8,000 MNIST digits is 50 MB
 * of fresh memory, and faulting it in cost more than the check). The rows must not change
 * while a `train`, `evaluate` or `predict` that holds them runs.
 */
export class Samples {
  readonly count: number;

  /**
   * `name` is `inputs` or `targets`; `width` the width each row must have; `hint` is added to
   * a width error (how to fix the data); `dtype` the backend's, whose range every value must
   * fit.
   */
  constructor(
    private readonly rows: Rows,
    readonly width: number,
    private readonly name: string,
    hint = '',
    private readonly dtype: DType = 'float64',
  ) {
    if (rows === null || typeof rows !== 'object' || typeof rows.length !== 'number') {
      throw new ShapeError(
        `${name} must be an array of rows (one per sample), got ${typeof rows}.`,
      );
    }
    if (rows.length === 0) throw new ShapeError(`${name} is empty; pass at least one sample.`);
    this.count = rows.length;
    for (let r = 0; r < this.count; r++) {
      const row = rows[r];
      if (row === null || typeof row !== 'object' || row.length !== width) {
        const got = row !== null && typeof row === 'object' ? `${row.length} values` : shown(row);
        throw new ShapeError(`${name} row ${r} has ${got} but must have ${width}.${hint}`);
      }
      this.#checkRow(r, '');
    }
  }

  /**
   * Checks the rows of samples `order[start…end)` again: a step that turned non-finite may
   * have read rows changed since the check, which is bad data, not divergence.
   */
  recheck(order: ArrayLike<number>, start: number, end: number): void {
    const changed =
      ' (it changed after the data was checked: rows must not change while training runs)';
    for (let j = start; j < end; j++) this.#checkRow(order[j]!, changed);
  }

  /** Throws for the first value of row `r` that is not a finite number of the dtype's range. */
  #checkRow(r: number, note: string): void {
    const row = this.rows[r]!;
    const floats = row instanceof Float32Array || row instanceof Float64Array;
    if (
      floats &&
      finite(row, this.width) &&
      (this.dtype !== 'float32' || row instanceof Float32Array)
    )
      return; // every value a finite float, of the dtype's range (a float32 always fits)
    const c = firstNonFinite(row, this.width);
    if (c < this.width) {
      throw new NonFiniteError(
        `${this.name} row ${r}, column ${c} is ${shown(row[c])}${note}; every value must be a finite number. Clean or impute the data first.`,
      );
    }
    if (this.dtype !== 'float32') return;
    const o = firstOverflow(row, this.width);
    if (o < this.width)
      throw overflowError(`${this.name} row ${r}, column ${o}`, row[o]!, { note });
  }

  /**
   * Samples `order[start…end)` as the columns of a width × B matrix on `backend`, through the
   * host buffer `out` (length width · B): laid one after another (a copy of each row) for a
   * backend that transposes them itself (`fromColumns`), else gathered into columns here.
   */
  upload(
    backend: Backend,
    order: ArrayLike<number>,
    start: number,
    end: number,
    out: Float32Array | Float64Array,
  ): Matrix {
    const b = end - start;
    if (backend.supports.fusedTranspose === true && backend.fromColumns) {
      for (let j = 0; j < b; j++) out.set(this.rows[order[start + j]!]!, j * this.width);
      return backend.fromColumns(out, this.width, b);
    }
    this.columns(order, start, end, out);
    return backend.fromArray(out, this.width, b);
  }

  /**
   * Writes samples `order[start…end)` as the columns of a row-major width × B matrix into
   * `out` (length width · B). Four samples at a time, so each row of `out` gets 4 adjacent
   * entries per visit (half the time of one sample at a time for MNIST batches of 64).
   */
  columns(
    order: ArrayLike<number>,
    start: number,
    end: number,
    out: Float32Array | Float64Array,
  ): void {
    const b = end - start;
    const rows = this.rows;
    let j = 0;
    for (; j + 4 <= b; j += 4) {
      const r0 = rows[order[start + j]!]!;
      const r1 = rows[order[start + j + 1]!]!;
      const r2 = rows[order[start + j + 2]!]!;
      const r3 = rows[order[start + j + 3]!]!;
      for (let i = 0, o = j; i < this.width; i++, o += b) {
        out[o] = r0[i]!;
        out[o + 1] = r1[i]!;
        out[o + 2] = r2[i]!;
        out[o + 3] = r3[i]!;
      }
    }
    for (; j < b; j++) {
      const row = rows[order[start + j]!]!;
      for (let i = 0; i < this.width; i++) out[i * b + j] = row[i]!;
    }
  }
}

/**
 * Whether `row[0…width)` are all finite: Σ v·0 is 0 unless some v is ±∞ or NaN. Four sums at
 * a time, no branch: a sixth of the time of a test per value over 8,000 MNIST rows. For rows
 * of floats only (anything else could hold a string that `·` would turn into a number).
 */
function finite(row: Float32Array | Float64Array, width: number): boolean {
  // Four plain lets: a destructured [0, 0, 0, 0] made this loop three times slower in V8.
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 4 <= width; i += 4) {
    a += row[i]! * 0;
    b += row[i + 1]! * 0;
    c += row[i + 2]! * 0;
    d += row[i + 3]! * 0;
  }
  for (; i < width; i++) a += row[i]! * 0;
  return a + b + c + d === 0;
}

/** The first column of `row` that is not a finite number, or `width` when there is none. */
function firstNonFinite(row: ArrayLike<number>, width: number): number {
  for (let c = 0; c < width; c++) {
    const v = row[c];
    if (typeof v !== 'number' || !Number.isFinite(v)) return c;
  }
  return width;
}

/** The largest finite float32, (2 − 2⁻²³)·2¹²⁷. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** The first of `values[0…width)` that is finite but infinite once rounded to float32, or `width`. */
export function firstOverflow(values: ArrayLike<number>, width = values.length): number {
  for (let c = 0; c < width; c++) if (!Number.isFinite(Math.fround(values[c]!))) return c;
  return width;
}

/** How `overflowError` words where the value was going and what to do. */
export interface OverflowWording {
  /** Said after the value (`, from the file …`). */
  readonly note?: string;
  /** What holds the float32 values (default `this float32 backend`). */
  readonly holder?: string;
  /** What to do (default: scale the values into range, or use a float64 backend). */
  readonly fix?: string;
}

/** A value that float32 cannot hold: `where` names it (`W1[0][2]`, `inputs row 3, column 1`). */
export function overflowError(
  where: string,
  value: number,
  {
    note = '',
    holder = 'this float32 backend',
    fix = 'Scale the values into range, or use a float64 backend.',
  }: OverflowWording = {},
): DTypeError {
  return new DTypeError(
    `${where} is ${shown(value)}${note}, beyond the float32 range (±${FLOAT32_MAX}) of ${holder}: it would become ${value > 0 ? '' : '-'}Infinity. ${fix}`,
  );
}

/** Inputs and targets checked against the network's widths N0 and NL and the backend's dtype. */
export function checkDataset(
  data: Dataset,
  architecture: readonly number[],
  dtype: DType = 'float64',
): { inputs: Samples; targets: Samples } {
  if (data === null || typeof data !== 'object') {
    throw new ShapeError('data must be { inputs, targets }, one row per sample.');
  }
  const n0 = architecture[0]!;
  const nL = architecture.at(-1)!;
  const inputs = new Samples(
    data.inputs,
    n0,
    'inputs',
    ` The network takes N0 = ${n0} inputs.`,
    dtype,
  );
  const targets = new Samples(
    data.targets,
    nL,
    'targets',
    ` The network has NL = ${nL} outputs${nL > 1 ? `; one-hot encode class labels with oneHot(labels, ${nL})` : ''}.`,
    dtype,
  );
  if (inputs.count !== targets.count) {
    throw new ShapeError(
      `inputs has ${inputs.count} rows but targets has ${targets.count}; give one target row per input row.`,
    );
  }
  return { inputs, targets };
}

/**
 * Row `r` is one-hot for class `labels[r]` ∈ {0, …, classes − 1}. The rows × classes matrix is
 * held to `maxEntries` before it is made: by default 2²⁴ (16,777,216 entries, 134 MB of JS
 * numbers: 60,000 MNIST labels take 600,000), as nested arrays cost 8 bytes an entry and more.
 */
export function oneHot(
  labels: ArrayLike<number>,
  classes: number,
  { maxEntries = 2 ** 24 }: { maxEntries?: number } = {},
): number[][] {
  if (typeof classes !== 'number' || !Number.isSafeInteger(classes) || classes < 1) {
    throw new ConfigError(
      `oneHot: classes is ${shown(classes)}; it must be a positive integer, the number of classes (labels run from 0 to classes − 1), e.g. oneHot(labels, 10).`,
    );
  }
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new ConfigError(
      `oneHot: maxEntries must be a positive integer, got ${shown(maxEntries)}; leave it out for the default ${2 ** 24}.`,
    );
  }
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw new ShapeError(`oneHot: labels must be an array of class numbers, got ${shown(labels)}.`);
  }
  checkLimit(
    `oneHot: ${labels.length} labels × ${classes} classes make`,
    labels.length * classes,
    maxEntries,
    'maxEntries',
    'Check the number of classes',
    "oneHot's options: oneHot(labels, classes, { maxEntries })",
  );
  return Array.from({ length: labels.length }, (_, r) => {
    const label = labels[r]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new ShapeError(
        `oneHot: label ${r} is ${shown(label)}; labels must be integers in [0, ${classes - 1}] for ${classes} classes. Map the labels to 0…${classes - 1}, or pass the right number of classes.`,
      );
    }
    const row = new Array<number>(classes).fill(0);
    row[label] = 1;
    return row;
  });
}

/** A matrix whose columns are the given samples (rows of `rows`), as the rule lays out a batch. */
export function toColumns(backend: Backend, rows: Rows): Matrix {
  const width = rows[0]?.length ?? 0;
  const samples = new Samples(rows, width, 'toColumns', '', backend.dtype);
  const out = new Float64Array(width * samples.count);
  return samples.upload(backend, identityOrder(samples.count), 0, samples.count, out);
}

/** 0, 1, …, n − 1. */
export function identityOrder(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}
