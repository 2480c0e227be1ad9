import { createHash } from 'node:crypto';

/** A short fingerprint of rows and labels, to pin a dataset or a split to known values. */
export function fingerprint(
  rows: readonly ArrayLike<number>[],
  labels: Uint8Array,
  f64 = false,
): string {
  const hash = createHash('sha256');
  for (const row of rows) {
    const typed = f64 ? Float64Array.from(row) : (row as Float32Array);
    hash.update(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength));
  }
  hash.update(labels);
  return hash.digest('hex').slice(0, 16);
}
