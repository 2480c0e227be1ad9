/**
 * Mutants of backend-ts that compute a wrong value: each is the real TsBackend with one bug of
 * the kind a backend author writes (a kernel edge case, a partial last block, a formula that
 * loses accuracy), behind the unchanged interface.
 */
import type { MatMulOptions, UnaryOp } from '@twostep/core/backend';
import { TsBackend, type TsMatrix } from '../../../backend-ts/src/index.js';
import { at, edit, type Mutant, mutant } from './mutant.js';

/** Σ over inner indices [from, k) of op(a)ᵢₖ·op(b)ₖⱼ: the terms a blocked kernel may drop. */
function tail(a: TsMatrix, b: TsMatrix, o: MatMulOptions, i: number, j: number, from: number) {
  const k = o.transposeA ? a.rows : a.cols;
  let s = 0;
  for (let p = from; p < k; p++) {
    s += (o.transposeA ? at(a, p, i) : at(a, i, p)) * (o.transposeB ? at(b, j, p) : at(b, p, j));
  }
  return s;
}

const unaryWith = (op: UnaryOp, f: (x: number, right: number) => number) =>
  class extends TsBackend {
    override unary(which: UnaryOp, a: TsMatrix): TsMatrix {
      const out = super.unary(which, a);
      return which === op ? edit(out, (y, _i, _j, n) => f(a.data[n]!, y)) : out;
    }
  };

