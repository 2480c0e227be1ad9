/**
 * The diverging colour scale of every view: white at 0, red for positive values, blue for
 * negative ones, deeper with |value| / scale (clamped to 1); magenta for NaN and ±∞.
 */
export type Rgb = readonly [number, number, number];

const POSITIVE: Rgb = [202, 0, 32];
const NEGATIVE: Rgb = [5, 113, 176];
export const NONFINITE: Rgb = [255, 0, 255];

export function diverging(value: number, scale: number): Rgb {
  if (!Number.isFinite(value)) return NONFINITE;
  const t = scale > 0 && Number.isFinite(scale) ? Math.min(1, Math.abs(value) / scale) : 0;
  const end = value < 0 ? NEGATIVE : POSITIVE;
  return [0, 1, 2].map((c) => Math.round(255 + (end[c]! - 255) * t)) as unknown as Rgb;
}

/** `diverging` as a CSS colour. */
export const colourOf = (value: number, scale: number): string =>
  `rgb(${diverging(value, scale).join(',')})`;

/** The largest finite |v| of some numbers (0 when there is none). */
export function maxAbs(values: Iterable<number>): number {
  let max = 0;
  for (const v of values) if (Number.isFinite(v) && Math.abs(v) > max) max = Math.abs(v);
  return max;
}
