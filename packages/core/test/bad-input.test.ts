/**
 * Bad input found where it enters, not as garbage or divergence later: values beyond the
 * backend's dtype, rows changed while training runs, two trainers on one network, weights
 * set under an open Trainer.
 */
import {
  type Backend,
  ConfigError,
  DivergenceError,
  DTypeError,
  deserialize,
  Network,
  NonFiniteError,
  predict,
  Random,
  serialize,
  Trainer,
  toColumns,
  train,
} from '@twostep/core';
import { referenceBackend } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import { f64 } from './helpers.js';

/** Says float32 (the reference computes in float64 only): for checks made before any op. */
const f32: Backend = { ...referenceBackend(), dtype: 'float32', dtypes: ['float32'] };

/** 12 samples of a seeded 2-input, 1-output problem. */
function problem() {
  const random = new Random(4);
  const inputs = Array.from({ length: 12 }, () => [random.next(), random.next()]);
  return { inputs, targets: inputs.map(([a, b]) => [a! > b! ? 1 : 0]) };
}

const small = () => Network.create({ architecture: 'A[2,3,1]', seed: 1 });

describe('values beyond float32', () => {
  it('a model file with a weight float32 cannot hold is refused on a float32 backend, named', async () => {
    const file = JSON.parse(serialize(small()));
    file.weights[0][2][1] = 1e300; // finite in float64, Infinity in float32
    const net = deserialize(file);
    const message =
      'W1[2][1] (layer 1, row 2, column 1) is 1e+300, beyond the float32 range (±3.4028234663852886e+38) of this float32 backend: it would become Infinity. ' +
      'Scale the values into range, or use a float64 backend.';
    await expect(predict(f32, net, [[0, 0]])).rejects.toThrow(new DTypeError(message));
    expect(() => net.weightsOn(f32)).toThrow(DTypeError);
    // float64 holds it; the largest float32 fits.
    expect((await predict(f64, net, [[0, 0]])).length).toBe(1);
    file.weights[0][2][1] = -3.4028234663852886e38;
    expect(() => deserialize(file).weightsOn(f32)).not.toThrow();
  });

  it('data float32 cannot hold is refused at the check, naming the row and column', async () => {
    const data = problem();
    data.inputs[5]![1] = -1e39;
    const message =
      'inputs row 5, column 1 is -1e+39, beyond the float32 range (±3.4028234663852886e+38) of this float32 backend: it would become -Infinity.';
    await expect(train(f32, small(), data)).rejects.toThrow(message);
    expect(() => new Trainer(f32, small()).check(data)).toThrow(DTypeError);
    await expect(predict(f32, small(), data.inputs)).rejects.toThrow(message);
    expect(() => toColumns(f32, [[1, 1e39]])).toThrow('toColumns row 0, column 1 is 1e+39');
    // float64 takes it.
    expect(new Trainer(f64, small()).check(data)).toBe(12);
  });

  it('rows of Float32Array and Float64Array are checked as arrays are, at every column', () => {
    const width = 7; // one group of four and a tail of three
    const rows = (Row: typeof Float32Array | typeof Float64Array) =>
      Array.from({ length: 3 }, (_, r) =>
        Row.from(Array.from({ length: width }, (_, c) => r - c / 4)),
      );
    const check = (backend: Backend, inputs: (Float32Array | Float64Array)[]) =>
      new Trainer(backend, Network.create({ architecture: `A[${width},1]`, seed: 1 })).check({
        inputs,
        targets: inputs.map(() => [0]),
      });
    for (const Row of [Float32Array, Float64Array]) {
      for (const backend of [f32, f64]) expect(check(backend, rows(Row))).toBe(3);
      for (let c = 0; c < width; c++) {
        for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
          const data = rows(Row);
          data[2]![c] = bad;
          for (const backend of [f32, f64]) {
            expect(() => check(backend, data)).toThrow(
              `inputs row 2, column ${c} is ${bad}; every value must be a finite number.`,
            );
          }
        }
      }
    }
    // A Float64Array value float32 cannot hold, at every column: refused on float32 only.
    for (let c = 0; c < width; c++) {
      const data = rows(Float64Array);
      data[1]![c] = -1e39;
      expect(() => check(f32, data)).toThrow(`inputs row 1, column ${c} is -1e+39, beyond`);
      expect(check(f64, data)).toBe(3);
    }
  });
});

