/**
 * The kernel of `supports.fusedTranspose`: `fromColumns`, a rows × cols matrix from
 * column-major data, entry (i, j) at data[j · rows + i] (a batch whose samples lie one after
 * another). What `fromArray` of the transposed data gives, bit for bit, on shapes across tile
 * and block edges and at the dtype's edge values; the data left as it was; `supports` saying it
 * exists exactly when it does; training and evaluation through it against the same backend
 * with it hidden. Its length and shape errors: the `op errors` area.
 */
import type { Backend } from '@twostep/core/backend';
import type { Host } from '@twostep/core/reference';
import { type Check, expectClose, fail } from './check.js';
import { declaredWhenPresent } from './fused.js';
import { compareTraining } from './fused-bias.js';
import { GARBAGE } from './handles-calls.js';
import { edgeHost } from './ops.js';
import { shape, someHost } from './shapes.js';
import { check, scoped } from './util.js';

const AREA = 'fused kernels';

/**
 * Every rows × cols for rows, cols in 1…9 (both sides of tiles of 2, 4 and 8), then the edges
 * of larger blocks: 17×65, 64×63, an MNIST batch of 64 (784×64), 3×1025 and 1025×2.
 */
const SHAPES: [number, number][] = [
  ...Array.from({ length: 81 }, (_, n): [number, number] => [Math.floor(n / 9) + 1, (n % 9) + 1]),
  [17, 65],
  [64, 63],
  [784, 64],
  [3, 1025],
  [1025, 2],
];

/** The dtype's edge values (`edgeHost`) in a row, a column, a square and odd shapes. */
const EDGE_SHAPES: [number, number][] = [
  [1, 16],
  [16, 1],
  [4, 4],
  [9, 7],
  [17, 65],
];

type Source = number[] | Float32Array | Float64Array;

/** The array types data comes in, each made from float64 data. */
const SOURCES: [string, (data: ArrayLike<number>) => Source][] = [
  ['a number[]', (d) => Array.from(d)],
  ['a Float32Array', (d) => Float32Array.from(d)],
  ['a Float64Array', (d) => Float64Array.from(d)],
];

/** h's data in column-major order: entry (i, j) at j · rows + i. */
const columnMajor = ({ rows, cols, data }: Host) =>
  Float64Array.from(data, (_, n) => data[(n % rows) * cols + Math.floor(n / rows)]!);

const shown = (x: number) => (Object.is(x, -0) ? '-0' : String(x));

/**
 * fromColumns of h's data in column-major order, made by `as`, must hold exactly the bits
 * fromArray gives for h's data made by `as` (−0 stays −0, NaN stays NaN). Returns the data.
 */
async function expectTransposed(
  k: Backend,
  h: Host,
  [of, as]: (typeof SOURCES)[number] = SOURCES[2]!,
): Promise<Source> {
  const what = `fromColumns(${shape(h)} of ${of})`;
  const data = as(columnMajor(h));
  const m = k.fromColumns!(data, h.rows, h.cols);
  if (m.rows !== h.rows || m.cols !== h.cols) fail(`${what}: the result is ${shape(m)}.`);
  const [actual, expected] = await Promise.all([
    k.read(m),
    k.read(k.fromArray(as(h.data), h.rows, h.cols)),
  ]);
  const n = expected.findIndex((x, i) => !Object.is(actual[i], x));
  if (n >= 0) {
    const [i, j] = [Math.floor(n / h.cols), n % h.cols];
    fail(
      `${what}: entry (${i}, ${j}) is ${shown(actual[n]!)}, expected ${shown(expected[n]!)} ` +
        `exactly: data[${j * h.rows + i}], as fromArray of the transposed data holds it.`,
    );
  }
  return data;
}

const fusedTranspose = (b: Backend) => b.supports.fusedTranspose === true;

/** `fromColumns: name`: expectTransposed on each of `shapes`, the `s`th of data from `host`. */
const transposedCheck = (
  name: string,
  shapes: [number, number][],
  host: (k: Backend, s: number, rows: number, cols: number) => Host,
) =>
  check(
    AREA,
    `fromColumns: ${name}`,
    (backend) =>
      scoped(backend, async (k) => {
        for (const [s, [rows, cols]] of shapes.entries()) {
          await expectTransposed(k, host(k, s, rows, cols));
        }
      }),
    fusedTranspose,
  );

export const fusedTransposeChecks: Check[] = [
  declaredWhenPresent('fusedTranspose'),
  transposedCheck(
    'fromArray of the transposed data, exactly, on every shape to 9×9 and across tiles and blocks',
    SHAPES,
    (_, s, rows, cols) => someHost(800 + s, rows, cols),
  ),
  transposedCheck(
    'NaN, ±0, ±Infinity, subnormals, huge and tiny values as fromArray keeps them',
    EDGE_SHAPES,
    (k, _, rows, cols) => edgeHost(k, rows, cols),
  ),
  check(
    AREA,
    'fromColumns: of a number[], a Float32Array or a Float64Array; the data left as it was, and not held',
    (backend) =>
      scoped(backend, async (k) => {
        const h = someHost(900, 7, 5);
        for (const source of SOURCES) {
          const data = await expectTransposed(k, h, source);
          const what = `fromColumns(${shape(h)} of ${source[0]})`;
          expectClose(`${what}: the data after the call`, data, source[1](columnMajor(h)), 0);
          // A matrix holds a copy: changing the data afterwards changes no matrix.
          const m = k.fromColumns!(data, h.rows, h.cols);
          const held = await k.read(m);
          data.fill(GARBAGE[1]);
          expectClose(`${what}: the matrix after the data was changed`, await k.read(m), held, 0);
        }
      }),
    fusedTranspose,
  ),
  check(
    AREA,
    'fusedTranspose: training and evaluation through fromColumns equal the same without it',
    (backend) => compareTraining(backend, 'fusedTranspose'),
    fusedTranspose,
  ),
];
