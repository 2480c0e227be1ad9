/**
 * The MNIST digits the page serves (packed by mnist-asset.ts with @twostep/datasets), decoded
 * by the same package and split as the Node app splits them (its seeded `split`, 2,000 held
 * out, seed 0, 8,000 to train on), so a model trained there is tested here on the same digits.
 */
import { type Labelled, split } from '@twostep/datasets';
import { decodeMnist, MNIST_FILE } from '@twostep/datasets/mnist';

export const DIGITS_FILE = MNIST_FILE;

export interface Digits {
  /** One row of 784 pixels per digit, row-major, 0 = background. */
  readonly images: Float32Array[];
  /** The digit each image shows, 0–9. */
  readonly labels: Uint8Array;
}

/** The packed digits from `url`; a failed request names the URL and what to do. */
export async function loadDigits(
  url: string,
  fetcher: typeof fetch = fetch,
): Promise<Labelled<Float32Array>> {
  const response = await fetcher(url);
  if (!response.ok) {
    throw new Error(
      `Could not load the MNIST digits from ${url} (HTTP ${response.status}): serve the built app (\`pnpm --filter playground preview\`) or run \`pnpm --filter playground dev\`.`,
    );
  }
  return decodeMnist(await response.arrayBuffer());
}

/** The Node app's split of `digits` (apps/example's defaults). */
export function splitDigits(
  digits: Labelled<Float32Array>,
  testSize = 2000,
  seed = 0,
  trainSize = 8000,
): { train: Digits; test: Digits } {
  const { train, test } = split(digits, { testSize, seed, trainSize });
  return {
    train: { images: train.inputs, labels: train.labels },
    test: { images: test.inputs, labels: test.labels },
  };
}
