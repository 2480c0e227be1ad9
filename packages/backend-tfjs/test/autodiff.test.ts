/**
 * The autodiff rule: TensorFlow.js's gradients of the network's loss agree with the two-step
 * rule's on the same tfjs backend (float32), on seeded random networks with per-neuron
 * activation families, every loss, bias on and off; training with it frees what it makes; and
 * it refuses what it cannot differentiate.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createBackend as createTs } from '@twostep/backend-ts';
import {
  type Backend,
  ConfigError,
  DTypeError,
  dispose,
  fAdjoint,
  fPropagate,
  LOSS_NAMES,
  type Loss,
  losses,
  Network,
  Random,
  ShapeError,
  sgd,
  Trainer,
  tidy,
  tracked,
  train,
} from '@twostep/core';
import {
  gradientCheckCase,
  gradientCheckCoverage,
  gradientCheckNetwork,
  gradientCheckTitle,
  relativeError,
} from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import { autodiff } from '../src/autodiff.js';
import { createBackend } from '../src/cpu.js';

const backend = await createBackend();
/** The same backend as the core sees it: any Matrix in, as `train` passes them. */
const core: Backend = backend;
const k = tracked(backend);

const cases = Array.from({ length: 24 }, (_, i) =>
  gradientCheckCase(3000 + i, { maxWidth: 6, maxBatch: 5 }),
);

/** 24 seeded samples of 3 inputs in 3 classes (by the sign of two sums). */
const random = new Random(11);
const inputs = Array.from({ length: 24 }, () => [0, 1, 2].map(() => random.uniform(-1, 1)));
const problem = {
  inputs,
  targets: inputs.map(([a, b, c]) => {
    const k = a! + b! > 0 ? 0 : b! + c! > 0 ? 1 : 2;
    return [0, 1, 2].map((j) => (j === k ? 1 : 0));
  }),
};
const createNet = () =>
  Network.create({
    architecture: 'A[3,5,4,3]',
    activation: 'tanh',
    outputActivation: 'identity',
    seed: 7,
  });

describe("autodiff against the two-step rule's F-adjoint on tfjs-cpu (float32)", () => {
  it('covers every loss, depths 1–4, bias on and off', () => {
    expect(gradientCheckCoverage(cases)).toEqual({
      losses: new Set(LOSS_NAMES),
      depths: new Set([1, 2, 3, 4]),
      bias: new Set([true, false]),
    });
  });

  it.each(cases.map((c) => [gradientCheckTitle(c), c] as const))('%s', async (_, c) => {
    const net = gradientCheckNetwork(c);
    const [twoStep, auto] = tidy(backend, () => {
      const x0 = k.fromArray(c.inputs.data, c.architecture[0]!, c.batch);
      const targets = k.fromArray(c.targets.data, c.architecture.at(-1)!, c.batch);
      const F = fPropagate(k, net, x0);
      const { deltaUp } = losses[c.loss].forward(k, F.X.at(-1)!, targets, 'mean');
      return [
        fAdjoint(k, net, F, deltaUp, { inputGradient: false }).gradients,
        autodiff.gradients(k, net, {
          weights: net.weightsOn(backend),
          x0,
          targets,
          loss: losses[c.loss],
          reduction: 'mean',
          F,
          deltaUpL: deltaUp,
        }).gradients,
      ];
    });
    for (const [h, g] of twoStep.entries()) {
      const [a, b] = [await core.read(g), await core.read(auto[h]!)];
      expect(b.length, `∂J/∂W${h + 1} size`).toBe(a.length);
      expect(relativeError(b, a), `∂J/∂W${h + 1}`).toBeLessThan(2e-5);
    }
    expect(twoStep.some((g) => core.readSync!(g).some((v) => v !== 0))).toBe(true);
    dispose(backend, [twoStep, auto]);
    net.release(backend);
  });
});

describe('training with autodiff', () => {
  it('reaches the weights the two-step rule does, to float32 rounding, and frees its tensors', async () => {
    const weightsAfter = async (rule: 'twoStep' | typeof autodiff) => {
      const net = createNet();
      await train(backend, net, problem, {
        rule,
        loss: 'softmaxCrossEntropy',
        optimizer: sgd({ learningRate: 0.5 }),
        batchSize: 5,
        epochs: 20,
        seed: 3,
      });
      net.release(backend);
      return net.getWeights().flatMap((w) => w.flat());
    };
    await weightsAfter(autodiff); // tfjs's first run keeps a few tensors for good
    const before = tf.memory().numTensors;
    const [twoStep, auto] = [await weightsAfter('twoStep'), await weightsAfter(autodiff)];
    expect(tf.memory().numTensors).toBe(before);
    expect(relativeError(auto, twoStep)).toBeLessThan(1e-5);
    const start = createNet()
      .getWeights()
      .flatMap((w) => w.flat());
    expect(relativeError(twoStep, start)).toBeGreaterThan(0.05);
  });

  it('refuses a backend that is not TensorFlow.js, naming the alternatives', async () => {
    const ts = createTs({ dtype: 'float32', threads: 1 });
    const trainer = new Trainer(ts, createNet(), { rule: autodiff });
    expect(() => trainer.step(problem)).toThrow(
      new ConfigError(
        "rule autodiff: differentiates with TensorFlow.js, but the backend is ts; train on a tfjs backend (tfjs-cpu, tfjs-wasm, tfjs-webgl, tfjs-webgpu) or use rule 'classic'.",
      ),
    );
    await trainer.close();
  });

  it('refuses a custom loss object, and the layer-wise mode', async () => {
    const custom: Loss = { name: 'mse', forward: losses.mse.forward };
    const trainer = new Trainer(backend, createNet(), { rule: autodiff, loss: custom });
    expect(() => trainer.step(problem)).toThrow(
      /rule autodiff: differentiates the core's losses \(difference, mse/,
    );
    await trainer.close();
    expect(() => new Trainer(backend, createNet(), { rule: autodiff, mode: 'layerwise' })).toThrow(
      "mode: 'layerwise' is the two-step rule's local variant; rule autodiff learns globally.",
    );
  });
});

describe('TfjsBackend.fromTensors', () => {
  it('wraps 2-D float32 tensors, frees the rest, and refuses other tensors without leaking', () => {
    const before = tf.memory().numTensors;
    const [m] = backend.fromTensors(() => [tf.mul(tf.ones([2, 3]), 2) as tf.Tensor2D]);
    expect(backend.readSync!(m!)).toEqual(new Float32Array(6).fill(2));
    backend.dispose(m!);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => backend.fromTensors(() => [tf.ones([2]) as never])).toThrow(
      new ShapeError('tfjs-cpu: fromTensors takes 2-D float32 tensors; got a 1-D float32 one.'),
    );
    expect(() => backend.fromTensors(() => [tf.ones([2, 2], 'int32') as never])).toThrow(
      DTypeError,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
