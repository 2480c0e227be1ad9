/**
 * `autodiff`: a learning rule whose gradients come from TensorFlow.js's reverse-mode automatic
 * differentiation (`tf.grads`) of the loss, written as tfjs's own ops from the network's
 * description, without the two-step rule's formulas: the independent
 * control for comparing learning rules (`train(backend, net, data, { rule: autodiff })` on a
 * tfjs backend).
 *
 *     Yh = W♯h · X(h−1) + bh,   Xh = σh(Yh) (one σ per neuron where the layer has a family),
 *     J = the loss of XL and the targets, reduced over the batch's columns
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node build registers no gradient functions; tfjs-layers registers all of
// core's when it loads, in Node and in bundles alike.
import '@tensorflow/tfjs-layers';
import {
  ConfigError,
  type GradientRule,
  type Loss,
  losses,
  type Network,
  type Reduction,
} from '@twostep/core';
import type { FusedActivation } from '@twostep/core/backend';
import { TfjsBackend } from './backend.js';
import type { TfjsMatrix } from './matrix.js';

type Tensor = tf.Tensor;

/**
 * σ of one kind by tfjs's own op, whose gradient tfjs registers. Not the backend's
 * `activationOf`: its accurate forms select with `tf.where` on comparisons, which tfjs cannot
 * differentiate ("gradient function not found for Greater").
 */
function sigma(y: Tensor, { kind, alpha }: FusedActivation): Tensor {
  switch (kind) {
    case 'identity':
      return y;
    case 'sigmoid':
      return tf.sigmoid(y);
    case 'tanh':
      return tf.tanh(y);
    case 'relu':
      return tf.relu(y);
    case 'leakyRelu':
      return tf.leakyRelu(y, alpha);
    case 'softplus':
      return tf.softplus(y);
  }
}

/** σh(Yh): one kind for the layer, or each neuron's (row's) own, selected row by row. */
function activate(kinds: readonly FusedActivation[], y: Tensor): Tensor {
  if (kinds.length === 1) return sigma(y, kinds[0]!);
  const key = (k: FusedActivation) => `${k.kind} ${k.alpha}`;
  let x = tf.zerosLike(y);
  for (const kind of new Map(kinds.map((k) => [key(k), k])).values()) {
    const rows = kinds.map((k) => key(k) === key(kind));
    const mask = tf.tensor2d(rows, [rows.length, 1], 'bool');
    x = tf.where(tf.broadcastTo(mask, y.shape), sigma(y, kind), x);
  }
  return x;
}

/** J of XL and the targets T (NL × B), as the core's loss of the same name defines it. */
function lossOf(loss: Loss, reduction: Reduction, xL: Tensor, t: Tensor): tf.Scalar {
  const r = reduction === 'mean' ? 1 / xL.shape[1]! : 1;
  const eps = 1e-7; // float32's, as the core clamps binary cross-entropy's p
  switch (loss.name) {
    case 'difference':
      return tf.mul(tf.sum(tf.sub(xL, t)), r);
    case 'mse':
      return tf.mul(tf.sum(tf.square(tf.sub(xL, t))), r / 2);
    case 'binaryCrossEntropy': {
      const p = tf.clipByValue(xL, eps, 1 - eps);
      const terms = tf.add(tf.mul(t, tf.log(p)), tf.mul(tf.sub(1, t), tf.log(tf.sub(1, p))));
      return tf.mul(tf.sum(terms), -r);
    }
    case 'sigmoidCrossEntropy':
      return tf.mul(tf.sum(tf.sub(tf.softplus(xL), tf.mul(t, xL))), r);
    case 'softmaxCrossEntropy':
      // Columns are samples: the softmax runs down each column.
      return tf.mul(tf.sum(tf.mul(tf.transpose(t), tf.logSoftmax(tf.transpose(xL)))), -r);
  }
}

/** J as a function of W1 … WL, for `tf.grads`. */
function objective(net: Network, loss: Loss, reduction: Reduction, x0: Tensor, t: Tensor) {
  return (...weights: Tensor[]): tf.Scalar => {
    let x = x0;
    weights.forEach((w, i) => {
      const n = w.shape[1]!;
      const y = net.bias
        ? tf.add(tf.matMul(tf.slice(w, [0, 0], [-1, n - 1]), x), tf.slice(w, [0, n - 1], [-1, 1]))
        : tf.matMul(w, x);
      x = activate(net.layers[i]!.activation.kinds, y);
    });
    return lossOf(loss, reduction, x, t);
  };
}

/**
 * TensorFlow.js's automatic differentiation of J with respect to W1 … WL, on the tfjs backend
 * the step runs on. Takes the core's built-in losses (by their objects) and any activations;
 * its trace names only the gradients.
 */
export const autodiff: GradientRule = {
  name: 'autodiff',
  gradients(k, net, { weights, x0, targets, loss, reduction }) {
    if (!(k instanceof TfjsBackend)) {
      throw new ConfigError(
        `rule autodiff: differentiates with TensorFlow.js, but the backend is ${k.name}; train on a tfjs backend (tfjs-cpu, tfjs-wasm, tfjs-webgl, tfjs-webgpu) or use rule 'classic'.`,
      );
    }
    if (losses[loss.name] !== loss) {
      throw new ConfigError(
        `rule autodiff: differentiates the core's losses (${Object.keys(losses).join(', ')}); a custom loss object has no TensorFlow.js form. Pass the loss by name.`,
      );
    }
    const tensor = (m: unknown) => (m as TfjsMatrix).tensor;
    const J = objective(net, loss, reduction, tensor(x0), tensor(targets));
    const gradients = k.fromTensors(() => tf.grads(J)(weights.map(tensor)) as tf.Tensor2D[]);
    return { gradients };
  },
};
