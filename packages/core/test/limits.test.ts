/**
 * Sizes and numbers users type: widths, the network's size, batches, one-hot classes and
 * seeds, each checked before anything is allocated or drawn.
 */
import {
  ArchitectureError,
  ConfigError,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_MAX_PARAMETERS,
  deserialize,
  evaluate,
  MAX_SEED,
  Network,
  oneHot,
  predict,
  Random,
  ResourceLimitError,
  ShapeError,
  serialize,
  Trainer,
  train,
} from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { catching, f64 } from './helpers.js';

describe('widths and the network size', () => {
  it('a width beyond the safe integers is an ArchitectureError, not a RangeError', () => {
    expect(() => Network.create({ architecture: 'A[784,99999999999999999999,10]' })).toThrow(
      new ArchitectureError(
        "Architecture 'A[784,99999999999999999999,10]': N1 = 99999999999999999999 is beyond the safe integers (9007199254740991); give each layer's width in neurons, e.g. A[784,128,10].",
      ),
    );
    expect(() => Network.create({ architecture: [2, 2 ** 60, 1] })).toThrow(ArchitectureError);
  });

  it('a deep network is sized without spreading its widths (300,000 layers were a RangeError)', () => {
    const net = Network.create({ architecture: Array(300_001).fill(1) });
    expect(net.architecture).toHaveLength(300_001);
    expect(() => net.checkBatch('predict', 2)).not.toThrow();
  });

  it('a network over the parameter limit is refused before anything is allocated', () => {
    expect(() => Network.create({ architecture: 'A[784,1000000000,10]' })).toThrow(
      'A[784,1000000000,10] has 795,000,000,010 parameters, over the limit of 50,000,000 (maxParameters). Check the widths, ' +
        "or raise the limit: maxParameters: 795,000,000,010 in the network's options (Network.create, deserialize).",
    );
    const error = catching(() => Network.create({ architecture: 'A[784,1000000000,10]' }));
    expect((error as ResourceLimitError).limit).toEqual({
      key: 'maxParameters',
      size: 795_000_000_010,
      max: 50_000_000,
      problem:
        'A[784,1000000000,10] has 795,000,000,010 parameters, over the limit of 50,000,000 (maxParameters). Check the widths',
    });
    // Gigabytes before: 79.5 M float64 weights, and as many again per backend and moment.
    expect(() => Network.create({ architecture: 'A[784,100000,10]' })).toThrow(
      'A[784,100000,10] has 79,500,010 parameters, over the limit of 50,000,000 (maxParameters).',
    );
    expect(DEFAULT_MAX_PARAMETERS).toBe(50_000_000);
    expect(DEFAULT_MAX_ENTRIES).toBe(2 ** 28);
  });

  it('the limits are the network options maxParameters and maxEntries', () => {
    const architecture = 'A[100,50,10]'; // W1 is 50 × 101, 5,560 parameters in all
    expect(() => Network.create({ architecture, maxParameters: 5000 })).toThrow(
      'A[100,50,10] has 5,560 parameters, over the limit of 5,000 (maxParameters).',
    );
    expect(() => Network.create({ architecture, maxEntries: 5000 })).toThrow(
      'A[100,50,10]: W1 has 5,050 entries, over the limit of 5,000 (maxEntries).',
    );
    const net = Network.create({ architecture, maxParameters: 5560, maxEntries: 5050 });
    expect(net.limits).toEqual({ maxParameters: 5560, maxEntries: 5050 });
    // A model file's network takes them from deserialize.
    expect(() => deserialize(serialize(net))).not.toThrow();
    expect(() => deserialize(serialize(net), { maxParameters: 100 })).toThrow(ResourceLimitError);
    for (const bad of [0, -1, Number.NaN, 1.5, 2 ** 60]) {
      expect(() => Network.create({ architecture, maxEntries: bad })).toThrow(
        `Network.create: maxEntries must be a positive integer, got ${bad}; leave it out for the default 268,435,456.`,
      );
    }
    expect(() => Network.create({ architecture, maxParameters: 0 })).toThrow(ConfigError);
  });

  it('a batch whose matrices exceed maxEntries is refused before it is gathered', async () => {
    const net = Network.create({ architecture: 'A[2,3,1]', maxEntries: 40 });
    const data = {
      inputs: Array.from({ length: 20 }, (_, i) => [i / 20, 1 - i / 20]),
      targets: Array.from({ length: 20 }, (_, i) => [i % 2]),
    };
    const message =
      'epoch: a batch of 12 samples makes 4 × 12 matrices (the widest layer and the bias row by the batch) of 48 entries, over the limit of 40 (maxEntries). ' +
      "Lower batchSize, or raise the limit: maxEntries: 48 in the network's options (Network.create, deserialize).";
    await expect(train(f64, net, data, { batchSize: 12 })).rejects.toThrow(message);
    await expect(train(f64, net, data, { batchSize: 10 })).resolves.toBeDefined();
    const trainer = new Trainer(f64, net);
    expect(() => trainer.step(data)).toThrow('step: a batch of 20 samples makes 4 × 20 matrices');
    await trainer.close();
    await expect(predict(f64, net, data.inputs)).rejects.toThrow('predict: a batch of 20 samples');
    await expect(evaluate(f64, net, data, { batchSize: 11 })).rejects.toThrow(
      'evaluate: a batch of 11 samples',
    );
    await expect(predict(f64, net, data.inputs, { batchSize: 10 })).resolves.toHaveLength(20);
  });
});

