/**
 * Rules as a parameter of training: the classic recursion (eqs. 2–4) gives the two-step
 * rule's gradients on seeded random networks (float64, to rounding), trains the same way from
 * the same start, traces its own δh, and every bad rule is an error that names it.
 */
import {
  ConfigError,
  classic,
  fAdjoint,
  fPropagate,
  type GradientRule,
  losses,
  Network,
  RULE_NAMES,
  ShapeError,
  sgd,
  Trainer,
  tidy,
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
import { EVERY_CASE, f64, f64Unfused, XOR } from './helpers.js';

const cases = Array.from({ length: 30 }, (_, i) =>
  gradientCheckCase(2000 + i, { maxWidth: 7, maxBatch: 5 }),
);

describe("the classic rule against the two-step rule's F-adjoint (float64)", () => {
  it('covers every loss, depths 1–4, bias on and off', () => {
    expect(gradientCheckCoverage(cases)).toEqual(EVERY_CASE);
  });

  it.each(cases.map((c) => [gradientCheckTitle(c), c] as const))(
    '%s: every ∂J/∂Wh equal to rounding',
    (_, c) => {
      const net = gradientCheckNetwork(c);
      const { twoStep, recursion } = tidy(f64, () => {
        const x0 = f64.fromArray(c.inputs.data, c.architecture[0]!, c.batch);
        const targets = f64.fromArray(c.targets.data, c.architecture.at(-1)!, c.batch);
        const F = fPropagate(f64, net, x0);
        const { deltaUp } = losses[c.loss].forward(f64, F.X.at(-1)!, targets, 'mean');
        const read = (gs: readonly unknown[]) =>
          gs.map((g) => Array.from(f64.readSync!(g as never)));
        return {
          twoStep: read(fAdjoint(f64, net, F, deltaUp, { inputGradient: false }).gradients),
          recursion: read(
            classic.gradients(f64, net, {
              weights: net.weightsOn(f64),
              x0,
              targets,
              loss: losses[c.loss],
              reduction: 'mean',
              F,
              deltaUpL: deltaUp,
            }).gradients,
          ),
        };
      });
      expect(recursion.map((g) => g.length)).toEqual(twoStep.map((g) => g.length));
      for (const [h, g] of twoStep.entries()) {
        expect(relativeError(recursion[h]!, g), `∂J/∂W${h + 1}`).toBeLessThan(1e-13);
      }
    },
  );
});

const xorNet = () =>
  Network.create({
    architecture: 'A[2,4,3,1]',
    activation: 'tanh',
    outputActivation: 'sigmoid',
    seed: 7,
  });

/** The weights after `epochs` of XOR with `options`, from the same start and batch order. */
async function trained(options: Parameters<typeof train>[3], backend = f64) {
  const net = xorNet();
  await train(backend, net, XOR, {
    loss: 'binaryCrossEntropy',
    optimizer: sgd({ learningRate: 0.5 }),
    batchSize: 2,
    epochs: 20,
    seed: 3,
    ...options,
  });
  net.release(backend);
  return net.getWeights().flatMap((w) => w.flat());
}

describe('train and Trainer with a rule', () => {
  it("names the rules: 'twoStep' (the default) and 'classic'", () => {
    expect(RULE_NAMES).toEqual(['twoStep', 'classic']);
  });

  it('the classic rule trains to the weights the two-step rule does (to rounding), on both kernel paths', async () => {
    for (const backend of [f64, f64Unfused]) {
      const [twoStep, recursion, byDefault] = [
        await trained({ rule: 'twoStep' }, backend),
        await trained({ rule: 'classic' }, backend),
        await trained({}, backend),
      ];
      expect(byDefault).toEqual(twoStep);
      expect(relativeError(recursion, twoStep)).toBeLessThan(1e-13);
      // Twenty epochs moved the weights: equal results are not a rule that did nothing.
      expect(
        relativeError(
          twoStep,
          xorNet()
            .getWeights()
            .flatMap((w) => w.flat()),
        ),
      ).toBeGreaterThan(0.05);
    }
  });

  it('a GradientRule object trains as the rule it computes, and frees what it made', async () => {
    const plain: GradientRule = {
      name: 'plain',
      gradients: (k, net, input) => ({ gradients: classic.gradients(k, net, input).gradients }),
    };
    const before = f64.memory();
    expect(await trained({ rule: plain })).toEqual(await trained({ rule: classic }));
    expect(f64.memory()).toEqual(before);
  });

  it("traces the classic δh, and a rule's gradients when it names nothing", async () => {
    const names = async (rule: 'classic' | GradientRule) => {
      const net = xorNet();
      const trainer = new Trainer(f64, net, { rule, loss: 'binaryCrossEntropy' });
      const trace = await trainer.step(XOR, { trace: true }).trace();
      await trainer.close();
      return trace.map((q) => q.name);
    };
    const forward = ['Y1', 'X1', 'Y2', 'X2', 'Y3', 'X3', 'J'];
    const weights = ['W1', 'W2', 'W3'];
    expect(await names('classic')).toEqual([
      ...forward,
      ...['delta3', 'dJ/dW3', 'delta2', 'dJ/dW2', 'delta1', 'dJ/dW1'],
      ...weights,
    ]);
    const silent: GradientRule = {
      name: 'silent',
      gradients: (k, net, input) => ({ gradients: classic.gradients(k, net, input).gradients }),
    };
    expect(await names(silent)).toEqual([...forward, 'dJ/dW3', 'dJ/dW2', 'dJ/dW1', ...weights]);
  });

  it('refuses an unknown rule, naming the choices', () => {
    expect(() => new Trainer(f64, xorNet(), { rule: 'standard' as never })).toThrow(
      new ConfigError(
        `rule: "standard" is not a rule; use 'twoStep' or 'classic', or a GradientRule ({ name, gradients }) such as autodiff from @twostep/backend-tfjs.`,
      ),
    );
    expect(() => new Trainer(f64, xorNet(), { rule: { name: 'x' } as never })).toThrow(ConfigError);
  });

  it("refuses the layer-wise mode with a rule other than the two-step rule's", () => {
    expect(() => new Trainer(f64, xorNet(), { rule: 'classic', mode: 'layerwise' })).toThrow(
      new ConfigError(
        "mode: 'layerwise' is the two-step rule's local variant; rule classic learns globally. Drop mode, or use rule 'twoStep'.",
      ),
    );
    expect(() => new Trainer(f64, xorNet(), { rule: 'twoStep', mode: 'layerwise' })).not.toThrow();
  });

  it("refuses a rule's gradients of the wrong number or shape, and keeps the weights", async () => {
    const wrong = (gradients: GradientRule['gradients']): GradientRule => ({
      name: 'wrong',
      gradients,
    });
    const tooFew = wrong((k, net, input) => ({
      gradients: classic.gradients(k, net, input).gradients.slice(1),
    }));
    const unbiased = wrong((k, net, input) => ({
      gradients: classic
        .gradients(k, net, input)
        .gradients.map((g) => k.sliceCols(g, 0, g.cols - 1)),
    }));
    for (const [rule, message] of [
      [tooFew, 'rule wrong: gave 2 gradients for 3 layers; give ∂J/∂W1 … ∂J/∂WL, one per layer.'],
      [
        unbiased,
        "rule wrong: ∂J/∂W1 is 4×2 but W1 is 4×3; a gradient has its weights' shape (bias gradient in the last column).",
      ],
    ] as const) {
      const net = xorNet();
      const start = net.getWeights();
      const before = f64.memory();
      const trainer = new Trainer(f64, net, { rule });
      expect(() => trainer.step(XOR)).toThrow(new ShapeError(message));
      await trainer.close();
      expect(net.getWeights()).toEqual(start);
      net.release(f64);
      expect(f64.memory()).toEqual(before);
    }
  });
});
