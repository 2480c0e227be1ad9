/**
 * W4's peer: one gradient of the network by TensorFlow.js's reverse-mode autodiff,
 * `tf.variableGrads` of the softmax cross-entropy (batch mean, `tf.losses.softmaxCrossEntropy`
 * on the logits) with respect to every Dense kernel and bias, from twostep's initial weights,
 * forward pass included, as the twostep trainers time theirs.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node build registers no gradient functions (its ESM register_all_gradients cannot
// be loaded from CommonJS); @tensorflow/tfjs users get them from the union package, which
// bundles tfjs-layers, whose Node build registers all of core's on load.
import '@tensorflow/tfjs-layers';
import type { Backend } from '@twostep/core';
import { workloadData } from '../data.js';
import { twoStepGradient as twoStepGradientOn } from '../gradient.js';
import type { Workload } from '../protocol.js';
import { maxRelativeDifference, median } from '../stats.js';
import { initialWeights } from '../workloads.js';
import { flatten, notApplicable, type PeerResult, peakRss } from './common.js';
import { denseWeights, type TfBackend, twostepLayout, useBackend } from './tfjs.js';

export interface AutodiffGradient {
  /** Median milliseconds of one `tf.variableGrads` over `repeats` runs, after as many warm-up runs. */
  readonly ms: number;
  /** ∂J/∂W1 … ∂J/∂WL in twostep's layout (Nh × (N(h−1) + 1), row-major, bias gradient last). */
  readonly gradients: Float64Array[];
}

/** Times the autodiff gradient of `w`'s network on its batch (the first `trainSize` samples). */
export async function autodiffGradient(backend: TfBackend, w: Workload): Promise<AutodiffGradient> {
  await useBackend(backend);
  const { train } = workloadData(w);
  const n0 = w.architecture[0]!;
  const classes = w.architecture.at(-1)!;
  const b = train.inputs.length;
  const x = tf.tensor2d(flatten(train.inputs, n0), [b, n0]);
  const y = tf.tensor2d(flatten(train.targets, classes), [b, classes]);
  const params = initialWeights(w).map((wh) => {
    const initial = denseWeights(wh);
    const variables = [tf.variable(initial[0]), tf.variable(initial[1])] as const;
    tf.dispose(initial);
    return variables;
  });
  const sigma = w.activation === 'relu' ? tf.relu : tf.tanh;
  const loss = (): tf.Scalar => {
    let a: tf.Tensor = x;
    params.forEach(([kernel, bias], h) => {
      const z = tf.add(tf.matMul(a, kernel), bias);
      a = h < params.length - 1 ? sigma(z) : z;
    });
    return tf.losses.softmaxCrossEntropy(y, a) as tf.Scalar;
  };
  const variables = params.flat();
  const gradient = () => tf.variableGrads(loss, variables);
  const times: number[] = [];
  const repeats = w.repeats ?? 1;
  try {
    for (let r = 0; r < 2 * repeats; r++) {
      const started = performance.now();
      // cpu and wasm compute eagerly: the gradients are there when variableGrads returns.
      const { value, grads } = gradient();
      const ms = performance.now() - started;
      tf.dispose([value, ...Object.values(grads)]);
      if (r >= repeats) times.push(ms);
    }
    const { value, grads } = gradient();
    const gradients = await Promise.all(
      params.map(async ([kernel, bias]) =>
        twostepLayout(
          (await grads[kernel.name]!.data()) as Float32Array,
          (await grads[bias.name]!.data()) as Float32Array,
        ),
      ),
    );
    tf.dispose([value, ...Object.values(grads)]);
    return { ms: median(times), gradients };
  } finally {
    tf.dispose([x, y, ...variables]);
  }
}

/**
 * The two-step rule's gradient of the same network and batch, by @twostep/core on the same
 * tfjs backend (float32, through @twostep/backend-tfjs), as the reference the autodiff
 * gradient is compared with.
 */
export async function twoStepGradient(backend: TfBackend, w: Workload): Promise<Float64Array[]> {
  const k: Backend =
    backend === 'cpu'
      ? await (await import('@twostep/backend-tfjs/cpu')).createBackend()
      : await (await import('@twostep/backend-tfjs/wasm')).createBackend();
  return twoStepGradientOn(k, w);
}

/** W4: the autodiff gradient's median time, and its largest relative difference from the two-step rule's. */
export async function timeAutodiff(
  trainer: string,
  backend: TfBackend,
  w: Workload,
): Promise<PeerResult> {
  if (w.name !== 'W4') {
    return notApplicable(trainer, w, 'only W4 (one gradient): training is tfjs-layers-*.');
  }
  const { ms, gradients } = await autodiffGradient(backend, w);
  const reference = await twoStepGradient(backend, w);
  return {
    trainer,
    workload: w.name,
    gradientMs: { autodiff: ms },
    maxRelativeDifference: maxRelativeDifference(reference, gradients),
    note: 'maxRelativeDifference: autodiff against the two-step rule on the same tfjs backend (float32).',
    peakRss: peakRss(),
  };
}