describe('oneHot', () => {
  it('takes a positive integer number of classes', () => {
    const message = (classes: string) =>
      `oneHot: classes is ${classes}; it must be a positive integer, the number of classes (labels run from 0 to classes − 1), e.g. oneHot(labels, 10).`;
    expect(() => oneHot([0], Number.NaN)).toThrow(new ConfigError(message('NaN')));
    expect(() => oneHot([0], 0)).toThrow(message('0'));
    expect(() => oneHot([0], 2.5)).toThrow(message('2.5'));
    expect(() => oneHot([0], '3' as unknown as number)).toThrow(message('"3"'));
    expect(oneHot([1, 0], 2)).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('names a label out of range, and the classes it was checked against', () => {
    expect(() => oneHot([0, 3], 3)).toThrow(
      new ShapeError(
        'oneHot: label 1 is 3; labels must be integers in [0, 2] for 3 classes. Map the labels to 0…2, or pass the right number of classes.',
      ),
    );
    expect(() => oneHot([Number.NaN], 3)).toThrow('oneHot: label 0 is NaN');
    expect(() => oneHot(null as unknown as number[], 3)).toThrow(ShapeError);
  });

  it('refuses a matrix over maxEntries before making it', () => {
    expect(() => oneHot(new Uint8Array(1000), 1e9)).toThrow(
      'oneHot: 1000 labels × 1000000000 classes make 1,000,000,000,000 entries, over the limit of 16,777,216 (maxEntries). Check the number of classes, ' +
        "or raise the limit: maxEntries: 1,000,000,000,000 in oneHot's options: oneHot(labels, classes, { maxEntries }).",
    );
    expect(() => oneHot([0, 1], 3, { maxEntries: 5 })).toThrow(ResourceLimitError);
    expect(oneHot([0, 1], 3, { maxEntries: 6 })).toHaveLength(2);
    expect(() => oneHot([0], 3, { maxEntries: Number.NaN })).toThrow(
      'oneHot: maxEntries must be a positive integer, got NaN',
    );
  });
});

describe('seeds', () => {
  const message = (where: string, seed: string) =>
    `${where}: seed is ${seed}; a seed must be an integer from 0 to 4294967295 (2³² − 1), e.g. { seed: 0 }.`;

  it('are integers from 0 to 2³² − 1: no seed is silently truncated onto another', () => {
    // Before, 1e300 gave seed 0's stream, 2³² too, and 0.5 seed 0's.
    for (const [seed, shown] of [
      [1e300, '1e+300'],
      [2 ** 32, '4294967296'],
      [-1, '-1'],
      [0.5, '0.5'],
      [Number.NaN, 'NaN'],
    ] as const) {
      expect(() => new Random(seed)).toThrow(new ConfigError(message('Random', shown)));
    }
    expect(MAX_SEED).toBe(2 ** 32 - 1);
    expect(new Random(MAX_SEED).next()).not.toBe(new Random(0).next());
  });

  it('are checked where they are taken: Network.create and train', async () => {
    expect(() => Network.create({ architecture: 'A[1,1]', seed: 1e300 })).toThrow(
      message('Network.create', '1e+300'),
    );
    const net = Network.create({ architecture: 'A[1,1]' });
    const data = { inputs: [[1]], targets: [[0]] };
    await expect(train(f64, net, data, { seed: -1 })).rejects.toThrow(message('train', '-1'));
    await expect(train(f64, net, data, { seed: 2 ** 32 - 1 })).resolves.toBeDefined();
  });
});
