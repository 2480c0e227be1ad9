/** TensorFlow.js for the peers: its cpu or wasm backend, and twostep's initial weights as tensors. */
import * as tf from '@tensorflow/tfjs-core';
import type { Weights } from '@twostep/core';

export type TfBackend = 'cpu' | 'wasm';

/**
 * Registers (by importing its package) and activates tfjs's `name` backend. The wasm backend
 * finds its .wasm files in node_modules by itself under Node.
 */
export async function useBackend(name: TfBackend): Promise<void> {
  if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend(name))) throw new Error(`tfjs: could not start its '${name}' backend.`);
  await tf.ready();
}

/**
 * Wh (Nh × (N(h−1) + 1), bias in the last column) as a Dense layer's [kernel, bias]: the
 * kernel is N(h−1) × Nh, the transpose of Wh without its bias column.
 */
export function denseWeights(w: readonly (readonly number[])[]): [tf.Tensor2D, tf.Tensor1D] {
  const units = w.length;
  const inputs = w[0]!.length - 1;
  const kernel = new Float32Array(inputs * units);
  const bias = new Float32Array(units);
  w.forEach((row, i) => {
    for (let j = 0; j < inputs; j++) kernel[j * units + i] = row[j]!;
    bias[i] = row[inputs]!;
  });
  return [tf.tensor2d(kernel, [inputs, units]), tf.tensor1d(bias)];
}

/** Dense [kernel, bias] gradients back in twostep's layout: ∂J/∂Wh row-major, bias gradient last. */
export function twostepLayout(kernel: Float32Array, bias: Float32Array): Float64Array {
  const units = bias.length;
  const inputs = kernel.length / units;
  const cols = inputs + 1;
  const out = new Float64Array(units * cols);
  for (let i = 0; i < units; i++) {
    for (let j = 0; j < inputs; j++) out[i * cols + j] = kernel[j * units + i]!;
    out[i * cols + inputs] = bias[i]!;
  }
  return out;
}

/** Every layer's [kernel, bias]. */
export const denseWeightsAll = (weights: Weights): [tf.Tensor2D, tf.Tensor1D][] =>
  weights.map(denseWeights);
