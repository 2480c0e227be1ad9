/**
 * Every op rejects what the contract rejects, with the contract's errors, in its order
 * (disposed, then dtype, then instance, then shapes), naming the op, and creates nothing
 * when it does. Every op of `callsOf` is tried in every operand position, so an op added to
 * the contract is checked here once it is listed there. Shapes and names: `op-errors-shapes.ts`.
 */
import {
  type Backend,
  DisposedMatrixError,
  type DType,
  DTypeError,
  ForeignMatrixError,
  type Matrix,
} from '@twostep/core/backend';
import { referenceBackend } from '@twostep/core/reference';
import { type Check, type CreateBackend, fail } from './check.js';
import {
  expectRejected,
  type Rejection,
  type Shape,
  shape,
  targetsOf,
} from './op-errors-reject.js';
import { shapeErrorChecks } from './op-errors-shapes.js';
import { check, scoped } from './util.js';

const AREA = 'op errors';

/**
 * Every call of `targetsOf(k)` with each operand in turn replaced by `bad(shape)`, of the
 * operand's shape and of one that fits no shape rule (operand checks come before shapes),
 * must be rejected as `rejection` says, naming the op and the bad matrix's shape.
 */
async function rejectInEveryPosition(
  k: Backend,
  what: string,
  bad: (shape: Shape) => Matrix,
  rejection: Pick<Rejection, 'type' | 'watched'>,
): Promise<void> {
  for (const target of targetsOf(k)) {
    for (const [i, [r, c]] of target.operands.entries()) {
      for (const badShape of [
        [r, c],
        [r + 1, c + 2],
      ] as const) {
        const operands = target.operands.map(([rows, cols]) => k.fill(rows, cols, 0.5));
        const args = operands.map((m, j) => (j === i ? bad(badShape) : m));
        await expectRejected(
          `${target.name} with ${what} (${shape(badShape)}) as operand ${i}`,
          () => target.call(k, ...args),
          {
            ...rejection,
            names: [target.op, shape(badShape)],
            operands: operands.filter((_, j) => j !== i),
            async: target.async,
          },
        );
      }
    }
  }
}

/** The instance behind `k` (a view's target): what its matrices name as their creator. */
function instanceOf(k: Backend): Backend {
  const probe = k.fill(1, 1, 0);
  const instance = probe.backend;
  k.dispose(probe);
  return instance;
}

/**
 * A matrix that says `backend` made it, and holds nothing: what no instance can make (float32
 * operands for a float64-only backend; any, for a check run by hand without `create`).
 */
const claimed = (
  backend: Backend,
  dtype: DType,
  [rows, cols]: Shape,
  isDisposed = false,
): Matrix => ({
  rows,
  cols,
  dtype,
  isDisposed,
  backend,
  toString: () => `Matrix(${rows}×${cols}, ${dtype})`,
});

/** Another instance of the backend's dtype, from `create`. */
async function anotherInstance(backend: Backend, create: CreateBackend): Promise<Backend> {
  const other = await create();
  if (other.dtype !== backend.dtype) {
    fail(`create() made a ${other.dtype} instance for a ${backend.dtype} backend; make the same.`);
  }
  if (instanceOf(other) === instanceOf(backend)) {
    fail('create() handed back the instance under test; make a fresh instance on every call.');
  }
  return other;
}

/**
 * Where matrices of another dtype come from: another instance of one of `dtypes` (asked of
 * `create` with `{ dtype }`), else the reference (float64) for a float32 backend, else none.
 */
async function otherDType(backend: Backend, create?: CreateBackend): Promise<Backend | undefined> {
  const dtype = backend.dtypes.find((d) => d !== backend.dtype);
  if (dtype && create) {
    const other = await create({ dtype });
    if (other.dtype === dtype) return other;
  }
  return backend.dtype === 'float64' ? undefined : referenceBackend();
}

/** Matrices of another instance: a ForeignMatrixError; once disposed, a DisposedMatrixError. */
async function rejectForeign(
  k: Backend,
  watched: Backend[],
  foreign: (shape: Shape, disposed: boolean) => Matrix,
): Promise<void> {
  for (const [disposed, type] of [
    [false, ForeignMatrixError],
    [true, DisposedMatrixError],
  ] as const) {
    const what = `a ${disposed ? 'disposed ' : ''}matrix of another instance`;
    await rejectInEveryPosition(k, what, (s) => foreign(s, disposed), { type, watched });
  }
}

export const opErrorChecks: Check[] = [
  check(AREA, 'rejects disposed operands in every op', (backend) =>
    scoped(backend, async (k) => {
      const a = k.fill(2, 2, 1);
      k.dispose(a);
      k.dispose(a);
      if (!a.isDisposed) fail('dispose: isDisposed is still false.');
      for (const target of targetsOf(k)) {
        try {
          await target.call(k, ...target.operands.map(([r, c]) => k.fill(r, c, 0.5)));
        } catch (error) {
          fail(`${target.name}: rejected live operands (${error}); it must compute.`);
        }
      }
      await rejectInEveryPosition(
        k,
        'a disposed matrix',
        ([r, c]) => {
          const m = k.fill(r, c, 0.5);
          k.dispose(m);
          return m;
        },
        { type: DisposedMatrixError, watched: [k] },
      );
    }),
  ),
  check(AREA, 'rejects operands of another dtype in every op', async (backend, create) => {
    const other = await otherDType(backend, create);
    const dtype = other?.dtype ?? 'float32';
    await scoped(backend, async (k) => {
      if (other) {
        await scoped(other, (o) =>
          rejectInEveryPosition(k, `a ${dtype} matrix of ${o.name}`, ([r, c]) => o.fill(r, c, 1), {
            type: DTypeError,
            watched: [k, o],
          }),
        );
        return;
      }
      // A float64 backend of one dtype: a matrix that says it is float32 and comes from it.
      const self = instanceOf(k);
      await rejectInEveryPosition(
        k,
        'a matrix that says it is float32',
        (s) => claimed(self, dtype, s),
        {
          type: DTypeError,
          watched: [k],
        },
      );
    });
  }),
  check(AREA, 'rejects matrices of another instance in every op', async (backend, create) => {
    const other = create && (await anotherInstance(backend, create));
    await scoped(backend, async (k) => {
      if (other) {
        await scoped(other, (o) =>
          rejectForeign(k, [k, o], ([r, c], disposed) => {
            const m = o.fill(r, c, 1);
            if (disposed) o.dispose(m);
            return m;
          }),
        );
        return;
      }
      // Without `create`: matrices that say an instance of this one's name and dtype made them.
      const lookalike = Object.create(instanceOf(k)) as Backend;
      await rejectForeign(k, [k], (s, disposed) => claimed(lookalike, k.dtype, s, disposed));
    });
  }),
  ...shapeErrorChecks(AREA),
];
