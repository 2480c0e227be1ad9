/**
 * The `op errors` checks of shapes and names: every shape rule of the contract broken once per
 * way to break it (a ShapeError naming the op), and unknown unary ops and activation kinds (a
 * ConfigError naming the op and the value). Each rejected call creates nothing.
 */
import {
  type ActivationKind,
  type AffineKernel,
  type Backend,
  ConfigError,
  type Matrix,
  ShapeError,
  type UnaryOp,
} from '@twostep/core/backend';
import { callsOf } from './calls.js';
import type { Check } from './check.js';
import { expectRejected, opOf, type Shape, shape } from './op-errors-reject.js';
import { check, scoped } from './util.js';

/** A call that breaks a shape rule of `op`, on operands of `shapes`. */
interface BadShape {
  readonly op: string;
  readonly what: string;
  readonly shapes: readonly Shape[];
  readonly call: (k: Backend, ...ms: Matrix[]) => unknown;
}

/** matMul with each flag combination, b fitting only when one flag is flipped. */
function matMulCases(): BadShape[] {
  const a: Shape = [3, 4];
  return [false, true].flatMap((transposeA) =>
    [false, true].flatMap((transposeB): BadShape[] => {
      const inner = transposeA ? a[0] : a[1];
      const outer = transposeA ? a[1] : a[0];
      const flags = `transposeA = ${transposeA}, transposeB = ${transposeB}`;
      const call = (k: Backend, x: Matrix, y: Matrix) => k.matMul(x, y, { transposeA, transposeB });
      // b's inner size is a's other side (fits if transposeA were flipped), or b fits transposed.
      const fitsFlippedA: Shape = transposeB ? [5, outer] : [outer, 5];
      const fitsFlippedB: Shape = transposeB ? [inner, 5] : [5, inner];
      return [fitsFlippedA, fitsFlippedB].map((b) => ({
        op: 'matMul',
        what: `matMul(${shape(a)}, ${shape(b)}) with ${flags}`,
        shapes: [a, b],
        call,
      }));
    }),
  );
}

/** b must have a's shape or be an a.rows × 1 column; only b broadcasts. */
const ELEMENT_WISE_B: readonly Shape[] = [
  [1, 4],
  [4, 1],
  [2, 1],
  [3, 3],
  [3, 5],
  [4, 4],
  [1, 1],
];

function elementWiseCases(): BadShape[] {
  return (['add', 'sub', 'mul', 'div'] as const).flatMap((op) =>
    [
      ...ELEMENT_WISE_B.map((b): readonly Shape[] => [[3, 4], b]),
      [
        [3, 1],
        [3, 4],
      ] as const,
    ].map((shapes) => ({
      op,
      what: `${op}(${shapes.map(shape).join(', ')})`,
      shapes,
      call: (k: Backend, a: Matrix, b: Matrix) => k[op](a, b),
    })),
  );
}

/** Operands of one shape in a call of `callsOf` (fused kernels, element-wise) must stay so. */
function sameShapeCases(backend: Backend): BadShape[] {
  return callsOf(backend)
    .filter(
      (c) => c.operands.length > 1 && c.operands.every((s) => shape(s) === shape(c.operands[0]!)),
    )
    .flatMap((c) =>
      c.operands.flatMap((_, i) =>
        (
          [
            [0, 1],
            [1, 0],
          ] as const
        ).map(([dr, dc]): BadShape => {
          const shapes = c.operands.map(
            ([r, cols], j): Shape => (j === i ? [r + dr, cols + dc] : [r, cols]),
          );
          return {
            op: opOf(c),
            what: `${c.name} (${shapes.map(shape).join(', ')})`,
            shapes,
            call: (k, ...ms) => c.call(k, ...ms),
          };
        }),
      ),
    );
}

const structureCases = (): BadShape[] => [
  ...(
    [
      [2, 2],
      [3, 1],
      [-1, 2],
      [0, 5],
      [0.5, 2],
      [1, Number.NaN],
    ] as const
  ).map(([start, end]) => ({
    op: 'sliceCols',
    what: `sliceCols(3×4, ${start}, ${end})`,
    shapes: [[3, 4]] as const,
    call: (k: Backend, a: Matrix) => k.sliceCols(a, start, end),
  })),
  ...(
    [
      [
        [2, 4],
        [3, 5],
      ],
      [
        [3, 5],
        [2, 4],
      ],
    ] as const
  ).map((shapes) => ({
    op: 'concatRows',
    what: `concatRows(${shapes.map(shape).join(', ')})`,
    shapes,
    call: (k: Backend, a: Matrix, b: Matrix) => k.concatRows(a, b),
  })),
];

