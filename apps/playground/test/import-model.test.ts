import { createBackend } from '@twostep/backend-ts';
import {
  ConfigError,
  DTypeError,
  type LayerActivation,
  Network,
  serialize,
  TwoStepError,
} from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { modelSettings, readModel } from '../src/import-model.js';
import { checkSettings, DEFAULTS, toForm } from '../src/settings.js';

const f32 = createBackend({ dtype: 'float32' });
const f64 = createBackend({ dtype: 'float64' });

const model = (architecture: number[], activations: LayerActivation[]) =>
  Network.create({ architecture, activations, seed: 3 });

describe('importing a model', () => {
  it('takes its architecture and activations into the current settings of its task', () => {
    const current = { ...DEFAULTS.toy, learningRate: 0.5, dataset: 'spiral' as const };
    const settings = modelSettings(model([2, 5, 5, 2], ['relu', 'relu', 'identity']), current);
    expect(settings).toEqual({
      ...current,
      architecture: [2, 5, 5, 2],
      activations: ['relu', 'relu', 'identity'],
    });
    expect(checkSettings(toForm(settings))).toEqual({ ok: true, settings });
  });

  it("takes the task's defaults for a model of the other task, or before any settings", () => {
    const net = model([784, 16, 10], ['sigmoid', 'identity']);
    for (const current of [DEFAULTS.toy, undefined]) {
      expect(modelSettings(net, current)).toEqual({
        ...DEFAULTS.mnist,
        architecture: [784, 16, 10],
        activations: ['sigmoid', 'identity'],
      });
    }
  });

  it('keeps the current loss when it fits the output layer, else takes one that does', () => {
    const toy = DEFAULTS.toy; // softmaxCrossEntropy
    const loss = (architecture: number[], activations: LayerActivation[], current = toy) =>
      modelSettings(model(architecture, activations), current).loss;
    expect(loss([2, 4, 1], ['tanh', 'sigmoid'])).toBe('binaryCrossEntropy');
    expect(loss([2, 4, 2], ['tanh', 'sigmoid'])).toBe('binaryCrossEntropy');
    expect(loss([2, 4, 2], ['tanh', 'relu'])).toBe('mse');
    expect(loss([2, 4, 2], ['tanh', 'identity'], { ...toy, loss: 'mse' })).toBe('mse');
    expect(loss([2, 4, 1], ['tanh', 'identity'], { ...toy, loss: 'binaryCrossEntropy' })).toBe(
      'mse',
    );
  });

  it.each<[string, number[], LayerActivation[], string]>([
    [
      'inputs of no task',
      [3, 4, 2],
      ['tanh', 'identity'],
      'This model takes 3 inputs: the playground trains on points (2) or MNIST digits (784).',
    ],
    [
      'a hidden layer wider than the toy limit',
      [2, 64, 2],
      ['tanh', 'identity'],
      'This model, A[2,64,2], does not fit the playground: hidden layers of at most 32 neurons here; 64 is too wide. It can still be used from Node.',
    ],
    [
      'more layers than the toy limit',
      [2, 2, 2, 2, 2, 2, 2, 2],
      [...Array(6).fill('tanh'), 'identity'],
      'This model, A[2,2,2,2,2,2,2,2], does not fit the playground: 7 layers: the playground trains at most 6 here. It can still be used from Node.',
    ],
    [
      'a hidden layer wider than the MNIST limit',
      [784, 257, 10],
      ['relu', 'identity'],
      'This model, A[784,257,10], does not fit the playground: hidden layers of at most 256 neurons here; 257 is too wide. It can still be used from Node.',
    ],
    [
      'three toy classes',
      [2, 4, 3],
      ['tanh', 'identity'],
      'This model, A[2,4,3], does not fit the playground: A[2,4,3] does not fit the points (2 coordinates, 2 classes): use A[2,…,2] or A[2,…,1]. It can still be used from Node.',
    ],
    [
      'a parametrised activation',
      [2, 4, 2],
      [{ name: 'leakyRelu', alpha: 0.2 }, 'identity'],
      'This model has per-neuron or parametrised activations, which the form cannot show; it can still be used from Node.',
    ],
  ])('refuses a model with %s, saying why', (_, architecture, activations, message) => {
    expect(() => modelSettings(model(architecture, activations), DEFAULTS.toy)).toThrow(
      new ConfigError(message),
    );
  });

  it('refuses weights that the backend dtype cannot hold before it replaces anything', () => {
    const file = JSON.parse(serialize(model([2, 3, 2], ['tanh', 'identity'])));
    file.weights[1][0][2] = 1e300;
    const json = JSON.stringify(file);
    expect(() => readModel(json, DEFAULTS.toy, f32)).toThrow(DTypeError);
    expect(() => readModel(json, DEFAULTS.toy, f32)).toThrow(
      /^W2\[0\]\[2\] .* 1e\+300, beyond the float32 range/,
    );
    const { net, settings } = readModel(json, DEFAULTS.toy, f64);
    expect(net.getWeights()[1]![0]![2]).toBe(1e300);
    expect(settings.architecture).toEqual([2, 3, 2]);
  });

  it('refuses text that is not a model file with the core error', () => {
    for (const json of ['', 'not json', '{}', '[1]', 'null']) {
      expect(() => readModel(json, DEFAULTS.toy, f32)).toThrow(TwoStepError);
    }
  });
});
