/**
 * TensorFlow.js Layers both ways: our exports load in tfjs-layers, predict what twostep
 * predicts (MNIST digits, every activation, with and without bias) and are saved again by tfjs
 * exactly as we wrote them; they come back bit for bit (as float32); models built and saved by
 * tfjs-layers predict what tfjs predicts on MNIST digits; every refusal names the field and the
 * fix, and no model.json with a field broken ends in anything but a Network or a TwoStepError.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createBackend } from '@twostep/backend-ts';
import {
  ACTIVATION_NAMES,
  type ActivationName,
  ConfigError,
  DTypeError,
  type LayerActivation,
  ModelFormatError,
  Network,
  predict,
  Random,
  ResourceLimitError,
  type Rows,
  serialize,
} from '@twostep/core';
import { loadMnist } from '@twostep/datasets/mnist';
import { brokenFrom, endsWell, FUZZ_TIMEOUT, fc, fuzz } from '@twostep/fuzz';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromLayers, toLayers } from '../src/layers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const leaky = { name: 'leakyRelu', alpha: 0.1 } as const;

// biome-ignore lint/suspicious/noExplicitAny: the tests edit parsed model.json files freely.
type Json = any;

/** A network with seeded random weights everywhere, the biases included. */
function network(architecture: number[], activations: LayerActivation[], bias = true, seed = 1) {
  const net = Network.create({ architecture, activations, bias });
  const random = new Random(seed);
  net.setWeights(
    net
      .getWeights()
      .map((w, i) =>
        w.map((row) => row.map(() => random.normal() / Math.sqrt(architecture[i]!) + 0.1)),
      ),
  );
  return net;
}

/** The weights of `net` as float32 would hold them. */
const float32 = (net: Network) => net.getWeights().map((w) => w.map((row) => row.map(Math.fround)));

/** Each entry of `a` and `b` is the same number, bit for bit (−0 is not 0). */
function expectBitEqual(a: number[][][], b: number[][][]) {
  expect(a.map((w) => w.map((row) => row.length))).toEqual(
    b.map((w) => w.map((row) => row.length)),
  );
  a.forEach((w, h) => {
    w.forEach((row, r) => {
      row.forEach((v, c) => {
        if (!Object.is(v, b[h]![r]![c])) expect([h, r, c, v]).toEqual([h, r, c, b[h]![r]![c]]);
      });
    });
  });
}

/** The model.json and weights tfjs-layers writes for `model` (as its file and http savers do). */
async function savedByTfjs(model: tfl.LayersModel, includeOptimizer = false) {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer },
  );
  const { weightSpecs, weightData, ...rest } = artifacts!;
  const modelJson = {
    ...rest,
    weightsManifest: [{ paths: ['./weights.bin'], weights: weightSpecs }],
  };
  return {
    modelJson: JSON.parse(JSON.stringify(modelJson)),
    weightData: weightData as ArrayBuffer,
    artifacts: artifacts!,
  };
}

const backend = createBackend({ dtype: 'float32' });

/** 100 MNIST digits, 10 of each class. */
const digits = () => {
  const { inputs } = loadMnist();
  return Array.from({ length: 100 }, (_, i) => inputs[i * 100]!);
};

/** `count` rows of `width` values in [−scale, scale], seeded. */
function randomRows(count: number, width: number, scale: number, seed = 7): number[][] {
  const random = new Random(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: width }, () => random.uniform(-scale, scale)),
  );
}

/**
 * tfjs's `model.predict` gives what twostep's `predict` (backend-ts, float32) gives on `rows`,
 * within 1e-5 relative to the outputs' scale: an output near 0 that is a sum of larger terms
 * differs by the float32 rounding of those terms (both sum in float32, in different orders).
 */
