import {
  adam,
  DivergenceError,
  deserialize,
  evaluate,
  fAdjoint,
  fPropagate,
  losses,
  momentum,
  Network,
  type NetworkOptions,
  predict,
  serialize,
  sgd,
  tidy,
  train,
} from '@twostep/core';
import { referenceBackend } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import { f64, matrix, rowsOf, XOR as xor } from './helpers.js';

describe('learning modes', () => {
  // One full-batch sgd step on A[2,3,2] from known weights, computed here from fPropagate and
  // fAdjoint and host arithmetic, then compared with train().
  const inputs = [
    [0.3, -0.7],
    [0.9, 0.2],
    [-0.4, 0.5],
  ];
  const targets = [
    [1, 0],
    [0, 1],
    [0.5, 0.5],
  ];
  const lr = 0.5;
  const start = () => {
    const net = Network.create({
      architecture: 'A[2,3,2]',
      activation: 'tanh',
      outputActivation: 'sigmoid',
      seed: 7,
    });
    return net;
  };
  const sub = (a: number[][], b: number[][], s: number) =>
    a.map((row, i) => row.map((v, j) => v - s * b[i]![j]!));
  const X0 = [
    [0.3, 0.9, -0.4],
    [-0.7, 0.2, 0.5],
  ];
  const T = [
    [1, 0, 0.5],
    [0, 1, 0.5],
  ];

  /** [W1, W2] after one step, by hand; `updatedW2` chooses which W♯2 carries δup_1. */
  function expected(updatedW2: boolean) {
    const net = start();
    const [W1, W2] = net.getWeights() as [number[][], number[][]];
    return tidy(f64, () => {
      const F = fPropagate(f64, net, matrix(f64, X0));
      const { deltaUp } = losses.mse.forward(f64, F.X[2]!, matrix(f64, T), 'mean');
      const A = fAdjoint(f64, net, F, deltaUp);
      const newW2 = sub(W2, rowsOf(f64, A.gradients[1]!), lr);
      const sharp = (updatedW2 ? newW2 : W2).map((row) => row.slice(0, -1));
      // δup_1 = (W♯2)ᵀ δdown_2, δdown_1 = δup_1 ⊙ σ'(Y1), ∂J/∂W1 = δdown_1 X0ᵀ.
      const down2 = rowsOf(f64, A.deltaDown[1]!);
      const y1 = rowsOf(f64, F.Y[0]!);
      const x0 = rowsOf(f64, F.X[0]!);
      const down1 = sharp[0]!.map((_, i) =>
        down2[0]!.map((_, b) => {
          const up = sharp.reduce((s, row, r) => s + row[i]! * down2[r]![b]!, 0);
          return up * (1 - Math.tanh(y1[i]![b]!) ** 2);
        }),
      );
      const g1 = down1.map((row) => x0.map((xrow) => row.reduce((s, d, b) => s + d * xrow[b]!, 0)));
      return [sub(W1, g1, lr), newW2];
    });
  }

  async function trained(mode: 'global' | 'layerwise') {
    const net = start();
    await train(
      f64,
      net,
      { inputs, targets },
      { mode, optimizer: sgd({ learningRate: lr }), batchSize: 3, shuffle: false, loss: 'mse' },
    );
    return net.getWeights();
  }

  const close = (a: number[][][], b: number[][][]) => {
    expect(a.flat(2)).toHaveLength(b.flat(2).length);
    const error = Math.max(...a.flat(2).map((v, i) => Math.abs(v - b.flat(2)[i]!)));
    expect(error).toBeLessThan(1e-12);
  };

  it("'global' updates every layer from one F-adjoint (old W♯2 in δup_1)", async () => {
    close(await trained('global'), expected(false));
  });

  it("'layerwise' propagates δup_1 with the updated W♯2 (the author's variant)", async () => {
    const layerwise = await trained('layerwise');
    close(layerwise, expected(true));
    // W2 is the same in both modes; W1 must differ, or layerwise used the old W2.
    const global = await trained('global');
    expect(layerwise[1]).toEqual(global[1]);
    const gap = Math.max(
      ...layerwise[0]!.flat().map((v, i) => Math.abs(v - global[0]!.flat()[i]!)),
    );
    expect(gap).toBeGreaterThan(1e-6);
  });

  it('accepts per-layer learning rates', async () => {
    const net = start();
    const before = net.getWeights();
    await train(
      f64,
      net,
      { inputs, targets },
      { mode: 'layerwise', learningRates: [1e-9, 0.5], batchSize: 3, shuffle: false },
    );
    const after = net.getWeights();
    const moved = (h: number) =>
      Math.max(...after[h]!.flat().map((v, i) => Math.abs(v - before[h]!.flat()[i]!)));
    expect(moved(0)).toBeLessThan(1e-8);
    expect(moved(1)).toBeGreaterThan(1e-3);
  });
});

