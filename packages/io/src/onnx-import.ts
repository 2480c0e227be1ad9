/**
 * Reading a dense MLP out of an ONNX graph, as torch.onnx.export and tf2onnx write them: from
 * the graph's one input, a chain of layers, each a linear op (Gemm, or MatMul with an optional
 * Add of a bias) and at most one activation. Weights are constants: initializers, Constant
 * nodes, and Identity or Transpose of those. Nothing is allocated before the sizes are checked.
 */
import {
  type ActivationName,
  type ActivationSpec,
  ConfigError,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_MAX_PARAMETERS,
  formatArchitecture,
  Network,
  ResourceLimitError,
} from '@twostep/core';
import { shown } from '@twostep/core/check';
import {
  AttributeType,
  DataType,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxValueInfo,
  toNumber,
} from './onnx-schema.js';
import {
  type Constant,
  formatError,
  formatShape,
  isFloat,
  listConstant,
  tensorConstant,
  transposed,
  typeName,
} from './onnx-tensor.js';

/** The sizes a model may have (fromOnnx's options, checked). */
export interface Limits {
  readonly maxParameters: number;
  readonly maxEntries: number;
}

/** The limits in `options`, checked, with the core's defaults. */
export function resolveLimits(options: { maxParameters?: number; maxEntries?: number }): Limits {
  const one = (key: keyof Limits, fallback: number) => {
    const value = options[key] ?? fallback;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ConfigError(
        `fromOnnx: ${key} must be a positive integer, got ${shown(value)}; leave it out for the default ${fallback.toLocaleString('en-US')}.`,
      );
    }
    return value;
  };
  return {
    maxParameters: one('maxParameters', DEFAULT_MAX_PARAMETERS),
    maxEntries: one('maxEntries', DEFAULT_MAX_ENTRIES),
  };
}

/** twostep's activations by ONNX operator. */
const ACTIVATIONS = new Map<string, ActivationName>([
  ['Relu', 'relu'],
  ['Sigmoid', 'sigmoid'],
  ['Tanh', 'tanh'],
  ['Softplus', 'softplus'],
  ['LeakyRelu', 'leakyRelu'],
]);

const SUPPORTED =
  'twostep reads a chain of Gemm or MatMul (with an Add of the bias) layers, each followed by at most one of Relu, Sigmoid, Tanh, LeakyRelu, Softplus, with Identity nodes and a Flatten or Reshape of the input';

/** The oldest opset whose Gemm, MatMul, Add and activations mean what this reader assumes. */
const OLDEST_OPSET = 7;

/** The most layers read: MLPs have tens; a graph of 10⁵ Gemms is damaged or hostile. */
const MAX_LAYERS = 10_000;

/** A constant, read when asked: a missing or unevaluated one throws then. */
type Source = () => Constant;

/** One twostep layer as found: Y = W·X + Σ biases, then σ. */
interface Layer {
  readonly inputs: number;
  readonly outputs: number;
  /** Row-major outputs × inputs. */
  readonly weight: () => Float64Array;
  /** Terms of the bias, each `outputs` long. */
  readonly biases: (() => Float64Array)[];
  activation?: ActivationSpec;
}