async function expectSamePredictions(model: tfl.LayersModel, net: Network, rows: Rows) {
  const shape = model.inputs[0]!.shape.slice(1) as number[];
  const flat = Float32Array.from(Array.from(rows, (row) => Array.from(row)).flat());
  const input = tf.tensor(flat, [rows.length, ...shape]);
  const output = model.predict(input) as tf.Tensor;
  const theirs = output.arraySync() as number[][];
  tf.dispose([input, output]);
  const ours = await predict(backend, net, rows);
  expect(theirs.map((row) => row.length)).toEqual(ours.map((row) => row.length));
  const scale = Math.max(...ours.flat().map(Math.abs));
  let worst = 0;
  ours.forEach((row, s) => {
    row.forEach((v, j) => {
      worst = Math.max(worst, Math.abs(theirs[s]![j]! - v) / Math.max(Math.abs(v), scale));
    });
  });
  expect(scale).toBeGreaterThan(0.1);
  expect(worst).toBeLessThan(1e-5);
}

/**
 * `net` through tfjs-layers: its `toLayers` export, as read from a model.json file, made into
 * a model by tfjs's own model.json reading (as its http and file loaders do), predicts on
 * `rows` what twostep predicts, and tfjs saves it again exactly as we wrote it: the topology,
 * the weight specs and the bytes. Returns the model.json.
 */
async function throughTfjs(net: Network, rows: Rows) {
  const { modelJson, weightData } = toLayers(net);
  const json: Json = JSON.parse(JSON.stringify(modelJson));
  const specs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const model = await tfl.loadLayersModel({
    load: async () => tf.io.getModelArtifactsForJSONSync(json, specs, weightData),
  });
  await expectSamePredictions(model, net, rows);
  const saved = await savedByTfjs(model);
  model.dispose();
  expect(saved.artifacts.modelTopology).toEqual(modelJson.modelTopology);
  expect(saved.artifacts.weightSpecs).toEqual(specs);
  expect(Buffer.from(saved.weightData).equals(Buffer.from(weightData))).toBe(true);
  return json;
}

/** Each layer of a model.json as `Dense <activation>` or `LeakyReLU <alpha>`. */
const layersOf = (json: Json) =>
  json.modelTopology.config.layers.map((l: Json) =>
    l.class_name === 'Dense' ? `Dense ${l.config.activation}` : `LeakyReLU ${l.config.alpha}`,
  );

