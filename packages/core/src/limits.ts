/**
 * Resource limits, checked before anything is allocated: a width or a batch size typed one
 * digit too long would otherwise end in a raw `RangeError` deep inside, or in gigabytes
 * allocated before the first step.
 *
 * The defaults: 50 M parameters (400 MB of float64 host weights, 1.2 GB with Adam's two
 * moments on the backend: ~60× an MNIST network A[784,1000,10]), and 2²⁸ entries in one
 * matrix (a 1 GiB float32 buffer, a quarter of WebAssembly's 4 GiB memory, 2 GiB in
 * float64; typed arrays stop at 2³² entries on some engines, much less elsewhere).
 */
import { ConfigError, ResourceLimitError } from './errors.js';
import { shown } from './json.js';

/** The largest network and matrix a `Network` is created, trained and run with. */
export interface Limits {
  /** The most parameters (Σ entries of W1 … WL, bias included); default 50,000,000. */
  readonly maxParameters?: number;
  /**
   * The most entries in one matrix: a weight matrix, or a batch's N × B matrices (the widest
   * layer, plus the bias row, by the batch size); default 2²⁸ = 268,435,456.
   */
  readonly maxEntries?: number;
}

export const DEFAULT_MAX_PARAMETERS = 50_000_000;
export const DEFAULT_MAX_ENTRIES = 2 ** 28;

/** The limits given, checked (positive safe integers), with the defaults filled in. */
export function resolveLimits(where: string, limits: Limits = {}): Required<Limits> {
  const one = (key: keyof Limits, fallback: number) => {
    const value = limits[key] ?? fallback;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ConfigError(
        `${where}: ${key} must be a positive integer, got ${shown(value)}; leave it out for the default ${fallback.toLocaleString('en-US')}.`,
      );
    }
    return value;
  };
  return {
    maxParameters: one('maxParameters', DEFAULT_MAX_PARAMETERS),
    maxEntries: one('maxEntries', DEFAULT_MAX_ENTRIES),
  };
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Throws a ResourceLimitError when `size` exceeds `limit`. `what` describes the size asked
 * (`A[784,100000,10] has`), `key` is the option that raises it, given in `raiseIn`; `fix` is
 * the other way out.
 */
export function checkLimit(
  what: string,
  size: number,
  limit: number,
  key: keyof Limits,
  fix: string,
  raiseIn = "the network's options (Network.create, deserialize)",
): void {
  if (size <= limit) return;
  const unit = key === 'maxParameters' ? 'parameters' : 'entries';
  const problem = `${what} ${count(size)} ${unit}, over the limit of ${count(limit)} (${key}). ${fix}`;
  throw new ResourceLimitError(
    `${problem}, or raise the limit: ${key}: ${count(size)} in ${raiseIn}.`,
    { key, size, max: limit, problem },
  );
}
