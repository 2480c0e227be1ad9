/**
 * The peer trainers: TensorFlow.js Layers on its cpu and wasm backends (W1–W3), TensorFlow.js
 * autodiff for W4's gradient, and brain.js (W1–W3). Each module is imported on use, so a peer
 * whose package is missing or fails to load fails only its own runs.
 */
import type { Result, Workload, WorkloadName } from '../protocol.js';

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
};

/**
 * The workloads each peer measures; on the others it returns a Result with only `peakRss`
 * and a `note` saying why.
 */
export const PEER_WORKLOADS: Readonly<Record<string, readonly WorkloadName[]>> = {
  'tfjs-layers-cpu': ['W1', 'W2', 'W3'],
  'tfjs-layers-wasm': ['W1', 'W2', 'W3'],
  'tfjs-autodiff-cpu': ['W4'],
  'tfjs-autodiff-wasm': ['W4'],
  'brain-js': ['W1', 'W2', 'W3'],
};
