/**
 * The brain.js peer, as its users train it: brain.js 1.6.1's plain-JavaScript `NeuralNetwork`
 * (not the gpu.js one), which always trains per sample (SGD with batch 1) with sigmoid in every
 * layer, the output included (no softmax: an MSE-like error on the sigmoid outputs), on arrays
 * of `{ input, output }`. It takes the workload's hidden layers, learning rate and epochs
 * (`iterations`); it cannot start from twostep's initial weights (it draws its own, uniform in
 * ±0.2 by Math.random, unseeded), nor run relu or tanh with a linear output.
 */
import brain from 'brain.js';
import { workloadData } from '../data.js';
import type { Workload } from '../protocol.js';
import {
  accuracies,
  accuracyOf,
  notApplicable,
  type PeerResult,
  peakRss,
  speed,
} from './common.js';

export const BRAIN_NOTE =
  "brain.js NeuralNetwork: sigmoid in every layer, per-sample SGD (its default momentum 0.1: it rejects 0), its own random initial weights, not the workload's activation or batch size.";

/** Test accuracy: argmax of `run`'s outputs against the labels. */
export function brainAccuracy(
  net: brain.NeuralNetwork,
  inputs: readonly Float32Array[],
  labels: Uint8Array,
  classes: number,
): number {
  const outputs = new Float64Array(inputs.length * classes);
  inputs.forEach((row, i) => {
    outputs.set(net.run(Array.from(row)), i * classes);
  });
  return accuracyOf(outputs, labels, classes);
}

/**
 * W1–W3 as the twostep trainers run them (not W5: see PEER_WORKLOADS): one warm-up epoch,
 * then `epochs` timed in one `train`.
 */
export async function trainBrain(trainer: string, w: Workload): Promise<PeerResult> {
  if (w.name === 'W4') {
    return notApplicable(trainer, w, 'brain.js has no autodiff: no gradient to time on its own.');
  }
  if (w.name === 'W5') {
    return notApplicable(trainer, w, 'W5 per sample in plain JavaScript would take minutes a run.');
  }
  const { train, test } = workloadData(w);
  const classes = w.architecture.at(-1)!;
  // Plain arrays: brain.js takes a typed array for a hash of named inputs.
  const data = train.inputs.map((row, i) => ({
    input: Array.from(row),
    output: Array.from(train.targets[i]!),
  }));
  const net = new brain.NeuralNetwork({
    hiddenLayers: w.architecture.slice(1, -1),
    activation: 'sigmoid',
  });
  const options = {
    learningRate: w.learningRate,
    // Never stop early: every epoch runs (brain.js requires a threshold in (0, 1)).
    errorThresh: Number.MIN_VALUE,
    log: false,
  };
  const accuracy = () =>
    w.testSize > 0 ? brainAccuracy(net, test.inputs, test.labels, classes) : undefined;
  net.train(data, { ...options, iterations: 1 });
  const accuracy1 = accuracy();
  let seconds: number | undefined;
  if (w.epochs > 0) {
    const started = performance.now();
    const status = net.train(data, { ...options, iterations: w.epochs });
    seconds = (performance.now() - started) / 1000;
    if (status.iterations !== w.epochs) {
      throw new Error(`brain.js stopped after ${status.iterations} of ${w.epochs} epochs.`);
    }
  }
  return {
    trainer,
    workload: w.name,
    // Every step is one sample.
    ...(seconds === undefined ? {} : speed(w, seconds, w.trainSize)),
    ...(await accuracies(w, accuracy1, accuracy)),
    note: BRAIN_NOTE,
    peakRss: peakRss(),
  };
}
