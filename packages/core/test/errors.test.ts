import {
  ConfigError,
  deserialize,
  evaluate,
  fPropagate,
  ModelFormatError,
  Network,
  NonFiniteError,
  predict,
  ShapeError,
  serialize,
  Trainer,
  train,
} from '@twostep/core';
import { Overflow, parseJsonAsWritten } from '@twostep/core/check';
import { describe, expect, it } from 'vitest';
import { f64 } from './helpers.js';

const net = () => Network.create({ architecture: 'A[3,2,2]', seed: 1 });

describe('data errors name the row, column and fix', () => {
  it('wrong input width', async () => {
    await expect(
      train(f64, net(), {
        inputs: [
          [1, 2, 3],
          [1, 2],
        ],
        targets: [
          [1, 0],
          [0, 1],
        ],
      }),
    ).rejects.toThrow(
      /inputs row 1 has 2 values but must have 3\. The network takes N0 = 3 inputs\./,
    );
  });

  it('wrong label width suggests oneHot', async () => {
    const run = train(f64, net(), { inputs: [[1, 2, 3]], targets: [[1]] });
    await expect(run).rejects.toThrow(ShapeError);
    await expect(run).rejects.toThrow(
      /targets row 0 has 1 values but must have 2\. .*oneHot\(labels, 2\)/,
    );
  });

  it('NaN and Infinity named by row and column', async () => {
    const inputs = [
      [1, 2, 3],
      [4, Number.NaN, 6],
    ];
    const run = train(f64, net(), {
      inputs,
      targets: [
        [1, 0],
        [0, 1],
      ],
    });
    await expect(run).rejects.toThrow(NonFiniteError);
    await expect(run).rejects.toThrow(/inputs row 1, column 1 is NaN/);
    await expect(
      train(f64, net(), { inputs: [[1, 2, 3]], targets: [[Number.POSITIVE_INFINITY, 0]] }),
    ).rejects.toThrow(/targets row 0, column 0 is Infinity/);
  });

  it.each([
    ['a string', [1, '2', 3], 'inputs row 0, column 1 is "2"'],
    ['a boolean', [true, 2, 3], 'inputs row 0, column 0 is true'],
    ['null', [1, 2, null], 'inputs row 0, column 2 is null'],
    ['undefined', Array.from({ length: 3, 1: 2, 2: 3 }), 'inputs row 0, column 0 is undefined'],
    ['NaN in a Float32Array', Float32Array.of(1, Number.NaN, 3), 'inputs row 0, column 1 is NaN'],
    ['a BigInt64Array', BigInt64Array.of(1n, 2n, 3n), 'inputs row 0, column 0 is 1'],
  ])('%s is not a finite number, and nothing is coerced', async (_, row, message) => {
    const run = train(f64, net(), { inputs: [row as ArrayLike<number>], targets: [[1, 0]] });
    await expect(run).rejects.toThrow(NonFiniteError);
    await expect(run).rejects.toThrow(`${message}; every value must be a finite number.`);
  });

  it('typed-array rows of any kind train like arrays', async () => {
    const rows = [Float32Array.of(0.5, -1, 2), Float64Array.of(1, 0, -0.5), Int8Array.of(1, 2, 3)];
    const targets = [
      [1, 0],
      [0, 1],
      [1, 0],
    ];
    const [a, b] = [net(), net()];
    await train(f64, a, { inputs: rows, targets }, { epochs: 3, shuffle: false });
    await train(
      f64,
      b,
      { inputs: rows.map((r) => Array.from(r)), targets },
      { epochs: 3, shuffle: false },
    );
    expect(a.getWeights()).toEqual(b.getWeights());
  });

  it('count mismatch and empty data', async () => {
    await expect(
      train(f64, net(), {
        inputs: [[1, 2, 3]],
        targets: [
          [1, 0],
          [0, 1],
        ],
      }),
    ).rejects.toThrow(/inputs has 1 rows but targets has 2/);
    await expect(train(f64, net(), { inputs: [], targets: [] })).rejects.toThrow(/inputs is empty/);
  });

  it('an X0 of the wrong height', () => {
    expect(() => fPropagate(f64, net(), f64.fromArray([1, 2], 2, 1))).toThrow(
      /X0 is 2×1 but Network A\[3,2,2\] with bias takes 3 inputs/,
    );
  });

  it('bad options', async () => {
    const data = { inputs: [[1, 2, 3]], targets: [[1, 0]] };
    await expect(train(f64, net(), data, { batchSize: 0 })).rejects.toThrow(ConfigError);
    await expect(train(f64, net(), data, { loss: 'hinge' as never })).rejects.toThrow(
      /unknown loss "hinge"; use one of difference, mse/,
    );
    await expect(train(f64, net(), data, { mode: 'local' as never })).rejects.toThrow(
      /'global' or 'layerwise'/,
    );
    await expect(train(f64, net(), data, { learningRates: [0.1] })).rejects.toThrow(
      /give 2 positive finite rates/,
    );
    await expect(
      train(f64, net(), data, { optimizer: { name: 'rmsprop' } as never }),
    ).rejects.toThrow(/unknown optimizer "rmsprop"/);
    expect(() => Network.create({ architecture: 'A[2,2]', activation: 'swish' as never })).toThrow(
      /unknown activation "swish"; use one of identity/,
    );
    expect(() => Network.create({ architecture: 'A[2,2]', activations: [['tanh']] })).toThrow(
      /a family of 1 activations cannot serve 2 neurons/,
    );
  });

  it('options that are not an object: a ConfigError, not a TypeError (found by fuzzing)', async () => {
    const data = { inputs: [[1, 2, 3]], targets: [[1, 0]] };
    const fix = 'leave them out for the defaults.';
    await expect(predict(f64, net(), data.inputs, null as never)).rejects.toThrow(
      `predict: options must be an object such as { batchSize: … }, got null; ${fix}`,
    );
    await expect(evaluate(f64, net(), data, null as never)).rejects.toThrow(
      `evaluate: options must be an object such as { loss: … }, got null; ${fix}`,
    );
    await expect(evaluate(f64, net(), data, { batchsize: 2 } as never)).rejects.toThrow(
      "evaluate: unknown option 'batchsize'; did you mean 'batchSize'? The options are loss, batchSize.",
    );
    await expect(train(f64, net(), data, 5 as never)).rejects.toThrow(
      `train: options must be an object such as { loss: … }, got 5; ${fix}`,
    );
    expect(() => new Trainer(f64, net(), null as never)).toThrow(ConfigError);
    const trainer = new Trainer(f64, net());
    await expect(trainer.epoch(data, null as never)).rejects.toThrow(
      `epoch: options must be an object such as { batchSize: … }, got null; ${fix}`,
    );
    await trainer.close();
  });

  it('setWeights with a wrong shape or a non-finite weight', () => {
    expect(() => net().setWeights([[[1, 2, 3, 4]]])).toThrow(/expected 2 matrices/);
    expect(() => net().setWeights([[[1, 2, 3]], [[1, 2, 3]]])).toThrow(
      /W1 must be 2×4 \(bias in the last column\)/,
    );
    const w = net().getWeights();
    w[1]![1]![2] = Number.NaN;
    expect(() => net().setWeights(w)).toThrow(/W2\[1\]\[2\] is NaN/);
  });
});

