/**
 * Property-based fuzzing of every parser and loader of the core and of the public API's
 * options: whatever comes in ends in a valid result or a TwoStepError with a `code`, never
 * another exception, never a hang (seed and budget: `@twostep/fuzz`).
 * `FUZZ_SECONDS=600 pnpm --filter @twostep/core test fuzz` runs longer.
 */
import {
  deserialize,
  Network,
  oneHot,
  parseArchitecture,
  serialize,
  TwoStepError,
  train,
} from '@twostep/core';
import { referenceBackend } from '@twostep/core/reference';
import {
  anyValue,
  brokenFrom,
  endsWell as ends,
  endsWellAsync,
  FUZZ_TIMEOUT,
  fc,
  fuzz,
  nasty,
} from '@twostep/fuzz';
import { describe, expect, it } from 'vitest';

const expected = (error: unknown) =>
  error instanceof TwoStepError && typeof error.code === 'string';
const endsWell = <T>(fn: () => T) => ends(fn, expected);

/** An architecture string near the grammar: `A[…]` with odd widths, spaces and separators. */
const nearArchitecture = fc
  .tuple(
    fc.constantFrom('A[', 'A [', 'a[', '[', 'A(', ''),
    fc.array(fc.oneof(nasty.map(String), fc.string({ maxLength: 4 })), { maxLength: 6 }),
    fc.constantFrom(',', ', ', ';', ' '),
    fc.constantFrom(']', '', ']]', ') '),
  )
  .map(([open, widths, sep, close]) => `${open}${widths.join(sep)}${close}`);

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
        await endsWellAsync(() => train(backend, net, data, { ...o, epochs } as never), expected);
      }),
    );
  });
});

const XOR = {
  inputs: [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  targets: [[0], [1], [1], [0]],
};
