import { ConfigError } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../src/spec.js';

const minimal = {
  name: 'xor-study',
  datasets: ['xor'],
  rules: ['twoStep'],
  learningRates: [0.1],
  epochs: 5,
  seeds: 3,
};

describe('parseSpec', () => {
  it('fills in the defaults of a minimal spec', () => {
    expect(parseSpec(minimal)).toEqual({
      ...minimal,
      hidden: [[16]],
      activations: ['tanh'],
      modes: ['global'],
      optimizers: ['sgd'],
      batchSizes: [32],
      backends: ['ts'],
      target: 0.9,
    });
  });

  it('names every problem by its path, with what the field takes', () => {
    const error = (() => {
      try {
        parseSpec(
          {
            ...minimal,
            rules: ['twoStep', 'backprop'],
            learningRates: [0.1, -1],
            epochs: 0,
            colour: 'red',
          },
          'study.json',
        );
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected an error');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('study.json is not a study spec:');
    expect(
      lines.some(
        (l) => l.startsWith('  rules[1]: ') && l.includes('"twoStep"|"classic"|"autodiff"'),
      ),
    ).toBe(true);
    expect(lines.some((l) => l.startsWith('  learningRates[1]: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('  epochs: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('  (the spec): ') && l.includes('colour'))).toBe(true);
    expect(lines.at(-1)).toBe('See packages/study/README.md for each field.');
  });

  it('refuses a value listed twice, a bad name, and seeds out of range', () => {
    expect(() => parseSpec({ ...minimal, rules: ['classic', 'classic'] })).toThrow(
      /rules: lists a value twice/,
    );
    expect(() => parseSpec({ ...minimal, name: '../etc' })).toThrow(/name: use letters, digits/);
    expect(() => parseSpec({ ...minimal, seeds: [1, 2 ** 32] })).toThrow(/seeds/);
  });

  it('refuses autodiff without a TensorFlow.js backend, saying which to add', () => {
    expect(() => parseSpec({ ...minimal, rules: ['autodiff'] })).toThrow(
      new ConfigError(
        'spec: rules has autodiff, which differentiates with TensorFlow.js, but backends has none of tfjs-cpu, tfjs-wasm; add one (every rule then runs on it, for a like-for-like comparison).',
      ),
    );
    expect(parseSpec({ ...minimal, rules: ['autodiff'], backends: ['tfjs-cpu'] }).rules).toEqual([
      'autodiff',
    ]);
  });

  it('takes per-neuron families that fit a hidden layer, and refuses those that fit none', () => {
    const family = ['tanh', 'relu', { name: 'leakyRelu', alpha: 0.2 }];
    expect(parseSpec({ ...minimal, hidden: [[3]], activations: [family] }).activations).toEqual([
      family,
    ]);
    expect(() =>
      parseSpec({ ...minimal, hidden: [[4], [3, 3]], activations: ['tanh', family] }),
    ).toThrow(
      new ConfigError(
        'spec: activations[1] is a family of 3 (one σ per neuron), which fits one hidden layer of 3 neurons; add [3] to hidden.',
      ),
    );
  });
});
