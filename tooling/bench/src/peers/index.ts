/**
 * The peer trainers: TensorFlow.js Layers on its cpu and wasm backends (W1–W3, W5),
 * TensorFlow.js autodiff for W4's gradient, brain.js (W1–W3) and PyTorch (W1–W5 on one
 * thread, W1–W3 and W5 on all cores). Each module is imported on use, so a peer whose package
 * is missing or fails to load fails only its own runs, and PyTorch's absence skips only its own.
 */
import type { Result, Workload, WorkloadName } from '../protocol.js';
import { notApplicable } from './common.js';

export type { PeerResult } from './common.js';

export const PEERS: Record<string, (workload: Workload, quick: boolean) => Promise<Result>> = {
  'tfjs-layers-cpu': async (w) =>
    (await import('./tfjs-layers.js')).trainLayers('tfjs-layers-cpu', 'cpu', w),
  'tfjs-layers-wasm': async (w) =>
    (await import('./tfjs-layers.js')).trainLayers('tfjs-layers-wasm', 'wasm', w),
  'tfjs-autodiff-cpu': async (w) =>
    (await import('./tfjs-autodiff.js')).timeAutodiff('tfjs-autodiff-cpu', 'cpu', w),
  'tfjs-autodiff-wasm': async (w) =>
    (await import('./tfjs-autodiff.js')).timeAutodiff('tfjs-autodiff-wasm', 'wasm', w),
  'brain-js': async (w) => (await import('./brain-js.js')).trainBrain('brain-js', w),
  pytorch: async (w) => (await import('./pytorch.js')).trainTorch('pytorch', 1, w),
  'pytorch-threads': async (w) =>
    w.name === 'W4'
      ? notApplicable('pytorch-threads', w, "W4's autograd gradient is pytorch's (one thread).")
      : (await import('./pytorch.js')).trainTorch('pytorch-threads', 'all', w),
};

/**
 * The workloads each peer measures; on the others it returns a Result with only `peakRss`
 * and a `note` saying why. brain.js is left out of W5: per sample, in plain JavaScript, it
 * would take minutes a run (its W1 is ~1,000 samples/s, and W5 is 8× W1's arithmetic).
 */
export const PEER_WORKLOADS: Readonly<Record<string, readonly WorkloadName[]>> = {
  'tfjs-layers-cpu': ['W1', 'W2', 'W3', 'W5'],
  'tfjs-layers-wasm': ['W1', 'W2', 'W3', 'W5'],
  'tfjs-autodiff-cpu': ['W4'],
  'tfjs-autodiff-wasm': ['W4'],
  'brain-js': ['W1', 'W2', 'W3'],
  pytorch: ['W1', 'W2', 'W3', 'W4', 'W5'],
  'pytorch-threads': ['W1', 'W2', 'W3', 'W5'],
};