export const valueMutants: Mutant[] = [
  mutant(
    'matMul drops the partial last block of the inner dimension (k > 64, k % 8 ≠ 0)',
    /^ops: matMul/,
    class extends TsBackend {
      override matMul(a: TsMatrix, b: TsMatrix, o: MatMulOptions = {}): TsMatrix {
        const out = super.matMul(a, b, o);
        const k = o.transposeA ? a.rows : a.cols;
        if (k <= 64 || k % 8 === 0) return out;
        return edit(out, (y, i, j) => y - tail(a, b, o, i, j, k - (k % 8)));
      }
    },
  ),
  mutant(
    'matMul ignores transposeB when b is square',
    /^ops: matMul/,
    class extends TsBackend {
      override matMul(a: TsMatrix, b: TsMatrix, o: MatMulOptions = {}): TsMatrix {
        const square = b.rows === b.cols;
        return super.matMul(a, b, square ? { ...o, transposeB: false } : o);
      }
    },
  ),
  mutant(
    'matMul accumulates a matrix-vector product (n = 1) in float32',
    /^ops: matMul/,
    class extends TsBackend {
      override matMul(a: TsMatrix, b: TsMatrix, o: MatMulOptions = {}): TsMatrix {
        const out = super.matMul(a, b, o);
        return out.cols === 1 ? edit(out, Math.fround) : out;
      }
    },
    ['float64'],
  ),
  mutant(
    'matMul leaves the last rows unwritten when m % 4 ≠ 0 (m > 4)',
    /^(ops: matMul|handles: results never carry stale)/,
    class extends TsBackend {
      override matMul(a: TsMatrix, b: TsMatrix, o: MatMulOptions = {}): TsMatrix {
        const out = super.matMul(a, b, o);
        const whole = out.rows - (out.rows % 4);
        return out.rows > 4 ? edit(out, (y, i) => (i < whole ? y : 0)) : out;
      }
    },
  ),
  mutant(
    'add of a broadcast column indexes the column by j when a is square',
    /^ops: add/,
    class extends TsBackend {
      override add(a: TsMatrix, b: TsMatrix): TsMatrix {
        const out = super.add(a, b);
        if (b.cols !== 1 || a.cols === 1 || a.rows !== a.cols) return out;
        return edit(out, (_, i, j) => at(a, i, j) + b.data[j]!);
      }
    },
  ),
  mutant(
    'sub of a broadcast column computes b − a',
    /^ops: sub/,
    class extends TsBackend {
      override sub(a: TsMatrix, b: TsMatrix): TsMatrix {
        const out = super.sub(a, b);
        return b.cols === 1 && a.cols > 1 ? edit(out, (y) => -y) : out;
      }
    },
  ),
  mutant(
    'div by zero gives 0 ("safe" division)',
    /^ops: div/,
    class extends TsBackend {
      override div(a: TsMatrix, b: TsMatrix): TsMatrix {
        return edit(super.div(a, b), (y) => (Number.isFinite(y) ? y : 0));
      }
    },
  ),
  mutant(
    'mul flushes subnormal products to zero',
    /^ops: mul/,
    class extends TsBackend {
      override mul(a: TsMatrix, b: TsMatrix): TsMatrix {
        const tiny = this.dtype === 'float32' ? 2 ** -126 : 2 ** -1022;
        return edit(super.mul(a, b), (y) => (Math.abs(y) < tiny ? 0 : y));
      }
    },
  ),
  mutant(
    'scale drops the offset when s = 1',
    /^ops: scale/,
    class extends TsBackend {
      override scale(a: TsMatrix, s: number, t = 0): TsMatrix {
        return s === 1 ? super.scale(a, 1, 0) : super.scale(a, s, t);
      }
    },
  ),
  mutant(
    'scale by 0 is a fill with t (NaN and ±Infinity times 0 lost)',
    /^ops: scale/,
    class extends TsBackend {
      override scale(a: TsMatrix, s: number, t = 0): TsMatrix {
        return s === 0 ? this.fill(a.rows, a.cols, t) : super.scale(a, s, t);
      }
    },
  ),
  mutant(
    'exp overflows to NaN instead of Infinity',
    /^ops: unary exp/,
    unaryWith('exp', (_, y) => (y === Number.POSITIVE_INFINITY ? Number.NaN : y)),
  ),
  mutant(
    'log(0) is NaN instead of −Infinity',
    /^ops: unary log/,
    unaryWith('log', (x, y) => (x === 0 ? Number.NaN : y)),
  ),
  mutant(
    'sigmoid as (1 + tanh(x/2)) / 2, which loses every digit for x ≪ 0',
    /^ops: unary sigmoid/,
    unaryWith('sigmoid', (x) => (1 + Math.tanh(x / 2)) / 2),
  ),
  mutant(
    'softplus as log(1 + eˣ)',
    /^ops: unary softplus/,
    unaryWith('softplus', (x) => Math.log(1 + Math.exp(x))),
  ),
  mutant(
    'tanh as (e²ˣ − 1) / (e²ˣ + 1)',
    /^ops: unary tanh/,
    unaryWith('tanh', (x) => (Math.exp(2 * x) - 1) / (Math.exp(2 * x) + 1)),
  ),
  mutant(
    'step(0) is 1',
    /^ops: unary step/,
    unaryWith('step', (x, y) => (x === 0 ? 1 : y)),
  ),
  mutant(
    'sqrt of a negative number is 0',
    /^ops: unary sqrt/,
    unaryWith('sqrt', (x, y) => (x < 0 ? 0 : y)),
  ),
  mutant(
    'clamp turns NaN into lo',
    /^ops: clamp/,
    class extends TsBackend {
      override clamp(a: TsMatrix, lo: number, hi: number): TsMatrix {
        return edit(super.clamp(a, lo, hi), (y) => (Number.isNaN(y) ? lo : y));
      }
    },
  ),
  mutant(
    'sum accumulates in float32 on a float64 backend',
    /^ops: sum/,
    class extends TsBackend {
      override sum(a: TsMatrix): TsMatrix {
        let s = 0;
        for (const x of a.data) s = Math.fround(s + x);
        return edit(super.sum(a), () => s);
      }
    },
    ['float64'],
  ),
  mutant(
    'sum by blocks of 4 drops the tail (n % 4 ≠ 0)',
    /^ops: sum/,
    class extends TsBackend {
      override sum(a: TsMatrix): TsMatrix {
        const n = a.data.length;
        let dropped = 0;
        for (let i = n - (n % 4); i < n && n > 4; i++) dropped += a.data[i]!;
        return edit(super.sum(a), (y) => y - dropped);
      }
    },
  ),
  mutant(
    'logSoftmax takes the first row as the column maximum',
    /^ops: logSoftmax/,
    class extends TsBackend {
      override logSoftmax(a: TsMatrix): TsMatrix {
        return edit(super.logSoftmax(a), (_, i, j) => {
          const m = at(a, 0, j);
          let s = 0;
          for (let r = 0; r < a.rows; r++) s += Math.exp(at(a, r, j) - m);
          return at(a, i, j) - m - Math.log(s);
        });
      }
    },
  ),
  mutant(
    'logSoftmax without subtracting the maximum',
    /^ops: logSoftmax/,
    class extends TsBackend {
      override logSoftmax(a: TsMatrix): TsMatrix {
        return edit(super.logSoftmax(a), (_, i, j) => {
          let s = 0;
          for (let r = 0; r < a.rows; r++) s += Math.exp(at(a, r, j));
          return at(a, i, j) - Math.log(s);
        });
      }
    },
  ),
  mutant(
    'sliceCols copies in chunks of 1024 columns and drops a partial last chunk',
    /^ops: sliceCols/,
    class extends TsBackend {
      override sliceCols(a: TsMatrix, start: number, end: number): TsMatrix {
        const whole = end - start - ((end - start) % 1024);
        const out = super.sliceCols(a, start, end);
        return end - start > 1024 ? edit(out, (y, _, j) => (j < whole ? y : 0)) : out;
      }
    },
  ),
  mutant(
    'concatRows shifts b by a row when a has one row',
    /^ops: concatRows/,
    class extends TsBackend {
      override concatRows(a: TsMatrix, b: TsMatrix): TsMatrix {
        const out = super.concatRows(a, b);
        if (a.rows !== 1 || b.rows < 2) return out;
        return edit(out, (y, i, j) => (i >= 1 && i < out.rows - 1 ? at(b, i, j) : y));
      }
    },
  ),
];