describe('toLayers: tfjs-layers loads the export, predicts as twostep does and saves it as it is', () => {
  it.each([true, false])('A[784,32,10] relu, identity on MNIST digits, bias %s', async (bias) => {
    const net = network([784, 32, 10], ['relu', 'identity'], bias);
    const json = await throughTfjs(net, digits());
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/^twostep \(/);
    expect(json.convertedBy).toBe('@twostep/io toLayers');
    const [first, second] = json.modelTopology.config.layers;
    expect(first.config).toMatchObject({
      units: 32,
      activation: 'relu',
      use_bias: bias,
      batch_input_shape: [null, 784],
      dtype: 'float32',
    });
    expect(second.config).toMatchObject({ units: 10, activation: 'linear', use_bias: bias });
    expect(second.config).not.toHaveProperty('batch_input_shape');
    const spec = (name: string, shape: number[]) => ({ name, shape, dtype: 'float32' });
    expect(json.weightsManifest).toEqual([
      {
        paths: ['weights.bin'],
        weights: [
          spec('dense_Dense1/kernel', [784, 32]),
          ...(bias ? [spec('dense_Dense1/bias', [32])] : []),
          spec('dense_Dense2/kernel', [32, 10]),
          ...(bias ? [spec('dense_Dense2/bias', [10])] : []),
        ],
      },
    ]);
  });

  const specOf = (name: ActivationName): LayerActivation =>
    name === 'leakyRelu' ? { name, alpha: 0.2 } : name;
  it.each(ACTIVATION_NAMES.flatMap((name) => [true, false].map((bias) => [name, bias] as const)))(
    'A[3,5,4,2] %s in every layer, bias %s, on random inputs',
    async (name, bias) => {
      const spec = specOf(name);
      const net = network([3, 5, 4, 2], [spec, spec, spec], bias, 3);
      const json = await throughTfjs(net, randomRows(64, 3, 3));
      // tfjs calls identity linear; leakyRelu is a linear Dense and a LeakyReLU layer.
      const layer =
        name === 'leakyRelu'
          ? ['Dense linear', 'LeakyReLU 0.2']
          : [`Dense ${name === 'identity' ? 'linear' : name}`];
      expect(layersOf(json)).toEqual([...layer, ...layer, ...layer]);
      expect(
        json.modelTopology.config.layers
          .filter((l: Json) => l.class_name === 'Dense')
          .map((l: Json) => l.config.use_bias),
      ).toEqual([bias, bias, bias]);
    },
  );

  it('leakyRelu between other layers, with its default slope 0.01', async () => {
    const net = network([3, 4, 4, 2], ['tanh', 'leakyRelu', 'sigmoid']);
    const json = await throughTfjs(net, randomRows(64, 3, 3));
    expect(layersOf(json)).toEqual([
      'Dense tanh',
      'Dense linear',
      'LeakyReLU 0.01',
      'Dense sigmoid',
    ]);
    expect(json.modelTopology.config.layers[2].config).toEqual({
      alpha: 0.01,
      name: 'leaky_re_lu_LeakyReLU2',
      trainable: true,
    });
  });

  it('a family of one function per neuron, all alike, is that function', async () => {
    const net = network(
      [3, 4, 2],
      [
        ['relu', 'relu', 'relu', 'relu'],
        [leaky, leaky],
      ],
    );
    const json = await throughTfjs(net, randomRows(64, 3, 3));
    expect(layersOf(json)).toEqual(['Dense relu', 'Dense linear', 'LeakyReLU 0.1']);
  });

  it('kernel = W♯ᵀ, row-major, then the bias column, as float32', () => {
    const net = network([784, 32, 10], ['relu', 'identity']);
    const w = net.getWeights();
    const view = new DataView(toLayers(net).weightData);
    const at = (k: number) => view.getFloat32(4 * k, true);
    expect(view.byteLength).toBe(4 * (784 * 32 + 32 + 32 * 10 + 10));
    // kernel1[c][r] = W1[r][c]; bias1[r] = W1[r][784]; then kernel2 and bias2 (toBe: −0 is not 0).
    expect(at(5 * 32 + 3)).toBe(Math.fround(w[0]![3]![5]!));
    expect(at(784 * 32 + 7)).toBe(Math.fround(w[0]![7]![784]!));
    const second = 784 * 32 + 32;
    expect(at(second + 31 * 10 + 9)).toBe(Math.fround(w[1]![9]![31]!));
    expect(at(second + 320 + 4)).toBe(Math.fround(w[1]![4]![32]!));
    // Without bias the second kernel follows the first one.
    const plain = network([784, 32, 10], ['relu', 'identity'], false);
    const bare = new DataView(toLayers(plain).weightData);
    expect(bare.byteLength).toBe(4 * (784 * 32 + 32 * 10));
    expect(bare.getFloat32(4 * (784 * 32 + 2 * 10 + 6), true)).toBe(
      Math.fround(plain.getWeights()[1]![6]![2]!),
    );
  });
});

