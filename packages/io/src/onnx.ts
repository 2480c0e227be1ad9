/**
 * twostep networks to and from ONNX. `toOnnx` writes the network as ONNX opset `ONNX_OPSET`: per
 * layer a Gemm (MatMul without bias) and its activation, which runtimes such as onnxruntime run
 * as they are. `fromOnnx` reads the dense MLPs that torch.onnx.export and tf2onnx write.
 */
import { type ActivationSpec, ConfigError, formatArchitecture, Network } from '@twostep/core';
import { checkKeys, firstOverflow, overflowError, shown } from '@twostep/core/check';
import { readModel, resolveLimits } from './onnx-import.js';
import {
  AttributeType,
  DataType,
  decodeModel,
  encodeModel,
  type OnnxNode,
  type OnnxTensor,
} from './onnx-schema.js';
import { formatError, tensorProto } from './onnx-tensor.js';

/**
 * The ai.onnx opset `toOnnx` writes: 13, which every maintained runtime reads; its Gemm, MatMul
 * and activations mean the same in every later opset.
 */
export const ONNX_OPSET = 13;

/** IR version 7, that of ONNX 1.8 which brought opset 13: runtimes as old as the opset read it. */
const IR_VERSION = 7;

export interface OnnxExportOptions {
  /**
   * The weights' and tensors' type: `'float32'` (FLOAT, the default) or `'float64'` (DOUBLE).
   * onnxruntime (1.30) runs DOUBLE Gemm, MatMul, Relu, Sigmoid and Tanh, but has no DOUBLE
   * LeakyRelu or Softplus.
   */
  readonly dtype?: 'float32' | 'float64';
  /** The graph's name; default `'twostep'`. */
  readonly name?: string;
}

export interface OnnxImportOptions {
  /** The most parameters the network may have; default the core's 50,000,000. */
  readonly maxParameters?: number;
  /** The most entries of one weight matrix; default the core's 2²⁸. */
  readonly maxEntries?: number;
}

/** The ONNX operator of each activation, and its attributes. */
const OPERATORS: Record<string, (alpha: number) => Pick<OnnxNode, 'opType' | 'attribute'>> = {
  relu: () => ({ opType: 'Relu' }),
  sigmoid: () => ({ opType: 'Sigmoid' }),
  tanh: () => ({ opType: 'Tanh' }),
  softplus: () => ({ opType: 'Softplus' }),
  leakyRelu: (alpha) => ({
    opType: 'LeakyRelu',
    attribute: [{ name: 'alpha', type: AttributeType.FLOAT, f: alpha }],
  }),
};

/**
 * The network as an ONNX model: input `input` [batch, N0], output `output` [batch, NL]; layer h
 * is `Y = X·Whᵀ + bh` (a Gemm with transB = 1, the bias as C; without bias a MatMul with Whᵀ
 * stored as [N(h−1), Nh]), then the activation's node (none for identity). LeakyRelu's alpha is
 * a float attribute, so it is written as float32 even in float64 files. Per-neuron activation
 * families have no ONNX operator and are refused with a ConfigError.
 */
