/**
 * One valid call of every op of the contract, fused kernels included: what the checks that
 * hold for every op (handles, errors) iterate over, so that an op added to the contract is
 * checked by adding it here once.
 */
import {
  ACTIVATION_NAMES,
  type Backend,
  type FusedKernelFlag,
  type Matrix,
  UNARY_OPS,
} from '@twostep/core/backend';

export interface OpCall {
  /** The op and its variant, e.g. `matMul with transposeB`, `unary exp`. */
  readonly name: string;
  /** The operands' shapes, rows × cols. */
  readonly operands: readonly (readonly [rows: number, cols: number])[];
  /** Calls the op on operands of those shapes; every matrix it returns. */
  readonly call: (k: Backend, ...operands: Matrix[]) => Matrix[];
  /** The `supports` flag an optional kernel needs. */
  readonly needs?: FusedKernelFlag;
}

const ADAM = { stepSize: 0.01, beta1: 0.8, beta2: 0.95, epsilon: 1e-6 };

export const OP_CALLS: readonly OpCall[] = [
  { name: 'copy', operands: [[3, 4]], call: (k, a) => [k.copy(a!)] },
  {
    name: 'matMul',
    operands: [
      [3, 4],
      [4, 5],
    ],
    call: (k, a, b) => [k.matMul(a!, b!)],
  },
  {
    name: 'matMul with transposeA',
    operands: [
      [4, 3],
      [4, 5],
    ],
    call: (k, a, b) => [k.matMul(a!, b!, { transposeA: true })],
  },
  {
    name: 'matMul with transposeB',
    operands: [
      [3, 4],
      [5, 4],
    ],
    call: (k, a, b) => [k.matMul(a!, b!, { transposeB: true })],
  },
  ...(['add', 'sub', 'mul', 'div'] as const).flatMap((op): OpCall[] => [
    {
      name: op,
      operands: [
        [3, 4],
        [3, 4],
      ],
      call: (k, a, b) => [k[op](a!, b!)],
    },
    {
      name: `${op} of a column`,
      operands: [
        [3, 4],
        [3, 1],
      ],
      call: (k, a, b) => [k[op](a!, b!)],
    },
  ]),
  { name: 'scale', operands: [[3, 4]], call: (k, a) => [k.scale(a!, -2, 0.5)] },
  ...UNARY_OPS.map(
    (op): OpCall => ({
      name: `unary ${op}`,
      operands: [[3, 4]],
      call: (k, a) => [k.unary(op, a!)],
    }),
  ),
  { name: 'clamp', operands: [[3, 4]], call: (k, a) => [k.clamp(a!, -0.5, 0.5)] },
  { name: 'sum', operands: [[3, 4]], call: (k, a) => [k.sum(a!)] },
  { name: 'logSoftmax', operands: [[3, 4]], call: (k, a) => [k.logSoftmax(a!)] },
  { name: 'sliceCols', operands: [[3, 4]], call: (k, a) => [k.sliceCols(a!, 1, 3)] },
  {
    name: 'concatRows',
    operands: [
      [2, 4],
      [3, 4],
    ],
    call: (k, a, b) => [k.concatRows(a!, b!)],
  },
  ...ACTIVATION_NAMES.flatMap((kind): OpCall[] => {
    const act = { kind, alpha: kind === 'leakyRelu' ? 0.2 : 0 };
    return [
      {
        name: `activate ${kind}`,
        operands: [[3, 4]],
        call: (k, y) => [k.activate!(y!, act)],
        needs: 'fusedActivation',
      },
      {
        name: `deltaDown ${kind}`,
        operands: [
          [3, 4],
          [3, 4],
        ],
        call: (k, up, y) => [k.deltaDown!(up!, y!, act)],
        needs: 'fusedActivation',
      },
    ];
  }),
  {
    name: 'adam',
    operands: [
      [3, 4],
      [3, 4],
      [3, 4],
      [3, 4],
    ],
    call: (k, w, g, m, v) => {
      const out = k.adam!(w!, g!, m!, v!, ADAM);
      return [out.w, out.m, out.v];
    },
    needs: 'fusedAdam',
  },
  {
    name: 'axpy',
    operands: [
      [3, 4],
      [3, 4],
    ],
    call: (k, x, y) => [k.axpy!(-0.5, x!, y!)],
    needs: 'fusedAxpy',
  },
  // Operands of different shapes whose first one, passed twice, fits too (Wh 3×4 with X(h−1)
  // 3×4, δdown_h 3×5 with X(h−1) 3×5, Wh 3×4 with δdown_h 3×4), so the handles checks try it.
  {
    name: 'affine',
    operands: [
      [3, 4],
      [3, 5],
    ],
    call: (k, w, x) => [k.affine!(w!, x!)],
    needs: 'fusedBias',
  },
  {
    name: 'affineGradient',
    operands: [
      [3, 5],
      [4, 5],
    ],
    call: (k, deltaDown, x) => [k.affineGradient!(deltaDown!, x!)],
    needs: 'fusedBias',
  },
  {
    name: 'affineDeltaUp',
    operands: [
      [3, 4],
      [3, 5],
    ],
    call: (k, w, deltaDown) => [k.affineDeltaUp!(w!, deltaDown!)],
    needs: 'fusedBias',
  },
];

/** The calls that apply to `backend`: every basic op, and the fused kernels it declares. */
export const callsOf = (backend: Backend, calls: readonly OpCall[] = OP_CALLS): OpCall[] =>
  calls.filter((c) => !c.needs || backend.supports[c.needs] === true);
