/** How numbers read in the tables and target lines: "–" for a value that is missing. */

export const DASH = '–';

export const fixed = (x: number | undefined, digits = 0): string =>
  x === undefined
    ? DASH
    : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const ms = (x: number | undefined): string =>
  x === undefined ? DASH : String(Number(x.toPrecision(3)));
export const percent = (x: number | undefined): string =>
  x === undefined ? DASH : `${(x * 100).toFixed(1)} %`;
export const megabytes = (x: number | undefined): string =>
  x === undefined ? DASH : `${fixed(x / 2 ** 20)} MB`;
export const times = (x: number | undefined): string =>
  x === undefined ? DASH : `${x.toFixed(2)}×`;
export const scientific = (x: number | undefined): string =>
  x === undefined ? DASH : x === 0 ? '0' : x.toExponential(1);
/** GFLOP/s: 2 decimals (W3's per-sample steps are well under 1). */
export const gflopsText = (x: number | undefined): string => fixed(x, 2);

/** An aligned Markdown table; numbers (cells starting with a digit) are right-aligned. */
export function formatTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const numeric = header.map(
    (_, c) => rows.length > 0 && rows.every((r) => /^[\d–]/.test(r[c] ?? '')),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (numeric[c] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
