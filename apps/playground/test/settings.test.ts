import { describe, expect, it } from 'vitest';
import {
  activationsFor,
  checkSettings,
  DEFAULTS,
  type SettingsForm,
  toForm,
} from '../src/settings.js';

const form = (
  changes: Partial<SettingsForm> = {},
  task: 'toy' | 'mnist' = 'toy',
): SettingsForm => ({
  ...toForm(DEFAULTS[task]),
  ...changes,
});
const errors = (changes: Partial<SettingsForm>, task: 'toy' | 'mnist' = 'toy') => {
  const checked = checkSettings(form(changes, task));
  return checked.ok ? {} : checked.errors;
};

describe('the settings form', () => {
  it('round-trips the defaults of both tasks', () => {
    for (const task of ['toy', 'mnist'] as const) {
      expect(checkSettings(form({}, task))).toEqual({ ok: true, settings: DEFAULTS[task] });
    }
  });

  it('parses the text of every field', () => {
    const checked = checkSettings(
      form({
        architecture: 'A[2, 5, 1]',
        activations: ['relu', 'sigmoid'],
        loss: 'binaryCrossEntropy',
        learningRate: '1e-2',
        batchSize: '7',
      }),
    );
    expect(checked.ok && checked.settings).toMatchObject({
      architecture: [2, 5, 1],
      activations: ['relu', 'sigmoid'],
      learningRate: 0.01,
      batchSize: 7,
    });
  });

  it('gives each bad field its reason', () => {
    expect(errors({ architecture: 'A[3,8,2]' }).architecture).toBe(
      'A[3,8,2] does not fit the points (2 coordinates, 2 classes): use A[2,…,2] or A[2,…,1].',
    );
    expect(errors({ architecture: 'A[2,8,2]' }, 'mnist').architecture).toBe(
      'A[2,8,2] does not fit the digits (784 pixels, 10 classes): use A[784,…,10].',
    );
    expect(errors({ architecture: 'A[2,64,2]' }).architecture).toBe(
      'hidden layers of at most 32 neurons here; 64 is too wide.',
    );
    expect(
      errors({ architecture: 'A[2,2,2,2,2,2,2,2]', activations: Array(7).fill('tanh') })
        .architecture,
    ).toBe('7 layers: the playground trains at most 6 here.');
    expect(errors({ architecture: 'B[2]' }).architecture).toMatch(/Write it as A\[2,8,8,2\]\.$/);
    expect(errors({ learningRate: 'fast' }).learningRate).toBe('"fast" is not a number.');
    expect(errors({ learningRate: '0' }).learningRate).toBe('0 is outside 0.000001 … 10.');
    expect(errors({ batchSize: '2.5' }).batchSize).toBe('2.5 is not a whole number.');
    expect(errors({ batchSize: '401' }).batchSize).toBe('401 is outside 1 … 400.');
    expect(errors({ points: '5' }).points).toBe('5 is outside 20 … 2000.');
    expect(errors({ noise: '0.9' }).noise).toBe('0.9 is outside 0 … 0.5.');
    expect(errors({ optimizer: 'lbfgs' }).optimizer).toBe(
      '"lbfgs" is not one of sgd, momentum, adam.',
    );
    expect(errors({ activations: ['tanh', 'tanh'] }).activations).toBe(
      'give one activation per layer h = 1…3, got 2.',
    );
    expect(errors({ activations: ['tanh', 'swish', 'identity'] }).activations).toMatch(
      /^layer 2: "swish" is not one of/,
    );
  });

  // Fuzzing found "-0" taken as -0: the form wrote it back as 0, so the settings the page
  // held were not the ones it sent the worker.
  it('takes "-0" as 0, as the form writes it back', () => {
    const checked = checkSettings(form({ noise: '-0', dataSeed: '-0', seed: '-0.0' }));
    expect(
      checked.ok && [checked.settings.noise, checked.settings.dataSeed, checked.settings.seed],
    ).toEqual([0, 0, 0]);
    expect(checked.ok && checkSettings(toForm(checked.settings))).toEqual(checked);
  });

  it('rejects losses that do not fit the output layer, saying what would', () => {
    expect(errors({ loss: 'difference' }).loss).toMatch(/^difference .* has no minimum/);
    expect(
      errors({ loss: 'softmaxCrossEntropy', activations: ['tanh', 'tanh', 'sigmoid'] }).loss,
    ).toBe('softmaxCrossEntropy takes logits: set σ of layer 3 to identity (it is sigmoid).');
    expect(errors({ loss: 'binaryCrossEntropy' }).loss).toBe(
      'binaryCrossEntropy takes probabilities: set σ of layer 3 to sigmoid (it is identity).',
    );
    expect(errors({ architecture: 'A[2,8,1]', activations: ['tanh', 'identity'] }).loss).toBe(
      'softmaxCrossEntropy needs one output per class (NL = 2); with NL = 1 use binaryCrossEntropy.',
    );
    expect(
      errors({ loss: 'mse', architecture: 'A[2,8,1]', activations: ['tanh', 'identity'] }),
    ).toEqual({});
  });

  it('keeps each layer σ when the architecture changes, the output σ last', () => {
    expect(activationsFor([2, 4, 4, 4, 2], ['relu', 'relu', 'identity'])).toEqual([
      'relu',
      'relu',
      'relu',
      'identity',
    ]);
    expect(activationsFor([2, 2], ['relu', 'sigmoid'])).toEqual(['sigmoid']);
  });
});