/** The shortest decimal that is the same float32: ONNX float attributes are float32 (0.01f). */
function float32Decimal(x: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const y = Number(x.toPrecision(digits));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

const memo = (f: Source): Source => {
  let value: Constant | undefined;
  return () => {
    value ??= f();
    return value;
  };
};

/** The network the model's graph computes; every problem is a ModelFormatError. */
export function readModel(model: OnnxModel, limits: Limits): Network {
  const graph = model.graph;
  if (!graph) {
    throw formatError(
      'graph',
      'the file has no graph (ModelProto.graph): it is empty or not an ONNX model; export the model again',
    );
  }
  checkOpset(model);
  const constants = new Map<string, Source>();
  (graph.initializer ?? []).forEach((t, i) => {
    const source = `initializer ${shown(t.name ?? '')}`;
    constants.set(
      t.name ?? '',
      memo(() => tensorConstant(t, source, `graph.initializer[${i}]`)),
    );
  });

  // The data input: the graph input without an initializer (older exports list weights too).
  const inputs = (graph.input ?? []).filter((v) => !constants.has(v.name ?? ''));
  if (inputs.length !== 1) {
    const names = inputs.map((v) => shown(v.name ?? '')).join(', ');
    throw formatError(
      'graph.input',
      inputs.length === 0
        ? 'the graph has no input besides its initializers; a twostep network reads one input [batch, N0]'
        : `the graph has ${inputs.length} inputs (${names}); a twostep network reads one, [batch, N0]: export a model with a single input`,
    );
  }
  const input = inputs[0]!;
  checkElementType(input, 'input', 'graph.input');
  let data = input.name ?? '';
  /** Every value of the chain so far. */
  const chain = new Set([data]);
  /** The data's shape (undefined for unknown sizes), or undefined for an unknown rank. */
  let dims = shapeOf(input);
  const layers: Layer[] = [];

  (graph.node ?? []).forEach((node, i) => {
    const op = node.opType ?? '';
    const at = `node ${i}${node.name ? ` ${shown(node.name)}` : ''} (${op})`;
    const path = `graph.node[${i}]`;
    const fail = (reason: string) => formatError(path, `${at} ${reason}`);
    const names = node.input ?? [];
    const out = node.output?.[0];
    if (!out) throw fail('has no output; the graph is damaged');
    for (const name of node.output ?? []) {
      if (constants.has(name) || chain.has(name)) {
        throw fail(
          `writes ${shown(name)}, which an initializer or earlier node already defines; each ONNX value is defined once: the graph is damaged`,
        );
      }
    }
    if (node.domain && node.domain !== 'ai.onnx') {
      throw fail(
        `is from the operator domain ${shown(node.domain)}, not ONNX's; ${SUPPORTED} (all from the default domain)`,
      );
    }
    const constant = (name: string | undefined, role: string): Constant => {
      const source = name ? constants.get(name) : undefined;
      if (source) return source();
      if (name && chain.has(name)) {
        throw fail(`takes the data as its ${role}; ${SUPPORTED}, with the data as the first input`);
      }
      throw fail(
        `reads ${shown(name ?? '')} as its ${role}, which is neither the graph's input, an initializer nor an earlier node's output; the graph is damaged or an initializer is missing`,
      );
    };

    const onChain = names.filter((name) => chain.has(name));
    if (op === 'Constant') {
      constants.set(
        out,
        memo(() => constantNode(node, at, path)),
      );
      return;
    }
    if (onChain.length === 0) {
      constants.set(out, foldConstant(node, names, at, path, constant));
      return;
    }
    if (onChain.length > 1 || onChain[0] !== data) {
      const other = onChain.find((name) => name !== data) ?? data;
      throw fail(
        `reads ${shown(other)}, a value of the chain that another node reads too: the graph branches (a skip connection, or an op on the data with itself), which a twostep network, one chain of layers, cannot hold`,
      );
    }

    const layer = layers.at(-1);
    const attrs = attributes(node, fail);
    const activation = ACTIVATIONS.get(op);
    if (op === 'Identity') {
      // passes the data on
    } else if (op === 'Flatten') {
      const axis = attrs.int('axis', 1);
      if ((axis < 0 && dims ? axis + dims.length : axis) !== 1) {
        throw fail(
          `flattens at axis ${axis}, which does not keep one sample per row; twostep reads [batch, N0]: flatten at axis 1`,
        );
      }
      dims = [dims?.[0], dims && product(dims.slice(1))];
    } else if (op === 'Reshape') {
      dims = reshaped(dims, constant(names[1], 'shape'), attrs.int('allowzero', 0), fail);
    } else if (op === 'Gemm' || op === 'MatMul') {
      if (names[0] !== data) {
        throw fail(
          `multiplies the data from the left (as its second input); twostep layers compute X·Wᵀ, with the data as the first input`,
        );
      }
      const found = linear(op, attrs, constant, names, fail);
      if (dims && dims.length !== 2) {
        throw fail(
          `receives data of shape ${formatShape(dims)}; a layer takes [batch, features]: flatten the input first (Flatten at axis 1)`,
        );
      }
      const width = dims?.[1];
      if (width !== undefined && width !== found.inputs) {
        throw fail(
          `takes ${found.inputs} values per sample (its weight is ${found.weightShape}) but receives ${width}${layer ? ` from layer ${layers.length}` : ' from the input'}; the shapes disagree: the file is damaged`,
        );
      }
      if (layers.length === MAX_LAYERS) {
        throw fail(
          `would be layer ${MAX_LAYERS + 1}; fromOnnx reads networks of at most ${MAX_LAYERS.toLocaleString('en-US')} layers: the file is damaged or not a dense MLP`,
        );
      }
      layers.push(found);
      dims = [dims?.[0], found.outputs];
    } else if (op === 'Add') {
      if (!layer || layer.activation !== undefined) {
        throw fail(
          layer
            ? `adds to layer ${layers.length} after its activation; a twostep layer adds its bias before σ`
            : 'adds to the input before any Gemm or MatMul; a twostep layer adds its bias after the weights: normalise the inputs outside the model',
        );
      }
      const other = names.length === 2 ? names.find((name) => name !== data) : undefined;
      if (other === undefined) throw fail('must add one constant bias to the data');
      layer.biases.push(biasOf(constant(other, 'bias'), layer.outputs, 1, fail));
    } else if (activation !== undefined) {
      if (!layer || layer.activation !== undefined) {
        throw fail(
          layer
            ? `is a second activation on layer ${layers.length}; a twostep layer applies one σ after its weights`
            : 'applies an activation to the input before any Gemm or MatMul; a twostep layer applies σ after its weights',
        );
      }
      layer.activation =
        activation === 'leakyRelu'
          ? { name: activation, alpha: attrs.float('alpha', 0.01) }
          : activation;
    } else if (op === 'Softmax' || op === 'LogSoftmax') {
      throw fail(
        `cannot be mapped to a twostep layer: twostep networks output the logits and apply ${op === 'Softmax' ? 'softmax' : 'log-softmax'} in the loss (softmaxCrossEntropy); export the model without the final ${op} (return the logits from forward, or a Keras Dense without activation)`,
      );
    } else if (op === 'Shape') {
      throw fail(
        `reads the shape of the data, as torch exports x.view(x.size(0), -1), which fromOnnx does not evaluate; flatten with torch.flatten(x, 1) or nn.Flatten (a Flatten node) and export again`,
      );
    } else {
      throw fail(`cannot be mapped to a twostep layer; ${SUPPORTED}`);
    }
    data = out;
    chain.add(out);
  });

  if (layers.length === 0) {
    throw formatError(
      'graph.node',
      `the graph has no Gemm or MatMul on its input, so no layer; ${SUPPORTED}`,
    );
  }
  checkOutput(graph.output ?? [], data, layers.at(-1)!.outputs);
  const architecture = [layers[0]!.inputs, ...layers.map((l) => l.outputs)];
  const bias = layers.some((l) => l.biases.length > 0);
  checkSize(architecture, bias, limits);
  const net = Network.create({
    architecture,
    bias,
    activations: layers.map((l) => l.activation ?? 'identity'),
    ...limits,
  });
  net.setWeights(layers.map((l) => rows(l, bias)));
  return net;
}

/** Wh as `setWeights` takes it: rows of weights, then the bias (summed; 0 without one). */
function rows(layer: Layer, bias: boolean): number[][] {
  const w = layer.weight();
  const b = new Float64Array(layer.outputs);
  for (const term of layer.biases) {
    const t = term();
    for (let r = 0; r < layer.outputs; r++) b[r]! += t[r]!;
  }
  return Array.from({ length: layer.outputs }, (_, r) => {
    const row = Array.from(w.subarray(r * layer.inputs, (r + 1) * layer.inputs));
    if (bias) row.push(b[r]!);
    return row;
  });
}

function checkOpset(model: OnnxModel): void {
  const opset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!opset) {
    throw formatError(
      'opset_import',
      'the model declares no ONNX opset (opset_import with the default domain); export it again with an opset (13 to 17 are common)',
    );
  }
  const version = toNumber(opset.version);
  if (!(version >= OLDEST_OPSET)) {
    throw formatError(
      'opset_import',
      `the model uses ONNX opset ${version}, older than the ${OLDEST_OPSET} that fromOnnx reads; convert it (onnx.version_converter.convert_version(model, 13)) or export it again`,
    );
  }
}

