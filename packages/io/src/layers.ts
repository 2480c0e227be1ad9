/**
 * TensorFlow.js Layers models both ways. `toLayers` writes a network as the `model.json` and
 * weights file that `tf.loadLayersModel` reads, in the shape tfjs-layers 4.22 saves them (no
 * tfjs import here); `fromLayers` reads what tfjs `model.save()` writes, for Sequential models
 * of Dense layers.
 *
 * Layer h (Yh = Wh·X(h−1), bias in the last column of Wh, samples as columns) is a Dense layer
 * (y = x·kernel + bias, samples as rows): kernel = W♯hᵀ, N(h−1) × Nh, and bias = the last
 * column of Wh. leakyRelu(α) has no Dense activation name: it is a linear Dense followed by a
 * LeakyReLU layer.
 */
import {
  type ActivationSpec,
  ConfigError,
  type LayerActivation,
  type Limits,
  MODEL_FORMAT,
  MODEL_VERSION,
  ModelFormatError,
  Network,
} from '@twostep/core';
import {
  checker,
  checkKeys,
  type Fields,
  firstOverflow,
  overflowError,
  shown,
} from '@twostep/core/check';
import { jsonOf } from './checks.js';

/** One weight of the manifest, as tfjs writes it. */
export interface LayersWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** A Dense layer as tfjs-layers 4.22 saves it (the first one carries the input shape). */
export interface LayersDense {
  class_name: 'Dense';
  config: {
    units: number;
    activation: string;
    use_bias: boolean;
    kernel_initializer: object;
    bias_initializer: object;
    kernel_regularizer: null;
    bias_regularizer: null;
    activity_regularizer: null;
    kernel_constraint: null;
    bias_constraint: null;
    name: string;
    trainable: boolean;
    batch_input_shape?: [null, number];
    dtype?: 'float32';
  };
}

/** The LeakyReLU layer that follows a linear Dense for leakyRelu(α). */
export interface LayersLeakyReLU {
  class_name: 'LeakyReLU';
  config: { alpha: number; name: string; trainable: boolean };
}

/** The whole `model.json` that `toLayers` writes. */
export interface LayersModelJson {
  modelTopology: {
    class_name: 'Sequential';
    config: { name: string; layers: (LayersDense | LayersLeakyReLU)[] };
    keras_version: string;
    backend: string;
  };
  format: 'layers-model';
  generatedBy: string;
  convertedBy: string | null;
  weightsManifest: { paths: string[]; weights: LayersWeightSpec[] }[];
}

export interface ToLayersOptions {
  /** The weights file that `weightsManifest` names, beside model.json; default `weights.bin`. */
  readonly weightsPath?: string;
}

/** The weights file `toLayers` names by default. */
export const LAYERS_WEIGHTS_FILE = 'weights.bin';

/** Our activation names → the names of tfjs Dense activations (leakyRelu is a layer). */
const DENSE_ACTIVATION = {
  identity: 'linear',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  softplus: 'softplus',
  leakyRelu: 'linear',
} as const;

const isFamily = (spec: LayerActivation): spec is readonly ActivationSpec[] => Array.isArray(spec);

/** A Dense layer's config, field for field as tfjs-layers 4.22 saves it. */
function denseLayer(name: string, units: number, activation: string, useBias: boolean) {
  return {
    class_name: 'Dense' as const,
    config: {
      units,
      activation,
      use_bias: useBias,
      // tfjs's default (glorotNormal); unused on load, the weights come from the weights file.
      kernel_initializer: {
        class_name: 'VarianceScaling',
        config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null },
      },
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      name,
      trainable: true,
    },
  };
}

/** Throws for the first weight of `w` (layer `h`) that float32 cannot hold. */
function checkFloat32(w: readonly (readonly number[])[], h: number): void {
  w.forEach((row, r) => {
    const c = firstOverflow(row);
    if (c === row.length) return;
    throw overflowError(
      `toLayers: W${h}[${r}][${c}] (layer ${h}, row ${r}, column ${c})`,
      row[c]!,
      {
        holder:
          'the TensorFlow.js Layers weights file, which is float32 whatever backend trained the model',
        fix: 'Train again so that the weights stay in range (a lower learning rate, scaled inputs), or use this model with twostep on a float64 backend.',
      },
    );
  });
}

