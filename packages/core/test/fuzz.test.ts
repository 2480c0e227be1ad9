/**
 * Property-based fuzzing of every parser and loader of the core and of the public API's
 * options (`train`, `predict`, `evaluate`, `Trainer`): whatever comes in ends in a valid result
 * or a TwoStepError with a `code`, never another exception, never a hang (seed and budget:
 * `@twostep/fuzz`).
 * `FUZZ_SECONDS=600 pnpm --filter @twostep/core test fuzz` runs longer.
 */
import {
  type BatchEvent,
  ConfigError,
  deserialize,
  evaluate,
  ModelFormatError,
  Network,
  oneHot,
  parseArchitecture,
  predict,
  serialize,
  Trainer,
  train,
} from '@twostep/core';
import { Overflow, parseJsonAsWritten } from '@twostep/core/check';
import { referenceBackend } from '@twostep/core/reference';
import {
  anyValue,
  brokenFrom,
  endsWell,
  endsWellAsync,
  FUZZ_TIMEOUT,
  fc,
  fuzz,
  isTwoStepError,
  nasty,
} from '@twostep/fuzz';
import { describe, expect, it } from 'vitest';
import { catching, XOR } from './helpers.js';

/** An architecture string near the grammar: `A[…]` with odd widths, spaces and separators. */
const nearArchitecture = fc
  .tuple(
    fc.constantFrom('A[', 'A [', 'a[', '[', 'A(', ''),
    fc.array(fc.oneof(nasty.map(String), fc.string({ maxLength: 4 })), { maxLength: 6 }),
    fc.constantFrom(',', ', ', ';', ' '),
    fc.constantFrom(']', '', ']]', ') '),
  )
  .map(([open, widths, sep, close]) => `${open}${widths.join(sep)}${close}`);

/** Number literals JSON.parse turns into ±Infinity. */
const overflowing = fc.oneof(
  fc.constantFrom('1e400', '-1e999', '1E+309', '0.5e310', `1${'0'.repeat(309)}`),
  fc
    .tuple(fc.boolean(), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 309, max: 99999 }))
    .map(([minus, digit, exponent]) => `${minus ? '-' : ''}${digit}e${exponent}`),
);

/** A JSON string or number token; strings first, so that a number inside one is not taken. */
const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * JSON `text` with the number literals `picks` choose (indices, modulo their count) written as
 * `literals`; `mark` wraps each written literal (`"…"` to compare as strings).
 */
function overflowed(text: string, picks: number[], literals: string[], mark = (l: string) => l) {
  const numbers = [...text.matchAll(TOKEN)].filter((m) => !m[0].startsWith('"'));
  if (numbers.length === 0) return text;
  const chosen = new Map(picks.map((p, i) => [numbers[p % numbers.length]!.index, literals[i]!]));
  return text.replace(TOKEN, (token, at: number) => {
    const literal = chosen.get(at);
    return literal === undefined || token.startsWith('"') ? token : mark(literal);
  });
}