/**
 * The shape rules of the fusedBias kernels (`affineShape`), when declared: Wh is
 * Nh × (N(h−1) + 1), X(h−1) has no row of ones, δdown_h is Nh × B; each broken once per way.
 */
function affineCases(backend: Backend): BadShape[] {
  if (backend.supports.fusedBias !== true) return [];
  const cases: [op: AffineKernel, a: Shape, b: Shape][] = [
    ['affine', [3, 4], [4, 5]], // X with the formal neuron's row already
    ['affine', [3, 4], [2, 5]], // X of fewer rows
    ['affine', [3, 4], [5, 3]], // Xᵀ
    ['affineGradient', [3, 5], [4, 6]], // another batch
    ['affineGradient', [3, 5], [5, 4]], // Xᵀ
    ['affineDeltaUp', [3, 1], [3, 5]], // Wh of the bias column only: W♯h is empty
    ['affineDeltaUp', [3, 4], [4, 5]], // δdown of another layer
    ['affineDeltaUp', [3, 4], [5, 3]], // δdownᵀ
  ];
  return cases.map(([op, a, b]) => ({
    op,
    what: `${op}(${shape(a)}, ${shape(b)})`,
    shapes: [a, b],
    call: (k: Backend, x: Matrix, y: Matrix) => k[op]!(x, y),
  }));
}

/** Sizes no matrix has: zero, negative, fractional, NaN, infinite. */
const BAD_SIZES: readonly Shape[] = [
  [0, 3],
  [3, 0],
  [-1, 2],
  [1.5, 2],
  [2, 0.5],
  [Number.NaN, 1],
  [1, Number.POSITIVE_INFINITY],
];

/** Data that fills no matrix: too little or too much for 2×3, none for a shape no matrix has. */
const BAD_DATA: readonly [values: number, rows: number, cols: number][] = [
  [0, 2, 3],
  [5, 2, 3],
  [7, 2, 3],
  ...BAD_SIZES.map(([r, c]): [number, number, number] => [0, r, c]),
];

/** Bad shapes for fill; bad data for fromArray and, when declared, fromColumns (`checkData`). */
const transferCases = (backend: Backend): BadShape[] => [
  ...BAD_SIZES.map(([r, c]) => ({
    op: 'fill',
    what: `fill(${r}, ${c})`,
    shapes: [],
    call: (k: Backend) => k.fill(r, c, 1),
  })),
  ...(['fromArray', 'fromColumns'] as const)
    .filter((op) => op === 'fromArray' || backend.supports.fusedTranspose === true)
    .flatMap((op) =>
      BAD_DATA.map(([n, r, c]) => ({
        op,
        what: `${op} with ${n} values for ${r}×${c}`,
        shapes: [],
        call: (k: Backend) => k[op]!(new Array<number>(n).fill(1), r, c),
      })),
    ),
];

/** Names no unary op or activation has, some of them inherited by every object. */
const UNKNOWN = ['cube', 'gelu', 'toString', 'constructor', '__proto__', 'hasOwnProperty'];

export const shapeErrorChecks = (area: string): Check[] => [
  check(area, 'rejects bad shapes, naming the op', (backend) =>
    scoped(backend, async (k) => {
      const cases = [
        ...matMulCases(),
        ...elementWiseCases(),
        ...sameShapeCases(k),
        ...structureCases(),
        ...affineCases(k),
        ...transferCases(k),
      ];
      for (const c of cases) {
        const operands = c.shapes.map(([r, cols]) => k.fill(r, cols, 0.5));
        await expectRejected(c.what, () => c.call(k, ...operands), {
          type: ShapeError,
          names: [c.op],
          watched: [k],
          operands,
        });
      }
    }),
  ),
  check(area, 'rejects unknown unary ops and activation kinds, naming the op', (backend) =>
    scoped(backend, async (k) => {
      const x = k.fill(3, 4, 0.5);
      const act = (kind: string) => ({ kind: kind as ActivationKind, alpha: 0 });
      const calls: [string, (name: string) => unknown][] = [
        ['unary', (op) => k.unary(op as UnaryOp, x)],
      ];
      if (k.supports.fusedActivation) {
        calls.push(['activate', (kind) => k.activate!(x, act(kind))]);
        calls.push(['deltaDown', (kind) => k.deltaDown!(x, x, act(kind))]);
      }
      for (const [op, call] of calls) {
        for (const name of UNKNOWN) {
          await expectRejected(`${op} with ${JSON.stringify(name)}`, () => call(name), {
            type: ConfigError,
            names: [op, name],
            watched: [k],
            operands: [x],
          });
        }
      }
    }),
  ),
];