/**
 * `net` as a TensorFlow.js Layers model: `modelJson` is the whole model.json (its
 * `weightsManifest` names `weightsPath`), `weightData` the weights file (little-endian
 * float32). A layer with a family of different activations is a ConfigError, a weight beyond
 * float32 a DTypeError, both naming the layer.
 */
export function toLayers(
  net: Network,
  options: ToLayersOptions = {},
): { modelJson: LayersModelJson; weightData: ArrayBuffer } {
  if (!(net instanceof Network)) {
    throw new ConfigError(`toLayers: expected a Network from @twostep/core, got ${shown(net)}.`);
  }
  checkKeys('toLayers', options, ['weightsPath']);
  const { weightsPath = LAYERS_WEIGHTS_FILE } = options;
  if (typeof weightsPath !== 'string' || weightsPath === '') {
    throw new ConfigError(
      `toLayers: weightsPath must be a file name such as "${LAYERS_WEIGHTS_FILE}"; it is ${shown(weightsPath)}.`,
    );
  }
  const layers: (LayersDense | LayersLeakyReLU)[] = [];
  const specs: LayersWeightSpec[] = [];
  const values: number[] = [];
  const all = net.getWeights();
  net.layers.forEach((layer, i) => {
    const h = i + 1;
    const spec = layer.activation.spec;
    // A family whose members are all alike is resolved to one spec by the core; an array
    // left here really mixes functions, which one Dense activation cannot express.
    if (isFamily(spec)) {
      const names = [...new Set(spec.map((s) => JSON.stringify(s)))];
      throw new ConfigError(
        `toLayers: layer ${h} has a per-neuron activation family (${names.join(', ')}); a TensorFlow.js Dense layer applies one activation to all its neurons, so this network cannot be exported as tfjs-layers.`,
      );
    }
    const { name: kind, alpha } =
      typeof spec === 'string' ? { name: spec, alpha: undefined } : spec;
    const dense = `dense_Dense${h}`;
    const config = denseLayer(dense, layer.outputs, DENSE_ACTIVATION[kind], net.bias);
    // Only the first layer carries the input shape (and the dtype), as tfjs writes it.
    layers.push(
      h === 1
        ? {
            ...config,
            config: {
              ...config.config,
              batch_input_shape: [null, layer.inputs],
              dtype: 'float32',
            },
          }
        : config,
    );
    if (kind === 'leakyRelu') {
      layers.push({
        class_name: 'LeakyReLU',
        config: { alpha: alpha ?? 0.01, name: `leaky_re_lu_LeakyReLU${h}`, trainable: true },
      });
    }

    // Wh[r][c] (r: neuron, c: input) → kernel[c][r], row-major; then the bias column.
    const w = all[i]!;
    checkFloat32(w, h);
    specs.push({ name: `${dense}/kernel`, shape: [layer.inputs, layer.outputs], dtype: 'float32' });
    for (let c = 0; c < layer.inputs; c++)
      for (let r = 0; r < layer.outputs; r++) values.push(w[r]![c]!);
    if (net.bias) {
      specs.push({ name: `${dense}/bias`, shape: [layer.outputs], dtype: 'float32' });
      for (let r = 0; r < layer.outputs; r++) values.push(w[r]![layer.inputs]!);
    }
  });

  const weightData = new ArrayBuffer(4 * values.length);
  const view = new DataView(weightData);
  for (let k = 0; k < values.length; k++) view.setFloat32(4 * k, values[k]!, true);
  const modelJson: LayersModelJson = {
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'sequential_1', layers },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    format: 'layers-model',
    generatedBy: `twostep (${MODEL_FORMAT} version ${MODEL_VERSION})`,
    convertedBy: '@twostep/io toLayers',
    weightsManifest: [{ paths: [weightsPath], weights: specs }],
  };
  return { modelJson, weightData };
}

// --- fromLayers ---------------------------------------------------------------------------

