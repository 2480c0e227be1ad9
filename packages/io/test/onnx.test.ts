/**
 * ONNX export and import: round trips, agreement with onnxruntime-web (WASM, one thread) on
 * MNIST digits and Iris flowers, graphs in the shapes torch.onnx.export and tf2onnx write
 * (built here with the package's own encoder and run in onnxruntime too), every refusal, and
 * fuzzing of the reader.
 */
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
  train,
} from '@twostep/core';
import { iris, split } from '@twostep/datasets';
import { loadMnist } from '@twostep/datasets/mnist';
import { endsWell, FUZZ_TIMEOUT, fc, fuzz, nasty } from '@twostep/fuzz';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromOnnx, ONNX_OPSET, toOnnx } from '../src/onnx.js';
import {
  AttributeType,
  DataType,
  decodeModel,
  encodeModel,
  type OnnxAttribute,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from '../src/onnx-schema.js';

ort.env.wasm.numThreads = 1;

// ---- Networks and data ----

/** The exact bits of every weight, to compare networks bit for bit (−0 included). */
const bits = (net: Network) =>
  Array.from(new BigUint64Array(Float64Array.from(net.getWeights().flat(2)).buffer));

const net = (
  architecture: number[],
  activations: LayerActivation[],
  bias = true,
  seed = 1,
): Network => Network.create({ architecture, activations, bias, seed });

/** A spec for every activation: leakyRelu with a slope other than the default. */
const specOf = (name: ActivationName): LayerActivation =>
  name === 'leakyRelu' ? { name, alpha: 0.2 } : name;

/** Rows of `width` values in [−2, 2], seeded. */
function randomRows(count: number, width: number, seed = 5): number[][] {
  const random = new Random(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: width }, () => random.uniform(-2, 2)),
  );
}

/** `actual` equals `expected` within `tolerance` times the output scale (largest |expected|). */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number) {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(...Array.from(expected, Math.abs));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  }
  expect(worst).toBeLessThanOrEqual(tolerance * scale);
}

/** The outputs of `bytes` in onnxruntime-web on `rows` (shaped `shape`, default [rows, width]). */
async function runOrt(
  bytes: Uint8Array,
  rows: ArrayLike<ArrayLike<number>>,
  dtype: 'float32' | 'float64' = 'float32',
  shape?: number[],
): Promise<number[]> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const flat = Array.from(rows, (row) => Array.from(row)).flat();
    const data = dtype === 'float32' ? Float32Array.from(flat) : Float64Array.from(flat);
    const input = new ort.Tensor(dtype, data, shape ?? [rows.length, rows[0]!.length]);
    const outputs = await session.run({ [session.inputNames[0]!]: input });
    return Array.from(outputs[session.outputNames[0]!]!.data as Float32Array);
  } finally {
    await session.release();
  }
}

/** twostep's outputs of `network` on `rows`, on the TypeScript backend in `dtype`. */
async function runTwostep(
  network: Network,
  rows: ArrayLike<ArrayLike<number>>,
  dtype: 'float32' | 'float64' = 'float32',
): Promise<number[]> {
  return (await predict(createBackend({ dtype }), network, rows)).flat();
}

// ---- Hand-made graphs, in the shapes exporters write ----

type Dim = number | string;

const valueInfo = (
  name: string,
  dims: Dim[],
  elemType: number = DataType.FLOAT,
): OnnxValueInfo => ({
  name,
  type: {
    tensorType: {
      elemType,
      shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
    },
  },
});

/** A FLOAT (or DOUBLE) tensor in raw_data, or in float_data / double_data. */
function tensor(
  name: string,
  dims: number[],
  values: number[],
  { storage = 'raw', type = DataType.FLOAT }: { storage?: 'raw' | 'field'; type?: number } = {},
): OnnxTensor {
  const double = type === DataType.DOUBLE;
  if (storage === 'field') {
    return {
      name,
      dims,
      dataType: type,
      ...(double ? { doubleData: values } : { floatData: values }),
    };
  }
  const raw = new Uint8Array(values.length * (double ? 8 : 4));
  const view = new DataView(raw.buffer);
  for (const [i, v] of values.entries()) {
    if (double) view.setFloat64(i * 8, v, true);
    else view.setFloat32(i * 4, v, true);
  }
  return { name, dims, dataType: type, rawData: raw };
}

const int64s = (name: string, values: number[]): OnnxTensor => ({
  name,
  dims: [values.length],
  dataType: DataType.INT64,
  int64Data: values,
});

const node = (
  opType: string,
  input: string[],
  output: string[],
  name = '',
  attribute: OnnxAttribute[] = [],
): OnnxNode => ({ opType, input, output, name, attribute });

const floatAttr = (name: string, f: number): OnnxAttribute => ({
  name,
  type: AttributeType.FLOAT,
  f,
});
const intAttr = (name: string, i: number): OnnxAttribute => ({ name, type: AttributeType.INT, i });
const intsAttr = (name: string, ints: number[]): OnnxAttribute => ({
  name,
  type: AttributeType.INTS,
  ints,
});
const tensorAttr = (name: string, t: OnnxTensor): OnnxAttribute => ({
  name,
  type: AttributeType.TENSOR,
  t,
});

interface Graph {
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  opset?: number;
}

const encode = ({ nodes, initializers, inputs, outputs, opset = 13 }: Graph): Uint8Array =>
  encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'pytorch',
    graph: {
      name: 'main_graph',
      node: nodes,
      initializer: initializers,
      input: inputs,
      output: outputs,
    },
  });

/** Seeded values in [−1, 1], float32-exact. */
function values(count: number, seed: number): number[] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => Math.fround(random.uniform(-1, 1)));
}

/** torch.onnx.export of nn.Sequential(Linear(4, 5), ReLU(), Linear(5, 3)), opset 13. */
const torchGemm = (): Graph => ({
  nodes: [
    node('Gemm', ['input', 'fc1.weight', 'fc1.bias'], ['/fc1/Gemm_output_0'], '/fc1/Gemm', [
      floatAttr('alpha', 1),
      floatAttr('beta', 1),
      intAttr('transB', 1),
    ]),
    node('Relu', ['/fc1/Gemm_output_0'], ['/relu/Relu_output_0'], '/relu/Relu'),
    node('Gemm', ['/relu/Relu_output_0', 'fc2.weight', 'fc2.bias'], ['output'], '/fc2/Gemm', [
      floatAttr('alpha', 1),
      floatAttr('beta', 1),
      intAttr('transB', 1),
    ]),
  ],
  initializers: [
    tensor('fc1.weight', [5, 4], values(20, 1)),
    tensor('fc1.bias', [5], values(5, 2)),
    tensor('fc2.weight', [3, 5], values(15, 3)),
    tensor('fc2.bias', [3], values(3, 4)),
  ],
  inputs: [valueInfo('input', ['batch_size', 4])],
  outputs: [valueInfo('output', ['batch_size', 3])],
});

