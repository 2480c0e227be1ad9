import {
  ConfigError,
  deserialize,
  fPropagate,
  ModelFormatError,
  Network,
  NonFiniteError,
  ShapeError,
  serialize,
  train,
} from '@twostep/core';
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
  it.each([
    ['not JSON', () => '{"format": ', '$', /not valid JSON/],
    [
      'another format',
      () => ({ ...good(), format: 'keras' }),
      'format',
      /expected "twostep-network"/,
    ],
    ['a newer version', () => ({ ...good(), version: 2 }), 'version', /upgrade @twostep\/core/],
    [
      'a bad width',
      () => ({ ...good(), architecture: [3, 0, 2] }),
      'architecture[1]',
      /not a positive integer/,
    ],
    [
      'an unknown activation',
      () => ({ ...good(), activations: ['sigmoid', 'gelu'] }),
      'activations[1]',
      /unknown activation "gelu"/,
    ],
    [
      'a short row',
      () => {
        const f = good();
        f.weights[1][0].pop();
        return f;
      },
      'weights[1][0]',
      /must have 3 columns/,
    ],
    [
      'a string weight',
      () => {
        const f = good();
        f.weights[0][1][2] = '0.5';
        return f;
      },
      'weights[0][1][2]',
      /not a finite number/,
    ],
    [
      'a missing bias flag',
      () => {
        const f = good();
        delete f.bias;
        return f;
      },
      'bias',
      /not true or false/,
    ],
  ])('rejects %s, naming the field', (_, make, path, message) => {
    const input = make();
    expect(() => deserialize(input)).toThrow(ModelFormatError);
    expect(() => deserialize(input)).toThrow(message);
    try {
      deserialize(input);
    } catch (e) {
      expect((e as ModelFormatError).path).toBe(path);
    }
  });
});
