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
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'number' || typeof value === 'bigint') text = String(value);
  else if (value instanceof Overflow) text = value.text;
  else if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    text = value === undefined ? 'undefined' : `a ${typeof value}`;
  } else {
    try {
      text =
        JSON.stringify(value, (_, v: unknown) => (v instanceof Overflow ? v.text : v)) ??
        Object.prototype.toString.call(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

const MARK = '\u0000overflow:';
/** Long digit runs or 3-digit exponents: the only literals that can overflow a double. */
const MAY_OVERFLOW = /\d{309}|[eE]\+?\d{3}/;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * JSON.parse, except that a number too large for a double becomes an `Overflow` holding its
 * text, so that an error can show it as written. `fail` makes the error for text that is not
 * JSON from the parser's reason (the parser's error is its `cause`).
 */
export function parseJsonAsWritten(text: string, fail: (reason: string) => Error): unknown {
  const parse = (json: string) => {
    try {
      return JSON.parse(json) as unknown;
    } catch (error) {
      const e = fail((error as Error).message);
      e.cause ??= error;
      throw e;
    }
  };
  if (!MAY_OVERFLOW.test(text)) return parse(text);
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) {
        if (text.charCodeAt(i) === 92 /* \ */) i++;
      }
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      NUMBER.lastIndex = i;
      const literal = NUMBER.exec(text)?.[0] ?? text[i]!;
      if (!Number.isFinite(Number(literal))) {
        out += `${text.slice(from, i)}${JSON.stringify(MARK + literal)}`;
        from = i + literal.length;
      }
      i += literal.length - 1;
    }
  }
  return revive(parse(out + text.slice(from)));
}

function revive(v: unknown): unknown {
  if (typeof v === 'string') return v.startsWith(MARK) ? new Overflow(v.slice(MARK.length)) : v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = revive(v[i]);
  } else if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = revive(o[k]);
  }
  return v;
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
      if (v instanceof Overflow || JSON.stringify(v) !== JSON.stringify(expected)) {
        fail(field, shown(expected), v);
      }
    },
  };
}

function rangeText(min: number, max: number): string {
  if (min === -Infinity && max === Infinity) return '';
  if (max === Infinity) return ` ≥ ${min}`;
  return min === -Infinity ? ` ≤ ${max}` : ` in [${min}, ${max}]`;
}