describe('model files', () => {
  const good = () => JSON.parse(serialize(net()));
  /** `good()` with `change` made to it. */
  const bad = (change: (file: ReturnType<typeof good>) => void) => () => {
    const file = good();
    change(file);
    return file;
  };
  /** The model file's text with the weight W1[0][1] written `literal`. */
  const writing = (literal: string) => () =>
    serialize(net()).replace(/("weights":\[\[\[[^,]+,)[^,]+/, `$1${literal}`);
  const ACTIVATIONS = 'identity, sigmoid, tanh, relu, leakyRelu, softplus';

  it.each([
    [
      'not JSON',
      () => '{"format": ',
      '$',
      'is not valid JSON (Unexpected end of JSON input); the file is damaged or not a model file',
    ],
    [
      'not an object',
      () => '[1]',
      '$',
      'must be an object; it is [1]; expected a twostep model file',
    ],
    [
      'another format',
      bad((f) => {
        f.format = 'keras';
      }),
      'format',
      'must be "twostep-network"; it is "keras"',
    ],
    [
      'a newer version',
      bad((f) => {
        f.version = 2;
      }),
      'version',
      'must be 1; it is 2, written by a newer @twostep/core: upgrade @twostep/core',
    ],
    [
      'a version as a string',
      bad((f) => {
        f.version = '1';
      }),
      'version',
      'must be 1; it is "1"',
    ],
    [
      'one width',
      bad((f) => {
        f.architecture = [3];
      }),
      'architecture',
      'must be an array [N0, …, NL] of at least two widths; it is [3]',
    ],
    [
      'a bad width',
      bad((f) => {
        f.architecture = [3, 0, 2];
      }),
      'architecture[1]',
      'must be an integer ≥ 1; it is 0',
    ],
    [
      'a missing bias flag',
      bad((f) => {
        delete f.bias;
      }),
      'bias',
      'must be true or false; it is missing',
    ],
    [
      'an activation short',
      bad((f) => {
        f.activations.pop();
      }),
      'activations',
      'must be an array of 2 activations, one per layer; it has 1',
    ],
    [
      'an unknown activation',
      bad((f) => {
        f.activations[1] = 'gelu';
      }),
      'activations[1]',
      `must be a valid activation (layer 2: unknown activation "gelu"; use one of ${ACTIVATIONS}); it is "gelu"`,
    ],
    [
      'a family of the wrong size',
      bad((f) => {
        f.activations[0] = ['tanh'];
      }),
      'activations[0]',
      'must be a valid activation (layer 1: a family of 1 activations cannot serve 2 neurons; give one per neuron (eq. 7)); it is ["tanh"]',
    ],
    [
      'no weights',
      bad((f) => {
        delete f.weights;
      }),
      'weights',
      'must be an array of 2 matrices, one per layer; it is missing',
    ],
    [
      'a matrix missing',
      bad((f) => {
        f.weights.pop();
      }),
      'weights',
      'must be an array of 2 matrices, one per layer; it has 1',
    ],
    [
      'a row missing',
      bad((f) => {
        f.weights[0].pop();
      }),
      'weights[0]',
      'must be an array of 2 rows (N1); it has 1',
    ],
    [
      'a short row',
      bad((f) => {
        f.weights[1][0].pop();
      }),
      'weights[1][0]',
      'must be an array of 3 columns (N1 + 1 for the bias); it has 2',
    ],
    [
      'a row without the bias column',
      bad((f) => {
        f.bias = false;
      }),
      'weights[0][0]',
      'must be an array of 3 columns (N0); it has 4',
    ],
    [
      'a row that is a number',
      bad((f) => {
        f.weights[1][1] = 0.5;
      }),
      'weights[1][1]',
      'must be an array of 3 columns (N1 + 1 for the bias); it is 0.5',
    ],
    [
      'a string weight, shown quoted',
      bad((f) => {
        f.weights[0][1][2] = '0.5';
      }),
      'weights[0][1][2]',
      'must be a finite number; it is "0.5"',
    ],
    [
      'a null weight',
      bad((f) => {
        f.weights[0][1][2] = null;
      }),
      'weights[0][1][2]',
      'must be a finite number; it is null',
    ],
    [
      'a weight of 1e400, as written',
      writing('1e400'),
      'weights[0][0][1]',
      'must be a finite number; it is 1e400',
    ],
    [
      'a weight of -1e999, as written',
      writing('-1e999'),
      'weights[0][0][1]',
      'must be a finite number; it is -1e999',
    ],
    [
      'a width of 1E+400, as written',
      () => serialize(net()).replace('"architecture":[3,', '"architecture":[1E+400,'),
      'architecture[0]',
      'must be an integer ≥ 1; it is 1E+400',
    ],
    [
      'an alpha of 1e400, as written',
      () =>
        serialize(net()).replace(
          '"activations":["sigmoid"',
          '"activations":[{"name":"leakyRelu","alpha":1e400}',
        ),
      'activations[0]',
      'must be a valid activation (layer 1: leakyRelu\'s alpha must be a finite number, got 1e400); it is {"name":"leakyRelu","alpha":1e400}',
    ],
  ])('rejects %s, naming the field, its value and what is allowed', (_, make, path, reason) => {
    const error = catching(() => deserialize(make()));
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error).toMatchObject({ path, reason, message: `Model file: ${path} ${reason}.` });
  });

  it('reports the first bad field, in the order of the file', () => {
    const file = good();
    file.weights[1][0][0] = 'x';
    file.weights[0][1][3] = 'y';
    file.activations[1] = 'gelu';
    expect(catching(() => deserialize(file))).toMatchObject({ path: 'activations[1]' });
    file.activations[1] = 'tanh';
    expect(catching(() => deserialize(file))).toMatchObject({ path: 'weights[0][1][3]' });
  });

  it("keeps the parser's error as the cause of not JSON", () => {
    const error = catching(() => deserialize('{"format": '));
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it('reads a parsed file with overflowing numbers left as Overflow', () => {
    const file = parseJsonAsWritten(writing('-1e999')(), (reason) => new Error(reason));
    expect(catching(() => deserialize(file))).toMatchObject({
      path: 'weights[0][0][1]',
      reason: 'must be a finite number; it is -1e999',
    });
    const width = good();
    width.architecture[1] = new Overflow('2e308');
    expect(catching(() => deserialize(width))).toMatchObject({
      reason: 'must be an integer ≥ 1; it is 2e308',
    });
  });

  it("reads a weight float32 cannot hold: that is the float32 backend's to refuse", () => {
    expect(deserialize(writing('1e39')()).getWeights()[0]![0]![1]).toBe(1e39);
  });

  it('a ModelFormatError made with a message and a path has the message as its reason', () => {
    const error = new ModelFormatError('--model m.json: bad', 'bias');
    expect(error).toMatchObject({
      path: 'bias',
      reason: '--model m.json: bad',
      code: 'MODEL_FORMAT',
    });
  });
});

/** The error `fn` throws. */
function catching(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