/** The input or output is a FLOAT or DOUBLE tensor when its type is given. */
function checkElementType(value: OnnxValueInfo, role: string, path: string): void {
  const type = value.type?.tensorType?.elemType ?? 0;
  if (type !== 0 && type !== DataType.FLOAT && type !== DataType.DOUBLE) {
    throw formatError(
      path,
      `the graph's ${role} ${shown(value.name ?? '')} is ${typeName(type)}; a twostep network reads and writes FLOAT or DOUBLE tensors: export the model in float32`,
    );
  }
}

/** A value's shape: positive sizes, undefined for symbolic ones; undefined when not given. */
function shapeOf(value: OnnxValueInfo): (number | undefined)[] | undefined {
  const dim = value.type?.tensorType?.shape?.dim;
  if (!dim) return undefined;
  return dim.map((d) => {
    const n = toNumber(d.dimValue);
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  });
}

const product = (dims: readonly (number | undefined)[]): number | undefined =>
  dims.reduce<number | undefined>(
    (p, d) => (p === undefined || d === undefined ? undefined : p * d),
    1,
  );

/** The one output is the end of the chain, NL wide when its shape says. */
function checkOutput(outputs: OnnxValueInfo[], data: string, width: number): void {
  if (outputs.length !== 1) {
    throw formatError(
      'graph.output',
      `the graph has ${outputs.length} outputs; a twostep network has one, [batch, NL]: export a model with a single output`,
    );
  }
  const output = outputs[0]!;
  if (output.name !== data) {
    throw formatError(
      'graph.output[0]',
      `the graph's output ${shown(output.name ?? '')} is not the end of the chain of layers (${shown(data)}); a twostep network outputs its last layer: export the model with that as its output`,
    );
  }
  checkElementType(output, 'output', 'graph.output[0]');
  const last = shapeOf(output)?.at(-1);
  if (last !== undefined && last !== width) {
    throw formatError(
      'graph.output[0]',
      `the graph's output ${shown(data)} is declared ${last} wide, but the last layer has ${width} neurons; the shapes disagree: the file is damaged`,
    );
  }
}

