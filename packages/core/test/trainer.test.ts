import {
  adam,
  ConfigError,
  fAdjoint,
  fPropagate,
  type LearningMode,
  losses,
  momentum,
  Network,
  Random,
  sgd,
  Trainer,
  tidy,
  toColumns,
  train,
} from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { f64, rowsOf } from './helpers.js';

/** 23 samples of a seeded 3-input, 2-class problem (23: the last batch of 5 is partial). */
function problem(seed = 3) {
  const random = new Random(seed);
  const inputs = Array.from({ length: 23 }, () => [0, 0, 0].map(() => 2 * random.next() - 1));
  const targets = inputs.map(([a, b, c]) => (a! + b! * c! > 0 ? [1, 0] : [0, 1]));
  return { inputs, targets };
}

const create = () =>
  Network.create({
    architecture: 'A[3,4,2]',
    activation: 'tanh',
    outputActivation: 'sigmoid',
    seed: 5,
  });

const options = (mode: LearningMode) =>
  ({ loss: 'binaryCrossEntropy', optimizer: adam({ learningRate: 0.05 }), mode }) as const;

/** The rows of `data` at `order[start…end)`, as a batch. */
const rowsAt = (
  data: ReturnType<typeof problem>,
  order: ArrayLike<number>,
  start: number,
  end: number,
) => {
  const at = Array.from(order).slice(start, end);
  return { inputs: at.map((i) => data.inputs[i]!), targets: at.map((i) => data.targets[i]!) };
};

describe.each(['global', 'layerwise'] as const)('a Trainer in %s mode', (mode) => {
  it('trains exactly as train() does: epoch by epoch, or step by step', async () => {
    const data = problem();
    const order = new Random(9).permutation(23);

    const byTrain = create();
    await train(f64, byTrain, data, { ...options(mode), batchSize: 5, epochs: 2, shuffle: false });

    const byEpoch = create();
    const epochs = new Trainer(f64, byEpoch, options(mode));
    const losses = [
      await epochs.epoch(data, { batchSize: 5 }),
      await epochs.epoch(data, { batchSize: 5 }),
    ];
    await epochs.close();
    expect(byEpoch.getWeights()).toEqual(byTrain.getWeights());
    expect(losses.every(Number.isFinite)).toBe(true);

    // Steps on the batches of an epoch in `order` give what `epoch` gives in that order,
    // and each step's loss is the J that epoch reports for that batch.
    const byEpochInOrder = create();
    const reference = new Trainer(f64, byEpochInOrder, options(mode));
    const batchLosses: number[] = [];
    await reference.epoch(data, {
      batchSize: 5,
      order,
      onBatch: async (e) => {
        batchLosses.push(await e.loss());
      },
    });
    await reference.close();
    const bySteps = create();
    const steps = new Trainer(f64, bySteps, options(mode));
    const stepLosses: number[] = [];
    for (let start = 0; start < 23; start += 5) {
      const result = steps.step(rowsAt(data, order, start, Math.min(23, start + 5)));
      stepLosses.push(await result.loss());
    }
    await steps.close();
    expect(bySteps.getWeights()).toEqual(byEpochInOrder.getWeights());
    expect(stepLosses).toEqual(batchLosses);
    expect(stepLosses).toHaveLength(5);
    // Training moved the weights.
    expect(bySteps.getWeights()).not.toEqual(create().getWeights());
  });
});

