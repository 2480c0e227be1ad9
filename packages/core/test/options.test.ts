import {
  adam,
  ConfigError,
  evaluate,
  momentum,
  Network,
  OPTIMIZER_NAMES,
  resolveOptimizer,
  sgd,
  Trainer,
  train,
} from '@twostep/core';
import { checkKeys } from '@twostep/core/check';
import { describe, expect, it } from 'vitest';
import { f64 } from './helpers.js';

const net = () => Network.create({ architecture: 'A[2,2,1]', seed: 1 });
const data = { inputs: [[0, 1]], targets: [[1]] };

describe('options that are not taken', () => {
  it('an optimizer setting: named, with the closest one and the list', () => {
    expect(() => momentum({ momentun: 0.5 } as never)).toThrow(
      "momentum: unknown option 'momentun'; did you mean 'momentum'? The options are learningRate, momentum.",
    );
    expect(() => resolveOptimizer({ name: 'adam', beta: 0.9 } as never)).toThrow(
      "adam: unknown option 'beta'; did you mean 'beta1'? The options are learningRate, beta1, beta2, epsilon.",
    );
    expect(() => sgd({ rate: 0.1 } as never)).toThrow(
      "sgd: unknown option 'rate'. The options are learningRate.",
    );
    expect(() => adam({ learningrate: 0.1 } as never)).toThrow("did you mean 'learningRate'?");
  });

  it('checkKeys, for options of an app: null, a number or an array is not an options object', () => {
    const known = ['epochs', 'learningRate'];
    expect(() => checkKeys('fit', { epoch: 2 }, known)).toThrow(
      new ConfigError(
        "fit: unknown option 'epoch'; did you mean 'epochs'? The options are epochs, learningRate.",
      ),
    );
    for (const [options, shown] of [
      [null, 'null'],
      [5, '5'],
      [['epochs'], '["epochs"]'],
    ] as const) {
      expect(() => checkKeys('fit', options as never, known)).toThrow(
        new ConfigError(
          `fit: options must be an object such as { epochs: … }, got ${shown}; leave them out for the defaults.`,
        ),
      );
    }
    expect(() => checkKeys('fit', undefined, known)).not.toThrow();
    expect(() => checkKeys('fit', { epochs: 2, learningRate: 0.1 }, known)).not.toThrow();
  });

  it('an optimizer name: the closest one and the list', () => {
    expect(OPTIMIZER_NAMES).toEqual(['sgd', 'momentum', 'adam']);
    expect(() => resolveOptimizer({ name: 'adma' } as never)).toThrow(
      'optimizer: unknown optimizer "adma"; did you mean \'adam\'? use one of sgd, momentum, adam.',
    );
    expect(() => resolveOptimizer({ name: 'lbfgs' } as never)).toThrow(
      'optimizer: unknown optimizer "lbfgs"; use one of sgd, momentum, adam.',
    );
  });

  it('a training option, before anything runs', async () => {
    const n = net();
    const before = n.getWeights();
    const error = await train(f64, n, data, { epoch: 50 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /^train: unknown option 'epoch'; did you mean 'epochs'\? The options are loss, reduction, optimizer, mode, rule, learningRates, optimizerState, batchSize, epochs, /,
    );
    expect(n.getWeights()).toEqual(before);
    expect(() => new Trainer(f64, n, { batchSize: 8 } as never)).toThrow(
      "Trainer: unknown option 'batchSize'.",
    );
    const trainer = new Trainer(f64, n);
    await expect(trainer.epoch(data, { batchsize: 8 } as never)).rejects.toThrow(
      "epoch: unknown option 'batchsize'; did you mean 'batchSize'?",
    );
    await trainer.close();
  });

  it('every option train() documents is taken', async () => {
    const controller = new AbortController();
    const { history } = await train(f64, net(), data, {
      loss: 'mse',
      reduction: 'sum',
      optimizer: { name: 'momentum', momentum: 0.5 },
      mode: 'layerwise',
      learningRates: [0.1, 0.2],
      batchSize: 1,
      epochs: 2,
      initialEpoch: 0,
      shuffle: false,
      seed: 3,
      onEpoch: () => {},
      onBatch: () => {},
      signal: controller.signal,
    });
    expect(history).toHaveLength(2);
  });
});

describe('options of the wrong type', () => {
  it('learningRates that is not an array: a ConfigError, not a TypeError', async () => {
    await expect(train(f64, net(), data, { learningRates: 0 as never })).rejects.toThrow(
      new ConfigError('learningRates: give 2 positive finite rates, one per layer h = 1…2; got 0.'),
    );
  });

  it('a seed that is an object whose toString is broken: a ConfigError, not a TypeError', () => {
    expect(() =>
      Network.create({ architecture: 'A[2,3,1]', seed: [{ toString: 0 }] as never }),
    ).toThrow(
      new ConfigError(
        'Network.create: seed is [{"toString":0}]; a seed must be an integer from 0 to 4294967295 (2³² − 1), e.g. { seed: 0 }.',
      ),
    );
  });
});

describe('values that cannot be turned into text', () => {
  it('are shown in messages, never a TypeError (found by fuzzing)', async () => {
    const broken = { toString: null } as never;
    expect(() => Network.create({ architecture: 'A[2,3,1]', maxEntries: broken })).toThrow(
      'Network.create: maxEntries must be a positive integer, got {"toString":null}',
    );
    await expect(
      train(f64, net(), data, { optimizer: { name: { toString: false } } as never }),
    ).rejects.toThrow('optimizer: unknown optimizer {"toString":false}; use one of');
  });
});

describe('callbacks and signals', () => {
  it('train refuses a callback that is not a function, or a signal that is not one, before training', async () => {
    const n = net();
    const before = n.getWeights();
    await expect(train(f64, n, data, { onEpoch: 'log' as never })).rejects.toThrow(
      'train: onEpoch must be a function; it is "log".',
    );
    await expect(train(f64, n, data, { onBatch: 1 as never })).rejects.toThrow(
      'train: onBatch must be a function; it is 1.',
    );
    await expect(train(f64, n, data, { signal: {} as never })).rejects.toThrow(
      'train: signal must be an AbortSignal (from an AbortController); it is {}.',
    );
    expect(n.getWeights()).toEqual(before);
    // Absent ones are fine, and a real signal is taken.
    const trained = await train(f64, n, data, { epochs: 1, signal: new AbortController().signal });
    expect(trained.history).toHaveLength(1);
    const trainer = new Trainer(f64, net());
    await expect(trainer.epoch(data, { onBatch: null as never })).rejects.toBeInstanceOf(
      ConfigError,
    );
    await trainer.close();
  });
});

describe('names that are not strings', () => {
  it('a loss or mode whose toString is broken is a ConfigError, not a TypeError (found by fuzzing)', async () => {
    const broken = { toString: [] };
    await expect(evaluate(f64, net(), data, { loss: broken as never })).rejects.toThrow(
      'loss: unknown loss {"toString":[]}; use one of',
    );
    expect(() => new Trainer(f64, net(), { loss: broken as never })).toThrow(ConfigError);
    expect(() => new Trainer(f64, net(), { mode: 10n as never })).toThrow(
      "mode: 10 is not 'global' or 'layerwise'.",
    );
  });
});