/** The size limits, in fromOnnx's words, before the network is allocated. */
function checkSize(architecture: number[], bias: boolean, limits: Limits): void {
  const sizes = architecture.slice(1).map((n, h) => n * (architecture[h]! + (bias ? 1 : 0)));
  const total = sizes.reduce((a, b) => a + b, 0);
  const largest = Math.max(...sizes);
  const count = (n: number) => n.toLocaleString('en-US');
  const over = (what: string, size: number, key: keyof Limits) =>
    new ResourceLimitError(
      `ONNX model: ${formatArchitecture(architecture)}${what} ${count(size)} ${key === 'maxParameters' ? 'parameters' : 'entries'}, over the limit of ${count(limits[key])} (${key}). If the model is the one you expect, raise the limit: fromOnnx(bytes, { ${key}: ${size} }).`,
    );
  if (total > limits.maxParameters) throw over(' has', total, 'maxParameters');
  if (largest > limits.maxEntries) {
    throw over(`: W${sizes.indexOf(largest) + 1} has`, largest, 'maxEntries');
  }
}

/** Typed reads of a node's attributes; a wrong type is the file's error. */
function attributes(node: OnnxNode, fail: (reason: string) => Error) {
  const find = (name: string, type: number): OnnxAttribute | undefined => {
    const a = node.attribute?.find((x) => x.name === name);
    // IR version 1 files have no type; the field itself is read then.
    if (a?.type && a.type !== type) {
      throw fail(`has attribute ${name} of the wrong type (${a.type}); the file is damaged`);
    }
    return a;
  };
  const int = (name: string, fallback: number): number => {
    const a = find(name, AttributeType.INT);
    const value = a ? toNumber(a.i) : fallback;
    if (!Number.isSafeInteger(value)) throw fail(`has ${name} = ${value}, not an integer`);
    return value;
  };
  return {
    int,
    float(name: string, fallback: number): number {
      const a = find(name, AttributeType.FLOAT);
      const value = a ? float32Decimal(a.f ?? 0) : fallback;
      if (!Number.isFinite(value)) throw fail(`has ${name} = ${value}, not a finite number`);
      return value;
    },
    ints(name: string): number[] | undefined {
      return find(name, AttributeType.INTS)?.ints?.map(toNumber);
    },
  };
}

