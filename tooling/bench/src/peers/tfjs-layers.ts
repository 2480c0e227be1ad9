/**
 * The TensorFlow.js Layers peer, as its users train an MLP: a `tf.sequential` of Dense layers
 * (relu or tanh hidden, linear output) compiled with `tf.losses.softmaxCrossEntropy` on the
 * logits and `tf.train.sgd`, trained by `model.fit` on tensors built once (fit slices the
 * batches itself), `shuffle: false`. The Dense kernels and biases start from twostep's own
 * initial weights (`initialWeights`, seed 1), so every trainer starts from the same network.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { workloadData } from '../data.js';
import type { Workload } from '../protocol.js';
import { initialWeights } from '../workloads.js';
import {
  accuracies,
  accuracyOf,
  flatten,
  notApplicable,
  type PeerResult,
  peakRss,
  speed,
} from './common.js';
import { denseWeights, type TfBackend, useBackend } from './tfjs.js';

/** The workload's network as a Sequential model with twostep's initial weights. */
export function buildModel(w: Workload): tfl.Sequential {
  const weights = initialWeights(w);
  const model = tfl.sequential();
  weights.forEach((wh, h) => {
    const initial = denseWeights(wh);
    model.add(
      tfl.layers.dense({
        units: wh.length,
        ...(h === 0 ? { inputShape: [w.architecture[0]!] } : {}),
        activation: h < weights.length - 1 ? w.activation : 'linear',
        // Overwritten by `weights` when the layer is built; zeros spare the random draw.
        kernelInitializer: 'zeros',
        biasInitializer: 'zeros',
        weights: initial,
      }),
    );
    // The layer's variables now hold their own reference to the values.
    tf.dispose(initial);
  });
  return model;
}

/** Rows as one n × width tensor. */
const matrix = (rows: readonly ArrayLike<number>[], width: number): tf.Tensor2D =>
  tf.tensor2d(flatten(rows, width), [rows.length, width]);

/** Test accuracy: argmax of the logits against the labels. */
export async function layersAccuracy(
  model: tfl.LayersModel,
  x: tf.Tensor2D,
  labels: Uint8Array,
): Promise<number> {
  const logits = model.predict(x, { batchSize: 256 }) as tf.Tensor2D;
  const values = await logits.data();
  const classes = logits.shape[1];
  logits.dispose();
  return accuracyOf(values, labels, classes);
}

/**
 * W1–W3 and W5, as the twostep trainers: one warm-up epoch (`fit` with `epochs: 1`), then one
 * `fit` over the `epochs` timed ones, wall clock around it; the test accuracy after the first
 * epoch and after the last.
 */
export async function trainLayers(
  trainer: string,
  backend: TfBackend,
  w: Workload,
): Promise<PeerResult> {
  if (w.name === 'W4') {
    return notApplicable(trainer, w, 'W4 is a single gradient: see tfjs-autodiff-*.');
  }
  await useBackend(backend);
  const data = workloadData(w);
  const x = matrix(data.train.inputs, w.architecture[0]!);
  const y = matrix(data.train.targets, w.architecture.at(-1)!);
  const xTest = w.testSize > 0 ? matrix(data.test.inputs, w.architecture[0]!) : undefined;
  const model = buildModel(w);
  const optimizer = tf.train.sgd(w.learningRate);
  model.compile({ optimizer, loss: tf.losses.softmaxCrossEntropy });
  const fit = (epochs: number) =>
    model.fit(x, y, { batchSize: w.batchSize, epochs, shuffle: false, verbose: 0 });
  const accuracy = async () =>
    xTest ? await layersAccuracy(model, xTest, data.test.labels) : undefined;
  try {
    await fit(1);
    const accuracy1 = await accuracy();
    let seconds: number | undefined;
    if (w.epochs > 0) {
      const started = performance.now();
      await fit(w.epochs);
      seconds = (performance.now() - started) / 1000;
    }
    return {
      trainer,
      workload: w.name,
      ...(seconds === undefined ? {} : speed(w, seconds)),
      ...(await accuracies(w, accuracy1, accuracy)),
      peakRss: peakRss(),
    };
  } finally {
    model.dispose();
    optimizer.dispose();
    tf.dispose([x, y, ...(xTest ? [xTest] : [])]);
  }
}
