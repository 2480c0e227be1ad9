/** The JSON checker of `@twostep/core/check`: numbers as written, values shown, fields checked. */
import { ConfigError, TwoStepError } from '@twostep/core';
import { checker, Overflow, parseJsonAsWritten, shown } from '@twostep/core/check';
import { describe, expect, it } from 'vitest';
import { catching } from './helpers.js';

const parse = (text: string) => parseJsonAsWritten(text, (reason) => new ConfigError(reason));

describe('parseJsonAsWritten', () => {
  it('keeps a number literal too large for a double as written, wherever it is', () => {
    expect(parse('1e400')).toEqual(new Overflow('1e400'));
    expect(parse('[1, 1E+400, {"a": [2, -1e999]}, 3]')).toEqual([
      1,
      new Overflow('1E+400'),
      { a: [2, new Overflow('-1e999')] },
      3,
    ]);
    expect(parse('{"w": 1e400, "v": 1e400}')).toEqual({
      w: new Overflow('1e400'),
      v: new Overflow('1e400'),
    });
    expect(parse('{ "__proto__" : -12.5e9999 }')).toEqual(
      JSON.parse('{"__proto__": {}}', (k, v) =>
        k === '__proto__' ? new Overflow('-12.5e9999') : v,
      ),
    );
  });

  it('finds literals that overflow by their digits, not only by their exponent', () => {
    const digits = `1${'0'.repeat(309)}`;
    const scaled = `-1${'0'.repeat(300)}e9`;
    expect(parse(`[${digits}, 0.1e310]`)).toEqual([new Overflow(digits), new Overflow('0.1e310')]);
    // 301 digits and a one-digit exponent: no long run, no long exponent, and still too large.
    expect(parse(`{"w": [${scaled}]}`)).toEqual({ w: [new Overflow(scaled)] });
  });

  it('leaves numbers that a double holds as numbers, large, tiny or rounded', () => {
    expect(parse('[1.7976931348623157e308, -1e308, 1e-400, 1e39, 1e400]')).toEqual([
      1.7976931348623157e308,
      -1e308,
      0,
      1e39,
      new Overflow('1e400'),
    ]);
    expect(parse('[1e308, 2, "x"]')).toEqual([1e308, 2, 'x']);
  });

  it('does not touch strings, keys, escaped quotes and backslashes', () => {
    expect(parse('{"1e400": "1e400", "k": 1e400}')).toEqual({
      '1e400': '1e400',
      k: new Overflow('1e400'),
    });
    expect(parse('["a\\"1e400", 1e400, "\\\\", -1e400, "\\\\\\"2e400"]')).toEqual([
      'a"1e400',
      new Overflow('1e400'),
      '\\',
      new Overflow('-1e400'),
      '\\"2e400',
    ]);
    // A string is a string, even one that looks like a mark a parser might use.
    expect(parse('["\\u0000overflow:1", "\\u00001e400", 1e400]')).toEqual([
      '\u0000overflow:1',
      '\u00001e400',
      new Overflow('1e400'),
    ]);
  });

  it('reads files nested deep and arrays long, without running out of stack', () => {
    const deep = parse(`${'['.repeat(50_000)}1e400${']'.repeat(50_000)}`);
    let inner: unknown = deep;
    for (let i = 0; i < 50_000; i++) inner = (inner as unknown[])[0];
    expect(inner).toEqual(new Overflow('1e400'));
    const long = parse(`[${'0,'.repeat(300_000)}1e400]`) as unknown[];
    expect(long).toHaveLength(300_001);
    expect(long.at(-1)).toEqual(new Overflow('1e400'));
  });

  it.each(['{"format": ', '[1e400, -]', '{1e400: 1}', '[1e400, x]', '[01e400]', '[1e400,]', ''])(
    '%j is not JSON: fail gets the parser’s reason on the text as written',
    (text) => {
      const syntax = catching(() => JSON.parse(text));
      const error = catching(() => parse(text));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toBe(syntax.message);
      expect(error.cause).toBeInstanceOf(SyntaxError);
    },
  );

  it('keeps a cause that fail gave', () => {
    const own = new Error('own');
    const error = catching(() =>
      parseJsonAsWritten('{', (reason) => new TwoStepError(reason, { cause: own })),
    );
    expect(error.cause).toBe(own);
  });
});