export function toOnnx(net: Network, options: OnnxExportOptions = {}): Uint8Array {
  checkKeys('toOnnx', options, ['dtype', 'name']);
  if (!(net instanceof Network)) {
    throw new ConfigError(`toOnnx: expected a Network from @twostep/core, got ${shown(net)}.`);
  }
  const { dtype = 'float32', name = 'twostep' } = options;
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new ConfigError(
      `toOnnx: dtype must be 'float32' or 'float64', got ${shown(dtype)}; leave it out for float32.`,
    );
  }
  if (typeof name !== 'string') {
    throw new ConfigError(`toOnnx: name must be a string, got ${shown(name)}.`);
  }
  const architecture = formatArchitecture(net.architecture);
  const weights = net.getWeights();
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const kinds: string[] = [];
  let x = 'input';
  net.activationSpecs.forEach((layerSpec, i) => {
    const h = i + 1;
    if (Array.isArray(layerSpec)) {
      throw new ConfigError(
        `toOnnx: layer ${h} of ${architecture} has a per-neuron activation family (${layerSpec.map((s) => shown(s)).join(', ')}), which no ONNX operator computes; give the layer one activation to export it, or save the network with serialize from @twostep/core.`,
      );
    }
    const spec = layerSpec as ActivationSpec;
    const kind = typeof spec === 'string' ? spec : spec.name;
    const alpha = typeof spec === 'string' ? 0 : (spec.alpha ?? 0.01);
    const operator = Object.hasOwn(OPERATORS, kind) ? OPERATORS[kind]!(alpha) : undefined;
    kinds.push(kind);
    if (!operator && kind !== 'identity') {
      throw new ConfigError(
        `toOnnx: layer ${h} has the activation ${shown(kind)}, which has no ONNX operator here; use identity, ${Object.keys(OPERATORS).join(', ')}, or save the network with serialize from @twostep/core.`,
      );
    }
    if (kind === 'leakyRelu' && firstOverflow([alpha]) === 0) {
      throw overflowError(`toOnnx: layer ${h}'s leakyRelu alpha`, alpha, {
        holder: "ONNX's float32 attribute",
        fix: 'Use a slope within range.',
      });
    }
    const w = weights[i]!;
    const rows = w.length;
    const inputs = net.architecture[i]!;
    if (dtype === 'float32') {
      w.forEach((row, r) => {
        const c = firstOverflow(row);
        if (c === row.length) return;
        throw overflowError(
          `toOnnx: W${h}[${r}][${c}] (layer ${h}${c === inputs ? ', the bias' : ''})`,
          row[c]!,
          {
            holder: 'a float32 ONNX file',
            fix: "Export with { dtype: 'float64' }, or scale the weights into range.",
          },
        );
      });
    }
    const last = h === net.depth;
    const y = operator || !last ? `Y${h}` : 'output';
    if (net.bias) {
      initializers.push(
        tensorProto(
          `W${h}`,
          [rows, inputs],
          w.flatMap((row) => row.slice(0, inputs)),
          dtype,
        ),
        tensorProto(
          `b${h}`,
          [rows],
          w.map((row) => row[inputs]!),
          dtype,
        ),
      );
      nodes.push({
        name: `/layer${h}/Gemm`,
        opType: 'Gemm',
        input: [x, `W${h}`, `b${h}`],
        output: [y],
        attribute: [{ name: 'transB', type: AttributeType.INT, i: 1 }],
      });
    } else {
      // MatMul's B is Whᵀ, [N(h−1), Nh]: entry k is Wh[k mod Nh][⌊k / Nh⌋].
      const transposed = Array.from(
        { length: inputs * rows },
        (_, k) => w[k % rows]![Math.floor(k / rows)]!,
      );
      initializers.push(tensorProto(`W${h}T`, [inputs, rows], transposed, dtype));
      nodes.push({
        name: `/layer${h}/MatMul`,
        opType: 'MatMul',
        input: [x, `W${h}T`],
        output: [y],
      });
    }
    x = y;
    if (operator) {
      x = last ? 'output' : `X${h}`;
      nodes.push({ name: `/layer${h}/${operator.opType}`, input: [y], output: [x], ...operator });
    }
  });
  const elemType = dtype === 'float32' ? DataType.FLOAT : DataType.DOUBLE;
  const valueInfo = (valueName: string, width: number) => ({
    name: valueName,
    type: {
      tensorType: { elemType, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } },
    },
  });
  return encodeModel({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'twostep',
    docString: `A twostep network ${architecture}${net.bias ? ' with bias' : ''}, activations ${kinds.join(', ')}: per layer Y = X·Wᵀ + b, then σ (the two-step rule's F-propagation). Inputs are rows of N0 = ${net.architecture[0]} values.`,
    graph: {
      name,
      node: nodes,
      initializer: initializers,
      input: [valueInfo('input', net.architecture[0]!)],
      output: [valueInfo('output', net.architecture.at(-1)!)],
    },
  });
}

/**
 * The network an ONNX model computes, when it is a dense MLP: from its one input, layers of
 * Gemm (any alpha, beta, transB; transA = 0) or MatMul with an optional Add of the bias, each
 * followed by at most one Relu, Sigmoid, Tanh, LeakyRelu or Softplus; Identity nodes, weights
 * from initializers, Constant nodes or their Transpose, and a leading Flatten or Reshape of the
 * input (the network then takes the flattened rows). If some layers have a bias and others not,
 * the network has bias, with zeros where there was none. Anything else is a ModelFormatError
 * naming the node and what twostep reads; a model over the limits, a ResourceLimitError.
 */
export function fromOnnx(
  bytes: Uint8Array | ArrayBuffer,
  options: OnnxImportOptions = {},
): Network {
  checkKeys('fromOnnx', options, ['maxParameters', 'maxEntries']);
  const limits = resolveLimits(options);
  if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) {
    throw new ConfigError(
      `fromOnnx: expected the model's bytes as a Uint8Array or ArrayBuffer, got ${shown(bytes)}; read the .onnx file as bytes (fs.readFileSync, or await response.arrayBuffer()).`,
    );
  }
  let model: ReturnType<typeof decodeModel>;
  try {
    model = decodeModel(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  } catch (error) {
    // protobufjs's own errors: truncated, bad wire types, too deep.
    const why = error instanceof Error ? error.message : String(error);
    const e = formatError(
      '$',
      `the bytes are not an ONNX protobuf (${why}); the file is damaged, truncated or not an .onnx model`,
    );
    e.cause = error;
    throw e;
  }
  return readModel(model, limits);
}
