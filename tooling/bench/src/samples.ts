/**
 * The samples of a workload, from the digits wherever they were loaded (data.ts in Node; the
 * bench page fetches them): @twostep/datasets's seeded `split` with DATA_SEED, the first
 * `trainSize` for training and the last `testSize` for testing.
 */
import { type Labelled, split } from '@twostep/datasets';
import { DATA_SEED, type Workload } from './protocol.js';

export type Digits = Labelled<Float32Array>;

/** W2's 64 inputs: the central 24 × 24 pixels averaged over 3 × 3 blocks (an 8 × 8 image). */
export function downsample(image: ArrayLike<number>): Float32Array {
  const out = new Float32Array(64);
  for (let r = 0; r < 24; r++) {
    for (let c = 0; c < 24; c++)
      out[Math.floor(r / 3) * 8 + Math.floor(c / 3)]! += image[(r + 2) * 28 + c + 2]! / 9;
  }
  return out;
}

export interface WorkloadData {
  /** One row per sample: 784 pixels, or 64 for W2; one-hot targets; the digits 0–9. */
  readonly train: Digits;
  readonly test: Digits;
}

/** The workload's training and test samples of `digits`: the same for every trainer. */
export function workloadSamples(digits: Digits, workload: Workload): WorkloadData {
  const { train, test } = split(digits, {
    testSize: workload.testSize,
    trainSize: workload.trainSize,
    seed: DATA_SEED,
  });
  if (workload.architecture[0] !== 64) return { train, test };
  const small = (d: Digits): Digits => ({ ...d, inputs: d.inputs.map(downsample) });
  return { train: small(train), test: small(test) };
}
