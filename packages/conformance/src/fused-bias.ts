/**
 * The kernels of `supports.fusedBias`: a layer's three products with the formal neuron of
 * Remark 1 (the bias, Wh's last column) without its row of ones. Each entry by entry against
 * the float64 reference and against the composition of basic ops the core falls back to
 * (`concatRows`, `fill`, `matMul`, `sliceCols`) on the backend itself; `supports` saying they
 * exist exactly when they do; and the rule and training through them against the same backend
 * with them hidden.
 */
import {
  type Backend,
  evaluate,
  fAdjoint,
  fPropagate,
  LEARNING_MODES,
  losses,
  Network,
  toColumns,
  train,
} from '@twostep/core';
import {
  type AffineKernel,
  type FusedKernelFlag,
  type Matrix,
  ShapeError,
} from '@twostep/core/backend';
import * as ref from '@twostep/core/reference';
import { type Check, expectClose, expectThrows, fail, OP_ULPS, tolerance } from './check.js';
import { DATA } from './data.js';
import { declaredWhenPresent } from './fused.js';
import { abs, held, shape, someHost } from './shapes.js';
import { check, download, expectMatrix, scoped } from './util.js';

const AREA = 'fused kernels';

/**
 * Layers (Nh, N(h−1), B): one of each (Wh 1×2); batch 1 (X(h−1) and δdown_h are columns); one
 * neuron (Wh and δdown_h are rows); one input (W♯h is a column); square W♯h, X(h−1) and δdown_h,
 * where a transposition forgotten or added keeps every shape; odd sizes around blocks of 8 and
 * 64; inner sizes past 1024 (Wh of 1025 columns, a batch of 1025).
 */
const LAYERS: [nh: number, n: number, b: number][] = [
  [1, 1, 1],
  [5, 3, 1],
  [1, 7, 9],
  [7, 1, 5],
  [6, 6, 6],
  [9, 8, 7],
  [17, 65, 3],
  [64, 63, 65],
  [3, 1024, 2],
  [2, 3, 1025],
];

type Held = Awaited<ReturnType<typeof held>>;

/** The formal neuron's row of ones under X(h−1), made of basic ops (Remark 1). */
const withOnes = (k: Backend, x: Matrix) => k.concatRows(x, k.fill(1, x.cols, 1));

interface Kernel {
  readonly op: AffineKernel;
  /** What it computes, with the paper's equations. */
  readonly equation: string;
  /** Its operands, of a layer's Wh, X(h−1) (without the row of ones) and δdown_h. */
  readonly operands: (w: Held, x: Held, d: Held) => [Held, Held];
  readonly reference: (a: ref.Host, b: ref.Host) => ref.Host;
  /** The core's composition without the kernel, on the backend, and how it reads. */
  readonly composed: (k: Backend, a: Matrix, b: Matrix) => Matrix;
  readonly composition: string;
  /** The terms each entry sums: a sum of k terms may round k more times (`OP_ULPS + k`). */
  readonly terms: (nh: number, n: number, b: number) => number;
  /** Operands of shapes it rejects (a ShapeError naming the op). */
  readonly rejects: [rows: number, cols: number][];
}

const KERNELS: Kernel[] = [
  {
    op: 'affine',
    equation: 'Yh = W♯h · X(h−1) + bh (eq. 1, 20, Remark 1)',
    operands: (w, x) => [w, x],
    reference: ref.affine,
    composed: (k, w, x) => k.matMul(w, withOnes(k, x)),
    composition: 'matMul(W, concatRows(X, fill(1, B, 1)))',
    terms: (_, n) => n + 1,
    rejects: [
      [3, 4],
      [4, 5], // X with the row of ones already
    ],
  },
  {
    op: 'affineGradient',
    equation: '∂J/∂Wh = [δdown_h · X(h−1)ᵀ | δdown_h · 1] (eq. 6, 22)',
    operands: (_, x, d) => [d, x],
    reference: ref.affineGradient,
    composed: (k, d, x) => k.matMul(d, withOnes(k, x), { transposeB: true }),
    composition: 'matMul(δdown, concatRows(X, fill(1, B, 1)), { transposeB })',
    terms: (_, __, b) => b,
    rejects: [
      [3, 5],
      [4, 6], // another batch
    ],
  },
  {
    op: 'affineDeltaUp',
    equation: 'δup_h−1 = (W♯h)ᵀ · δdown_h (eq. 13, 25)',
    operands: (w, _, d) => [w, d],
    reference: ref.affineDeltaUp,
    composed: (k, w, d) => k.matMul(k.sliceCols(w, 0, w.cols - 1), d, { transposeA: true }),
    composition: 'matMul(sliceCols(W, 0, N), δdown, { transposeA })',
    terms: (nh) => nh,
    rejects: [
      [3, 4],
      [4, 5], // δdown of another layer
    ],
  },
];

/**
 * The kernel on every layer of LAYERS (data uniform or of wide range), against the reference
 * and against the composition, each entry measured against Σ|terms| (the kernel of |a|, |b|);
 * the two results may each be off by OP_ULPS + k, so twice that from each other.
 */
