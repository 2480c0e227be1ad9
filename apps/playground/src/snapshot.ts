/**
 * What the worker reports: a snapshot of where training stands (the losses, both accuracies,
 * the decision boundary, one sample's two-step rule as in the paper's Fig. 5).
 */
import {
  type Backend,
  type Dataset,
  evaluate,
  type LossName,
  type Network,
  predict,
  traceSample,
} from '@twostep/core';
import { LossCurve } from './loss-curve.js';
import type { Snapshot, StepTrace } from './protocol.js';
import type { Settings } from './settings.js';

export interface Task {
  readonly settings: Settings;
  readonly net: Network;
  readonly train: Dataset;
  readonly test: Dataset;
  /** Toy task: the grid's points, for the decision boundary. */
  readonly grid?: [number, number][];
}

/** Where training stands, for the snapshots. */
export interface Progress {
  epoch: number;
  steps: number;
  /** Steps per second over the last second of running. */
  rate: number;
  /** The run's epoch losses. */
  readonly losses: LossCurve;
  /** When each recent epoch or step ended, and the step count then. */
  times: [number, number][];
}

/** A run's progress before its first step. */
export const startProgress = (): Progress => ({
  epoch: 0,
  steps: 0,
  rate: 0,
  losses: new LossCurve(),
  times: [],
});

/** P(class 1) from the network's outputs: a softmax of two logits, or the one output. */
const classOne = (out: ArrayLike<number>) =>
  out.length === 2 ? 1 / (1 + Math.exp(out[0]! - out[1]!)) : Math.min(1, Math.max(0, out[0]!));

/** One sample's two-step rule at the current weights (the paper's Fig. 5), for the page. */
export async function traceOf(
  k: Backend,
  net: Network,
  loss: LossName,
  input: ArrayLike<number>,
  target: ArrayLike<number>,
  sample: number,
): Promise<StepTrace> {
  const t = await traceSample(k, net, input, target, loss);
  return {
    architecture: [...net.architecture],
    bias: net.bias,
    activations: net.activationSpecs.map((s) =>
      typeof s === 'string' ? s : Array.isArray(s) ? 'per neuron' : (s as { name: string }).name,
    ),
    loss,
    sample,
    target: Array.from(target),
    J: t.J,
    // Xh without the formal neuron's 1: its first Nh entries.
    X: t.X.map((x, h) => x.slice(0, net.architecture[h])),
    Y: t.Y,
    deltaUp: t.deltaUp,
    deltaDown: t.deltaDown,
    gradients: t.gradients,
    weights: net.getWeights(),
  };
}

/**
 * Where training stands; evaluates on the backend (host reads), so only ~20 times a second.
 * Keeps only the last second of `progress`'s times.
 */
export async function snapshot(
  k: Backend,
  t: Task,
  progress: Progress,
  traced: number,
  running: boolean,
): Promise<Snapshot> {
  const loss = t.settings.loss;
  const test = await evaluate(k, t.net, t.test, { loss });
  // MNIST: evaluating all 8,000 training digits each time would cost more than training.
  const trainAccuracy =
    t.settings.task === 'toy' ? (await evaluate(k, t.net, t.train, { loss })).accuracy : Number.NaN;
  const boundary = t.grid
    ? Float32Array.from(await predict(k, t.net, t.grid, { batchSize: t.grid.length }), classOne)
    : undefined;
  const sample = Math.min(traced, t.train.inputs.length - 1);
  const now = performance.now();
  const recent = progress.times.filter(([time]) => now - time < 1000);
  // Epochs slower than half a second leave fewer than two times in the last second: then the
  // rate is that of the last two epochs, not 0.
  const window = recent.length >= 2 ? recent : progress.times.slice(-2);
  progress.times = window;
  const first = window[0];
  const last = window.at(-1);
  // While paused, the rate of the last second of running.
  if (first && last && last[0] > first[0]) {
    progress.rate = ((last[1] - first[1]) * 1000) / (last[0] - first[0]);
  }
  return {
    epoch: progress.epoch,
    steps: progress.steps,
    losses: progress.losses.view(),
    trainAccuracy,
    testAccuracy: test.accuracy,
    stepsPerSecond: progress.rate,
    running: running,
    ...(boundary && { boundary }),
    trace: await traceOf(k, t.net, loss, t.train.inputs[sample]!, t.train.targets[sample]!, sample),
  };
}
