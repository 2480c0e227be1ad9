/**
 * The formal neuron (Remark 1) through the kernels of `supports.fusedBias` and through the basic
 * ops (the row of ones by `concatRows` and `fill`, W♯h by `sliceCols`): the same numbers, the
 * same layout wherever users see X, and only the ops each path needs.
 */
import {
  type Backend,
  fAdjoint,
  fPropagate,
  type LearningMode,
  losses,
  Network,
  Trainer,
  tidy,
  toColumns,
  traceSample,
  train,
} from '@twostep/core';
import { referenceBackend, withoutFusedKernels } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import { counting, rowsOf } from './helpers.js';

/** The reference as it is (every fused kernel), and with only the fusedBias kernels hidden. */
const PATHS = {
  fused: () => counting(referenceBackend()),
  basic: () => counting(withoutFusedKernels(referenceBackend(), ['fusedBias'])),
};

const INPUTS = [
  [0.5, -1, 2],
  [0.25, 0.75, -0.5],
  [-2, 0.1, 0.3],
  [1.5, 1, -1],
  [0, -0.3, 0.9],
];
const TARGETS = [
  [1, 0],
  [0, 1],
  [0.5, 0.5],
  [0.2, 0.8],
  [1, 1],
];

const network = (bias: boolean) =>
  Network.create({
    architecture: 'A[3,4,5,2]',
    activations: [['tanh', 'relu', 'sigmoid', 'softplus'], 'leakyRelu', 'sigmoid'],
    bias,
    seed: 5,
  });

/** Every matrix of the F-propagation and F-adjoint of `rows` on `backend`, read back. */
function rule(backend: Backend, bias: boolean, samples: number) {
  const net = network(bias);
  const values = tidy(backend, () => {
    const F = fPropagate(backend, net, toColumns(backend, INPUTS.slice(0, samples)));
    const T = toColumns(backend, TARGETS.slice(0, samples));
    const { deltaUp } = losses.mse.forward(backend, F.X[3]!, T, 'mean');
    const A = fAdjoint(backend, net, F, deltaUp);
    const read = (ms: typeof F.X) => ms.map((m) => rowsOf(backend, m));
    return {
      X: read(F.X),
      Y: read(F.Y),
      deltaUp: read(A.deltaUp),
      deltaDown: read(A.deltaDown),
      gradients: read(A.gradients),
    };
  });
  net.release(backend);
  return values;
}

describe('the formal neuron through fusedBias kernels and through basic ops', () => {
  it.each([
    [true, 1],
    [true, 5],
    [false, 1],
    [false, 5],
  ])(
    "fPropagate and fAdjoint agree exactly (bias %s, batch %i), with the formal neuron's row in X",
    (bias, batch) => {
      const fused = PATHS.fused();
      const basic = PATHS.basic();
      const got = rule(fused.backend, bias, batch);
      expect(got).toEqual(rule(basic.backend, bias, batch));
      // X0 … X(L−1) end with the row of ones when the bias is on, X3 does not.
      expect(got.X.map((x) => x.length)).toEqual(bias ? [4, 5, 6, 2] : [3, 4, 5, 2]);
      if (bias) for (const x of got.X.slice(0, 3)) expect(x.at(-1)).toEqual(Array(batch).fill(1));
      // Only the fused path calls the kernels, and only with the bias on.
      const used = (c: Map<string, number>) =>
        ['affine', 'affineGradient', 'affineDeltaUp'].map((op) => c.get(op) ?? 0);
      expect(used(fused.calls)).toEqual(bias ? [3, 0, 3] : [0, 0, 0]);
      expect(used(basic.calls)).toEqual([0, 0, 0]);
    },
  );

  it.each(['global', 'layerwise'] as const)(
    'a %s training step makes no row of ones and slices no W♯h with the kernels; the same step without them does',
    async (mode: LearningMode) => {
      const counts: Record<string, number[]> = {};
      for (const [path, make] of Object.entries(PATHS)) {
        for (const bias of [true, false]) {
          const { backend, calls } = make();
          const net = network(bias);
          const trainer = new Trainer(backend, net, { mode, loss: 'mse' });
          const data = { inputs: INPUTS, targets: TARGETS };
          trainer.check(data);
          trainer.step(data); // the first step starts the optimizer: count the second
          calls.clear();
          await trainer.step(data).loss();
          await trainer.close();
          const ops = ['affine', 'affineGradient', 'affineDeltaUp', 'concatRows', 'sliceCols'];
          counts[`${path}, bias ${bias}`] = ops.map((op) => calls.get(op) ?? 0);
        }
      }
      // L = 3 layers: three Yh, three ∂J/∂Wh and two δup_h−1 (δup_0 is not needed).
      expect(counts).toEqual({
        'fused, bias true': [3, 3, 2, 0, 0],
        'fused, bias false': [0, 0, 0, 0, 0],
        'basic, bias true': [0, 0, 0, 3, 2],
        'basic, bias false': [0, 0, 0, 0, 0],
      });
    },
  );

  it.each(['global', 'layerwise'] as const)(
    'training in %s mode gives the same losses and weights, bit for bit, and frees everything',
    async (mode) => {
      const runs = [];
      for (const make of Object.values(PATHS)) {
        const { backend } = make();
        const before = backend.memory();
        const net = network(true);
        const { history } = await train(
          backend,
          net,
          { inputs: INPUTS, targets: TARGETS },
          {
            mode,
            epochs: 4,
            batchSize: 2,
            seed: 3,
            optimizer: { name: 'adam', learningRate: 0.05 },
          },
        );
        net.release(backend);
        expect(backend.memory()).toEqual(before);
        runs.push({ losses: history.map((e) => e.loss), weights: net.getWeights() });
      }
      expect(runs[0]).toEqual(runs[1]);
    },
  );

  it("traceSample and a traced step show X with the formal neuron's row on both paths", async () => {
    const traces = [];
    for (const make of Object.values(PATHS)) {
      const { backend } = make();
      const net = network(true);
      const sample = await traceSample(backend, net, INPUTS[0]!, TARGETS[0]!);
      const trainer = new Trainer(backend, net, { loss: 'mse' });
      const step = await trainer
        .step({ inputs: INPUTS, targets: TARGETS }, { trace: true })
        .trace();
      await trainer.close();
      net.release(backend);
      traces.push({ sample, step });
    }
    expect(traces[0]).toEqual(traces[1]);
    const { sample, step } = traces[0]!;
    expect(sample.X.map((x) => x.length)).toEqual([4, 5, 6, 2]);
    expect(sample.X.slice(0, 3).map((x) => x.at(-1))).toEqual([1, 1, 1]);
    const X1 = step.find((q) => q.name === 'X1')!.rows;
    expect(X1).toHaveLength(5);
    expect(X1.at(-1)).toEqual([1, 1, 1, 1, 1]);
  });

  it('a backend that declares fusedBias without all three kernels gets the basic ops', () => {
    const partial = new Proxy(referenceBackend(), {
      get: (target, property) =>
        property === 'affineDeltaUp' ? undefined : Reflect.get(target, property, target),
    });
    const { backend, calls } = counting(partial);
    expect(backend.supports.fusedBias).toBe(true);
    expect(rule(backend, true, 5)).toEqual(rule(PATHS.basic().backend, true, 5));
    expect([calls.get('affine'), calls.get('concatRows')]).toEqual([undefined, 3]);
  });
});
