/**
 * Central finite differences: ∂J/∂w from J alone, so the F-adjoint (eq. 5, 21, 22) is checked
 * against nothing but the F-propagation (eq. 1, 20) that computes J.
 */

/** A row of numbers that can be moved in place: an array or a typed array. */
export interface Entries {
  readonly length: number;
  [index: number]: number;
}

/**
 * The step of the five-point stencil: its truncation O(s⁴) and its rounding ≈ ε/s are both
 * near 1e-13 in float64 at s = 1e-3.
 */
export const CENTRAL_DIFFERENCE_STEP = 1e-3;

/**
 * ∂J/∂w for every entry w of `rows`, by the five-point stencil
 * (−J(w+2s) + 8J(w+s) − 8J(w−s) + J(w−2s)) / 12s. `J` reads the rows, which are moved one
 * entry at a time and restored, so it may take its time (a backend's read is async).
 */
export async function centralDifferences(
  J: () => number | Promise<number>,
  rows: readonly Entries[],
  step = CENTRAL_DIFFERENCE_STEP,
): Promise<number[][]> {
  const result: number[][] = [];
  for (const row of rows) {
    const d: number[] = [];
    for (let j = 0; j < row.length; j++) {
      const w = row[j]!;
      const at = (v: number) => {
        row[j] = v;
        return J();
      };
      const [p2, p1, m1, m2] = [
        await at(w + 2 * step),
        await at(w + step),
        await at(w - step),
        await at(w - 2 * step),
      ];
      row[j] = w;
      d.push((-p2 + 8 * p1 - 8 * m1 + m2) / (12 * step));
    }
    result.push(d);
  }
  return result;
}

/** ‖a − b‖ / max(‖a‖, ‖b‖) over all entries (Frobenius), 0 when both vanish. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  const scale = Math.sqrt(Math.max(na, nb));
  return scale === 0 ? 0 : Math.sqrt(diff) / scale;
}