/** tfjs Dense activation names → ours; the rest (softmax, elu, selu, …) are refused. */
const ACTIVATION_OF = new Map<string, ActivationSpec>([
  ['linear', 'identity'],
  ['relu', 'relu'],
  ['sigmoid', 'sigmoid'],
  ['tanh', 'tanh'],
  ['softplus', 'softplus'],
]);

/** The default slope of tfjs's and Keras's LeakyReLU layer. */
const LEAKY_DEFAULT = 0.3;

const SUPPORTED =
  'twostep reads Sequential models of Dense layers (activation linear, relu, sigmoid, tanh or softplus), with Activation, LeakyReLU and Dropout layers between them and an InputLayer or Flatten in front';

/** Bytes per entry of the dtypes a skipped (optimizer) weight may have. */
const BYTES = new Map([
  ['float32', 4],
  ['int32', 4],
  ['bool', 1],
]);

/** The checker of Layers models: `TensorFlow.js Layers model: <path> <reason>.` */
function layersChecker() {
  const problem = (text: string, path: string) => {
    const reason = text.slice(path.length + 1);
    return new ModelFormatError(`TensorFlow.js Layers model: ${text}.`, path, reason);
  };
  return {
    ...checker(problem),
    refuse: (path: string, reason: string) => problem(`${path} ${reason}`, path),
  };
}

type Check = ReturnType<typeof layersChecker>;

/** One weight of the manifest, where its bytes are in the weight data. */
interface Weight {
  name: string;
  shape: number[];
  /** Skipped: the optimizer's state (`group: "optimizer"`). */
  optimizer: boolean;
  offset: number;
  path: string;
  used: boolean;
}

/** A Dense layer of the topology, with the activation that follows it. */
interface Dense {
  path: string;
  label: string;
  name: string;
  units: number;
  bias: boolean;
  activation: ActivationSpec;
  /** The layer that set the activation (the Dense itself, or an Activation/LeakyReLU after it). */
  activationBy: string;
}

/**
 * A network from a TensorFlow.js Layers model: `modelJson` is model.json (parsed, or its text)
 * as `model.save()` writes it, `weightData` the weights files' bytes in manifest order (one
 * buffer, or one per file). Sequential models of Dense layers are read, with Activation,
 * LeakyReLU and Dropout layers and a leading InputLayer or Flatten; anything else is a
 * ModelFormatError naming the field (`modelTopology.config.layers[2].config.activation`) and
 * what is supported. `limits` are the network's, as in `Network.create`.
 */
export function fromLayers(
  modelJson: unknown,
  weightData: ArrayBuffer | Uint8Array | readonly ArrayBuffer[],
  limits: Limits = {},
): Network {
  checkKeys('fromLayers', limits, ['maxParameters', 'maxEntries']);
  const bytes = bytesOf(weightData);
  const c = layersChecker();
  const file = c.object(jsonOf(modelJson, 'TensorFlow.js Layers model'), '$');
  if (file.format !== undefined && file.format !== 'layers-model') {
    const graph =
      file.format === 'graph-model'
        ? ' (a graph model, as tensorflowjs_converter writes by default: convert the Keras model with --output_format tfjs_layers_model)'
        : '';
    c.fail('format', `"layers-model"${graph}`, file.format);
  }
  const weights = manifestOf(c, file, bytes.byteLength);
  const { inputs, dense } = topologyOf(c, file);
  const architecture = [
    inputs ?? firstKernelRows(c, dense[0]!, weights),
    ...dense.map((d) => d.units),
  ];
  const bias = dense.some((d) => d.bias);
  const net = Network.create({
    architecture,
    activations: dense.map((d) => d.activation),
    bias,
    ...limits,
  });

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const matrices = dense.map((d, i) => {
    const n = architecture[i]!;
    const kernel = weightOf(c, weights, d, 'kernel', [n, d.units]);
    const w = Array.from({ length: d.units }, () => new Array<number>(n + (bias ? 1 : 0)).fill(0));
    for (let col = 0; col < n; col++) {
      for (let r = 0; r < d.units; r++) w[r]![col] = float(c, view, kernel, col * d.units + r);
    }
    if (d.bias) {
      const b = weightOf(c, weights, d, 'bias', [d.units]);
      for (let r = 0; r < d.units; r++) w[r]![n] = float(c, view, b, r);
    }
    return w;
  });
  const unused = weights.find((w) => !w.used && !w.optimizer);
  if (unused) {
    throw c.refuse(
      unused.path,
      `(${shown(unused.name)}) belongs to no Dense layer of the model: the weights do not match the topology; save the model again with tfjs`,
    );
  }
  net.setWeights(matrices);
  return net;
}

