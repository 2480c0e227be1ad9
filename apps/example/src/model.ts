/** The saved model: a network that takes raw measurements, written atomically. */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { deserialize, type Network, serialize } from '@twostep/core';
import type { Standardization } from './data.js';

/**
 * A copy of `net` that takes raw inputs x instead of standardised ones (x − μ) / σ. With the
 * bias as the last column of W1 (Remark 1, eq. 13), W1·[(x − μ)/σ; 1] = W1'·[x; 1] for
 * W1'[i][j] = W1[i][j] / σj and bias'[i] = bias[i] − Σj W1[i][j] μj / σj, so the model file
 * stays a plain network that anyone can load with `deserialize` and feed measurements in cm.
 */
export function foldStandardization(net: Network, { mean, std }: Standardization): Network {
  if (!net.bias) throw new Error('foldStandardization needs a network with bias.');
  const [w1, ...rest] = net.getWeights();
  const folded = w1!.map((row) => {
    const weights = row.slice(0, mean.length).map((w, j) => w / std[j]!);
    const shift = weights.reduce((sum, w, j) => sum + w * mean[j]!, 0);
    return [...weights, row[mean.length]! - shift];
  });
  const model = deserialize(serialize(net));
  model.setWeights([folded, ...rest]);
  return model;
}

/**
 * Writes `text` to `path` so that readers see the old file or the new one, never a part:
 * the text goes to a temporary file in the same folder (same file system), is flushed, and
 * is renamed over `path`. On failure the temporary file is removed and `path` is untouched.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const file = await open(temp, 'wx');
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
