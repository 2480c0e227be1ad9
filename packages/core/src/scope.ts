/**
 * Memory scopes, owned by the core (as tfjs's engine owns `tidy`): every matrix a tracked
 * backend creates inside `tidy` is disposed when the scope ends, on success and on error,
 * except the matrices the callback returns or passes to `keep`. Backends only dispose
 * handles and count them, so leaks are testable on every backend.
 */
import type { Backend, Matrix } from './contract.js';
import { TwoStepError } from './errors.js';

const scopes = new WeakMap<Backend, Set<Matrix>[]>();
const proxies = new WeakMap<Backend, Backend>();
const targets = new WeakMap<Backend, Backend>();

/** True for a backend's matrix handle. */
export function isMatrix(value: unknown): value is Matrix {
  return (
    typeof value === 'object' &&
    value !== null &&
    'rows' in value &&
    'cols' in value &&
    'dtype' in value &&
    'isDisposed' in value
  );
}

/** Every matrix inside a value: a matrix, or arrays and plain objects holding matrices. */
export function matricesIn(value: unknown, found = new Set<Matrix>()): Set<Matrix> {
  if (isMatrix(value)) found.add(value);
  else if (Array.isArray(value)) for (const v of value) matricesIn(v, found);
  else if (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    for (const v of Object.values(value)) matricesIn(v, found);
  }
  return found;
}

function stackOf(backend: Backend): Set<Matrix>[] {
  const stack = scopes.get(backend) ?? [];
  scopes.set(backend, stack);
  return stack;
}

/**
 * The backend seen through the core's scopes: each matrix an op returns is registered in the
 * innermost open `tidy`. The core computes through this view; users may too.
 */
export function tracked<B extends Backend>(backend: B): B {
  const known = proxies.get(backend);
  if (known) return known as B;
  const register = (result: unknown) => {
    const scope = stackOf(backend).at(-1);
    if (scope) for (const m of matricesIn(result)) scope.add(m);
    return result;
  };
  const proxy = new Proxy(backend, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property === 'dispose') return value.bind(target);
      return (...args: unknown[]) => register(value.apply(target, args));
    },
  });
  proxies.set(backend, proxy);
  proxies.set(proxy, proxy);
  targets.set(proxy, backend);
  scopes.set(proxy, stackOf(backend));
  return proxy;
}

/** The backend itself, not its `tracked` view: what it creates outlives every scope. */
export function untracked<B extends Backend>(backend: B): B {
  return (targets.get(backend) as B | undefined) ?? backend;
}

/**
 * Runs `fn` in a scope of `backend`: matrices created there through `tracked(backend)` are
 * disposed when it ends, except those in its result (matrices, arrays or plain objects of
 * them), which move to the enclosing scope. `fn` must be synchronous.
 */
export function tidy<T>(backend: Backend, fn: () => T): T {
  const stack = stackOf(backend);
  const scope = new Set<Matrix>();
  stack.push(scope);
  let result: T | undefined;
  try {
    result = fn();
    if (result instanceof Promise) {
      throw new TwoStepError(
        'tidy: the callback returned a Promise. Scopes are synchronous: await outside tidy and keep only synchronous ops inside.',
      );
    }
    return result;
  } finally {
    stack.pop();
    const kept = matricesIn(result);
    const parent = stack.at(-1);
    for (const m of scope) {
      if (kept.has(m)) parent?.add(m);
      else backend.dispose(m);
    }
  }
}

/** Removes matrices from the open scopes, so they outlive them; the caller disposes them. */
export function keep<T>(backend: Backend, value: T): T {
  for (const scope of stackOf(backend)) for (const m of matricesIn(value)) scope.delete(m);
  return value;
}

/** Disposes every matrix inside a value (see `matricesIn`). */
export function dispose(backend: Backend, value: unknown): void {
  for (const m of matricesIn(value)) backend.dispose(m);
}