async function checkKernel(backend: Backend, kernel: Kernel): Promise<void> {
  await scoped(backend, async (k) => {
    for (const [s, [nh, n, b]] of LAYERS.entries()) {
      const seed = 700 + 3 * s;
      const w = await held(k, someHost(seed, nh, n + 1));
      const x = await held(k, someHost(seed + 1, n, b));
      const d = await held(k, someHost(seed + 2, nh, b));
      const [p, q] = kernel.operands(w, x, d);
      const what = `${kernel.op}(${shape(p.h)}, ${shape(q.h)}) (Nh = ${nh}, N(h−1) = ${n}, B = ${b})`;
      const ulps = OP_ULPS + kernel.terms(nh, n, b);
      const scale = kernel.reference(abs(p.h), abs(q.h)).data;
      const out = k[kernel.op]!(p.m, q.m);
      await expectMatrix(k, what, out, kernel.reference(p.h, q.h), { ulps, scale });
      const composed = await download(k, kernel.composed(k, p.m, q.m));
      await expectMatrix(k, `${what} against ${kernel.composition}`, out, composed, {
        ulps: 2 * ulps,
        scale,
      });
    }
    const [a, c] = kernel.rejects.map(([r, cols]) => k.fill(r, cols, 1));
    const bad = `${kernel.op}(${shape(a!)}, ${shape(c!)})`;
    expectThrows(bad, () => k[kernel.op]!(a!, c!), ShapeError, new RegExp(`^${kernel.op}: `));
  });
}

/** The backend with only the fusedBias kernels hidden: the row of ones and W♯h's slice again. */
const basicBias = (backend: Backend) => ref.withoutFusedKernels(backend, ['fusedBias']);

/** Every quantity of fPropagate and fAdjoint of a batch of `samples`, read back. */
async function ruleOf(k: Backend, net: Network, samples: number) {
  const [x, t] = [DATA.inputs, DATA.targets].map((rows) => toColumns(k, rows.slice(0, samples)));
  const F = fPropagate(k, net, x!);
  const { deltaUp } = losses.softmaxCrossEntropy.forward(k, F.X.at(-1)!, t!, 'mean');
  const A = fAdjoint(k, net, F, deltaUp);
  const read = (ms: Matrix[]) => Promise.all(ms.map((m) => download(k, m)));
  return {
    X: await read(F.X),
    Y: await read(F.Y),
    deltaUp: await read(A.deltaUp),
    deltaDown: await read(A.deltaDown),
    gradients: await read(A.gradients),
  };
}

const network = () =>
  Network.create({
    architecture: 'A[3,5,4,2]',
    activations: [['relu', 'tanh', 'softplus', 'sigmoid', 'leakyRelu'], 'tanh', 'identity'],
    seed: 17,
  });

/** fPropagate and fAdjoint through the kernels equal the same without them, quantity by quantity. */
async function compareRule(backend: Backend): Promise<void> {
  const tol = tolerance(backend).training;
  for (const samples of [1, 8]) {
    const net = network();
    const fused = await scoped(backend, (k) => ruleOf(k, net, samples));
    const basic = await scoped(basicBias(backend), (k) => ruleOf(k, net, samples));
    for (const key of ['X', 'Y', 'deltaUp', 'deltaDown', 'gradients'] as const) {
      fused[key].forEach((m, i) => {
        const what = `fusedBias: ${key}[${i}] of a batch of ${samples}`;
        const other = basic[key][i]!;
        // X0 … X(L−1) show the formal neuron's row whichever path computed them.
        if (shape(m) !== shape(other))
          fail(`${what} is ${shape(m)} through the kernels, ${shape(other)} without them.`);
        expectClose(`${what}, through the kernels against without them`, m.data, other.data, tol);
      });
    }
    net.release(backend);
  }
}

const QUANTITIES = ['loss of every epoch', 'trained weights', "evaluate's loss and accuracy"];

/**
 * Training in every mode, then evaluation, through `flag`'s kernels and with them hidden: every
 * epoch's loss, the trained weights, the loss and accuracy.
 */
export async function compareTraining(backend: Backend, flag: FusedKernelFlag): Promise<void> {
  const tol = tolerance(backend).training;
  for (const mode of LEARNING_MODES) {
    const runs = [];
    for (const k of [backend, ref.withoutFusedKernels(backend, [flag])]) {
      const net = network();
      const loss = 'softmaxCrossEntropy';
      const { history } = await train(k, net, DATA, {
        mode,
        loss,
        optimizer: { name: 'sgd', learningRate: 0.1 },
        epochs: 3,
        batchSize: 8,
        seed: 2,
      });
      // Batches of 5: the last one partial.
      const evaluation = await evaluate(k, net, DATA, { loss, batchSize: 5 });
      net.release(k);
      runs.push([
        history.map((e) => e.loss),
        net.getWeights().flat(2),
        [evaluation.loss, evaluation.accuracy],
      ]);
    }
    const what = `${flag}: training in ${mode} mode through the kernels against without them`;
    for (const [i, quantity] of QUANTITIES.entries()) {
      expectClose(`${what}, ${quantity}`, runs[0]![i]!, runs[1]![i]!, tol);
    }
  }
}

const fusedBias = (b: Backend) => b.supports.fusedBias === true;

export const fusedBiasChecks: Check[] = [
  declaredWhenPresent('fusedBias'),
  ...KERNELS.map((kernel) =>
    check(
      AREA,
      `${kernel.op}: ${kernel.equation}, against the reference and against ${kernel.composition}`,
      (backend) => checkKernel(backend, kernel),
      fusedBias,
    ),
  ),
  check(
    AREA,
    'fusedBias: fPropagate, fAdjoint, training and evaluation through the kernels equal the same without them',
    async (backend) => {
      await compareRule(backend);
      await compareTraining(backend, 'fusedBias');
    },
    fusedBias,
  ),
];