describe('XOR', () => {
  it.each(['global', 'layerwise'] as const)('reaches 100%% accuracy in %s mode', async (mode) => {
    const net = Network.create({
      architecture: 'A[2,4,1]',
      activation: 'tanh',
      outputActivation: 'sigmoid',
      seed: 3,
    });
    const { history } = await train(f64, net, xor, {
      mode,
      loss: 'binaryCrossEntropy',
      optimizer: adam({ learningRate: 0.05 }),
      batchSize: 4,
      epochs: 500,
    });
    expect(history.at(-1)!.loss).toBeLessThan(history[0]!.loss);
    const { accuracy } = await evaluate(f64, net, xor, { loss: 'binaryCrossEntropy' });
    expect(accuracy).toBe(1);
  });

  it.each([
    ['sgd', sgd({ learningRate: 2 })],
    ['momentum', momentum({ learningRate: 0.5, momentum: 0.9 })],
  ])('%s learns XOR too', async (_, optimizer) => {
    const net = Network.create({
      architecture: 'A[2,4,1]',
      activation: 'tanh',
      outputActivation: 'sigmoid',
      seed: 5,
    });
    await train(f64, net, xor, { loss: 'mse', optimizer, batchSize: 4, epochs: 2000 });
    expect((await evaluate(f64, net, xor)).accuracy).toBe(1);
  });
});

describe('determinism and serialization', () => {
  it('same seed ⇒ bit-identical initial weights; another seed ⇒ others', () => {
    const make = (seed: number) =>
      Network.create({ architecture: 'A[5,7,3]', seed, init: 'he', activation: 'relu' });
    expect(make(42).getWeights()).toEqual(make(42).getWeights());
    expect(make(42).getWeights()).not.toEqual(make(43).getWeights());
  });

  it('picks He for relu-family hidden layers and Xavier otherwise, however σ is given', () => {
    const weights = (options: Partial<NetworkOptions>) =>
      Network.create({ architecture: 'A[5,7,6,3]', seed: 3, ...options }).getWeights();
    const he = weights({ init: 'he' });
    const xavier = weights({ init: 'xavier' });
    expect(he).not.toEqual(xavier);
    expect(weights({ activation: 'relu' })).toEqual(he);
    expect(weights({ activations: ['relu', 'leakyRelu', 'identity'] })).toEqual(he);
    expect(
      weights({
        activations: [
          ['relu', 'leakyRelu', 'relu', 'relu', 'relu', 'relu', 'relu'],
          'relu',
          'identity',
        ],
      }),
    ).toEqual(he);
    expect(weights({ activations: ['relu', 'tanh', 'identity'] })).toEqual(xavier);
    expect(weights({ activations: ['tanh', 'tanh', 'relu'] })).toEqual(xavier);
    expect(weights({ activation: 'tanh' })).toEqual(xavier);
  });

  it('same seed ⇒ the same trained weights', async () => {
    const run = async () => {
      const net = Network.create({ architecture: 'A[2,3,1]', seed: 1 });
      await train(f64, net, xor, { epochs: 5, batchSize: 2, seed: 9 });
      return net.getWeights();
    };
    expect(await run()).toEqual(await run());
  });

  it('serialize → deserialize gives identical predictions, per-neuron families included', async () => {
    const net = Network.create({
      architecture: 'A[2,3,2]',
      activations: [['tanh', { name: 'leakyRelu', alpha: 0.2 }, 'softplus'], 'identity'],
      seed: 11,
    });
    await train(
      f64,
      net,
      { inputs: xor.inputs, targets: xor.targets.map(([t]) => [t!, 1 - t!]) },
      { epochs: 3, loss: 'softmaxCrossEntropy' },
    );
    const copy = deserialize(serialize(net));
    expect(copy.getWeights()).toEqual(net.getWeights());
    expect(copy.activationSpecs).toEqual(net.activationSpecs);
    expect(await predict(f64, copy, xor.inputs)).toEqual(await predict(f64, net, xor.inputs));
  });
});