describe('a traced step', () => {
  const batch = {
    inputs: [
      [0.2, -0.5, 0.9],
      [-0.7, 0.1, 0.4],
      [0.3, 0.8, -0.6],
    ],
    targets: [
      [1, 0],
      [0, 1],
      [1, 0],
    ],
  };
  const opts = (mode: LearningMode) =>
    ({ loss: 'mse', optimizer: sgd({ learningRate: 0.5 }), mode }) as const;
  const names = {
    global: ['Y1', 'X1', 'Y2', 'X2', 'J', 'deltaUp2', 'deltaDown2', 'dJ/dW2', 'deltaUp1'],
    layerwise: ['Y1', 'X1', 'Y2', 'X2', 'J', 'deltaUp2', 'deltaDown2', 'dJ/dW2', 'W2'],
  };

  it.each(['global', 'layerwise'] as const)(
    'in %s mode gives every quantity, in the rule’s order, as fPropagate and fAdjoint compute them',
    async (mode) => {
      const before = f64.memory();
      const net = create();
      // The F-propagation and F-adjoint at the weights before the step, computed apart.
      const expected = tidy(f64, () => {
        const F = fPropagate(f64, net, toColumns(f64, batch.inputs));
        const { deltaUp } = losses.mse.forward(f64, F.X[2]!, toColumns(f64, batch.targets), 'mean');
        const A = fAdjoint(f64, net, F, deltaUp, { inputGradient: false });
        const quantities = new Map([
          ['Y1', rowsOf(f64, F.Y[0]!)],
          ['X1', rowsOf(f64, F.X[1]!)],
          ['Y2', rowsOf(f64, F.Y[1]!)],
          ['X2', rowsOf(f64, F.X[2]!)],
          ['deltaUp2', rowsOf(f64, deltaUp)],
          ['deltaDown2', rowsOf(f64, A.deltaDown[1]!)],
          ['dJ/dW2', rowsOf(f64, A.gradients[1]!)],
        ]);
        if (mode === 'global') {
          quantities.set('deltaUp1', rowsOf(f64, A.deltaUp[1]!));
          quantities.set('dJ/dW1', rowsOf(f64, A.gradients[0]!));
        }
        return quantities;
      });

      const trainer = new Trainer(f64, net, opts(mode));
      const step = trainer.step(batch, { trace: true });
      const trace = await step.trace();
      expect(trace.map((q) => q.name).slice(0, 9)).toEqual(names[mode]);
      expect(trace.map((q) => q.name)).toHaveLength(13);
      for (const { name, rows } of trace) {
        if (expected.has(name)) expect(rows, name).toEqual(expected.get(name));
      }
      expect(trace.find((q) => q.name === 'J')!.rows).toEqual([[await step.loss()]]);
      await trainer.sync();
      const weights = net.getWeights();
      expect(trace.filter((q) => q.name.startsWith('W')).map((q) => q.rows)).toEqual(
        mode === 'global' ? weights : [weights[1], weights[0]],
      );
      if (mode === 'layerwise') {
        // δup_1 went through the updated W♯2: (W♯2)ᵀ · δdown_2, on the host.
        const w2 = weights[1]!.map((row) => row.slice(0, -1));
        const down = trace.find((q) => q.name === 'deltaDown2')!.rows;
        const up = w2[0]!.map((_, i) =>
          down[0]!.map((_, b) => w2.reduce((sum, row, r) => sum + row[i]! * down[r]![b]!, 0)),
        );
        const got = trace.find((q) => q.name === 'deltaUp1')!.rows;
        got.forEach((row, i) => {
          row.forEach((v, b) => {
            expect(v).toBeCloseTo(up[i]![b]!, 14);
          });
        });
      }
      const untraced = trainer.step(batch);
      await expect(untraced.trace()).rejects.toThrow(
        'step: this step was taken without { trace: true }',
      );
      await trainer.close();
      net.release(f64);
      expect(f64.memory()).toEqual(before);
    },
  );
});