/** The weight data as one byte array (the buffers of several files joined in order). */
function bytesOf(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Uint8Array) return data;
  if (Array.isArray(data) && data.every((b) => b instanceof ArrayBuffer)) {
    const joined = new Uint8Array(
      data.reduce((sum: number, b: ArrayBuffer) => sum + b.byteLength, 0),
    );
    let at = 0;
    for (const b of data as ArrayBuffer[]) {
      joined.set(new Uint8Array(b), at);
      at += b.byteLength;
    }
    return joined;
  }
  throw new ConfigError(
    `fromLayers: weightData must be an ArrayBuffer, a Uint8Array or an array of ArrayBuffers (the weights files in manifest order); it is ${shown(data)}.`,
  );
}

/**
 * The weights of the manifest (`weightsManifest` groups, or the `weightSpecs` of tfjs's
 * ModelArtifacts), each with its offset, after checking that their sizes add up to `length`.
 */
function manifestOf(c: Check, file: Fields, length: number): Weight[] {
  const entries: { spec: unknown; path: string }[] = [];
  if (file.weightsManifest === undefined && file.weightSpecs !== undefined) {
    c.array(file.weightSpecs, 'weightSpecs').forEach((spec, k) => {
      entries.push({ spec, path: `weightSpecs[${k}]` });
    });
  } else {
    const groups = file.weightsManifest;
    if (!Array.isArray(groups)) {
      c.fail('weightsManifest', 'an array of weight groups { paths, weights }', groups);
    }
    groups.forEach((g, i) => {
      const group = c.object(g, `weightsManifest[${i}]`);
      c.array(group.weights, `weightsManifest[${i}].weights`).forEach((spec, k) => {
        entries.push({ spec, path: `weightsManifest[${i}].weights[${k}]` });
      });
    });
  }
  let offset = 0;
  const weights = entries.map(({ spec, path }) => {
    const s = c.object(spec, path);
    const name = c.string(s.name, `${path}.name`);
    const shape = c
      .array(s.shape, `${path}.shape`)
      .map((n, d) => c.integer(n, `${path}.shape[${d}]`, 0));
    const optimizer = s.group === 'optimizer';
    const dtype = c.string(s.dtype, `${path}.dtype`);
    const size = BYTES.get(dtype);
    if (size === undefined || (!optimizer && dtype !== 'float32')) {
      c.fail(
        `${path}.dtype`,
        '"float32" (twostep reads float32 weights, as tfjs saves them)',
        s.dtype,
      );
    }
    if (s.quantization !== undefined && s.quantization !== null) {
      throw c.refuse(
        `${path}.quantization`,
        'is set: quantized weights are not read; save the model from tfjs without quantization',
      );
    }
    const weight = { name, shape, optimizer, offset, path, used: false };
    offset += size! * shape.reduce((a, b) => a * b, 1);
    return weight;
  });
  if (offset !== length) {
    const need = Number.isSafeInteger(offset)
      ? `${offset} bytes`
      : 'more bytes than any file holds';
    throw c.refuse(
      '$',
      `does not match its weights: the manifest's weights need ${need}, the weight data has ${length}; give the weights files of this model.json, all of them, in manifest order`,
    );
  }
  return weights;
}

/**
 * The width of the input (when the model declares its input shape) and the Dense layers,
 * each with its activation, from the Sequential topology.
 */