it('a good ending is a TwoStepError with a code, and nothing else', () => {
  expect(isTwoStepError(new ConfigError('x'))).toBe(true);
  expect(isTwoStepError(new TypeError('x'))).toBe(false);
  expect(isTwoStepError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(false);
  expect(isTwoStepError({ name: 'TwoStepError', code: 'CONFIG' })).toBe(false);
  expect(() => endsWell(() => (null as unknown as object).valueOf())).toThrow(TypeError);
});

describe('fuzz: parsers and loaders end in a result or a TwoStepError', {
  timeout: FUZZ_TIMEOUT,
}, () => {
  it('parseArchitecture, on any string and on strings near the grammar', async () => {
    await fuzz(
      fc.property(fc.oneof(fc.string(), nearArchitecture), (text) => {
        const widths = endsWell(() => parseArchitecture(text));
        if (widths) expect(widths.every((w) => Number.isSafeInteger(w) && w > 0)).toBe(true);
      }),
    );
  });

  it('parseArchitecture, on arrays of any numbers', async () => {
    await fuzz(
      fc.property(fc.array(nasty, { maxLength: 6 }), (widths) => {
        endsWell(() => parseArchitecture(widths));
      }),
    );
  });

  it('deserialize, on any JSON, any text, and valid model files with one field broken', async () => {
    const valid = JSON.parse(
      serialize(
        Network.create({ architecture: 'A[2,3,1]', seed: 1, activations: ['tanh', 'sigmoid'] }),
      ),
    ) as Record<string, unknown>;
    const broken = brokenFrom(valid).map((value) => JSON.stringify(value));
    await fuzz(
      fc.property(fc.oneof(fc.string(), broken), (text) => {
        endsWell(() => deserialize(text));
      }),
    );
  });

  it('deserialize, on model files with numbers too large for a double in place of any number', async () => {
    const text = serialize(
      Network.create({
        architecture: 'A[2,3,1]',
        seed: 1,
        activations: [['tanh', { name: 'leakyRelu', alpha: 0.2 }, 'relu'], 'sigmoid'],
      }),
    );
    const picks = fc.array(fc.nat(), { minLength: 1, maxLength: 3 });
    const literals = fc.array(overflowing, { minLength: 3, maxLength: 3 });
    await fuzz(
      fc.property(picks, literals, (p, l) => {
        const file = overflowed(text, p, l);
        // The first bad field is reported with its literal as written (cut to 60 characters).
        const error = catching(() => deserialize(file));
        expect(error).toBeInstanceOf(ModelFormatError);
        const written = (error as ModelFormatError).reason.match(
          /-?\d+(?:\.\d+)?[eE]\+?\d+|\d{58}/g,
        );
        expect(l.some((literal) => written?.some((w) => literal.startsWith(w)))).toBe(true);
        expect(error.message).not.toMatch(/Infinity|null/);
      }),
    );
  });

  it('deserialize, on any JSON or broken model file with numbers too large for a double', async () => {
    const valid = JSON.parse(serialize(Network.create({ architecture: 'A[2,3,1]', seed: 1 })));
    const text = fc.oneof(
      fc.json(),
      brokenFrom(valid).map((value) => JSON.stringify(value)),
    );
    const picks = fc.array(fc.nat(), { maxLength: 3 });
    const literals = fc.array(overflowing, { minLength: 3, maxLength: 3 });
    await fuzz(
      fc.property(text, picks, literals, (t, p, l) => {
        endsWell(() => deserialize(overflowed(t ?? 'null', p, l)));
      }),
    );
  });

  it('parseJsonAsWritten, on any JSON: JSON.parse, with each overflowing literal as written', async () => {
    const fail = (reason: string) => new Error(reason);
    const picks = fc.array(fc.nat(), { maxLength: 4 });
    const literals = fc.array(overflowing, { minLength: 4, maxLength: 4 });
    await fuzz(
      fc.property(fc.json(), picks, literals, (json, p, l) => {
        const text = overflowed(json, p, l);
        // The same text with the literals as strings marked by a character the JSON lacks.
        fc.pre(!text.includes('\\u0001'));
        const expected = JSON.parse(
          overflowed(json, p, l, (x) => `"\\u0001${x}"`),
          (_, v) =>
            typeof v === 'string' && v.startsWith('\u0001') ? new Overflow(v.slice(1)) : v,
        );
        expect(parseJsonAsWritten(text, fail)).toEqual(expected);
      }),
    );
  });

  it('oneHot, on any labels and class counts', async () => {
    await fuzz(
      fc.property(fc.array(nasty, { maxLength: 5 }), nasty, (labels, classes) => {
        endsWell(() => oneHot(labels, classes));
      }),
    );
  });

  it('Network.create, on any architecture and options', async () => {
    const options = fc.record(
      {
        seed: anyValue,
        activation: anyValue,
        activations: anyValue,
        bias: anyValue,
        init: anyValue,
        maxParameters: anyValue,
        maxEntries: anyValue,
      },
      { requiredKeys: [] },
    );
    const architecture = fc.oneof(nearArchitecture, fc.constant('A[2,3,1]'));
    await fuzz(
      fc.property(architecture, options, (a, o) => {
        endsWell(() => Network.create({ ...o, architecture: a } as never));
      }),
    );
  });

  it('train, on any options and any data', async () => {
    const backend = referenceBackend();
    const options = fc.record(
      {
        epochs: nasty,
        batchSize: nasty,
        initialEpoch: nasty,
        shuffle: anyValue,
        seed: anyValue,
        loss: anyValue,
        reduction: anyValue,
        optimizer: fc.oneof(anyValue, fc.record({ name: anyValue, learningRate: anyValue })),
        mode: anyValue,
        learningRates: anyValue,
      },
      { requiredKeys: [] },
    );
    const rows = fc.array(fc.array(fc.oneof(fc.double(), nasty), { maxLength: 3 }), {
      maxLength: 4,
    });
    await fuzz(
      fc.asyncProperty(options, rows, rows, fc.boolean(), async (o, inputs, targets, own) => {
        const net = Network.create({ architecture: 'A[2,3,1]', seed: 1 });
        const data = own ? { inputs, targets } : XOR;
        const epochs = typeof o.epochs === 'number' && o.epochs > 3 ? 3 : o.epochs;
        await endsWellAsync(() => train(backend, net, data, { ...o, epochs } as never));
      }),
    );
  });
});

describe('fuzz: options of predict, evaluate and Trainer end in a result or a TwoStepError', {
  timeout: FUZZ_TIMEOUT,
}, () => {
  const backend = referenceBackend();
  const rows = fc.array(fc.array(fc.oneof(fc.double(), nasty), { maxLength: 3 }), {
    maxLength: 4,
  });
  /** Options as a record of any values, or any value in place of the record. */
  const optionsOf = <T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) =>
    fc.oneof(fc.record(fields, { requiredKeys: [] }), anyValue);

  it('predict, on any options and any inputs', async () => {
    const options = optionsOf({ batchSize: fc.oneof(nasty, anyValue) });
    await fuzz(
      fc.asyncProperty(options, rows, fc.boolean(), async (o, inputs, own) => {
        const net = Network.create({ architecture: 'A[2,3,1]', seed: 1 });
        const outputs = await endsWellAsync(() =>
          predict(backend, net, own ? inputs : XOR.inputs, o as never),
        );
        if (outputs) expect(outputs).toHaveLength(own ? inputs.length : 4);
      }),
    );
  });

  it('evaluate, on any options and any data', async () => {
    const options = optionsOf({ loss: anyValue, batchSize: fc.oneof(nasty, anyValue) });
    await fuzz(
      fc.asyncProperty(options, rows, rows, fc.boolean(), async (o, inputs, targets, own) => {
        const net = Network.create({ architecture: 'A[2,3,1]', seed: 1 });
        const data = own ? { inputs, targets } : XOR;
        await endsWellAsync(() => evaluate(backend, net, data, o as never));
      }),
    );
  });

  it('new Trainer and its epoch, on any options', async () => {
    const trainerOptions = optionsOf({
      loss: anyValue,
      reduction: anyValue,
      optimizer: fc.oneof(anyValue, fc.record({ name: anyValue, learningRate: anyValue })),
      mode: anyValue,
      learningRates: fc.oneof(anyValue, fc.array(nasty, { maxLength: 3 })),
      optimizerState: anyValue,
    });
    const epochOptions = optionsOf({
      batchSize: fc.oneof(nasty, anyValue),
      order: fc.oneof(
        anyValue,
        fc.array(nasty, { maxLength: 5 }),
        fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4 }),
        fc.array(fc.nat(3), { minLength: 4, maxLength: 4 }),
      ),
      epoch: fc.oneof(nasty, anyValue),
      onBatch: fc.oneof(
        anyValue,
        fc.constantFrom(
          () => {},
          async (b: BatchEvent) => void (await b.loss()),
        ),
      ),
      signal: fc.oneof(anyValue, fc.constant(new AbortController().signal)),
    });
    await fuzz(
      fc.asyncProperty(trainerOptions, epochOptions, async (o, e) => {
        const net = Network.create({ architecture: 'A[2,3,1]', seed: 1 });
        let trainer: Trainer | undefined;
        try {
          await endsWellAsync(async () => {
            trainer = new Trainer(backend, net, o as never);
            return trainer.epoch(XOR, e as never);
          });
        } finally {
          await trainer?.close();
        }
      }),
    );
  });
});
