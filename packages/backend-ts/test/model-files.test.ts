// Moved from the core's tests, which run on the float64 reference only: it needs a float32 backend.
import { DTypeError, deserialize, Network, predict, serialize, train } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../src/index.js';

const xor = {
  inputs: [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  targets: [[0], [1], [1], [0]],
};

describe('model files across dtypes', () => {
  it('a model trained in float32 loads and predicts in float64 within float32 tolerance', async () => {
    const f32 = createBackend({ dtype: 'float32' });
    const f64 = createBackend({ dtype: 'float64' });
    const net = Network.create({
      architecture: 'A[2,4,1]',
      activation: 'tanh',
      outputActivation: 'sigmoid',
      seed: 2,
    });
    await train(f32, net, xor, { epochs: 20, batchSize: 4 });
    const copy = deserialize(serialize(net));
    const a = (await predict(f32, net, xor.inputs)).flat();
    const b = (await predict(f64, copy, xor.inputs)).flat();
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-6);
  });

  it('a weight beyond float32 is refused on float32, not turned into NaN predictions', async () => {
    const file = JSON.parse(serialize(Network.create({ architecture: 'A[2,4,1]', seed: 2 })));
    file.weights[1][0][4] = 1e300;
    const net = deserialize(file);
    await expect(predict(createBackend({ dtype: 'float32' }), net, xor.inputs)).rejects.toThrow(
      new DTypeError(
        'W2[0][4] (layer 2, row 0, column 4) is 1e+300, beyond the float32 range (±3.4028234663852886e+38) of this float32 backend: it would become Infinity. ' +
          'Scale the values into range, or use a float64 backend.',
      ),
    );
    const f64 = (await predict(createBackend({ dtype: 'float64' }), net, xor.inputs)).flat();
    expect(f64.every(Number.isFinite)).toBe(true);
  });
});
