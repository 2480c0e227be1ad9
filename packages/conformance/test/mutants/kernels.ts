/**
 * Mutants of backend-ts in its fused kernels, its operand checks and its determinism: bugs that
 * show in one activation, one optimizer setting, one error path or one run in two.
 */
import {
  type AdamStep,
  type FusedActivation,
  type Matrix,
  UNARY_OPS,
  type UnaryOp,
} from '@twostep/core/backend';
import { TsBackend, type TsMatrix } from '../../../backend-ts/src/index.js';
import { at, edit, type Mutant, mutant, padding } from './mutant.js';

/** A matrix of another instance (or dtype) re-uploaded here: what a missing check lets through. */
function adopt(backend: TsBackend, m: TsMatrix): TsMatrix {
  const own =
    (m as Matrix & { backend?: unknown }).backend === backend && m.dtype === backend.dtype;
  return own || m.isDisposed ? m : backend.fromArray(m.data, m.rows, m.cols);
}

export const kernelMutants: Mutant[] = [
  mutant(
    'activate ignores leaky relu’s alpha (always 0.01)',
    /^fused kernels: activate and deltaDown for leakyRelu/,
    class extends TsBackend {
      override activate(y: TsMatrix, act: FusedActivation): TsMatrix {
        return super.activate(y, act.kind === 'leakyRelu' ? { ...act, alpha: 0.01 } : act);
      }
    },
  ),
  mutant(
    'deltaDown of softplus takes σ(|Y|)',
    /^fused kernels: activate and deltaDown for softplus/,
    class extends TsBackend {
      override deltaDown(up: TsMatrix, y: TsMatrix, act: FusedActivation): TsMatrix {
        const out = super.deltaDown(up, y, act);
        if (act.kind !== 'softplus') return out;
        return edit(out, (_, i, j) => at(up, i, j) / (1 + Math.exp(-Math.abs(at(y, i, j)))));
      }
    },
  ),
  mutant(
    'deltaDown of tanh evaluates σ′ at σ(Y) instead of Y',
    /^fused kernels: activate and deltaDown for tanh/,
    class extends TsBackend {
      override deltaDown(up: TsMatrix, y: TsMatrix, act: FusedActivation): TsMatrix {
        if (act.kind !== 'tanh') return super.deltaDown(up, y, act);
        const x = super.activate(y, act);
        const out = super.deltaDown(up, x, act);
        this.dispose(x);
        return out;
      }
    },
  ),
  mutant(
    'deltaDown of relu passes δup at Y = 0',
    /^fused kernels: activate and deltaDown for relu/,
    class extends TsBackend {
      override deltaDown(up: TsMatrix, y: TsMatrix, act: FusedActivation): TsMatrix {
        const out = super.deltaDown(up, y, act);
        if (act.kind !== 'relu') return out;
        return edit(out, (d, i, j) => (at(y, i, j) === 0 ? at(up, i, j) : d));
      }
    },
  ),
  mutant(
    'activate cuts sigmoid to 0 below −20 (a "fast" sigmoid)',
    /^fused kernels: activate and deltaDown for sigmoid/,
    class extends TsBackend {
      override activate(y: TsMatrix, act: FusedActivation): TsMatrix {
        const out = super.activate(y, act);
        if (act.kind !== 'sigmoid') return out;
        return edit(out, (s, i, j) => (at(y, i, j) < -20 ? 0 : s));
      }
    },
  ),
  mutant(
    'adam puts ε inside the square root',
    /^fused kernels: adam/,
    class extends TsBackend {
      override adam(w: TsMatrix, g: TsMatrix, m: TsMatrix, v: TsMatrix, step: AdamStep) {
        const out = super.adam(w, g, m, v, step);
        edit(out.w, (_, i, j) => {
          const d = at(out.m, i, j) / Math.sqrt(at(out.v, i, j) + step.epsilon);
          return at(w, i, j) - step.stepSize * d;
        });
        return out;
      }
    },
  ),
  mutant(
    'adam uses the default β2 = 0.999 whatever the step says',
    /^(fused kernels: adam|optimizers and learning modes)/,
    class extends TsBackend {
      override adam(w: TsMatrix, g: TsMatrix, m: TsMatrix, v: TsMatrix, step: AdamStep) {
        return super.adam(w, g, m, v, { ...step, beta2: 0.999 });
      }
    },
  ),
  mutant(
    'axpy rounds α to float32 on a float64 backend',
    /^fused kernels: axpy/,
    class extends TsBackend {
      override axpy(alpha: number, x: TsMatrix, y: TsMatrix): TsMatrix {
        return super.axpy(Math.fround(alpha), x, y);
      }
    },
    ['float64'],
  ),
  mutant(
    'axpy loses the sign of α',
    /^fused kernels: axpy/,
    class extends TsBackend {
      override axpy(alpha: number, x: TsMatrix, y: TsMatrix): TsMatrix {
        return super.axpy(Math.abs(alpha), x, y);
      }
    },
  ),
  mutant(
    'axpy takes any α in (0.5, 1) for momentum’s default μ = 0.9',
    /^(fused kernels: axpy|optimizers and learning modes)/,
    class extends TsBackend {
      override axpy(alpha: number, x: TsMatrix, y: TsMatrix): TsMatrix {
        return super.axpy(alpha > 0.5 && alpha < 1 ? 0.9 : alpha, x, y);
      }
    },
  ),
  mutant(
    'sliceCols reads a disposed operand as zeros',
    /^op errors: rejects disposed operands/,
    class extends TsBackend {
      override sliceCols(a: TsMatrix, start: number, end: number): TsMatrix {
        return a.isDisposed ? this.fill(a.rows, end - start, 0) : super.sliceCols(a, start, end);
      }
    },
  ),
  mutant(
    'concatRows accepts an operand of the other dtype',
    /^op errors: rejects operands of another dtype/,
    class extends TsBackend {
      override concatRows(a: TsMatrix, b: TsMatrix): TsMatrix {
        return super.concatRows(adopt(this, a), adopt(this, b));
      }
    },
  ),
  mutant(
    'matMul accepts matrices of another instance',
    /^op errors: rejects matrices of another instance/,
    class extends TsBackend {
      override matMul(a: TsMatrix, b: TsMatrix, o = {}): TsMatrix {
        return super.matMul(adopt(this, a), adopt(this, b), o);
      }
    },
  ),
  mutant(
    'mul broadcasts a row as if it were a column',
    /^op errors: rejects bad shapes/,
    class extends TsBackend {
      override mul(a: TsMatrix, b: TsMatrix): TsMatrix {
        if (b.rows !== 1 || a.rows === 1 || b.cols !== a.cols) return super.mul(a, b);
        const out = this.fill(a.rows, a.cols, 0);
        return edit(out, (_, i, j) => at(a, i, j) * at(b, 0, j));
      }
    },
  ),
  mutant(
    'unary treats an unknown op as the identity',
    /^op errors: /,
    class extends TsBackend {
      override unary(op: UnaryOp, a: TsMatrix): TsMatrix {
        return UNARY_OPS.includes(op) ? super.unary(op, a) : this.copy(a);
      }
    },
  ),
  mutant(
    'fromArray pads missing values with zeros',
    /^op errors: rejects bad shapes/,
    padding('fromArray'),
  ),
  mutant(
    'matMul sums its blocks in a different order on every call (last bits differ)',
    /^determinism/,
    class extends TsBackend {
      override matMul(a: TsMatrix, b: TsMatrix, o = {}): TsMatrix {
        const out = super.matMul(a, b, o);
        const wobble =
          1 + (Math.random() < 0.5 ? 1 : -1) * (this.dtype === 'float32' ? 2 ** -23 : 2 ** -52);
        out.data[0] = out.data[0]! * wobble;
        return out;
      }
    },
  ),
];