describe('progress and stopping', () => {
  it('onEpoch sees the network holding that epoch’s weights', async () => {
    const net = Network.create({
      architecture: 'A[2,4,1]',
      activation: 'tanh',
      outputActivation: 'sigmoid',
      seed: 3,
    });
    const seen: number[][][][] = [];
    const accuracies: number[] = [];
    await train(f64, net, xor, {
      loss: 'binaryCrossEntropy',
      optimizer: adam({ learningRate: 0.05 }),
      batchSize: 4,
      epochs: 300,
      onEpoch: async ({ epoch }) => {
        if (epoch === 1 || epoch === 300) {
          seen.push(net.getWeights());
          accuracies.push((await evaluate(f64, net, xor)).accuracy);
        }
      },
    });
    expect(seen[0]).not.toEqual(seen[1]);
    expect(seen[1]).toEqual(net.getWeights());
    expect(accuracies[1]).toBe(1);
  });

  it('an AbortSignal stops training at a batch boundary, keeping the weights trained so far', async () => {
    const raw = referenceBackend();
    const net = Network.create({ architecture: 'A[2,4,1]', seed: 3 });
    const before = net.getWeights();
    const controller = new AbortController();
    let epochs = 0;
    let batches = 0;
    const run = train(raw, net, xor, {
      batchSize: 1,
      epochs: 1_000_000,
      signal: controller.signal,
      onEpoch: () => void epochs++,
      onBatch: ({ epoch, batch }) => {
        batches++;
        // As a user's stop button would, between two batches of epoch 3.
        if (epoch === 3 && batch === 2) controller.abort(new Error('stopped by the user'));
      },
    });
    await expect(run).rejects.toThrow('stopped by the user');
    expect(epochs).toBe(2);
    expect(batches).toBe(2 * 4 + 2);
    expect(net.getWeights()).not.toEqual(before);
    expect(net.getWeights().flat(2).every(Number.isFinite)).toBe(true);
  });
});

describe('divergence', () => {
  it('stops at J when the loss overflows, with the weights from before the step', async () => {
    const net = Network.create({ architecture: 'A[1,1]', activation: 'identity', bias: false });
    net.setWeights([[[0.5]]]);
    const run = train(
      f64,
      net,
      { inputs: [[1e200]], targets: [[0]] },
      { optimizer: sgd({ learningRate: 0.1 }) },
    );
    await expect(run).rejects.toThrow(DivergenceError);
    await expect(run).rejects.toMatchObject({ epoch: 1, batch: 1, layer: 1, quantity: 'J' });
    await expect(run).rejects.toThrow(/epoch 1, batch 1: J \(layer 1\) turned non-finite/);
    expect(net.getWeights()).toEqual([[[0.5]]]);
  });

  it('names the first non-finite quantity and keeps the last finite weights', async () => {
    const net = Network.create({ architecture: 'A[2,3,1]', activation: 'identity', seed: 4 });
    const inputs = [
      [1e30, -1e30],
      [2e30, 1e30],
    ];
    const targets = [[1], [0]];
    let error: unknown;
    try {
      await train(
        f64,
        net,
        { inputs, targets },
        { epochs: 3, batchSize: 1, shuffle: false, optimizer: sgd({ learningRate: 1e6 }) },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DivergenceError);
    const d = error as DivergenceError;
    expect(d.message).toMatch(/epoch \d+, batch \d+: \S+ \(layer \d\) turned non-finite/);
    expect(d.quantity).toMatch(/^(Y|X|J|deltaUp|deltaDown|dJ\/dW|W)\d*$/);
    expect(net.getWeights().flat(2).every(Number.isFinite)).toBe(true);
  });
});