describe('toLayers → fromLayers', () => {
  it.each([
    ['A[3,4,4,2] tanh, leakyRelu(0.1), sigmoid', [3, 4, 4, 2], ['tanh', leaky, 'sigmoid'], true],
    ['the same without bias', [3, 4, 4, 2], ['tanh', leaky, 'sigmoid'], false],
    ['A[5,6,3] relu, identity', [5, 6, 3], ['relu', 'identity'], true],
    ['A[4,3,2] softplus, leakyRelu(0.1) output', [4, 3, 2], ['softplus', leaky], true],
  ] as const)(
    '%s: the same network, its weights as float32 bit for bit',
    (_, architecture, activations, bias) => {
      const net = network([...architecture], [...activations], bias);
      const { modelJson, weightData } = toLayers(net);
      expect(modelJson.weightsManifest[0]!.paths).toEqual(['weights.bin']);
      const back = fromLayers(modelJson, weightData);
      expect(back.architecture).toEqual(net.architecture);
      expect(back.bias).toBe(bias);
      expect(back.activationSpecs).toEqual(net.activationSpecs);
      expectBitEqual(back.getWeights(), float32(net));
      // As JSON text, and as tfjs would read it after a trip through a file.
      const again = fromLayers(JSON.stringify(modelJson), new Uint8Array(weightData));
      expectBitEqual(again.getWeights(), float32(net));
    },
  );

  it('names the weights file it is given', () => {
    const { modelJson } = toLayers(network([2, 2], ['tanh']), { weightsPath: 'mnist.weights.bin' });
    expect(modelJson.weightsManifest[0]!.paths).toEqual(['mnist.weights.bin']);
    expect(() => toLayers(network([2, 2], ['tanh']), { weightsPath: '' })).toThrow(
      'toLayers: weightsPath must be a file name such as "weights.bin"; it is "".',
    );
    expect(() => toLayers(network([2, 2], ['tanh']), { weightPath: 'x' } as never)).toThrow(
      "toLayers: unknown option 'weightPath'; did you mean 'weightsPath'? The options are weightsPath.",
    );
  });

  it('takes a Network, not a model file', () => {
    const file = serialize(network([2, 2], ['tanh']));
    for (const given of [file, JSON.parse(file)]) {
      expect(() => toLayers(given)).toThrow(ConfigError);
      expect(() => toLayers(given)).toThrow(
        /^toLayers: expected a Network from @twostep\/core, got /,
      );
    }
  });

  it('refuses what a Layers model cannot hold, naming the layer or the weight', () => {
    expect(() => toLayers(network([3, 4, 2], ['tanh', ['sigmoid', leaky]]))).toThrow(
      new ConfigError(
        'toLayers: layer 2 has a per-neuron activation family ("sigmoid", {"name":"leakyRelu","alpha":0.1}); a TensorFlow.js Dense layer applies one activation to all its neurons, so this network cannot be exported as tfjs-layers.',
      ),
    );
    const net = network([2, 2], ['tanh']);
    const w = net.getWeights();
    w[0]![1]![2] = -1e39;
    net.setWeights(w);
    const error = (() => {
      try {
        toLayers(net);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DTypeError);
    expect((error as Error).message).toBe(
      'toLayers: W1[1][2] (layer 1, row 1, column 2) is -1e+39, beyond the float32 range (±3.4028234663852886e+38) of the TensorFlow.js Layers weights file, which is float32 whatever backend trained the model: it would become -Infinity. Train again so that the weights stay in range (a lower learning rate, scaled inputs), or use this model with twostep on a float64 backend.',
    );
  });
});

describe('models built and saved by TensorFlow.js predict as tfjs does', () => {
  /** Random weights and biases (tfjs starts biases at 0, which would hide their layout). */
  function randomize(model: tfl.LayersModel, seed: number) {
    const random = model
      .getWeights()
      .map((w, i) => tf.randomNormal(w.shape, 0, 0.1, 'float32', seed + i));
    model.setWeights(random);
    tf.dispose(random);
  }

  it('Dense layers of every activation twostep has: relu, sigmoid, tanh, softplus, linear', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 32, activation: 'relu', inputShape: [784] }),
        tfl.layers.dense({ units: 16, activation: 'sigmoid' }),
        tfl.layers.dense({ units: 16, activation: 'tanh' }),
        tfl.layers.dense({ units: 12, activation: 'softplus' }),
        tfl.layers.dense({ units: 10 }),
      ],
    });
    randomize(model, 1);
    const { modelJson, weightData, artifacts } = await savedByTfjs(model);
    const net = fromLayers(modelJson, weightData);
    expect(net.architecture).toEqual([784, 32, 16, 16, 12, 10]);
    // What a save handler receives reads the same.
    expect(fromLayers(artifacts, weightData).getWeights()).toEqual(net.getWeights());
    expect(net.activationSpecs).toEqual(['relu', 'sigmoid', 'tanh', 'softplus', 'identity']);
    expect(net.bias).toBe(true);
    await expectSamePredictions(model, net, digits());
  });

  it('without bias anywhere, and with bias in some layers only (a zero bias column)', async () => {
    const none = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 16, activation: 'tanh', useBias: false, inputShape: [784] }),
        tfl.layers.dense({ units: 10, activation: 'sigmoid', useBias: false }),
      ],
    });
    randomize(none, 2);
    const saved = await savedByTfjs(none);
    const net = fromLayers(saved.modelJson, saved.weightData);
    expect(net.bias).toBe(false);
    await expectSamePredictions(none, net, digits());

    const some = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 16, activation: 'relu', useBias: false, inputShape: [784] }),
        tfl.layers.dense({ units: 10, activation: 'tanh' }),
      ],
    });
    randomize(some, 3);
    const mixed = await savedByTfjs(some);
    const withBias = fromLayers(mixed.modelJson, mixed.weightData);
    expect(withBias.bias).toBe(true);
    expect(withBias.getWeights()[0]!.every((row) => row[784] === 0)).toBe(true);
    await expectSamePredictions(some, withBias, digits());
  });

  it('an InputLayer of 28 × 28 and a Flatten, LeakyReLU, Dropout and Activation layers, saved with its optimizer', async () => {
    const model = tfl.sequential();
    model.add(tfl.layers.inputLayer({ inputShape: [28, 28] }));
    model.add(tfl.layers.flatten());
    model.add(tfl.layers.dense({ units: 24 }));
    model.add(tfl.layers.leakyReLU({ alpha: 0.2 }));
    model.add(tfl.layers.dropout({ rate: 0.5 }));
    model.add(tfl.layers.dense({ units: 10 }));
    model.add(tfl.layers.activation({ activation: 'sigmoid' }));
    randomize(model, 4);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    const [x, y] = [tf.zeros([2, 28, 28]), tf.zeros([2, 10])];
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    tf.dispose([x, y]);
    const { modelJson, weightData } = await savedByTfjs(model, true);
    // Adam's moments are in the weights file too, in the optimizer's group: skipped.
    expect(
      modelJson.weightsManifest[0].weights.some((w: { group?: string }) => w.group === 'optimizer'),
    ).toBe(true);
    const net = fromLayers(modelJson, weightData);
    expect(net.architecture).toEqual([784, 24, 10]);
    expect(net.activationSpecs).toEqual([{ name: 'leakyRelu', alpha: 0.2 }, 'sigmoid']);
    await expectSamePredictions(model, net, digits());
  });
});