/** A Constant node's value: `value` (a tensor), or `value_float(s)` / `value_int(s)`. */
function constantNode(node: OnnxNode, at: string, path: string): Constant {
  const source = `the Constant ${at}`;
  for (const a of node.attribute ?? []) {
    if (a.name === 'value' && a.t) return tensorConstant(a.t, source, path);
    if (a.name === 'value_float') return listConstant([a.f ?? 0], [], DataType.FLOAT, source, path);
    if (a.name === 'value_floats')
      return listConstant(a.floats ?? [], [a.floats?.length ?? 0], DataType.FLOAT, source, path);
    if (a.name === 'value_int')
      return listConstant([toNumber(a.i)], [], DataType.INT64, source, path);
    if (a.name === 'value_ints') {
      const ints = (a.ints ?? []).map(toNumber);
      return listConstant(ints, [ints.length], DataType.INT64, source, path);
    }
  }
  throw formatError(
    path,
    `${source} holds no tensor, float or int value (a sparse tensor or strings); twostep reads FLOAT or DOUBLE weights`,
  );
}

/**
 * The output of a node on constants: Identity and Transpose are folded now (so that a long
 * chain of them is no deep recursion later), their errors thrown only if a layer reads them;
 * anything else (Cast, Mul, …) is an error if a layer reads it.
 */
function foldConstant(
  node: OnnxNode,
  names: string[],
  at: string,
  path: string,
  constant: (name: string | undefined, role: string) => Constant,
): Source {
  const op = node.opType;
  if (op === 'Identity') return settled(() => constant(names[0], 'input'));
  if (op === 'Transpose') {
    return settled(() => {
      const perm = attributes(node, (reason) => formatError(path, `${at} ${reason}`)).ints('perm');
      const c = constant(names[0], 'input');
      if (c.dims.length <= 1 || (c.dims.length === 2 && perm?.[0] === 0 && perm[1] === 1)) return c;
      if (c.dims.length !== 2 || (perm && !(perm[0] === 1 && perm[1] === 0))) {
        throw formatError(
          path,
          `${at} transposes ${c.source}, of shape ${formatShape(c.dims)}, with perm ${shown(perm)}; twostep reads matrices: weights of rank 2`,
        );
      }
      return transposed(c, `${c.source} transposed by ${at}`);
    });
  }
  return () => {
    throw formatError(
      path,
      `${at} computes a weight with ${op}, which fromOnnx does not evaluate; fold the constants when exporting (torch.onnx.export(..., do_constant_folding=True), or onnxsim)`,
    );
  };
}

/** `f`'s constant, computed now; its error, if any, thrown when the constant is read. */
function settled(f: Source): Source {
  try {
    const c = f();
    return () => c;
  } catch (error) {
    return () => {
      throw error;
    };
  }
}

/** The data's shape after Reshape to `shape`, which must keep one sample per row. */
function reshaped(
  dims: (number | undefined)[] | undefined,
  shape: Constant,
  allowzero: number,
  fail: (reason: string) => Error,
): (number | undefined)[] {
  const target =
    shape.size === 2 && shape.dims.length === 1 && !isFloat(shape.type)
      ? Array.from(shape.values())
      : undefined;
  const refuse = () =>
    fail(
      `reshapes the data to ${target ? formatShape(target) : `${shape.source} (${typeName(shape.type)} ${formatShape(shape.dims)})`}, which does not keep one sample per row; twostep reads [batch, N0]: reshape to [-1, N0] or use Flatten`,
    );
  if (!target) throw refuse();
  const [rows, cols] = target as [number, number];
  const copies = (n: number) => n === 0 && allowzero === 0;
  const features = dims && product(dims.slice(1));
  const keepsBatch =
    copies(rows) || (rows === -1 && cols !== -1) || (rows > 0 && rows === dims?.[0]);
  const width = cols === -1 ? features : copies(cols) ? dims?.[1] : cols > 0 ? cols : Number.NaN;
  if (
    !keepsBatch ||
    Number.isNaN(width) ||
    (copies(cols) && dims && dims.length !== 2) ||
    (width !== undefined && features !== undefined && width !== features)
  ) {
    throw refuse();
  }
  return [dims?.[0], width];
}

