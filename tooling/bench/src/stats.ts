/** Small numeric helpers of the harness. */

/** The median (the mean of the middle two for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The smallest and largest value. */
export const range = (xs: readonly number[]): [number, number] => [
  Math.min(...xs),
  Math.max(...xs),
];

/** a / b, or undefined when either is missing (a peer that did not run). */
export const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined || !(b > 0) ? undefined : a / b;

/**
 * The largest difference between two lists of gradients, relative to the size of each
 * layer's gradient: max over layers h of max |aᵢⱼ − bᵢⱼ| / max |aᵢⱼ| (so entries near 0 do
 * not blow it up). 0 when they are equal.
 */
export function maxRelativeDifference(
  a: readonly ArrayLike<number>[],
  b: readonly ArrayLike<number>[],
): number {
  if (a.length !== b.length) throw new Error(`${a.length} gradients against ${b.length}.`);
  let worst = 0;
  a.forEach((ga, h) => {
    const gb = b[h]!;
    if (ga.length !== gb.length)
      throw new Error(`gradient ${h + 1}: sizes ${ga.length}, ${gb.length}.`);
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < ga.length; i++) {
      diff = Math.max(diff, Math.abs(ga[i]! - gb[i]!));
      scale = Math.max(scale, Math.abs(ga[i]!));
    }
    if (diff > 0) worst = Math.max(worst, scale > 0 ? diff / scale : Number.POSITIVE_INFINITY);
  });
  return worst;
}