function topologyOf(c: Check, file: Fields): { inputs: number | undefined; dense: Dense[] } {
  const { at, list } = layerList(c, file);
  let shape: number[] | undefined;
  let flat = false;
  const dense: Dense[] = [];
  list.forEach((entry, i) => {
    const path = `${at}[${i}]`;
    const layer = c.object(entry, path);
    const kind = c.string(layer.class_name, `${path}.class_name`);
    const config = c.object(layer.config, `${path}.config`);
    const name = config.name === undefined ? '' : c.string(config.name, `${path}.config.name`);
    // `Dense "dense_1"`, or `an InputLayer layer` when it has no name.
    const label =
      name === ''
        ? `${/^[aeiou]/i.test(kind) ? 'an' : 'a'} ${kind} layer`
        : `${kind} ${shown(name)}`;
    if (i === 0) shape = inputShape(c, config, path);
    const last = dense.at(-1);
    switch (kind) {
      case 'InputLayer':
        if (i > 0) throw c.refuse(path, `is ${label}, read only as the first layer`);
        return;
      case 'Flatten':
        // After a Dense the values are flat already: a Flatten there changes nothing.
        if (!last && shape && shape.length > 1 && config.data_format === 'channels_first') {
          throw c.refuse(
            `${path}.config.data_format`,
            'is "channels_first", which reorders the input before flattening; save the model with channels_last (the default)',
          );
        }
        flat ||= !last;
        return;
      case 'Dropout':
        return; // the identity at inference
      case 'Dense': {
        if (!last && shape && shape.length > 1 && !flat) {
          throw c.refuse(
            path,
            `is ${label} on inputs of shape [${shape.join(', ')}], which it applies along the last axis only; twostep networks take flat rows: add a Flatten in front of it`,
          );
        }
        const activation = config.activation ?? 'linear';
        dense.push({
          path,
          label,
          name: c.string(config.name, `${path}.config.name`),
          units: c.integer(config.units, `${path}.config.units`, 1),
          bias:
            config.use_bias === undefined || c.boolean(config.use_bias, `${path}.config.use_bias`),
          activation: activationOf(c, activation, `${path}.config.activation`, label),
          activationBy: path,
        });
        return;
      }
      case 'Activation':
      case 'LeakyReLU': {
        const spec =
          kind === 'Activation'
            ? activationOf(c, config.activation, `${path}.config.activation`, label)
            : leakyOf(c, config, path);
        if (spec === 'identity') return;
        if (!last) {
          throw c.refuse(
            path,
            `is ${label} before any Dense layer: it would apply to the inputs, which twostep networks take as they are`,
          );
        }
        if (last.activation !== 'identity') {
          throw c.refuse(
            path,
            `is ${label} after ${last.activationBy}, which already applies ${shown(last.activation)}; a twostep layer has one activation`,
          );
        }
        last.activation = spec;
        last.activationBy = path;
        return;
      }
      default:
        throw c.refuse(path, `is ${label}, which twostep does not read: ${SUPPORTED}`);
    }
  });
  if (dense.length === 0) throw c.refuse(at, `has no Dense layer: ${SUPPORTED}`);
  return { inputs: shape?.reduce((a, b) => a * b, 1), dense };
}

/**
 * The layers of the Sequential model and their path: `modelTopology` is `{ class_name, config }`
 * (under `model_config` in Keras's converter), or the config itself.
 */
function layerList(c: Check, file: Fields): { at: string; list: unknown[] } {
  let at = 'modelTopology';
  let model = c.object(file.modelTopology, at);
  if (model.model_config !== undefined) {
    at += '.model_config';
    model = c.object(model.model_config, at);
  }
  if (model.class_name === undefined)
    return { at: `${at}.layers`, list: c.array(model.layers, `${at}.layers`) };
  if (model.class_name !== 'Sequential') {
    c.fail(
      `${at}.class_name`,
      '"Sequential" (twostep networks are a stack of layers, not a graph)',
      model.class_name,
    );
  }
  // Keras 2.1 wrote a Sequential's layers as its config.
  if (Array.isArray(model.config)) return { at: `${at}.config`, list: model.config };
  const config = c.object(model.config, `${at}.config`);
  return { at: `${at}.config.layers`, list: c.array(config.layers, `${at}.config.layers`) };
}

