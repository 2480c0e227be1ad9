/**
 * Checking the shape of a file the app wrote and reads back (run record, checkpoint): every
 * problem names the field by its path (`history[2].loss`), the value as written in the file
 * (`"1"` is a string; `1e400` stays `1e400`, not the `null` that JSON.stringify makes of ∞)
 * and what is allowed.
 */
import type { TwoStepError } from '@twostep/core';
import { parseJson } from './files.js';

/** A number literal that JSON.parse would turn into ±Infinity, kept as written. */
export class Overflow {
  constructor(readonly text: string) {}
}

const MARK = '\u0000overflow:';
/** Long digit runs or 3-digit exponents: the only literals that can overflow a double. */
const MAY_OVERFLOW = /\d{309}|[eE]\+?\d{3}/;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * JSON.parse, except that a number too large for a double is parsed as an `Overflow` holding
 * its text, so that an error can show it as written.
 */
export function parseJsonAsWritten(text: string, fail: (reason: string) => Error): unknown {
  if (!MAY_OVERFLOW.test(text)) return parseJson(text, fail);
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
  return revive(parseJson(out + text.slice(from), fail));
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

/** A value as it is written in JSON: strings quoted, `missing` for an absent field. */
export function shown(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value instanceof Overflow) return value.text;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

export type Fields = Record<string, unknown>;

/** Checks of the fields of one file; `problem` makes the error of a field's message. */
export interface Checker {
  /** Throws: `<field> must be <allowed>; it is <value as written>`. */
  fail(field: string, allowed: string, value: unknown): never;
  object(v: unknown, field: string): Fields;
  array(v: unknown, field: string, length?: number): unknown[];
  string(v: unknown, field: string): string;
  number(v: unknown, field: string, min?: number, max?: number): number;
  integer(v: unknown, field: string, min?: number, max?: number): number;
  /** `v` must be exactly `expected` (compared as JSON). */
  equal(v: unknown, field: string, expected: unknown): void;
}

export function checker(problem: (text: string) => TwoStepError): Checker {
  const fail = (field: string, allowed: string, value: unknown): never => {
    throw problem(`${field} must be ${allowed}; it is ${shown(value)}`);
  };
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  return {
    fail,
    object: (v, field) =>
      isObject(v) && !(v instanceof Overflow) ? (v as Fields) : fail(field, 'an object', v),
    array(v, field, length) {
      const allowed = length === undefined ? 'an array' : `an array of ${length} entries`;
      if (!Array.isArray(v)) return fail(field, allowed, v);
      if (length !== undefined && v.length !== length) {
        throw problem(`${field} must be ${allowed}; it has ${v.length}`);
      }
      return v;
    },
    string: (v, field) => (typeof v === 'string' ? v : fail(field, 'a string', v)),
    number: (v, field, min = -Infinity, max = Infinity) =>
      typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max
        ? v
        : fail(field, `a finite number${rangeText(min, max)}`, v),
    integer: (v, field, min = 0, max = Infinity) =>
      Number.isInteger(v) && (v as number) >= min && (v as number) <= max
        ? (v as number)
        : fail(field, `an integer${rangeText(min, max)}`, v),
    equal(v, field, expected) {
      if (JSON.stringify(v) !== JSON.stringify(expected) || v instanceof Overflow) {
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
