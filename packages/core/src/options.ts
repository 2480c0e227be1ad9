/**
 * Options objects are checked for keys they do not take: a misspelt setting (`momentun`,
 * `epoch: 50`) would otherwise be ignored without a word, and training would run on defaults.
 */
import { ConfigError } from './errors.js';
import { shown } from './json.js';

/** Levenshtein distance: the fewest insertions, deletions and substitutions from a to b. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        row[j]! + 1,
        next[j - 1]! + 1,
        row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length]!;
}

/** The candidate closest to `name` (case aside), when it is close enough to be a typo of it. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * Throws a ConfigError when `options` is given but is not a plain options object (null, an
 * array, a number…), or for its first key that is not in `known`, naming the closest known
 * key and every known one. `where` says whose options they are (`train`, `saveModel`).
 */
export function checkKeys(
  where: string,
  options: object | undefined,
  known: readonly string[],
): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError(
      `${where}: options must be an object such as { ${known[0]}: … }, got ${shown(options)}; leave them out for the defaults.`,
    );
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    throw new ConfigError(
      `${where}: unknown option '${key}'${near ? `; did you mean '${near}'?` : '.'} The options are ${known.join(', ')}.`,
    );
  }
}

/** `value` if it is a positive (or, with `allowZero`, non-negative) integer; else a ConfigError. */
export function positiveInteger(key: string, value: number, allowZero = false): number {
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new ConfigError(
      `${key} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${shown(value)}.`,
    );
  }
  return value;
}

/** `value` if it is a function or absent; else a ConfigError naming the option. */
export function checkCallback(where: string, key: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new ConfigError(`${where}: ${key} must be a function; it is ${shown(value)}.`);
  }
}

/** `value` if it is an AbortSignal (anything with `throwIfAborted`) or absent; else a ConfigError. */
export function checkSignal(where: string, value: unknown): void {
  if (value !== undefined && typeof (value as AbortSignal | null)?.throwIfAborted !== 'function') {
    throw new ConfigError(
      `${where}: signal must be an AbortSignal (from an AbortController); it is ${shown(value)}.`,
    );
  }
}

/** Throws a ConfigError unless `order` holds each of 0…count − 1 exactly once. */
export function checkPermutation(order: ArrayLike<number>, count: number): void {
  if (order === null || typeof order !== 'object' || order.length !== count) {
    const length = (order as ArrayLike<number> | null)?.length;
    throw new ConfigError(
      `order must be a permutation of 0 … ${count - 1} (${count} entries, one per sample); it ${
        typeof length === 'number' ? `has ${length} entries` : `is ${shown(order)}`
      }.`,
    );
  }
  const seen = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = order[i];
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) >= count || seen[v as number]) {
      throw new ConfigError(
        `order[${i}] is ${shown(v)}; order must be a permutation of 0 … ${count - 1}, each sample's index once.`,
      );
    }
    seen[v as number] = 1;
  }
}