describe('a Trainer', () => {
  it('resumes from its saved optimizer state as if never stopped', async () => {
    const data = problem(4);
    const opts = { loss: 'mse', optimizer: momentum({ learningRate: 0.2 }) } as const;
    const straight = create();
    const uninterrupted = new Trainer(f64, straight, opts);
    for (let e = 0; e < 3; e++) await uninterrupted.epoch(data, { batchSize: 4 });
    await uninterrupted.close();

    const resumed = create();
    const first = new Trainer(f64, resumed, opts);
    await first.epoch(data, { batchSize: 4 });
    const saved = await first.saveOptimizer();
    await first.close();
    const second = new Trainer(f64, resumed, { ...opts, optimizerState: saved });
    for (let e = 0; e < 2; e++) await second.epoch(data, { batchSize: 4 });
    await second.close();
    expect(resumed.getWeights()).toEqual(straight.getWeights());
  });

  it('hands the network its weights on sync and close, and frees everything', async () => {
    const data = problem(5);
    const before = f64.memory();
    const net = create();
    const initial = net.getWeights();
    const trainer = new Trainer(f64, net, { optimizer: adam() });
    trainer.step(data);
    expect(net.getWeights()).toEqual(initial);
    await trainer.sync();
    const synced = net.getWeights();
    expect(synced).not.toEqual(initial);
    trainer.step(data);
    await trainer.close();
    await trainer.close();
    expect(net.getWeights()).not.toEqual(synced);
    expect(() => trainer.step(data)).toThrow(
      'This Trainer is closed; create a new one to train on.',
    );
    // Nor are the freed state and the handed-over weights reachable after close.
    await expect(trainer.saveOptimizer()).rejects.toThrow('This Trainer is closed');
    await expect(trainer.sync()).rejects.toThrow('This Trainer is closed');
    net.release(f64);
    expect(f64.memory()).toEqual(before);
  });

  it('lets timers run between short epochs, so a timer can stop them', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stopped by a timer')), 0);
    let epochs = 0;
    const run = train(
      f64,
      create(),
      { inputs: [[0, 1, 0]], targets: [[1, 0]] },
      {
        epochs: 1_000_000,
        signal: controller.signal,
        onEpoch: () => {
          epochs++;
        },
      },
    );
    await expect(run).rejects.toThrow('stopped by a timer');
    expect(epochs).toBeLessThan(1_000_000);
  });

  it('leaves the network and the backend as they were when it never stepped', async () => {
    const before = f64.memory();
    const net = create();
    const initial = net.getWeights();
    const trainer = new Trainer(f64, net, { optimizer: adam() });
    expect(trainer.check(problem())).toBe(23);
    await trainer.close();
    expect(net.getWeights()).toEqual(initial);
    expect(f64.memory()).toEqual(before);
  });

  it('checks its options at once, and data and orders where they are given', async () => {
    const net = create();
    expect(() => new Trainer(f64, net, { mode: 'local' as never })).toThrow(
      "mode: \"local\" is not 'global' or 'layerwise'.",
    );
    expect(() => new Trainer(f64, net, { learningRates: [0.1] })).toThrow(ConfigError);
    const trainer = new Trainer(f64, net);
    expect(() => trainer.step({ inputs: [[1, 2]], targets: [[1, 0]] })).toThrow(
      'inputs row 0 has 2 values but must have 3.',
    );
    await expect(trainer.epoch(problem(), { order: [0, 1] })).rejects.toThrow(
      'order must be a permutation of 0 … 22 (23 entries, one per sample); it has 2 entries.',
    );
    const repeated = [...Array(23).keys()].map((i) => (i === 5 ? 4 : i));
    await expect(trainer.epoch(problem(), { order: repeated })).rejects.toThrow(
      'order[5] is 4; order must be a permutation of 0 … 22, each sample',
    );
    const outside = [...Array(23).keys()].map((i) => (i === 0 ? 23 : i === 1 ? 0.5 : i));
    await expect(trainer.epoch(problem(), { order: outside })).rejects.toThrow('order[0] is 23;');
    await expect(trainer.epoch(problem(), { order: 7 as never })).rejects.toThrow(
      'order must be a permutation of 0 … 22 (23 entries, one per sample); it is 7.',
    );
    await expect(trainer.epoch(problem(), { epoch: 0 })).rejects.toThrow(
      'epoch must be a positive integer, got 0.',
    );
    await expect(trainer.epoch(problem(), { onBatch: ' ' as never })).rejects.toThrow(
      'epoch: onBatch must be a function; it is " ".',
    );
    await expect(trainer.epoch(problem(), { signal: false as never })).rejects.toThrow(
      'epoch: signal must be an AbortSignal (from an AbortController); it is false.',
    );
    await expect(trainer.epoch(problem(), { batchSize: 0 })).rejects.toThrow(
      'batchSize must be a positive integer, got 0.',
    );
    await trainer.close();
  });
});