describe('fromLayers reads the shapes other savers write', () => {
  const net = network([3, 4, 2], ['tanh', leaky]);
  const { modelJson, weightData } = toLayers(net);
  const plain = () => JSON.parse(JSON.stringify(modelJson));
  const expectNet = (read: Network) => {
    expect(read.architecture).toEqual([3, 4, 2]);
    expect(read.activationSpecs).toEqual(['tanh', leaky]);
    expectBitEqual(read.getWeights(), float32(net));
  };

  it('modelTopology under model_config (Keras converter), or the config itself', () => {
    const json = plain();
    expectNet(
      fromLayers({ ...json, modelTopology: { model_config: json.modelTopology } }, weightData),
    );
    expectNet(fromLayers({ ...json, modelTopology: json.modelTopology.config }, weightData));
    // Keras 2.1: a Sequential's config is its list of layers.
    const list = { ...json.modelTopology, config: json.modelTopology.config.layers };
    expectNet(fromLayers({ ...json, modelTopology: list }, weightData));
  });

  it("Keras 3's InputLayer batch_shape and LeakyReLU negative_slope, scoped weight names", () => {
    const json = plain();
    const [first, ...rest] = json.modelTopology.config.layers;
    delete first.config.batch_input_shape;
    const leakyLayer = rest[1];
    leakyLayer.config = { negative_slope: 0.1, name: 'leaky' };
    json.modelTopology.config.layers = [
      { class_name: 'InputLayer', config: { batch_shape: [null, 3], name: 'input' } },
      first,
      ...rest,
    ];
    for (const w of json.weightsManifest[0].weights) w.name = `sequential/${w.name}`;
    expectNet(fromLayers(json, weightData));
  });

  it('ModelArtifacts weightSpecs; the weights in several buffers or at an offset', () => {
    const json = plain();
    const { weightsManifest, ...rest } = json;
    expectNet(fromLayers({ ...rest, weightSpecs: weightsManifest[0].weights }, weightData));
    expectNet(fromLayers(json, [weightData.slice(0, 10), weightData.slice(10)]));
    const padded = new Uint8Array(weightData.byteLength + 3);
    padded.set(new Uint8Array(weightData), 3);
    expectNet(fromLayers(json, padded.subarray(3)));
  });

  it('the input width from the first kernel when no layer declares it', () => {
    const json = plain();
    delete json.modelTopology.config.layers[0].config.batch_input_shape;
    expectNet(fromLayers(json, weightData));
  });
});

