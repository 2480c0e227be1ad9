import { createBackend } from '@twostep/backend-ts';
import {
  ConfigError,
  DTypeError,
  type LayerActivation,
  ModelFormatError,
  Network,
  serialize,
  TwoStepError,
} from '@twostep/core';
import { toLayers, toOnnx } from '@twostep/io';
import { describe, expect, it } from 'vitest';
import { modelSettings, readModel } from '../src/import-model.js';
import type { ModelFile } from '../src/protocol.js';
import { checkSettings, DEFAULTS, toForm } from '../src/settings.js';

const f32 = createBackend({ dtype: 'float32' });
const f64 = createBackend({ dtype: 'float64' });

const model = (architecture: number[], activations: LayerActivation[]) =>
  Network.create({ architecture, activations, seed: 3 });

/** A twostep model file as the page sends it. */
const jsonFile = (text: string): ModelFile[] => [{ name: 'model.json', text }];

/** `net`'s weights as float32 holds them (ONNX and Layers files here are float32). */
const float32Weights = (net: Network) =>
  net.getWeights().map((w) => w.map((row) => row.map(Math.fround)));

/** `net` as the two files of a Layers model; the manifest names the weights `weightsPath`. */
function layersFiles(net: Network, weightsPath = 'weights.bin'): ModelFile[] {
  const { modelJson, weightData } = toLayers(net, { weightsPath });
  return [
    { name: 'model.json', text: JSON.stringify(modelJson) },
    { name: weightsPath.split('/').at(-1)!, bytes: new Uint8Array(weightData) },
  ];
}

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

  it('refuses weights that the backend dtype cannot hold before it replaces anything', async () => {
    const file = JSON.parse(serialize(model([2, 3, 2], ['tanh', 'identity'])));
    file.weights[1][0][2] = 1e300;
    const files = jsonFile(JSON.stringify(file));
    await expect(readModel(files, DEFAULTS.toy, f32)).rejects.toThrow(DTypeError);
    await expect(readModel(files, DEFAULTS.toy, f32)).rejects.toThrow(
      /^W2\[0\]\[2\] .* 1e\+300, beyond the float32 range/,
    );
    const { net, settings } = await readModel(files, DEFAULTS.toy, f64);
    expect(net.getWeights()[1]![0]![2]).toBe(1e300);
    expect(settings.architecture).toEqual([2, 3, 2]);
  });

  it('refuses text that is not a model file with the core error, naming the file', async () => {
    for (const json of ['', 'not json', '{}', '[1]', 'null', '{"format":"layers-model"}']) {
      await expect(readModel(jsonFile(json), DEFAULTS.toy, f32)).rejects.toThrow(TwoStepError);
    }
    await expect(readModel(jsonFile('{}'), DEFAULTS.toy, f32)).rejects.toThrow(
      /^model\.json: Model file: format must be "twostep-network"; it is missing/,
    );
  });
});

describe('importing ONNX and TensorFlow.js Layers files', () => {
  const net = model([2, 5, 2], ['relu', 'identity']);

  it('reads an .onnx file: the same architecture, activations and float32 weights', async () => {
    const files = [{ name: 'twostep-toy-model.onnx', bytes: toOnnx(net) }];
    const read = await readModel(files, DEFAULTS.toy, f32);
    expect(read.settings).toEqual({
      ...DEFAULTS.toy,
      architecture: [2, 5, 2],
      activations: ['relu', 'identity'],
    });
    expect(read.net.getWeights()).toEqual(float32Weights(net));
  });

  it('reads a Layers model.json with its weights file, by the name its manifest gives', async () => {
    for (const path of ['weights.bin', './model.weights.bin']) {
      const read = await readModel(layersFiles(net, path), DEFAULTS.mnist, f32);
      expect(read.settings.architecture).toEqual([2, 5, 2]);
      expect(read.net.getWeights()).toEqual(float32Weights(net));
    }
    // The files in any order, the model.json as bytes.
    const [json, weights] = layersFiles(net) as [{ name: string; text: string }, ModelFile];
    const bytes = { name: json.name, bytes: new TextEncoder().encode(json.text) };
    const read = await readModel([weights, bytes], undefined, f32);
    expect(read.net.getWeights()).toEqual(float32Weights(net));
  });

  it('names the weights file a Layers model needs when it was not selected', async () => {
    await expect(readModel(layersFiles(net).slice(0, 1), DEFAULTS.toy, f32)).rejects.toThrow(
      new ConfigError(
        'model.json needs its weights file weights.bin, which was not selected: select model.json and weights.bin together (Ctrl- or ⌘-click the files).',
      ),
    );
  });

  it.each<[string, ModelFile[], RegExp]>([
    [
      'bytes that are not ONNX',
      [{ name: 'bad.onnx', bytes: new TextEncoder().encode('not a model') }],
      /^bad\.onnx: ONNX model: the bytes are not an ONNX protobuf \(.*\); the file is damaged, truncated or not an \.onnx model\.$/,
    ],
    [
      'an empty .onnx',
      [{ name: 'empty.onnx', bytes: new Uint8Array(0) }],
      /^empty\.onnx: ONNX model: the file has no graph/,
    ],
    [
      'Layers weights too short',
      [layersFiles(net)[0]!, { name: 'weights.bin', bytes: new Uint8Array(8) }],
      /^model\.json: TensorFlow\.js Layers model: \$ does not match its weights: the manifest's weights need 108 bytes, the weight data has 8;/,
    ],
    [
      'a Layers manifest without paths',
      [{ name: 'model.json', text: '{"format":"layers-model","weightsManifest":[{}]}' }],
      /^model\.json: TensorFlow\.js Layers model: weightsManifest\[0\]\.paths must be an array; it is missing\.$/,
    ],
  ])('refuses %s with a ModelFormatError naming the file', async (_, files, message) => {
    const read = readModel(files, DEFAULTS.toy, f32);
    await expect(read).rejects.toThrow(ModelFormatError);
    await expect(read).rejects.toThrow(message);
  });

  it.each<[string, ModelFile[], string]>([
    [
      'no model file',
      [{ name: 'weights.bin', bytes: new Uint8Array(4) }],
      "Select a model file: a .json (twostep's own, or a TensorFlow.js Layers model.json with its weights files) or an .onnx; you selected weights.bin.",
    ],
    [
      'no file',
      [],
      "Select a model file: a .json (twostep's own, or a TensorFlow.js Layers model.json with its weights files) or an .onnx; you selected none.",
    ],
    [
      'two models',
      [...jsonFile(serialize(net)), { name: 'b.onnx', bytes: toOnnx(net) }],
      'Select one model at a time; you selected model.json, b.onnx.',
    ],
    [
      'a file the model does not use',
      [
        { name: 'm.onnx', bytes: toOnnx(net) },
        { name: 'weights.bin', bytes: new Uint8Array(4) },
      ],
      'm.onnx does not use weights.bin: select only the model file, and for a Layers model.json the weights files its manifest names.',
    ],
  ])('refuses a selection of %s, saying what to select', async (_, files, message) => {
    await expect(readModel(files, DEFAULTS.toy, f32)).rejects.toThrow(new ConfigError(message));
  });
});
