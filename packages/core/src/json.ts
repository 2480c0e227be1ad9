/**
 * Reading JSON that a program takes from outside (model files, configs, checkpoints, messages):
 * every problem names the field by its path (`weights[0][2][1]`, `history[2].loss`), the value
 * as written (`"1"` is a string; `1e400` stays `1e400`, not the `Infinity` JSON.parse makes of
 * it) and what is allowed. One checker, so that every file and message is judged and worded
 * the same way.
 */
import type { TwoStepError } from './errors.js';

/** A number literal that JSON.parse would turn into ±Infinity, kept as written. */
export class Overflow {
  constructor(readonly text: string) {}
}

/**
 * A value as a message shows it, whatever it is: strings in double quotes, numbers as written by
 * JavaScript (an `Overflow` as written in its file), objects as JSON (or their kind when JSON
 * cannot show them), at most 60 characters. It never throws, so an error about a bad value
 * cannot become a TypeError.
 */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = showing(value);
  } catch {
    text = 'an object'; // a revoked proxy, say: even its kind cannot be read
  }
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

function showing(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
  if (value instanceof Overflow) return value.text;
  let json: string | undefined;
  try {
    json = withOverflows(value);
  } catch {
    // cyclic, too deep, a BigInt inside, a throwing toJSON or getter
  }
  return json ?? Object.prototype.toString.call(value);
}

/**
 * JSON.stringify with every Overflow inside as written: first as a string `mark` + its index,
 * where `mark` begins no key or string of `value`, then unquoted.
 */
function withOverflows(value: unknown): string | undefined {
  for (let nuls = 1; ; nuls++) {
    const mark = `${'\u0000'.repeat(nuls)}overflow`;
    const texts: string[] = [];
    let clash = false;
    const json = JSON.stringify(value, (key, v: unknown) => {
      if (key.startsWith(mark) || (typeof v === 'string' && v.startsWith(mark))) clash = true;
      return v instanceof Overflow ? `${mark}${texts.push(v.text) - 1}` : v;
    });
    if (clash) continue;
    if (texts.length === 0) return json;
    // A string token starts after `[`, `{`, `,` or `:`; a `"` inside a string is escaped.
    const marked = new RegExp(`(?<=[[{,:])"${'\\\\u0000'.repeat(nuls)}overflow(\\d+)"`, 'g');
    return json?.replace(marked, (_, i: string) => texts[Number(i)]!);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * JSON.parse, except that a number too large for a double becomes an `Overflow` holding its
 * text, so that an error can show it as written. `fail` makes the error for text that is not
 * JSON from the parser's reason (the parser's error is its `cause`).
 */
export function parseJsonAsWritten(text: string, fail: (reason: string) => Error): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const e = fail((error as Error).message);
    e.cause ??= error;
    throw e;
  }
  return overflows(value) ? revive(value, JSON.parse(numbersAsStrings(text))) : value;
}

/** Whether JSON.parse made ±Infinity of a literal anywhere in `v` (a loop: files nest deep). */
function overflows(v: unknown): boolean {
  const pending = [v];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'number' && !Number.isFinite(next)) return true;
    if (typeof next === 'object' && next !== null)
      for (const v of Object.values(next)) pending.push(v);
  }
  return false;
}

/** Valid JSON `text` with each non-finite number literal written as a string of its text. */
function numbersAsStrings(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; text.charCodeAt(i) !== 34; i++) {
        if (text.charCodeAt(i) === 92 /* \ */) i++;
      }
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      // Outside strings, valid JSON has a digit or a minus only where a number starts.
      NUMBER.lastIndex = i;
      const literal = NUMBER.exec(text)![0];
      if (!Number.isFinite(Number(literal))) {
        out += `${text.slice(from, i)}"${literal}"`;
        from = i + literal.length;
      }
      i += literal.length - 1;
    }
  }
  return out + text.slice(from);
}