describe('fromLayers refuses, naming the field and the fix', () => {
  const { modelJson, weightData } = toLayers(network([3, 4, 2], ['tanh', 'sigmoid']));
  /** modelJson with `edit` applied to a copy; `layers` is its list of layers. */
  const edited = (edit: (json: Json, layers: Json[]) => void) => {
    const json = JSON.parse(JSON.stringify(modelJson));
    edit(json, json.modelTopology.config.layers);
    return json;
  };
  const refusal = (json: unknown, data: ArrayBuffer | Uint8Array = weightData) => {
    try {
      fromLayers(json, data);
    } catch (error) {
      return error as Error;
    }
    throw new Error('fromLayers did not refuse');
  };
  const bytes = (edit: (view: DataView) => void) => {
    const copy = weightData.slice(0);
    edit(new DataView(copy));
    return copy;
  };

  it.each([
    [
      'softmax at the end',
      edited((_, l) => {
        l[1].config.activation = 'softmax';
      }),
      'TensorFlow.js Layers model: modelTopology.config.layers[1].config.activation is "softmax" (Dense "dense_Dense2"), which twostep does not have as an activation: a twostep network outputs the logits, and its loss softmaxCrossEntropy applies the softmax. Save the model again with activation "linear" on that layer: its outputs are then the logits, whose largest is the same class.',
    ],
    [
      'an activation twostep lacks',
      edited((_, l) => {
        l[0].config.activation = 'elu';
      }),
      'TensorFlow.js Layers model: modelTopology.config.layers[0].config.activation is "elu" (Dense "dense_Dense1"), which twostep does not have; its activations are linear, relu, sigmoid, tanh, softplus, and leakyRelu as a LeakyReLU layer.',
    ],
    [
      'a layer of another kind',
      edited((_, l) => {
        l.splice(1, 0, { class_name: 'Conv2D', config: { name: 'conv2d_Conv2D1', filters: 2 } });
      }),
      'TensorFlow.js Layers model: modelTopology.config.layers[1] is Conv2D "conv2d_Conv2D1", which twostep does not read: twostep reads Sequential models of Dense layers (activation linear, relu, sigmoid, tanh or softplus), with Activation, LeakyReLU and Dropout layers between them and an InputLayer or Flatten in front.',
    ],
    [
      'a functional model',
      edited((json) => {
        json.modelTopology.class_name = 'Model';
      }),
      'TensorFlow.js Layers model: modelTopology.class_name must be "Sequential" (twostep networks are a stack of layers, not a graph); it is "Model".',
    ],
    [
      'a graph model',
      edited((json) => {
        json.format = 'graph-model';
      }),
      'TensorFlow.js Layers model: format must be "layers-model" (a graph model, as tensorflowjs_converter writes by default: convert the Keras model with --output_format tfjs_layers_model); it is "graph-model".',
    ],
    [
      'an activation on the inputs',
      edited((_, l) => {
        l.unshift({ class_name: 'Activation', config: { activation: 'relu', name: 'act' } });
      }),
      'TensorFlow.js Layers model: modelTopology.config.layers[0] is Activation "act" before any Dense layer: it would apply to the inputs, which twostep networks take as they are.',
    ],
    [
      'two activations on one layer',
      edited((_, l) => {
        l.push({ class_name: 'Activation', config: { activation: 'tanh', name: 'act' } });
      }),
      'TensorFlow.js Layers model: modelTopology.config.layers[2] is Activation "act" after modelTopology.config.layers[1], which already applies "sigmoid"; a twostep layer has one activation.',
    ],
    [
      'no Dense layer',
      edited((json) => {
        json.modelTopology.config.layers = [{ class_name: 'Dropout', config: { rate: 0.5 } }];
        json.weightsManifest[0].weights = [];
      }),
      'TensorFlow.js Layers model: modelTopology.config.layers has no Dense layer: twostep reads Sequential models of Dense layers (activation linear, relu, sigmoid, tanh or softplus), with Activation, LeakyReLU and Dropout layers between them and an InputLayer or Flatten in front.',
    ],
    [
      'images without a Flatten',
      edited((_, l) => {
        l[0].config.batch_input_shape = [null, 1, 3];
      }),
      'TensorFlow.js Layers model: modelTopology.config.layers[0] is Dense "dense_Dense1" on inputs of shape [1, 3], which it applies along the last axis only; twostep networks take flat rows: add a Flatten in front of it.',
    ],
    [
      'a channels_first Flatten',
      edited((_, l) => {
        delete l[0].config.batch_input_shape;
        l.unshift({
          class_name: 'Flatten',
          config: { name: 'f', batch_input_shape: [null, 3, 1], data_format: 'channels_first' },
        });
      }),
      'TensorFlow.js Layers model: modelTopology.config.layers[0].config.data_format is "channels_first", which reorders the input before flattening; save the model with channels_last (the default).',
    ],
    [
      'an InputLayer after the first layer',
      edited((_, l) => {
        l.push({ class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 2] } });
      }),
      'TensorFlow.js Layers model: modelTopology.config.layers[2] is InputLayer "in", read only as the first layer.',
    ],
    [
      'units that are no count',
      edited((_, l) => {
        l[0].config.units = 4.5;
      }),
      'TensorFlow.js Layers model: modelTopology.config.layers[0].config.units must be an integer ≥ 1; it is 4.5.',
    ],
    [
      'a kernel of another shape',
      edited((_, l) => {
        l[0].config.batch_input_shape = [null, 2];
      }),
      'TensorFlow.js Layers model: weightsManifest[0].weights[0].shape must be [2, 4] for modelTopology.config.layers[0] (Dense "dense_Dense1"); it is [3, 4].',
    ],
    [
      'a missing weight',
      edited((json) => {
        json.weightsManifest[0].weights[2].name = 'other/kernel';
      }),
      'TensorFlow.js Layers model: weightsManifest has no weight "dense_Dense2/kernel" for modelTopology.config.layers[1] (Dense "dense_Dense2"); give the model.json and weights files saved together.',
    ],
    [
      'a weight of no layer',
      edited((_, l) => {
        l[1].config.use_bias = false;
      }),
      'TensorFlow.js Layers model: weightsManifest[0].weights[3] ("dense_Dense2/bias") belongs to no Dense layer of the model: the weights do not match the topology; save the model again with tfjs.',
    ],
    [
      'int32 weights',
      edited((json) => {
        json.weightsManifest[0].weights[0].dtype = 'int32';
      }),
      'TensorFlow.js Layers model: weightsManifest[0].weights[0].dtype must be "float32" (twostep reads float32 weights, as tfjs saves them); it is "int32".',
    ],
    [
      'quantized weights',
      edited((json) => {
        json.weightsManifest[0].weights[1].quantization = { dtype: 'uint8', scale: 1, min: 0 };
      }),
      'TensorFlow.js Layers model: weightsManifest[0].weights[1].quantization is set: quantized weights are not read; save the model from tfjs without quantization.',
    ],
    [
      'no weights manifest',
      edited((json) => {
        delete json.weightsManifest;
      }),
      'TensorFlow.js Layers model: weightsManifest must be an array of weight groups { paths, weights }; it is missing.',
    ],
    [
      'text that is not JSON',
      '{"format": "layers-model",',
      /^TensorFlow\.js Layers model: \$ is not valid JSON \(.*\); the file is damaged or of another kind\.$/,
    ],
  ])('%s', (_, json, message) => {
    const weights =
      json.weightsManifest?.[0]?.weights.length === 0 ? new ArrayBuffer(0) : weightData;
    const error = refusal(json, weights);
    expect(error).toBeInstanceOf(ModelFormatError);
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });

  it('weights that do not match the manifest, before reading them', () => {
    const error = refusal(modelJson, weightData.slice(4));
    expect(error.message).toBe(
      "TensorFlow.js Layers model: $ does not match its weights: the manifest's weights need 104 bytes, the weight data has 100; give the weights files of this model.json, all of them, in manifest order.",
    );
    expect((error as ModelFormatError).path).toBe('$');
  });

  it('a weight that is not finite, naming it and its index', () => {
    const error = refusal(
      modelJson,
      bytes((v) => v.setFloat32(4 * (2 * 4 + 1), Number.NaN, true)),
    );
    expect(error.message).toBe(
      'TensorFlow.js Layers model: weightsManifest[0].weights[0] ("dense_Dense1/kernel") has NaN at [2, 1]; every weight must be a finite number: train the model again so that it stays finite.',
    );
    expect((error as ModelFormatError).reason).toMatch(/^\("dense_Dense1\/kernel"\) has NaN/);
  });

  it('weights given as something else, options it does not take, a network over the limits', () => {
    expect(() => fromLayers(modelJson, [1, 2] as never)).toThrow(
      new ConfigError(
        'fromLayers: weightData must be an ArrayBuffer, a Uint8Array or an array of ArrayBuffers (the weights files in manifest order); it is [1,2].',
      ),
    );
    expect(() => fromLayers(modelJson, weightData, { maxParams: 1 } as never)).toThrow(
      "fromLayers: unknown option 'maxParams'. The options are maxParameters, maxEntries.",
    );
    expect(() => fromLayers(modelJson, weightData, { maxParameters: 10 })).toThrow(
      ResourceLimitError,
    );
  });
});

describe('fuzz: fromLayers ends in a Network or a TwoStepError', { timeout: FUZZ_TIMEOUT }, () => {
  it('on model.json with one field broken, and any bytes', async () => {
    const { modelJson, weightData } = toLayers(network([3, 4, 2], [leaky, 'sigmoid']));
    const valid = JSON.parse(JSON.stringify(modelJson));
    const data = fc.oneof(
      fc.constant(new Uint8Array(weightData)),
      fc.uint8Array({ maxLength: 120 }),
    );
    await fuzz(
      fc.property(brokenFrom(valid), data, (json, bytes) => {
        endsWell(() => fromLayers(json, bytes));
      }),
    );
  });
});