describe('shown', () => {
  it.each([
    ['a string, quoted', 'abc', '"abc"'],
    ['a string with quotes and a newline', 'a"b\n', '"a\\"b\\n"'],
    ['the empty string', '', '""'],
    ['a number', 1.5, '1.5'],
    ['a large number', 1e21, '1e+21'],
    ['NaN', Number.NaN, 'NaN'],
    ['-Infinity', -Infinity, '-Infinity'],
    ['a BigInt', 10n, '10'],
    ['true', true, 'true'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a function', () => 1, 'a function'],
    ['a symbol', Symbol('s'), 'a symbol'],
    ['an Overflow, as written', new Overflow('-1e999'), '-1e999'],
    ['an array', [1, 'a', null], '[1,"a",null]'],
    ['an object', { a: 1, b: [true] }, '{"a":1,"b":[true]}'],
    ['an object without a prototype', Object.assign(Object.create(null), { a: 1 }), '{"a":1}'],
    ['an object whose toString is null', { toString: null }, '{"toString":null}'],
  ])('%s', (_, value, text) => {
    expect(shown(value)).toBe(text);
  });

  it('shows an Overflow inside an object or an array as written, not as a string', () => {
    expect(shown({ w: [0.5, new Overflow('1e400')], a: new Overflow('-2E+999') })).toBe(
      '{"w":[0.5,1e400],"a":-2E+999}',
    );
    // A string of the same text stays a string.
    expect(shown(['1e400', new Overflow('1e400')])).toBe('["1e400",1e400]');
  });

  it('keeps strings and keys that look like its marks apart from Overflows', () => {
    expect(shown(['\u0000overflow0', new Overflow('1e400')])).toBe('["\\u0000overflow0",1e400]');
    expect(shown({ '\u0000overflow0': new Overflow('1e400') })).toBe('{"\\u0000overflow0":1e400}');
    expect(shown(['a,"\u0000overflow0"', new Overflow('1e400')])).toBe(
      '["a,\\"\\u0000overflow0\\"",1e400]',
    );
  });

  it('shows the kind of what JSON cannot show, and never throws', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cyclicArray: unknown[] = [];
    cyclicArray.push(cyclicArray);
    const throwingToJSON = {
      toJSON() {
        throw new Error('no');
      },
    };
    const throwingGetter = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(shown(cyclic)).toBe('[object Object]');
    expect(shown(cyclicArray)).toBe('[object Array]');
    expect(shown({ n: 1n })).toBe('[object Object]');
    expect(shown(throwingToJSON)).toBe('[object Object]');
    expect(shown(throwingGetter)).toBe('[object Object]');
    expect(shown({ toJSON: () => undefined })).toBe('[object Object]');
    expect(shown(proxy)).toBe('an object');
  });

  it('cuts what is longer than 60 characters to 59 and an ellipsis', () => {
    expect(shown('x'.repeat(58))).toBe(`"${'x'.repeat(58)}"`);
    expect(shown('x'.repeat(59))).toBe(`"${'x'.repeat(58)}…`);
    expect(shown('x'.repeat(59))).toHaveLength(60);
    const numbers = Array.from({ length: 40 }, (_, i) => i);
    expect(shown(numbers)).toBe(`${JSON.stringify(numbers).slice(0, 59)}…`);
    expect(shown(new Overflow(`1${'0'.repeat(400)}`))).toBe(`1${'0'.repeat(58)}…`);
  });
});

