/**
 * Data as users hold it (one row per sample, arrays or typed arrays), checked once and laid
 * out as the rule wants it: a batch is an N × B matrix whose columns are samples.
 */
import type { Backend, Matrix } from './contract.js';
import { NonFiniteError, ShapeError } from './errors.js';

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
   * a width error (how to fix the data).
   */
  constructor(
    private readonly rows: Rows,
    readonly width: number,
    name: string,
    hint = '',
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
        const got = row !== null && typeof row === 'object' ? `${row.length} values` : String(row);
        throw new ShapeError(`${name} row ${r} has ${got} but must have ${width}.${hint}`);
      }
      const c = firstNonFinite(row, width);
      if (c < width) {
        throw new NonFiniteError(
          `${name} row ${r}, column ${c} is ${String(row[c])}; every value must be a finite number. Clean or impute the data first.`,
        );
      }
    }
  }

  /**
   * Writes samples `order[start…end)` as the columns of a row-major width × B matrix into
   * `out` (length width · B).
   */
  columns(
    order: ArrayLike<number>,
    start: number,
    end: number,
    out: Float32Array | Float64Array,
  ): void {
    const b = end - start;
    for (let j = 0; j < b; j++) {
      const row = this.rows[order[start + j]!]!;
      for (let i = 0; i < this.width; i++) out[i * b + j] = row[i]!;
    }
  }
}

/** The first column of `row` that is not a finite number, or `width` when there is none. */
function firstNonFinite(row: ArrayLike<number>, width: number): number {
  for (let c = 0; c < width; c++) {
    const v = row[c];
    if (typeof v !== 'number' || !Number.isFinite(v)) return c;
  }
  return width;
}

/** Inputs and targets checked against the network's widths N0 and NL. */
export function checkDataset(
  data: Dataset,
  architecture: readonly number[],
): { inputs: Samples; targets: Samples } {
  if (data === null || typeof data !== 'object') {
    throw new ShapeError('data must be { inputs, targets }, one row per sample.');
  }
  const n0 = architecture[0]!;
  const nL = architecture.at(-1)!;
  const inputs = new Samples(data.inputs, n0, 'inputs', ` The network takes N0 = ${n0} inputs.`);
  const targets = new Samples(
    data.targets,
    nL,
    'targets',
    ` The network has NL = ${nL} outputs${nL > 1 ? `; one-hot encode class labels with oneHot(labels, ${nL})` : ''}.`,
  );
  if (inputs.count !== targets.count) {
    throw new ShapeError(
      `inputs has ${inputs.count} rows but targets has ${targets.count}; give one target row per input row.`,
    );
  }
  return { inputs, targets };
}

/** Row `r` is one-hot for class `labels[r]` ∈ {0, …, classes − 1}. */
export function oneHot(labels: ArrayLike<number>, classes: number): number[][] {
  return Array.from({ length: labels.length }, (_, r) => {
    const label = labels[r]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new ShapeError(
        `oneHot: label ${r} is ${label}; labels must be integers in [0, ${classes - 1}].`,
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
  const samples = new Samples(rows, width, 'rows');
  const out = new Float64Array(width * samples.count);
  samples.columns(identityOrder(samples.count), 0, samples.count, out);
  return backend.fromArray(out, width, samples.count);
}

/** 0, 1, …, n − 1. */
export function identityOrder(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}