describe('rows changed while training runs', () => {
  it('a NaN written into the data after the check is bad data, not divergence', async () => {
    const data = problem();
    const run = train(f64, small(), data, {
      epochs: 3,
      onEpoch: () => {
        data.inputs[7]![1] = Number.NaN;
      },
    });
    await expect(run).rejects.toThrow(NonFiniteError);
    await expect(run).rejects.not.toThrow(DivergenceError);
    await expect(run).rejects.toThrow(
      'inputs row 7, column 1 is NaN (it changed after the data was checked: rows must not change while training runs); every value must be a finite number.',
    );
  });

  it('so is an Infinity written into the targets, through Trainer.epoch', async () => {
    const data = problem();
    const trainer = new Trainer(f64, small(), { loss: 'mse' });
    await trainer.epoch(data, { batchSize: 5 });
    data.targets[11]![0] = Number.POSITIVE_INFINITY;
    await expect(trainer.epoch(data, { batchSize: 5 })).rejects.toThrow(
      'targets row 11, column 0 is Infinity (it changed after the data was checked',
    );
    await trainer.close();
  });
});

describe('one network, one trainer at a time', () => {
  it('a second concurrent train call on the network is refused until the first ends', async () => {
    const net = small();
    const data = problem();
    const first = train(f64, net, data, { epochs: 3 });
    const message =
      "Network A[2,3,1] with bias is already being trained by another Trainer (or train call) that has not closed: two at once would train from the same weights and one run's weights would be lost. " +
      "Await the first train call (or its Trainer's close()) before starting another, or train a copy: deserialize(serialize(net)).";
    await expect(train(f64, net, data, { epochs: 3 })).rejects.toThrow(new ConfigError(message));
    await first;
    // The first run's weights are the network's; a new run may start.
    const trained = net.getWeights();
    const alone = small();
    await train(f64, alone, data, { epochs: 3 });
    expect(trained).toEqual(alone.getWeights());
    await expect(train(f64, net, data)).resolves.toBeDefined();
  });

  it('a second Trainer is refused until the first closes, even on another backend', async () => {
    const net = small();
    const first = new Trainer(f64, net);
    expect(() => new Trainer(f64, net)).toThrow(ConfigError);
    expect(() => new Trainer(referenceBackend(), net)).toThrow('is already being trained');
    await first.close();
    const second = new Trainer(f64, net);
    await second.close();
    // Another network is free meanwhile; a Trainer refused for bad options locks nothing.
    expect(() => new Trainer(f64, net, { loss: 'nope' as 'mse' })).toThrow('unknown loss');
    await new Trainer(f64, net).close();
  });

  it('the weights cannot be set under an open Trainer, nor handed over by anyone but it', async () => {
    const net = small();
    const data = problem();
    const initial = net.getWeights();
    const trainer = new Trainer(f64, net);
    const message =
      "setWeights: Network A[2,3,1] with bias is being trained by a Trainer (or train call) that has not closed: it trains its own copy of the weights, which would overwrite these when it syncs or closes. Await the Trainer's close() (or the train call) before changing the weights, or change them before creating the Trainer.";
    // Before its first step as after it.
    expect(() => net.setWeights(initial)).toThrow(new ConfigError(message));
    trainer.step(data);
    expect(() => net.setWeights(initial)).toThrow(new ConfigError(message));
    await expect(net.adopt(f64, net.weightsOn(f64))).rejects.toThrow(
      new ConfigError(message.replace('setWeights:', 'adopt:')),
    );
    expect(net.getWeights()).toEqual(initial);
    // The Trainer itself hands its weights over.
    await trainer.sync();
    expect(net.getWeights()).not.toEqual(initial);
    // Until close has handed them over, neither new weights nor a new Trainer.
    const closing = trainer.close();
    expect(() => net.setWeights(initial)).toThrow(message);
    expect(() => new Trainer(f64, net)).toThrow('is already being trained');
    await closing;
    net.setWeights(initial);
    expect(net.getWeights()).toEqual(initial);
    await new Trainer(f64, net).close();
  });

  it('so an onEpoch that sets the weights stops train, which then lets go of the network', async () => {
    const net = small();
    const other = small().getWeights();
    const run = train(f64, net, problem(), { epochs: 3, onEpoch: () => net.setWeights(other) });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow('setWeights: Network A[2,3,1] with bias is being trained');
    net.setWeights(other);
    expect(net.getWeights()).toEqual(other);
  });
});
