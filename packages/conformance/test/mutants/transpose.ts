/**
 * Mutants of backend-ts in `fromColumns` (`supports.fusedTranspose`): a rows × cols matrix from
 * column-major data, entry (i, j) at data[j · rows + i], as fromArray of the transposed data.
 */
import { TsBackend, type TsMatrix } from '../../../backend-ts/src/index.js';
import { at, edit, type Mutant, mutant, padding, replacing } from './mutant.js';

const EXACT = /^fused kernels: fromColumns: fromArray of the transposed data/;

export const transposeMutants: Mutant[] = [
  mutant(
    'fromColumns forgets the transpose: fromArray of the data as it lies',
    EXACT,
    class extends TsBackend {
      override fromColumns(data: ArrayLike<number>, rows: number, cols: number): TsMatrix {
        return this.fromArray(data, rows, cols);
      }
    },
  ),
  mutant(
    'fromColumns reads entry (i, j) at data[j · cols + i] (right on square shapes only)',
    EXACT,
    class extends TsBackend {
      override fromColumns(data: ArrayLike<number>, rows: number, cols: number): TsMatrix {
        return edit(super.fromColumns(data, rows, cols), (_, i, j) => data[j * cols + i]!);
      }
    },
  ),
  mutant(
    'fromColumns stops a column short: the last column repeats the one before',
    EXACT,
    class extends TsBackend {
      override fromColumns(data: ArrayLike<number>, rows: number, cols: number): TsMatrix {
        const out = super.fromColumns(data, rows, cols);
        return edit(out, (x, i, j) => (j > 0 && j === cols - 1 ? at(out, i, j - 1) : x));
      }
    },
  ),
  mutant(
    'supports declares fusedTranspose without fromColumns',
    /^fused kernels: declared kernels exist/,
    replacing('fromColumns', () => undefined),
  ),
  mutant(
    'fromColumns exists but supports does not declare fusedTranspose',
    /^fused kernels: fusedTranspose is declared when fromColumns exists/,
    replacing('supports', (b) => ({ ...b.supports, fusedTranspose: false })),
  ),
  mutant(
    'fromColumns pads short data with zeros (no length check)',
    /^op errors: rejects bad shapes/,
    padding('fromColumns'),
  ),
];
