/**
 * The MNIST digits of the `mnist` package, packed by `mnist-asset.ts` into one binary the page
 * serves, and split exactly as the Node app splits them (same seeded shuffle), so a model
 * trained there is tested here on the same 2,000 digits.
 *
 * Format: 'TSMN', uint32 LE count, 256 float32 LE pixel values (every value the package
 * uses), count uint8 labels, count × 784 uint8 codes (indices into the values).
 */
import { Random } from '@twostep/core';

export const DIGITS_FILE = 'mnist-digits.bin';
export const MAGIC = 'TSMN';
export const PIXELS = 784;
/** Distinct pixel values in the package: one byte indexes them. */
export const VALUES = 256;

export interface Digits {
  /** One row of 784 pixels per digit, row-major, 0 = background. */
  readonly images: Float32Array[];
  /** The digit each image shows, 0–9. */
  readonly labels: Uint8Array;
}

const HEADER = 8 + 4 * VALUES;
const REBUILD = 'rebuild it with `pnpm --filter playground build` (or restart `dev`).';

/** The digits in a packed file; a file of another format, or cut short, throws what to do. */
export function decodeDigits(buffer: ArrayBuffer): Digits {
  const bytes = new Uint8Array(buffer);
  if (bytes.length < HEADER) {
    throw new Error(
      `${DIGITS_FILE} has ${bytes.length} bytes, less than its ${HEADER}-byte header: the file is truncated; ${REBUILD}`,
    );
  }
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== MAGIC) {
    throw new Error(
      `${DIGITS_FILE} is not a packed digits file (no '${MAGIC}' header); ${REBUILD}`,
    );
  }
  const view = new DataView(buffer);
  const count = view.getUint32(4, true);
  const expected = HEADER + count * (1 + PIXELS);
  if (bytes.length !== expected) {
    throw new Error(
      `${DIGITS_FILE} has ${bytes.length} bytes, but ${count} digits need ${expected}: the file is ${bytes.length < expected ? 'truncated' : 'too long'}; ${REBUILD}`,
    );
  }
  const values = Float32Array.from({ length: VALUES }, (_, i) => view.getFloat32(8 + 4 * i, true));
  const labels = bytes.slice(HEADER, HEADER + count);
  const codes = bytes.subarray(HEADER + count);
  const images = Array.from({ length: count }, (_, d) =>
    Float32Array.from(codes.subarray(d * PIXELS, (d + 1) * PIXELS), (code) => values[code]!),
  );
  return { images, labels };
}

/** The packed digits from `url`; a failed request names the URL and what to do. */
export async function loadDigits(url: string, fetcher: typeof fetch = fetch): Promise<Digits> {
  const response = await fetcher(url);
  if (!response.ok) {
    throw new Error(
      `Could not load the MNIST digits from ${url} (HTTP ${response.status}): serve the built app (\`pnpm --filter playground preview\`) or run \`pnpm --filter playground dev\`.`,
    );
  }
  return decodeDigits(await response.arrayBuffer());
}

/**
 * The Node app's split (apps/example `split`): a seeded shuffle of every digit, the last
 * `testSize` for testing, the first `trainSize` of the rest for training.
 */
export function splitDigits(
  digits: Digits,
  testSize = 2000,
  seed = 0,
  trainSize = 8000,
): { train: Digits; test: Digits } {
  const order = new Random(seed).permutation(digits.labels.length);
  const pick = (indices: Uint32Array): Digits => ({
    images: Array.from(indices, (i) => digits.images[i]!),
    labels: Uint8Array.from(indices, (i) => digits.labels[i]!),
  });
  const trainEnd = Math.min(trainSize, order.length - testSize);
  return {
    train: pick(order.subarray(0, trainEnd)),
    test: pick(order.subarray(order.length - testSize)),
  };
}
