/**
 * What the `op errors` checks share: every call that takes matrices (each op of `callsOf`,
 * and `read`/`readSync`), and the rule a rejected call is held to.
 */
import type { Backend, Matrix } from '@twostep/core/backend';
import { callsOf } from './calls.js';
import { fail } from './check.js';

export type Shape = readonly [rows: number, cols: number];

/** The op a call's name starts with: `matMul` of `matMul with transposeA`. */
export const opOf = (call: { readonly name: string }) => call.name.split(' ')[0]!;

/** `3×4`. */
export const shape = ([r, c]: Shape) => `${r}×${c}`;

/** A call that takes matrices: `op` is the name its errors must give. */
export interface Target {
  /** The op and its variant, e.g. `matMul with transposeA`, `read`. */
  readonly name: string;
  readonly op: string;
  readonly operands: readonly Shape[];
  readonly call: (k: Backend, ...operands: Matrix[]) => unknown;
  /** `read`: a failed check rejects the promise instead of throwing. */
  readonly async?: boolean;
}

/** Every op of `callsOf(backend)`, then `read`, and `readSync` when declared. */
export function targetsOf(backend: Backend): Target[] {
  const one: readonly Shape[] = [[3, 4]];
  return [
    ...callsOf(backend).map(
      (c): Target => ({
        name: c.name,
        op: opOf(c),
        operands: c.operands,
        call: c.call,
      }),
    ),
    { name: 'read', op: 'read', operands: one, call: (k, m) => k.read(m!), async: true },
    ...(backend.supports.readSync
      ? [
          {
            name: 'readSync',
            op: 'readSync',
            operands: one,
            call: (k: Backend, m?: Matrix) => k.readSync!(m!),
          },
        ]
      : []),
  ];
}

const said = (error: unknown) =>
  error instanceof Error ? `${error.name} (${error.message})` : String(error);

/** What `attempt` threw (or, when `async`, rejected with); fails if it did neither. */
async function thrown(what: string, attempt: () => unknown, async: boolean): Promise<unknown> {
  let pending: unknown;
  try {
    pending = attempt();
  } catch (error) {
    if (!async) return error;
    fail(
      `${what}: threw ${said(error)} synchronously; return a rejected promise instead (write it as an async function).`,
    );
  }
  if (!async) fail(`${what}: did not throw.`);
  try {
    await pending;
  } catch (error) {
    return error;
  }
  return fail(`${what}: resolved; it must reject.`);
}

export interface Rejection {
  readonly type: abstract new (...args: never[]) => Error;
  /** Words the message must hold: the op, the bad matrix's shape, the bad value. */
  readonly names: readonly string[];
  /** Instances whose `memory()` must not change: a rejected call creates nothing. */
  readonly watched: readonly Backend[];
  /** Operands that must still be live afterwards: a rejected call frees nothing either. */
  readonly operands?: readonly Matrix[];
  readonly async?: boolean;
}

/**
 * `attempt` must be rejected with an error of `type` whose message names each of `names`,
 * leaving every watched instance's `memory()` and every operand as they were.
 */
export async function expectRejected(
  what: string,
  attempt: () => unknown,
  { type, names, watched, operands = [], async = false }: Rejection,
): Promise<void> {
  const before = watched.map((b) => b.memory());
  const error = await thrown(`${what}: expected ${type.name}`, attempt, async);
  if (!(error instanceof type)) fail(`${what}: threw ${said(error)}, expected ${type.name}.`);
  for (const name of names) {
    if (!error.message.includes(name)) {
      fail(`${what}: the ${type.name} says "${error.message}", which does not name ${name}.`);
    }
  }
  for (const [i, b] of watched.entries()) {
    const [was, now] = [before[i]!, b.memory()];
    if (was.matrices !== now.matrices || was.bytes !== now.bytes) {
      fail(
        `${what}: memory() of ${b.name} went from ${was.matrices} matrices (${was.bytes} bytes) to ` +
          `${now.matrices} (${now.bytes}) across the rejected call; check every operand before creating anything.`,
      );
    }
  }
  for (const [i, m] of operands.entries()) {
    if (m.isDisposed) fail(`${what}: operand ${i} was disposed by the rejected call.`);
  }
}