describe('checker', () => {
  class FieldError extends TwoStepError {
    constructor(
      message: string,
      readonly field: string,
    ) {
      super(message);
    }
  }
  const c = checker((text, field) => new FieldError(text, field));
  /** The message of the error `fn` throws, after checking that the problem made it for `field`. */
  const refusal = (fn: () => unknown, field = 'x.y[0]') => {
    const error = catching(fn);
    expect(error).toBeInstanceOf(FieldError);
    expect((error as FieldError).field).toBe(field);
    return error.message;
  };

  it('fail: the field, what is allowed, the value as written or missing', () => {
    expect(refusal(() => c.fail('x.y[0]', 'a kind', 3))).toBe('x.y[0] must be a kind; it is 3');
    expect(refusal(() => c.fail('x.y[0]', 'a kind', undefined))).toBe(
      'x.y[0] must be a kind; it is missing',
    );
    expect(refusal(() => c.fail('x.y[0]', 'a kind', new Overflow('1e400')))).toBe(
      'x.y[0] must be a kind; it is 1e400',
    );
    expect(refusal(() => c.fail('x.y[0]', 'a kind', 'x'.repeat(80)))).toBe(
      `x.y[0] must be a kind; it is "${'x'.repeat(58)}…`,
    );
  });

  it('object: a plain object, returned as it is', () => {
    const o = { a: 1 };
    expect(c.object(o, 'x.y[0]')).toBe(o);
    expect(c.object({}, 'x.y[0]')).toEqual({});
    for (const [value, text] of [
      [null, 'null'],
      [[], '[]'],
      ['{}', '"{}"'],
      [1, '1'],
      [new Overflow('1e400'), '1e400'],
      [undefined, 'missing'],
    ] as const) {
      expect(refusal(() => c.object(value, 'x.y[0]'))).toBe(
        `x.y[0] must be an object; it is ${text}`,
      );
    }
  });

  it('array: any array, or one of exactly `length` entries', () => {
    const a = [1, 2];
    expect(c.array(a, 'x.y[0]')).toBe(a);
    expect(c.array([], 'x.y[0]')).toEqual([]);
    expect(c.array(a, 'x.y[0]', 2)).toBe(a);
    expect(c.array([], 'x.y[0]', 0)).toEqual([]);
    expect(refusal(() => c.array({}, 'x.y[0]'))).toBe('x.y[0] must be an array; it is {}');
    expect(refusal(() => c.array('[1]', 'x.y[0]'))).toBe('x.y[0] must be an array; it is "[1]"');
    expect(refusal(() => c.array(undefined, 'x.y[0]', 2))).toBe(
      'x.y[0] must be an array of 2 entries; it is missing',
    );
    expect(refusal(() => c.array([1], 'x.y[0]', 2))).toBe(
      'x.y[0] must be an array of 2 entries; it has 1',
    );
    expect(refusal(() => c.array([1, 2, 3], 'x.y[0]', 2))).toBe(
      'x.y[0] must be an array of 2 entries; it has 3',
    );
  });

  it('string', () => {
    expect(c.string('', 'x.y[0]')).toBe('');
    expect(c.string('a', 'x.y[0]')).toBe('a');
    expect(refusal(() => c.string(1, 'x.y[0]'))).toBe('x.y[0] must be a string; it is 1');
    expect(refusal(() => c.string(null, 'x.y[0]'))).toBe('x.y[0] must be a string; it is null');
    expect(refusal(() => c.string(['a'], 'x.y[0]'))).toBe('x.y[0] must be a string; it is ["a"]');
  });

  it('boolean', () => {
    expect(c.boolean(true, 'x.y[0]')).toBe(true);
    expect(c.boolean(false, 'x.y[0]')).toBe(false);
    expect(refusal(() => c.boolean('true', 'x.y[0]'))).toBe(
      'x.y[0] must be true or false; it is "true"',
    );
    expect(refusal(() => c.boolean(0, 'x.y[0]'))).toBe('x.y[0] must be true or false; it is 0');
    expect(refusal(() => c.boolean(undefined, 'x.y[0]'))).toBe(
      'x.y[0] must be true or false; it is missing',
    );
  });

  it('number: finite, within the bounds given (inclusive)', () => {
    for (const v of [0, -1.5, 1e308, -Number.MAX_VALUE]) expect(c.number(v, 'x.y[0]')).toBe(v);
    for (const [value, text] of [
      [Number.NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [new Overflow('-1e999'), '-1e999'],
      ['1', '"1"'],
      [null, 'null'],
      [undefined, 'missing'],
    ] as const) {
      expect(refusal(() => c.number(value, 'x.y[0]'))).toBe(
        `x.y[0] must be a finite number; it is ${text}`,
      );
    }
    expect(c.number(0, 'x.y[0]', 0)).toBe(0);
    expect(refusal(() => c.number(-0.1, 'x.y[0]', 0))).toBe(
      'x.y[0] must be a finite number ≥ 0; it is -0.1',
    );
    expect(c.number(1, 'x.y[0]', -Infinity, 1)).toBe(1);
    expect(refusal(() => c.number(1.5, 'x.y[0]', -Infinity, 1))).toBe(
      'x.y[0] must be a finite number ≤ 1; it is 1.5',
    );
    expect(c.number(0, 'x.y[0]', 0, 1)).toBe(0);
    expect(c.number(1, 'x.y[0]', 0, 1)).toBe(1);
    expect(refusal(() => c.number(2, 'x.y[0]', 0, 1))).toBe(
      'x.y[0] must be a finite number in [0, 1]; it is 2',
    );
    expect(refusal(() => c.number(Infinity, 'x.y[0]', 0))).toBe(
      'x.y[0] must be a finite number ≥ 0; it is Infinity',
    );
  });

  it('integer: ≥ 0 unless told, within the bounds given (inclusive)', () => {
    expect(c.integer(0, 'x.y[0]')).toBe(0);
    expect(c.integer(2 ** 53, 'x.y[0]')).toBe(2 ** 53);
    for (const [value, text] of [
      [-1, '-1'],
      [1.5, '1.5'],
      ['1', '"1"'],
      [new Overflow('1e400'), '1e400'],
      [Infinity, 'Infinity'],
      [undefined, 'missing'],
    ] as const) {
      expect(refusal(() => c.integer(value, 'x.y[0]'))).toBe(
        `x.y[0] must be an integer ≥ 0; it is ${text}`,
      );
    }
    expect(c.integer(1, 'x.y[0]', 1)).toBe(1);
    expect(refusal(() => c.integer(0, 'x.y[0]', 1))).toBe('x.y[0] must be an integer ≥ 1; it is 0');
    expect(c.integer(-3, 'x.y[0]', -Infinity, 3)).toBe(-3);
    expect(refusal(() => c.integer(4, 'x.y[0]', -Infinity, 3))).toBe(
      'x.y[0] must be an integer ≤ 3; it is 4',
    );
    expect(c.integer(3, 'x.y[0]', 1, 3)).toBe(3);
    expect(refusal(() => c.integer(4, 'x.y[0]', 1, 3))).toBe(
      'x.y[0] must be an integer in [1, 3]; it is 4',
    );
  });

  it('oneOf: one of the values allowed, compared with ===', () => {
    expect(c.oneOf('b', 'x.y[0]', ['a', 'b'])).toBe('b');
    expect(c.oneOf(2, 'x.y[0]', [1, 2])).toBe(2);
    expect(refusal(() => c.oneOf('c', 'x.y[0]', ['a', 'b']))).toBe(
      'x.y[0] must be one of "a", "b"; it is "c"',
    );
    expect(refusal(() => c.oneOf('1', 'x.y[0]', [1, 2]))).toBe(
      'x.y[0] must be one of 1, 2; it is "1"',
    );
    expect(refusal(() => c.oneOf(undefined, 'x.y[0]', [null]))).toBe(
      'x.y[0] must be one of null; it is missing',
    );
  });

  it('equal: exactly the value expected, compared as JSON', () => {
    expect(c.equal({ a: [1, 'b'] }, 'x.y[0]', { a: [1, 'b'] })).toBeUndefined();
    expect(c.equal(1, 'x.y[0]', 1)).toBeUndefined();
    expect(refusal(() => c.equal(2, 'x.y[0]', 1))).toBe('x.y[0] must be 1; it is 2');
    expect(refusal(() => c.equal('1', 'x.y[0]', 1))).toBe('x.y[0] must be 1; it is "1"');
    expect(refusal(() => c.equal(undefined, 'x.y[0]', 'v'))).toBe(
      'x.y[0] must be "v"; it is missing',
    );
    expect(refusal(() => c.equal({ a: [1] }, 'x.y[0]', { a: [2] }))).toBe(
      'x.y[0] must be {"a":[2]}; it is {"a":[1]}',
    );
    expect(refusal(() => c.equal(new Overflow('1e400'), 'x.y[0]', 1))).toBe(
      'x.y[0] must be 1; it is 1e400',
    );
    // What JSON.stringify throws on is not equal, and still a checker's error.
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(refusal(() => c.equal(cyclic, 'x.y[0]', 'v'))).toBe(
      'x.y[0] must be "v"; it is [object Object]',
    );
    expect(refusal(() => c.equal(1n, 'x.y[0]', 1))).toBe('x.y[0] must be 1; it is 1');
  });
});
