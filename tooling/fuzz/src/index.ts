/**
 * What every package's fuzz tests share. Each property runs from one fixed seed for a time
 * budget (`FUZZ_SECONDS`, default 2 s; `FUZZ_SECONDS=600` for a long run); on a failure
 * fast-check prints the seed and the shrunk input, to rerun with `{ seed, path }`.
 */
import fc from 'fast-check';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 2);

/** The run settings of every property: a fixed seed, as many runs as the budget allows. */
export const FUZZ_RUN = {
  seed: 20261201,
  numRuns: 1e9,
  interruptAfterTimeLimit: SECONDS * 1000,
} as const;

/** A test's time limit that leaves room for the budget, shrinking a failure and set-up. */
export const FUZZ_TIMEOUT = SECONDS * 1000 + 60_000;

/**
 * Runs `property` with `FUZZ_RUN`; on a long run (`FUZZ_SECONDS` set) prints how many inputs
 * it tried. A failure throws fast-check's report: the seed, the path and the shrunk input.
 */
export async function fuzz(
  property: fc.IProperty<unknown[]> | fc.IAsyncProperty<unknown[]>,
): Promise<void> {
  const details = await fc.check(property as fc.IAsyncProperty<unknown[]>, FUZZ_RUN);
  if (process.env.FUZZ_SECONDS) console.log(`fuzz: ${details.numRuns} inputs`);
  if (details.failed) throw new Error(fc.defaultReportMessage(details));
}

/** Numbers a hostile input holds: huge, tiny, negative, fractional, non-finite, unsafe. */
export const nasty = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 0.5, 1e300, -1e300, 2 ** 53 + 2, Number.NaN, Infinity, 1e9, 1e20),
);

/** Any value a JSON file or an options object may hold in place of the right one. */
export const anyValue = fc.oneof(
  nasty,
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.anything(),
);

/**
 * The project's own error: a TwoStepError (found by its class name up the prototype chain, as
 * this package cannot depend on the core that depends on it) with a string `code`.
 */
export function isTwoStepError(error: unknown): boolean {
  if (!(error instanceof Error) || typeof (error as { code?: unknown }).code !== 'string') {
    return false;
  }
  for (let p = Object.getPrototypeOf(error); p !== null; p = Object.getPrototypeOf(p)) {
    if (p.constructor?.name === 'TwoStepError') return true;
  }
  return false;
}

/**
 * `fn` returns, or throws an error `expected` accepts (by default the project's TwoStepError
 * with a `code`); anything else (a TypeError, a RangeError) fails the property.
 */
export function endsWell<T>(
  fn: () => T,
  expected: (error: unknown) => boolean = isTwoStepError,
): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (expected(error)) return undefined;
    throw error;
  }
}

/** As `endsWell`, for a promise. */
export async function endsWellAsync<T>(
  fn: () => Promise<T>,
  expected: (error: unknown) => boolean = isTwoStepError,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (expected(error)) return undefined;
    throw error;
  }
}

/** Every path to a value in `value` (object keys and array indices), itself first. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const isArray = Array.isArray(value);
  return [
    prefix,
    ...Object.entries(value as object).flatMap(([k, v]) =>
      paths(v, [...prefix, isArray ? Number(k) : k]),
    ),
  ];
}

/** A deep copy of `value` with the value at `path` replaced by `by`. */
function replaced(value: unknown, path: (string | number)[], by: unknown): unknown {
  if (path.length === 0) return by;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1)!] = by;
  return copy;
}

/** `valid` (a parsed file) with any one field replaced by anything, or any JSON at all. */
export const brokenFrom = (valid: unknown) =>
  fc.oneof(
    fc.tuple(fc.constantFrom(...paths(valid)), anyValue).map(([p, v]) => replaced(valid, p, v)),
    fc.jsonValue(),
  );

export { fc };