/** A layer from Gemm (Y = alpha·A'·B' + beta·C) or MatMul (Y = A·B). */
function linear(
  op: 'Gemm' | 'MatMul',
  attrs: ReturnType<typeof attributes>,
  constant: (name: string | undefined, role: string) => Constant,
  names: string[],
  fail: (reason: string) => Error,
): Layer & { weightShape: string } {
  // Gemm (ONNX operator spec): Y = alpha·A'·B' + beta·C, A' = transA ? Aᵀ : A, B' likewise,
  // C broadcast to [M, N]. With A the data [batch, in]: W = alpha·B'ᵀ and b = beta·C.
  const gemm = op === 'Gemm';
  if (gemm && attrs.int('transA', 0) !== 0) {
    throw fail(
      'has transA = 1: it transposes the data, mixing samples, which no twostep layer does; export with the data as A untransposed',
    );
  }
  const transB = gemm ? attrs.int('transB', 0) : 0;
  const alpha = gemm ? attrs.float('alpha', 1) : 1;
  const beta = gemm ? attrs.float('beta', 1) : 1;
  const b = floats(constant(names[1], 'weight'), 'weight', fail);
  if (b.dims.length !== 2 || b.dims[0] === 0 || b.dims[1] === 0) {
    throw fail(
      `has the weight ${b.source} of shape ${formatShape(b.dims)}; a layer's weight is a non-empty matrix`,
    );
  }
  const [inputs, outputs] = (transB ? [b.dims[1], b.dims[0]] : b.dims) as [number, number];
  // W is outputs × inputs: B itself when transB = 1, else Bᵀ.
  const w = transB ? b : transposed(b, b.source);
  const layer: Layer & { weightShape: string } = {
    inputs,
    outputs,
    weightShape: `${b.source} ${formatShape(b.dims)}${gemm ? `, transB = ${transB}` : ''}`,
    weight: () => scaled(w.values(), alpha, w.source, fail),
    biases: [],
  };
  const c = gemm && names[2] ? constant(names[2], 'bias') : undefined;
  if (c) layer.biases.push(biasOf(c, outputs, beta, fail));
  return layer;
}

/** `c`, which holds the `role` of a layer: FLOAT or DOUBLE. */
function floats(c: Constant, role: string, fail: (reason: string) => Error): Constant {
  if (isFloat(c.type)) return c;
  throw fail(
    `has the ${role} ${c.source} of type ${typeName(c.type)}; weights must be FLOAT or DOUBLE: export the model in float32`,
  );
}

/** `values` times `factor`, which must stay finite. */
function scaled(
  values: Float64Array,
  factor: number,
  source: string,
  fail: (reason: string) => Error,
): Float64Array {
  if (factor === 1) return values;
  for (let i = 0; i < values.length; i++) {
    values[i]! *= factor;
    if (!Number.isFinite(values[i]!)) {
      throw fail(`scales ${source} by ${factor} beyond the float64 range; the file is damaged`);
    }
  }
  return values;
}

/**
 * A bias broadcast over the batch, `outputs` long, times `factor`: shape [], [1], [N], [1, 1]
 * or [1, N] (one value per neuron, or one for all).
 */
function biasOf(
  c: Constant,
  outputs: number,
  factor: number,
  fail: (reason: string) => Error,
): () => Float64Array {
  floats(c, 'bias', fail);
  const [rows, cols] = c.dims.length === 2 ? c.dims : [1, c.dims[0] ?? 1];
  if (c.dims.length > 2 || rows !== 1 || (cols !== outputs && cols !== 1)) {
    throw fail(
      `has the bias ${c.source} of shape ${formatShape(c.dims)}; a layer of ${outputs} neurons takes one bias per neuron, [${outputs}] or [1, ${outputs}]`,
    );
  }
  return () => {
    const v = scaled(c.values(), factor, c.source, fail);
    return v.length === outputs ? v : new Float64Array(outputs).fill(v[0]!);
  };
}
