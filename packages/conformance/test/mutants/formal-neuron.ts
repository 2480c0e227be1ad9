/**
 * Mutants in the kernels of `supports.fusedBias` (the formal neuron of Remark 1 without its
 * row of ones): the reference with one member replaced, behind the unchanged interface, so the
 * suite's test of these checks needs no other backend to have the kernels. The reference
 * computes in float64 only.
 */
import type { Backend, Matrix } from '@twostep/core/backend';
import { referenceBackend } from '@twostep/core/reference';
import type { Mutant } from './mutant.js';

/** The reference with the members `change` gives in place of its own (`undefined`: absent). */
function changed(change: (reference: Backend) => Partial<Backend>): Backend {
  const reference = referenceBackend();
  const members: Partial<Backend> = change(reference);
  return new Proxy(reference, {
    get: (target, property) =>
      property in members
        ? members[property as keyof Backend]
        : Reflect.get(target, property, target),
  });
}

const formalNeuron = (
  name: string,
  guard: RegExp,
  change: Parameters<typeof changed>[0],
): Mutant => ({
  name,
  guard,
  dtypes: ['float64'],
  create: () => changed(change),
});

/** A new matrix of `m`'s entries through `f` (the bug's effect on a right result). */
function edited(
  k: Backend,
  m: Matrix,
  f: (value: number, row: number, col: number, cols: number) => number,
): Matrix {
  const data = k.readSync!(m).map((v, n) => f(v, Math.floor(n / m.cols), n % m.cols, m.cols));
  k.dispose(m);
  return k.fromArray(data, m.rows, m.cols);
}

/** Columns [start, end) of `w` (W♯h is [0, cols − 1), the bias column cols − 1). */
const columns = (k: Backend, w: Matrix, start: number, end = w.cols) => k.sliceCols(w, start, end);

export const formalNeuronMutants: Mutant[] = [
  formalNeuron('affine forgets the bias: W♯h · X(h−1)', /^fused kernels: affine:/, (k) => ({
    affine: (w, x) => k.matMul(columns(k, w, 0, w.cols - 1), x),
  })),
  formalNeuron(
    'affine takes the first column of Wh as the bias',
    /^fused kernels: affine:/,
    (k) => ({
      affine: (w, x) => k.add(k.matMul(columns(k, w, 1), x), columns(k, w, 0, 1)),
    }),
  ),
  formalNeuron(
    'affine adds the bias only when the batch has more than one sample',
    /^fused kernels: affine:/,
    (k) => ({
      affine: (w, x) => (x.cols > 1 ? k.affine!(w, x) : k.matMul(columns(k, w, 0, w.cols - 1), x)),
    }),
  ),
  formalNeuron('affineGradient omits the bias column', /^fused kernels: affineGradient:/, (k) => ({
    affineGradient: (d, x) => k.matMul(d, x, { transposeB: true }),
  })),
  formalNeuron(
    'affineGradient takes the mean of δdown_h over the batch as the bias gradient',
    /^fused kernels: affineGradient:/,
    (k) => ({
      affineGradient: (d, x) =>
        edited(k, k.affineGradient!(d, x), (g, _, j, cols) => (j === cols - 1 ? g / x.cols : g)),
    }),
  ),
  formalNeuron(
    'affineDeltaUp multiplies by Wh without its first column instead of its last',
    /^fused kernels: affineDeltaUp:/,
    (k) => ({
      affineDeltaUp: (w, d) => k.matMul(columns(k, w, 1), d, { transposeA: true }),
    }),
  ),
  formalNeuron(
    'affineDeltaUp leaves out the transposition (a square W♯h keeps the shape)',
    /^fused kernels: affineDeltaUp:/,
    (k) => ({
      affineDeltaUp: (w, d) =>
        w.rows === w.cols - 1 ? k.matMul(columns(k, w, 0, w.cols - 1), d) : k.affineDeltaUp!(w, d),
    }),
  ),
  formalNeuron(
    'supports declares fusedBias without affineDeltaUp',
    /^fused kernels: declared kernels exist/,
    () => ({ affineDeltaUp: undefined }),
  ),
  formalNeuron(
    'the three kernels exist but supports does not declare fusedBias',
    /^fused kernels: fusedBias is declared when/,
    (k) => ({ supports: { ...k.supports, fusedBias: false } }),
  ),
];