/** The input shape without the batch axis, from the first layer's config when it declares it. */
function inputShape(c: Check, config: Fields, path: string): number[] | undefined {
  const key = config.batch_input_shape !== undefined ? 'batch_input_shape' : 'batch_shape';
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  const at = `${path}.config.${key}`;
  const all = c.array(value, at);
  if (all.length < 2) c.fail(at, '[batch, …dimensions], with at least one dimension', value);
  if (all[0] !== null) c.integer(all[0], `${at}[0]`, 1);
  return all.slice(1).map((n, d) => c.integer(n, `${at}[${d + 1}]`, 1));
}

/** Our activation for a tfjs activation name, or the refusal that names the layer. */
function activationOf(c: Check, value: unknown, path: string, label: string): ActivationSpec {
  const name = c.string(value, path);
  const spec = ACTIVATION_OF.get(name);
  if (spec !== undefined) return spec;
  if (name === 'softmax') {
    throw c.refuse(
      path,
      `is "softmax" (${label}), which twostep does not have as an activation: a twostep network outputs the logits, and its loss softmaxCrossEntropy applies the softmax. Save the model again with activation "linear" on that layer: its outputs are then the logits, whose largest is the same class`,
    );
  }
  throw c.refuse(
    path,
    `is ${shown(name)} (${label}), which twostep does not have; its activations are linear, relu, sigmoid, tanh, softplus, and leakyRelu as a LeakyReLU layer`,
  );
}

/** leakyRelu with the layer's slope (`alpha` in tfjs, `negative_slope` in Keras 3). */
function leakyOf(c: Check, config: Fields, path: string): ActivationSpec {
  const key = config.negative_slope !== undefined ? 'negative_slope' : 'alpha';
  const alpha =
    config[key] === undefined ? LEAKY_DEFAULT : c.number(config[key], `${path}.config.${key}`);
  return { name: 'leakyRelu', alpha };
}

/** The weight `<layer>/<part>` of the manifest (or a scoped `…/<layer>/<part>`), not the optimizer's. */
function find(weights: Weight[], d: Dense, part: string): Weight | undefined {
  const own = `${d.name}/${part}`;
  const model = weights.filter((w) => !w.optimizer);
  return model.find((w) => w.name === own) ?? model.find((w) => w.name.endsWith(`/${own}`));
}

/** The rows of the first kernel: the input width of a model that does not declare it. */
function firstKernelRows(c: Check, d: Dense, weights: Weight[]): number {
  const kernel = find(weights, d, 'kernel');
  const rows = kernel?.shape.length === 2 ? kernel.shape[0]! : 0;
  if (rows < 1) weightOf(c, weights, d, 'kernel', ['N0', d.units]);
  return rows;
}

/** The weight `<layer>/<part>`, which must have `shape`, marked used. */
function weightOf(c: Check, weights: Weight[], d: Dense, part: string, shape: unknown[]): Weight {
  const weight = find(weights, d, part);
  if (!weight) {
    throw c.refuse(
      'weightsManifest',
      `has no weight ${shown(`${d.name}/${part}`)} for ${d.path} (${d.label}); give the model.json and weights files saved together`,
    );
  }
  if (JSON.stringify(weight.shape) !== JSON.stringify(shape)) {
    throw c.refuse(
      `${weight.path}.shape`,
      `must be [${shape.join(', ')}] for ${d.path} (${d.label}); it is [${weight.shape.join(', ')}]`,
    );
  }
  weight.used = true;
  return weight;
}

/** Entry `k` of `weight` (little-endian float32), which must be finite. */
function float(c: Check, view: DataView, weight: Weight, k: number): number {
  const v = view.getFloat32(weight.offset + 4 * k, true);
  if (Number.isFinite(v)) return v;
  const index: number[] = [];
  for (let d = weight.shape.length - 1, rest = k; d >= 0; d--) {
    index.unshift(rest % weight.shape[d]!);
    rest = Math.floor(rest / weight.shape[d]!);
  }
  throw c.refuse(
    weight.path,
    `(${shown(weight.name)}) has ${v} at [${index.join(', ')}]; every weight must be a finite number: train the model again so that it stays finite`,
  );
}