/**
 * `bytes` imports, and the network computes what onnxruntime computes on seeded rows: `shape`
 * is a sample's shape in the file (default [width]); `batch` a batch size fixed in the file.
 */
async function importsAndAgrees(
  bytes: Uint8Array,
  width: number,
  {
    dtype = 'float32',
    shape = [width],
    batch,
  }: { dtype?: 'float32' | 'float64'; shape?: number[]; batch?: number } = {},
): Promise<Network> {
  const imported = fromOnnx(bytes);
  const rows = randomRows(batch ?? 20, width);
  const expected = await runOrt(bytes, rows, dtype, [rows.length, ...shape]);
  expectClose(
    await runTwostep(imported, rows, dtype),
    expected,
    dtype === 'float32' ? 1e-5 : 1e-12,
  );
  return imported;
}

/** The ModelFormatError `fromOnnx(bytes)` throws. */
function refusal(bytes: Uint8Array | ArrayBuffer): ModelFormatError {
  try {
    fromOnnx(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFormatError);
    return error as ModelFormatError;
  }
  throw new Error('fromOnnx accepted the model');
}

// ---- Tests ----

describe('toOnnx → fromOnnx', () => {
  const cases: [string, Network][] = [
    ...ACTIVATION_NAMES.flatMap((name) =>
      [true, false].map(
        (bias) =>
          [
            `${name}${bias ? ' with bias' : ''}`,
            net([4, 6, 5, 3], [specOf(name), name, specOf(name)], bias),
          ] as [string, Network],
      ),
    ),
    [
      'mixed A[784,32,10]',
      net([784, 32, 10], [{ name: 'leakyRelu', alpha: 0.01 }, 'identity'], true, 7),
    ],
  ];

  it.each(cases)('%s: float64 gives back the same network, weights bit for bit', (_, original) => {
    const back = fromOnnx(toOnnx(original, { dtype: 'float64' }));
    expect(back.architecture).toEqual(original.architecture);
    expect(back.bias).toBe(original.bias);
    expect(back.activationSpecs).toEqual(original.activationSpecs);
    expect(bits(back)).toEqual(bits(original));
  });

  it.each(cases)('%s: float32 gives every weight rounded to float32', (_, original) => {
    const back = fromOnnx(toOnnx(original));
    expect(back.activationSpecs).toEqual(original.activationSpecs);
    const rounded = Network.create({
      architecture: original.architecture,
      activations: original.activationSpecs,
      bias: original.bias,
    });
    rounded.setWeights(original.getWeights().map((w) => w.map((row) => row.map(Math.fround))));
    expect(bits(back)).toEqual(bits(rounded));
  });

  it("keeps leakyRelu's slope as the float32 attribute says, in its shortest decimal", () => {
    for (const alpha of [0.2, 0.01, 1e-3, 0.123456789, 3]) {
      const back = fromOnnx(
        toOnnx(net([2, 2], [{ name: 'leakyRelu', alpha }]), { dtype: 'float64' }),
      );
      const spec = back.activationSpecs[0] as { alpha: number };
      expect(Math.fround(spec.alpha)).toBe(Math.fround(alpha));
      expect(spec.alpha.toString().length).toBeLessThanOrEqual(alpha.toString().length);
    }
  });

  it('writes the documented file: opset, IR version, producer, names, shapes and nodes', () => {
    const bytes = toOnnx(net([4, 6, 3], ['relu', { name: 'leakyRelu', alpha: 0.5 }]), {
      name: 'digits',
    });
    // A plain Uint8Array that owns its memory (not a Buffer from a pool).
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    expect(bytes.buffer.byteLength).toBe(bytes.length);
    const model = decodeModel(bytes);
    expect(Number(model.irVersion)).toBe(7);
    expect(model.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([
      ['', ONNX_OPSET],
    ]);
    expect(model.producerName).toBe('twostep');
    expect(model.docString).toMatch(/A\[4,6,3\] with bias/);
    const graph = model.graph!;
    expect(graph.name).toBe('digits');
    expect(graph.node!.map((n) => n.opType)).toEqual(['Gemm', 'Relu', 'Gemm', 'LeakyRelu']);
    expect(graph.node!.at(-1)!.output).toEqual(['output']);
    expect(graph.initializer!.map((t) => [t.name, t.dims!.map(Number), t.dataType])).toEqual([
      ['W1', [6, 4], DataType.FLOAT],
      ['b1', [6], DataType.FLOAT],
      ['W2', [3, 6], DataType.FLOAT],
      ['b2', [3], DataType.FLOAT],
    ]);
    const shape = (v: OnnxValueInfo) =>
      v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect([graph.input!.map(shape), graph.output!.map(shape)]).toEqual([
      [['batch', 4]],
      [['batch', 3]],
    ]);
    const noBias = decodeModel(toOnnx(net([4, 6, 3], ['tanh', 'identity'], false)));
    expect(noBias.graph!.node!.map((n) => n.opType)).toEqual(['MatMul', 'Tanh', 'MatMul']);
    expect(noBias.graph!.initializer!.map((t) => t.dims!.map(Number))).toEqual([
      [4, 6],
      [6, 3],
    ]);
  });
});

describe('toOnnx models run in onnxruntime-web as twostep predicts them', () => {
  let digits: Float32Array[];
  let labels: Uint8Array;
  let digitsToTrain: { inputs: Float32Array[]; targets: number[][] };
  let flowers: number[][];
  beforeAll(() => {
    const { train: trainSet, test } = split(loadMnist(), {
      testSize: 100,
      trainSize: 1000,
      seed: 1,
    });
    digits = test.inputs;
    labels = test.labels;
    digitsToTrain = trainSet;
    flowers = iris().inputs;
  });

  for (const name of ACTIVATION_NAMES) {
    for (const bias of [true, false]) {
      const title = `${name}${bias ? ' with bias' : ''}`;
      it(`${title}: A[784,32,10] on 100 MNIST digits and A[4,8,6,3] on Iris, float32`, async () => {
        const mnistNet = net([784, 32, 10], [specOf(name), specOf(name)], bias, 11);
        const bytes = toOnnx(mnistNet);
        expectClose(await runTwostep(mnistNet, digits), await runOrt(bytes, digits), 1e-5);
        const irisNet = net([4, 8, 6, 3], [specOf(name), specOf(name), 'identity'], bias, 12);
        const irisBytes = toOnnx(irisNet);
        expectClose(await runTwostep(irisNet, flowers), await runOrt(irisBytes, flowers), 1e-5);
      });
    }
  }

  it('a trained A[784,32,10] (relu, logits) predicts the same digits', async () => {
    const trained = net([784, 32, 10], ['relu', 'identity'], true, 3);
    await train(createBackend(), trained, digitsToTrain, {
      epochs: 2,
      batchSize: 32,
      loss: 'softmaxCrossEntropy',
      optimizer: { name: 'adam', learningRate: 0.005 },
    });
    const expected = await runOrt(toOnnx(trained), digits);
    const ours = await runTwostep(trained, digits);
    expectClose(ours, expected, 1e-5);
    const classes = (outputs: number[]) =>
      digits.map((_, i) => {
        const row = outputs.slice(i * 10, i * 10 + 10);
        return row.indexOf(Math.max(...row));
      });
    expect(classes(ours)).toEqual(classes(expected));
    // Trained indeed: most of the 100 held-out digits are right.
    expect(classes(expected).filter((c, i) => c === labels[i]).length).toBeGreaterThan(75);
  });

  it.each(['identity', 'relu', 'sigmoid', 'tanh'] as const)(
    '%s: float64 files run in onnxruntime-web too, as the float64 backend predicts',
    async (name) => {
      for (const bias of [true, false]) {
        const double = net([784, 32, 10], [name, name], bias, 13);
        const expected = await runOrt(toOnnx(double, { dtype: 'float64' }), digits, 'float64');
        expectClose(await runTwostep(double, digits, 'float64'), expected, 1e-12);
      }
    },
  );

  it.each(['leakyRelu', 'softplus'] as const)(
    '%s: onnxruntime-web has no DOUBLE kernel, so float64 files are tested by round trip only',
    async (name) => {
      const bytes = toOnnx(net([4, 3], [name]), { dtype: 'float64' });
      await expect(ort.InferenceSession.create(bytes)).rejects.toThrow(
        /Could not find an implementation/,
      );
    },
  );
});

describe('fromOnnx reads the graphs torch.onnx.export and tf2onnx write', () => {
  it('torch: Gemm (transB = 1) with bias, Relu, opset 13', async () => {
    const imported = await importsAndAgrees(encode(torchGemm()), 4);
    expect(imported.architecture).toEqual([4, 5, 3]);
    expect(imported.bias).toBe(true);
    expect(imported.activationSpecs).toEqual(['relu', 'identity']);
    expect(imported.getWeights()[0]![0]).toEqual([...values(20, 1).slice(0, 4), values(5, 2)[0]]);
  });

  it('torch: a leading Flatten of [batch, 2, 2], MatMul + Add with weights [in, out], bias first, opset 17', async () => {
    const imported = await importsAndAgrees(
      encode({
        opset: 17,
        nodes: [
          node('Flatten', ['input.1'], ['/flatten/Flatten_output_0'], '/flatten/Flatten', [
            intAttr('axis', 1),
          ]),
          node(
            'MatMul',
            ['/flatten/Flatten_output_0', 'onnx::MatMul_12'],
            ['/fc1/MatMul_output_0'],
            '/fc1/MatMul',
          ),
          node('Add', ['fc1.bias', '/fc1/MatMul_output_0'], ['/fc1/Add_output_0'], '/fc1/Add'),
          node('Sigmoid', ['/fc1/Add_output_0'], ['/act/Sigmoid_output_0'], '/act/Sigmoid'),
          node(
            'MatMul',
            ['/act/Sigmoid_output_0', 'onnx::MatMul_13'],
            ['/fc2/MatMul_output_0'],
            '/fc2/MatMul',
          ),
          node('Add', ['/fc2/MatMul_output_0', 'fc2.bias'], ['17'], '/fc2/Add'),
        ],
        initializers: [
          tensor('onnx::MatMul_12', [4, 5], values(20, 1)),
          tensor('fc1.bias', [5], values(5, 2)),
          tensor('onnx::MatMul_13', [5, 3], values(15, 3)),
          tensor('fc2.bias', [1, 3], values(3, 4)),
        ],
        inputs: [valueInfo('input.1', ['batch_size', 2, 2])],
        outputs: [valueInfo('17', ['batch_size', 3])],
      }),
      4,
      { shape: [2, 2] },
    );
    expect(imported.architecture).toEqual([4, 5, 3]);
    expect(imported.activationSpecs).toEqual(['sigmoid', 'identity']);
    // W1 is the transpose of the stored [in, out] matrix.
    expect(imported.getWeights()[0]!.map((row) => row[1])).toEqual(values(20, 1).slice(5, 10));
  });

  it('torch: weights also graph inputs, Identity and Transpose of weights, a fixed batch of 1, a layer without bias', async () => {
    const imported = await importsAndAgrees(
      encode({
        opset: 11,
        nodes: [
          node('Identity', ['fc1.weight'], ['onnx::Gemm_7'], 'Identity_0'),
          node('Gemm', ['input', 'onnx::Gemm_7', 'fc1.bias'], ['5'], 'Gemm_1', [
            intAttr('transB', 1),
          ]),
          node('Tanh', ['5'], ['6'], 'Tanh_2'),
          node('Transpose', ['fc2.weight'], ['8'], 'Transpose_3', [intsAttr('perm', [1, 0])]),
          node('MatMul', ['6', '8'], ['9'], 'MatMul_4'),
          node('Identity', ['9'], ['output'], 'Identity_5'),
        ],
        initializers: [
          tensor('fc1.weight', [5, 4], values(20, 1)),
          tensor('fc1.bias', [5], values(5, 2)),
          tensor('fc2.weight', [3, 5], values(15, 3)),
        ],
        inputs: [
          valueInfo('input', [1, 4]),
          valueInfo('fc1.weight', [5, 4]),
          valueInfo('fc1.bias', [5]),
          valueInfo('fc2.weight', [3, 5]),
        ],
        outputs: [valueInfo('output', [1, 3])],
      }),
      4,
      { batch: 1 },
    );
    expect(imported.bias).toBe(true);
    expect(imported.activationSpecs).toEqual(['tanh', 'identity']);
    // The layer without bias gets a zero bias column.
    expect(imported.getWeights()[1]!.map((row) => row.at(-1))).toEqual([0, 0, 0]);
  });

  it('torch without constant folding: weights in Constant nodes (float_data, value_floats)', async () => {
    const imported = await importsAndAgrees(
      encode({
        nodes: [
          node('Constant', [], ['w1'], '/Constant', [
            tensorAttr('value', tensor('', [5, 4], values(20, 1), { storage: 'field' })),
          ]),
          node('Constant', [], ['b1'], '/Constant_1', [
            { name: 'value_floats', type: AttributeType.FLOATS, floats: values(5, 2) },
          ]),
          node('Gemm', ['x', 'w1', 'b1'], ['y1'], '/fc1/Gemm', [intAttr('transB', 1)]),
          node('Softplus', ['y1'], ['x1'], '/Softplus'),
          node('Constant', [], ['w2'], '/Constant_2', [
            tensorAttr('value', tensor('', [3, 5], values(15, 3))),
          ]),
          node('Gemm', ['x1', 'w2'], ['y'], '/fc2/Gemm', [intAttr('transB', 1)]),
        ],
        initializers: [],
        inputs: [valueInfo('x', ['N', 4])],
        outputs: [valueInfo('y', ['N', 3])],
      }),
      4,
    );
    expect(imported.activationSpecs).toEqual(['softplus', 'identity']);
  });

  it('tf2onnx: Reshape of the input to [-1, 4], MatMul of a [in, out] kernel, Add, Transpose of an initializer', async () => {
    const imported = await importsAndAgrees(
      encode({
        opset: 15,
        nodes: [
          node(
            'Reshape',
            ['flatten_input', 'const_shape'],
            ['sequential/flatten/Reshape:0'],
            'sequential/flatten/Reshape',
          ),
          node(
            'MatMul',
            ['sequential/flatten/Reshape:0', 'sequential/dense/MatMul/ReadVariableOp:0'],
            ['sequential/dense/MatMul:0'],
            'sequential/dense/MatMul',
          ),
          node(
            'Add',
            ['sequential/dense/MatMul:0', 'sequential/dense/BiasAdd/ReadVariableOp:0'],
            ['sequential/dense/BiasAdd:0'],
            'sequential/dense/BiasAdd',
          ),
          node(
            'LeakyRelu',
            ['sequential/dense/BiasAdd:0'],
            ['sequential/dense/LeakyRelu:0'],
            'sequential/dense/LeakyRelu',
            [floatAttr('alpha', 0.3)],
          ),
          node('Transpose', ['kernel_t'], ['kernel'], 'Transpose__12', [intsAttr('perm', [1, 0])]),
          node(
            'MatMul',
            ['sequential/dense/LeakyRelu:0', 'kernel'],
            ['sequential/dense_1/MatMul:0'],
            'sequential/dense_1/MatMul',
          ),
          node(
            'Add',
            ['sequential/dense_1/MatMul:0', 'bias_1'],
            ['dense_1'],
            'sequential/dense_1/BiasAdd',
          ),
        ],
        initializers: [
          int64s('const_shape', [-1, 4]),
          tensor('sequential/dense/MatMul/ReadVariableOp:0', [4, 5], values(20, 1)),
          tensor('sequential/dense/BiasAdd/ReadVariableOp:0', [5], values(5, 2)),
          tensor('kernel_t', [3, 5], values(15, 3)),
          tensor('bias_1', [3], values(3, 4)),
        ],
        inputs: [valueInfo('flatten_input', ['unk__6', 2, 2])],
        outputs: [valueInfo('dense_1', ['unk__7', 3])],
      }),
      4,
      { shape: [2, 2] },
    );
    expect(imported.architecture).toEqual([4, 5, 3]);
    expect(imported.activationSpecs).toEqual([{ name: 'leakyRelu', alpha: 0.3 }, 'identity']);
  });

  it('Gemm with alpha, beta, transB = 0, C of shape [1, N] and [], and LeakyRelu without alpha', async () => {
    const imported = await importsAndAgrees(
      encode({
        opset: 17,
        nodes: [
          node('Gemm', ['input', 'B1', 'C1'], ['y1'], 'scaled', [
            floatAttr('alpha', 0.5),
            floatAttr('beta', 2),
            intAttr('transA', 0),
            intAttr('transB', 0),
          ]),
          node('LeakyRelu', ['y1'], ['x1'], 'leaky'),
          node('Gemm', ['x1', 'B2', 'C2'], ['output'], 'scalar bias', [intAttr('transB', 1)]),
        ],
        initializers: [
          tensor('B1', [4, 5], values(20, 1)),
          tensor('C1', [1, 5], values(5, 2)),
          tensor('B2', [3, 5], values(15, 3)),
          tensor('C2', [], [0.25]),
        ],
        inputs: [valueInfo('input', ['batch', 4])],
        outputs: [valueInfo('output', ['batch', 3])],
      }),
      4,
    );
    expect(imported.activationSpecs).toEqual([{ name: 'leakyRelu', alpha: 0.01 }, 'identity']);
    expect(imported.getWeights()[1]!.map((row) => row.at(-1))).toEqual([0.25, 0.25, 0.25]);
  });

  it('DOUBLE models, in double_data and in raw_data, as the float64 backend predicts', async () => {
    const double = { type: DataType.DOUBLE };
    const model = torchGemm();
    model.initializers = [
      tensor('fc1.weight', [5, 4], values(20, 1), { ...double, storage: 'field' }),
      tensor('fc1.bias', [5], values(5, 2), { ...double, storage: 'field' }),
      tensor('fc2.weight', [3, 5], values(15, 3), double),
      tensor('fc2.bias', [3], values(3, 4), double),
    ];
    model.inputs = [valueInfo('input', ['batch_size', 4], DataType.DOUBLE)];
    model.outputs = [valueInfo('output', ['batch_size', 3], DataType.DOUBLE)];
    await importsAndAgrees(encode(model), 4, { dtype: 'float64' });
  });

  it('what no layer reads may be anything: an unused FLOAT16 initializer, a dead Cast', () => {
    const bytes = changed((g) => {
      g.initializers.push({
        name: 'half',
        dims: [2],
        dataType: DataType.FLOAT16,
        rawData: new Uint8Array(4),
      });
      g.nodes.unshift(node('Cast', ['half'], ['unused'], 'dead', [intAttr('to', 1)]));
    });
    expect(fromOnnx(bytes).architecture).toEqual([4, 5, 3]);
  });

  it('long chains of Identity and Transpose of a weight, and thousands of layers, without deep recursion', () => {
    const folded = changed((g) => {
      const chain = Array.from({ length: 30_000 }, (_, i) =>
        i % 2 === 0
          ? node('Transpose', [`w${i}`], [`w${i + 1}`], '', [intsAttr('perm', [1, 0])])
          : node('Identity', [`w${i}`], [`w${i + 1}`]),
      );
      chain[0]!.input = ['fc1.weight'];
      g.nodes[0]!.input![1] = 'w30000';
      g.nodes.unshift(...chain);
    });
    const imported = fromOnnx(folded);
    expect(bits(imported)).toEqual(bits(fromOnnx(encode(torchGemm()))));

    const deep = (layers: number) =>
      encode({
        nodes: Array.from({ length: layers }, (_, i) =>
          node(
            'Gemm',
            [i === 0 ? 'input' : `y${i}`, 'w'],
            [i === layers - 1 ? 'output' : `y${i + 1}`],
          ),
        ),
        initializers: [tensor('w', [1, 1], [1])],
        inputs: [valueInfo('input', ['b', 1])],
        outputs: [valueInfo('output', ['b', 1])],
      });
    expect(fromOnnx(deep(10_000)).depth).toBe(10_000);
    expect(refusal(deep(10_001)).message).toMatch(
      /node 10000 \(Gemm\) would be layer 10001; fromOnnx reads networks of at most 10,000 layers/,
    );
  });

  it('an ArrayBuffer as well as a Uint8Array', () => {
    const bytes = encode(torchGemm());
    const copy = bytes.slice().buffer;
    expect(bits(fromOnnx(copy))).toEqual(bits(fromOnnx(bytes)));
  });
});

/** The torch graph with `change` made to it, encoded. */
function changed(change: (graph: Graph) => void): Uint8Array {
  const graph = torchGemm();
  change(graph);
  return encode(graph);
}

describe('fromOnnx refuses what it cannot read, naming the problem and the fix', () => {
  const cases: [string, () => Uint8Array | ArrayBuffer, string, RegExp][] = [
    [
      'bytes that are not protobuf',
      () => Uint8Array.of(0x3a, 0x05, 0x0a),
      '$',
      /not an ONNX protobuf \(index out of range.*damaged, truncated or not an \.onnx model/,
    ],
    ['a truncated file', () => encode(torchGemm()).subarray(0, 150), '$', /not an ONNX protobuf/],
    ['no bytes at all', () => new Uint8Array(0), 'graph', /has no graph/],
    [
      'no ONNX opset',
      () => encodeModel({ opsetImport: [{ domain: 'ai.onnx.ml', version: 3 }], graph: {} }),
      'opset_import',
      /declares no ONNX opset/,
    ],
    [
      'an opset older than 7',
      () => changed((g) => (g.opset = 6)),
      'opset_import',
      /opset 6, older than the 7.*convert_version/,
    ],
    [
      'no input but initializers',
      () => changed((g) => (g.inputs = [valueInfo('fc1.weight', [5, 4])])),
      'graph.input',
      /has no input besides its initializers/,
    ],
    [
      'two inputs',
      () => changed((g) => g.inputs.push(valueInfo('mask', [1]))),
      'graph.input',
      /has 2 inputs \("input", "mask"\).*single input/,
    ],
    [
      'an integer input',
      () => changed((g) => (g.inputs = [valueInfo('input', ['b', 4], DataType.INT64)])),
      'graph.input',
      /input "input" is INT64.*FLOAT or DOUBLE/,
    ],
    [
      'a missing initializer',
      () => changed((g) => g.initializers.splice(2, 1)),
      'graph.node[2]',
      /node 2 "\/fc2\/Gemm" \(Gemm\) reads "fc2.weight" as its weight, which is neither.*initializer is missing/,
    ],
    [
      'weights whose shapes disagree',
      () => changed((g) => (g.initializers[2] = tensor('fc2.weight', [3, 6], values(18, 3)))),
      'graph.node[2]',
      /takes 6 values per sample \(its weight is initializer "fc2.weight" \[3, 6\], transB = 1\) but receives 5 from layer 1; the shapes disagree/,
    ],
    [
      'an input whose width disagrees',
      () => changed((g) => (g.inputs = [valueInfo('input', ['b', 7])])),
      'graph.node[0]',
      /receives 7 from the input/,
    ],
    [
      'an output whose width disagrees',
      () => changed((g) => (g.outputs = [valueInfo('output', ['b', 4])])),
      'graph.output[0]',
      /declared 4 wide, but the last layer has 3 neurons/,
    ],
    [
      'a final Softmax',
      () =>
        changed((g) => {
          g.nodes[2]!.output = ['logits'];
          g.nodes.push(
            node('Softmax', ['logits'], ['output'], '/fc2/Softmax', [intAttr('axis', 1)]),
          );
        }),
      'graph.node[3]',
      /^ONNX model: node 3 "\/fc2\/Softmax" \(Softmax\) cannot be mapped to a twostep layer: twostep networks output the logits.*export the model without the final Softmax/,
    ],
    [
      'an op twostep lacks',
      () => changed((g) => (g.nodes[1]!.opType = 'Elu')),
      'graph.node[1]',
      /node 1 "\/relu\/Relu" \(Elu\) cannot be mapped to a twostep layer; twostep reads a chain of Gemm or MatMul.*Relu, Sigmoid, Tanh, LeakyRelu, Softplus/,
    ],
    [
      "the data's shape, as torch exports x.view(x.size(0), -1)",
      () =>
        changed((g) => {
          g.nodes.unshift(
            node('Shape', ['raw'], ['shape'], '/Shape'),
            node('Reshape', ['raw', 'shape'], ['input'], '/Reshape'),
          );
          g.inputs = [valueInfo('raw', ['b', 4])];
        }),
      'graph.node[0]',
      /node 0 "\/Shape" \(Shape\) reads the shape of the data.*torch.flatten\(x, 1\) or nn.Flatten/,
    ],
    [
      'an op of another domain',
      () => changed((g) => (g.nodes[1]!.domain = 'com.microsoft')),
      'graph.node[1]',
      /from the operator domain "com.microsoft"/,
    ],
    [
      'Gemm with transA = 1',
      () => changed((g) => g.nodes[0]!.attribute!.push(intAttr('transA', 1))),
      'graph.node[0]',
      /transA = 1: it transposes the data/,
    ],
    [
      'the data as the second factor',
      () => changed((g) => (g.nodes[0]!.input = ['fc1.weight', 'input', 'fc1.bias'])),
      'graph.node[0]',
      /multiplies the data from the left/,
    ],
    [
      'an activation before any layer',
      () =>
        changed((g) => {
          g.nodes.unshift(node('Relu', ['raw'], ['input'], 'pre'));
          g.inputs = [valueInfo('raw', ['b', 4])];
        }),
      'graph.node[0]',
      /applies an activation to the input before any Gemm or MatMul/,
    ],
    [
      'two activations on a layer',
      () =>
        changed((g) => {
          g.nodes[1]!.output = ['r'];
          g.nodes.splice(2, 0, node('Sigmoid', ['r'], ['/relu/Relu_output_0'], 'again'));
        }),
      'graph.node[2]',
      /is a second activation on layer 1/,
    ],
    [
      'an Add after the activation',
      () =>
        changed((g) => {
          g.nodes[1]!.output = ['r'];
          g.nodes.splice(2, 0, node('Add', ['r', 'fc1.bias'], ['/relu/Relu_output_0'], 'shift'));
        }),
      'graph.node[2]',
      /adds to layer 1 after its activation/,
    ],
    [
      'an Add before any layer',
      () =>
        changed((g) => {
          g.nodes.unshift(node('Add', ['raw', 'fc2.bias'], ['input'], 'normalise'));
          g.inputs = [valueInfo('raw', ['b', 4])];
        }),
      'graph.node[0]',
      /adds to the input before any Gemm or MatMul/,
    ],
    [
      'a skip connection',
      () =>
        changed((g) => {
          g.nodes[2]!.output = ['y2'];
          g.nodes.push(node('Add', ['y2', '/fc1/Gemm_output_0'], ['output'], 'skip'));
        }),
      'graph.node[3]',
      /reads "\/fc1\/Gemm_output_0", a value of the chain that another node reads too: the graph branches/,
    ],
    [
      'two outputs',
      () => changed((g) => g.outputs.push(valueInfo('/relu/Relu_output_0', ['b', 5]))),
      'graph.output',
      /has 2 outputs/,
    ],
    [
      'an output before the end of the chain',
      () => changed((g) => (g.outputs = [valueInfo('/relu/Relu_output_0', ['b', 5])])),
      'graph.output[0]',
      /output "\/relu\/Relu_output_0" is not the end of the chain of layers \("output"\)/,
    ],
    [
      'no layer',
      () => changed((g) => (g.nodes = [node('Identity', ['input'], ['output'])])),
      'graph.node',
      /has no Gemm or MatMul on its input/,
    ],
    [
      'weights in an external file',
      () =>
        changed(
          (g) =>
            (g.initializers[0] = {
              ...tensor('fc1.weight', [5, 4], []),
              externalData: [{ key: 'location', value: 'weights.bin' }],
              dataLocation: 1,
            }),
        ),
      'graph.initializer[0]',
      /initializer "fc1.weight" keeps its values in an external file.*save_as_external_data=False/,
    ],
    [
      'float16 weights',
      () =>
        changed(
          (g) =>
            (g.initializers[0] = {
              name: 'fc1.weight',
              dims: [5, 4],
              dataType: DataType.FLOAT16,
              rawData: new Uint8Array(40),
            }),
        ),
      'graph.initializer[0]',
      /initializer "fc1.weight" is FLOAT16, which twostep does not read; weights must be FLOAT or DOUBLE: export the model in float32/,
    ],
    [
      'raw_data of the wrong length',
      () => changed((g) => (g.initializers[1]!.rawData = new Uint8Array(12))),
      'graph.initializer[1]',
      /has shape \[5\] \(5 values of FLOAT\) but holds 12 bytes of raw_data; the file is damaged or truncated/,
    ],
    [
      'negative dims',
      () => changed((g) => (g.initializers[1]!.dims = [-5])),
      'graph.initializer[1]',
      /has dims \[-5\], not a shape of non-negative integers/,
    ],
    [
      'a NaN in a Constant node',
      () =>
        changed((g) => {
          g.initializers.splice(1, 1);
          g.nodes.unshift(
            node('Constant', [], ['fc1.bias'], 'nan', [
              {
                name: 'value_floats',
                type: AttributeType.FLOATS,
                floats: [0, 0, Number.NaN, 0, 0],
              },
            ]),
          );
        }),
      'graph.node[0]',
      /the Constant node 0 "nan" \(Constant\) holds NaN at index 2; weights must be finite numbers/,
    ],
    [
      'integer weights',
      () =>
        changed((g) => (g.initializers[2] = int64s('fc2.weight', values(15, 3).map(Math.round)))),
      'graph.node[2]',
      /has the weight initializer "fc2.weight" of type INT64; weights must be FLOAT or DOUBLE/,
    ],
    [
      'a NaN weight',
      () =>
        changed(
          (g) => (g.initializers[0] = tensor('fc1.weight', [5, 4], [Number.NaN, ...values(19, 1)])),
        ),
      'graph.initializer[0]',
      /initializer "fc1.weight" holds NaN at index 0; weights must be finite/,
    ],
    [
      'a bias of the wrong shape',
      () => changed((g) => (g.initializers[1] = tensor('fc1.bias', [5, 1], values(5, 2)))),
      'graph.node[0]',
      /has the bias initializer "fc1.bias" of shape \[5, 1\]; a layer of 5 neurons takes one bias per neuron, \[5\] or \[1, 5\]/,
    ],
    [
      'a weight that is not a matrix',
      () => changed((g) => (g.initializers[0] = tensor('fc1.weight', [20], values(20, 1)))),
      'graph.node[0]',
      /weight initializer "fc1.weight" of shape \[20\]; a layer's weight is a non-empty matrix/,
    ],
    [
      'a Reshape that mixes samples',
      () =>
        changed((g) => {
          g.nodes.unshift(node('Reshape', ['raw', 'shape'], ['input'], 'reshape'));
          g.initializers.push(int64s('shape', [4, -1]));
          g.inputs = [valueInfo('raw', ['b', 2, 2])];
        }),
      'graph.node[0]',
      /reshapes the data to \[4, -1\], which does not keep one sample per row.*reshape to \[-1, N0\] or use Flatten/,
    ],
    [
      'a Reshape to a shape of floats',
      () =>
        changed((g) => {
          g.nodes.unshift(node('Reshape', ['raw', 'shape'], ['input'], 'reshape'));
          g.initializers.push(tensor('shape', [2], [-1, 4]));
          g.inputs = [valueInfo('raw', ['b', 2, 2])];
        }),
      'graph.node[0]',
      /reshapes the data to initializer "shape" \(FLOAT \[2\]\), which does not keep one sample per row/,
    ],
    [
      'a Flatten at axis 2',
      () =>
        changed((g) => {
          g.nodes.unshift(node('Flatten', ['raw'], ['input'], 'flatten', [intAttr('axis', 2)]));
          g.inputs = [valueInfo('raw', ['b', 2, 2])];
        }),
      'graph.node[0]',
      /flattens at axis 2.*flatten at axis 1/,
    ],
    [
      'data of rank 3 reaching a layer',
      () => changed((g) => (g.inputs = [valueInfo('input', ['b', 2, 4])])),
      'graph.node[0]',
      /receives data of shape \[\?, 2, 4\]; a layer takes \[batch, features\]: flatten the input first/,
    ],
    [
      'a weight computed by an op fromOnnx does not evaluate',
      () =>
        changed((g) => {
          g.nodes.unshift(
            node('Cast', ['fc1.weight.f16'], ['fc1.weight'], 'cast', [intAttr('to', 1)]),
          );
          g.initializers[0] = {
            name: 'fc1.weight.f16',
            dims: [5, 4],
            dataType: DataType.FLOAT16,
            rawData: new Uint8Array(40),
          };
        }),
      'graph.node[0]',
      /node 0 "cast" \(Cast\) computes a weight with Cast, which fromOnnx does not evaluate; fold the constants/,
    ],
    [
      'a transpose of a weight of rank 3',
      () =>
        changed((g) => {
          g.initializers[0] = tensor('fc1.weight', [5, 2, 2], values(20, 1));
          g.nodes.unshift(
            node('Transpose', ['fc1.weight'], ['w'], 'flip', [intsAttr('perm', [2, 1, 0])]),
          );
          g.nodes[1]!.input![1] = 'w';
        }),
      'graph.node[0]',
      /node 0 "flip" \(Transpose\) transposes initializer "fc1.weight", of shape \[5, 2, 2\], with perm \[2,1,0\]; twostep reads matrices/,
    ],
    [
      'the data added to itself',
      () =>
        changed((g) => {
          g.nodes[1]!.output = ['r'];
          g.nodes.splice(2, 0, node('Add', ['r', 'r'], ['/relu/Relu_output_0'], 'double'));
        }),
      'graph.node[2]',
      /reads "r", a value of the chain that another node reads too: the graph branches/,
    ],
    [
      'a Constant of strings',
      () =>
        changed((g) => {
          g.initializers.splice(1, 1);
          g.nodes.unshift(
            node('Constant', [], ['fc1.bias'], 'labels', [{ name: 'value_strings', type: 8 }]),
          );
        }),
      'graph.node[0]',
      /the Constant node 0 "labels" \(Constant\) holds no tensor, float or int value/,
    ],
    [
      'a value defined twice',
      () => changed((g) => (g.nodes[1]!.output = ['fc2.bias'])),
      'graph.node[1]',
      /writes "fc2.bias", which an initializer or earlier node already defines/,
    ],
    [
      'an attribute of the wrong type',
      () => changed((g) => (g.nodes[0]!.attribute![2] = floatAttr('transB', 1))),
      'graph.node[0]',
      /has attribute transB of the wrong type/,
    ],
  ];

  it.each(cases)('%s', (_, bytes, path, message) => {
    const error = refusal(bytes());
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
    expect(error.message).toBe(`ONNX model: ${error.reason}.`);
  });

  it('a network over the limits is a ResourceLimitError saying how to raise them', () => {
    const bytes = encode(torchGemm());
    expect(() => fromOnnx(bytes, { maxParameters: 40 })).toThrow(
      new ResourceLimitError(
        'ONNX model: A[4,5,3] has 43 parameters, over the limit of 40 (maxParameters). If the model is the one you expect, raise the limit: fromOnnx(bytes, { maxParameters: 43 }).',
      ),
    );
    expect(() => fromOnnx(bytes, { maxEntries: 20 })).toThrow(
      /A\[4,5,3\]: W1 has 25 entries, over the limit of 20 \(maxEntries\).*\{ maxEntries: 25 \}/,
    );
    expect(fromOnnx(bytes, { maxParameters: 43, maxEntries: 25 }).architecture).toEqual([4, 5, 3]);
  });

  it('bad options and arguments are ConfigErrors', () => {
    const bytes = encode(torchGemm());
    expect(() => fromOnnx(bytes, { maxParameters: -1 })).toThrow(
      new ConfigError(
        'fromOnnx: maxParameters must be a positive integer, got -1; leave it out for the default 50,000,000.',
      ),
    );
    expect(() => fromOnnx(bytes, { limit: 3 } as never)).toThrow(
      "fromOnnx: unknown option 'limit'. The options are maxParameters, maxEntries.",
    );
    expect(() => fromOnnx('model.onnx' as never)).toThrow(
      /fromOnnx: expected the model's bytes as a Uint8Array or ArrayBuffer, got "model.onnx"/,
    );
    expect(() => fromOnnx(bytes, null as never)).toThrow(ConfigError);
  });
});

describe('toOnnx refuses what ONNX cannot hold', () => {
  it('a per-neuron activation family, naming the layer', () => {
    const family = net([2, 3, 1], [['relu', 'tanh', 'relu'], 'identity']);
    expect(() => toOnnx(family)).toThrow(
      new ConfigError(
        'toOnnx: layer 1 of A[2,3,1] has a per-neuron activation family ("relu", "tanh", "relu"), which no ONNX operator computes; give the layer one activation to export it, or save the network with serialize from @twostep/core.',
      ),
    );
  });

  it('an activation without an ONNX operator, naming the layer and the activation', () => {
    const other = net([2, 3, 1], ['relu', 'identity']);
    Object.defineProperty(other, 'activationSpecs', { value: ['relu', 'gelu'] });
    expect(() => toOnnx(other)).toThrow(
      /toOnnx: layer 2 has the activation "gelu", which has no ONNX operator here; use identity, relu, sigmoid, tanh, softplus, leakyRelu/,
    );
  });

  it('a weight beyond float32 in a float32 file, which float64 files hold', () => {
    const big = net([2, 2], ['identity']);
    big.setWeights([
      [
        [1, 2, 3],
        [4, 1e39, 6],
      ],
    ]);
    expect(() => toOnnx(big)).toThrow(DTypeError);
    expect(() => toOnnx(big)).toThrow(
      /toOnnx: W1\[1\]\[1\] \(layer 1\) is 1e\+39, beyond the float32 range .* of a float32 ONNX file: it would become Infinity. Export with \{ dtype: 'float64' \}/,
    );
    expect(fromOnnx(toOnnx(big, { dtype: 'float64' })).getWeights()).toEqual(big.getWeights());
    big.setWeights([
      [
        [1, 2, 3],
        [4, 5, -1e39],
      ],
    ]);
    expect(() => toOnnx(big)).toThrow(/W1\[1\]\[2\] \(layer 1, the bias\) is -1e\+39/);
  });

  it('bad options and arguments are ConfigErrors', () => {
    const small = net([2, 1], ['identity']);
    expect(() => toOnnx(small, { dtype: 'float16' as never })).toThrow(
      /toOnnx: dtype must be 'float32' or 'float64', got "float16"/,
    );
    expect(() => toOnnx(small, { opset: 17 } as never)).toThrow(
      "toOnnx: unknown option 'opset'. The options are dtype, name.",
    );
    expect(() => toOnnx(small, { name: 3 as never })).toThrow(/name must be a string, got 3/);
    expect(() => toOnnx({ architecture: [2, 1] } as never)).toThrow(/expected a Network/);
  });
});

describe('fuzz: fromOnnx ends in a Network or a TwoStepError', { timeout: FUZZ_TIMEOUT }, () => {
  it('on any bytes', async () => {
    await fuzz(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        endsWell(() => fromOnnx(bytes));
      }),
    );
  });

  it('on valid models with bytes changed, and cut short', async () => {
    const models = [
      toOnnx(net([3, 4, 2], [{ name: 'leakyRelu', alpha: 0.2 }, 'sigmoid'])),
      toOnnx(net([3, 4, 2], ['tanh', 'identity'], false), { dtype: 'float64' }),
      encode(torchGemm()),
    ];
    const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 6,
    });
    await fuzz(
      fc.property(
        fc.nat(models.length - 1),
        edits,
        fc.integer({ min: -1, max: 10_000 }),
        (m, changes, cut) => {
          const bytes = models[m]!.slice();
          for (const [at, value] of changes) bytes[at % bytes.length] = value;
          const network = endsWell(() =>
            fromOnnx(cut < 0 ? bytes : bytes.subarray(0, cut % bytes.length)),
          );
          if (network) expect(network.architecture.length).toBeGreaterThanOrEqual(2);
        },
      ),
    );
  });

  it('on the torch graph with ops, inputs, outputs, attributes and shapes changed', async () => {
    const op = fc.constantFrom(
      'Gemm',
      'MatMul',
      'Add',
      'Relu',
      'LeakyRelu',
      'Identity',
      'Flatten',
      'Reshape',
      'Transpose',
      'Constant',
      'Softmax',
      'Shape',
    );
    const name = fc.constantFrom(
      'input',
      'output',
      'fc1.weight',
      'fc1.bias',
      'fc2.bias',
      '/fc1/Gemm_output_0',
      '/relu/Relu_output_0',
      '',
    );
    const int = fc.integer({ min: -3, max: 8 });
    const attribute = fc.oneof(
      fc.tuple(fc.constantFrom('alpha', 'beta'), nasty).map(([n, f]) => floatAttr(n, f)),
      fc
        .tuple(fc.constantFrom('transA', 'transB', 'axis', 'allowzero'), int)
        .map(([n, i]) => intAttr(n, i)),
      fc.array(int, { maxLength: 3 }).map((ints) => intsAttr('perm', ints)),
      fc.constant(tensorAttr('value', tensor('', [2], [1, 2]))),
    );
    // Each change as data, so that a counterexample shows what it changed.
    const change = fc.oneof(
      fc.record({ node: fc.nat(), op }),
      fc.record({ node: fc.nat(), input: fc.nat(3), name }),
      fc.record({ node: fc.nat(), output: name }),
      fc.record({ node: fc.nat(), attribute }),
      fc.record({ initializer: fc.nat(), dims: fc.array(int, { maxLength: 3 }) }),
      fc.record({ inputShape: fc.array(fc.oneof(int, fc.constant('b')), { maxLength: 4 }) }),
      fc.record({ opset: fc.integer({ min: 0, max: 30 }) }),
    );
    const apply = (g: Graph, c: Record<string, unknown>) => {
      const n = g.nodes[(c.node as number) % g.nodes.length]!;
      if ('op' in c) n.opType = c.op as string;
      if ('input' in c) n.input![(c.input as number) % (n.input!.length + 1)] = c.name as string;
      if ('output' in c) n.output = [c.output as string];
      if ('attribute' in c) n.attribute!.push(c.attribute as OnnxAttribute);
      if ('dims' in c) g.initializers[(c.initializer as number) % 4]!.dims = c.dims as number[];
      if ('inputShape' in c) g.inputs = [valueInfo('input', c.inputShape as Dim[])];
      if ('opset' in c) g.opset = c.opset as number;
    };
    await fuzz(
      fc.property(fc.array(change, { minLength: 1, maxLength: 4 }), (changes) => {
        const bytes = changed((g) => {
          for (const c of changes) apply(g, c);
        });
        const network = endsWell(() => fromOnnx(bytes));
        if (network) expect(network.architecture.length).toBeGreaterThanOrEqual(2);
      }),
    );
  });
});