/**
 * `parsed` with each ±Infinity replaced by an Overflow of the string at the same place in
 * `written`, the same text parsed with those literals as strings.
 */
function revive(parsed: unknown, written: unknown): unknown {
  if (typeof parsed === 'number') return new Overflow(written as string);
  const pending = [[parsed, written]] as [Record<string, unknown>, Record<string, unknown>][];
  while (pending.length > 0) {
    const [p, w] = pending.pop()!;
    for (const k of Object.keys(p)) {
      const v = p[k];
      if (typeof v === 'number' && !Number.isFinite(v)) p[k] = new Overflow(w[k] as string);
      else if (typeof v === 'object' && v !== null) pending.push([v as never, w[k] as never]);
    }
  }
  return parsed;
}

export type Fields = Record<string, unknown>;

/**
 * Checks of the fields of one file or message. Each returns the value when it is allowed and
 * otherwise throws the checker's error: `<field> must be <allowed>; it is <value as written>`
 * (`it is missing` for an absent field).
 */
export interface Checker {
  fail(field: string, allowed: string, value: unknown): never;
  object(v: unknown, field: string): Fields;
  /** An array, of exactly `length` entries when it is given. */
  array(v: unknown, field: string, length?: number): unknown[];
  string(v: unknown, field: string): string;
  boolean(v: unknown, field: string): boolean;
  number(v: unknown, field: string, min?: number, max?: number): number;
  integer(v: unknown, field: string, min?: number, max?: number): number;
  /** One of `allowed` (compared with ===). */
  oneOf<T>(v: unknown, field: string, allowed: readonly T[]): T;
  /** `v` must be exactly `expected` (compared as JSON). */
  equal(v: unknown, field: string, expected: unknown): void;
}

/**
 * A checker whose errors `problem` makes from the message (`weights[0] must be …; it is …`)
 * and the path of the field.
 */
export function checker(problem: (text: string, field: string) => TwoStepError): Checker {
  const fail = (field: string, allowed: string, value: unknown): never => {
    throw problem(
      `${field} must be ${allowed}; it is ${value === undefined ? 'missing' : shown(value)}`,
      field,
    );
  };
  const isObject = (v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Overflow);
  return {
    fail,
    object: (v, field) => (isObject(v) ? (v as Fields) : fail(field, 'an object', v)),
    array(v, field, length) {
      const allowed = length === undefined ? 'an array' : `an array of ${length} entries`;
      if (!Array.isArray(v)) return fail(field, allowed, v);
      if (length !== undefined && v.length !== length) {
        throw problem(`${field} must be ${allowed}; it has ${v.length}`, field);
      }
      return v;
    },
    string: (v, field) => (typeof v === 'string' ? v : fail(field, 'a string', v)),
    boolean: (v, field) => (typeof v === 'boolean' ? v : fail(field, 'true or false', v)),
    number: (v, field, min = -Infinity, max = Infinity) =>
      typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max
        ? v
        : fail(field, `a finite number${rangeText(min, max)}`, v),
    integer: (v, field, min = 0, max = Infinity) =>
      Number.isInteger(v) && (v as number) >= min && (v as number) <= max
        ? (v as number)
        : fail(field, `an integer${rangeText(min, max)}`, v),
    oneOf: (v, field, allowed) =>
      allowed.includes(v as never)
        ? (v as (typeof allowed)[number])
        : fail(field, `one of ${allowed.map(shown).join(', ')}`, v),
    equal(v, field, expected) {
      if (v instanceof Overflow || json(v) !== JSON.stringify(expected)) {
        fail(field, shown(expected), v);
      }
    },
  };
}

/** `v` as JSON, or undefined when JSON.stringify throws (cyclic, a BigInt, a throwing toJSON). */
function json(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

function rangeText(min: number, max: number): string {
  if (min === -Infinity && max === Infinity) return '';
  if (max === Infinity) return ` ≥ ${min}`;
  return min === -Infinity ? ` ≤ ${max}` : ` in [${min}, ${max}]`;
}
