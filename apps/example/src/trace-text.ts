/** `twostep trace` as text: the trace in the paper's notation, and the checks of `--paper`. */
import type { LayerActivation, LossName } from '@twostep/core';
import { CENTRAL_DIFFERENCE_STEP } from '@twostep/core/reference';
import {
  CLOSED_FORM_TOLERANCE,
  type Comparison,
  FINITE_DIFFERENCE_TOLERANCE,
  type Trace,
} from './trace-computation.js';

/** Six significant digits: enough to follow the numbers by hand. */
const num = (v: number) => {
  const s = String(Number(v.toPrecision(6)));
  return s === '-0' ? '0' : s;
};

/** A column as (a, b ┆ 1)ᵀ: after ┆, the formal neuron (Remark 1). */
const vector = (v: readonly number[], formal = false) =>
  formal
    ? `(${v.slice(0, -1).map(num).join(', ')} ┆ ${num(v.at(-1)!)})ᵀ`
    : `(${v.map(num).join(', ')})ᵀ`;

/** A matrix, one line per row, columns aligned; after ┆, the bias column. */
function matrix(m: readonly number[][], formal: boolean): string[] {
  const cells = m.map((row) => row.map(num));
  const widths = cells[0]!.map((_, j) => Math.max(...cells.map((row) => row[j]!.length)));
  return cells.map((row) => {
    const padded = row.map((c, j) => c.padStart(widths[j]!));
    const body = formal
      ? `${padded.slice(0, -1).join('  ')} ┆ ${padded.at(-1)}`
      : padded.join('  ');
    return `│ ${body} │`;
  });
}

/** σh as the paper writes it: `relu`, `leakyRelu(α = 0.1)`, a family in parentheses. */
export const showActivation = (spec: LayerActivation): string => {
  if (Array.isArray(spec)) return `(${(spec as LayerActivation[]).map(showActivation).join(', ')})`;
  if (typeof spec === 'string') return spec;
  const { name, alpha } = spec as { name: string; alpha?: number };
  return name === 'leakyRelu' ? `leakyRelu(α = ${alpha ?? 0.01})` : name;
};

/**
 * J of each loss (as the core defines it), with XL spelled for depth L; a loss of the core's
 * LOSS_NAMES without a formula here is written J(XL, y).
 */
const LOSS_FORMULAS: Partial<Record<LossName, (xL: string) => string>> = {
  difference: (xL) => `Σ (${xL} − y)`, // the paper's J = f(x) − y (Section 4)
  mse: (xL) => `½ ‖${xL} − y‖²`,
  binaryCrossEntropy: (xL) => `−Σ [y log ${xL} + (1 − y) log(1 − ${xL})]`,
  softmaxCrossEntropy: (xL) => `−Σ y log softmax(${xL})`,
};

/** Rows of (symbol, formula, value lines) as aligned text: `symbol = formula = value`. */
function table(entries: readonly [string, string, string[]][]): string[] {
  const w1 = Math.max(...entries.map((e) => e[0].length));
  const w2 = Math.max(...entries.map((e) => e[1].length));
  return entries.flatMap(([symbol, formula, [first, ...rest]]) => [
    `  ${symbol.padEnd(w1)} = ${formula.padEnd(w2)} = ${first}`,
    ...rest.map((line) => `  ${' '.repeat(w1 + w2 + 6)}${line}`),
  ]);
}

/** The trace as text: a header, the F-propagation, then the F-adjoint. */
export function formatTrace(t: Trace): string[] {
  const L = t.layers.length;
  const b = t.bias;
  const hidden = L === 1 ? 'X0' : L === 2 ? 'X0 and X1' : `X0 … X${L - 1}`;
  const forward: [string, string, string[]][] = [['X0', b ? 'x ┆ 1' : 'x', [vector(t.X0, b)]]];
  const backward: [string, string, string[]][] = [
    [`δup_${L}`, `∂J/∂X${L}`, [vector(t.layers[L - 1]!.deltaUp)]],
  ];
  for (const l of t.layers) {
    const { h } = l;
    const formal = b && h < L;
    forward.push(
      [`W${h}`, b ? 'weights ┆ bias' : 'weights', matrix(l.W, b)],
      [`Y${h}`, `W${h} · X${h - 1}`, [vector(l.Y)]],
      [`X${h}`, formal ? `σ${h}(Y${h}) ┆ 1` : `σ${h}(Y${h})`, [vector(l.X, formal)]],
    );
  }
  forward.push(['J', (LOSS_FORMULAS[t.loss] ?? ((xL) => `J(${xL}, y)`))(`X${L}`), [num(t.J)]]);
  for (const l of [...t.layers].reverse()) {
    const { h } = l;
    const below = h === 1 ? t.deltaUp0 : t.layers[h - 2]!.deltaUp;
    backward.push(
      [`δdown_${h}`, `δup_${h} ⊙ σ${h}'(Y${h})`, [vector(l.deltaDown)]],
      [`∂J/∂W${h}`, `δdown_${h} · X${h - 1}ᵀ`, matrix(l.gradient, b)],
      [`δup_${h - 1}`, `W${b ? '♯' : ''}${h}ᵀ · δdown_${h}`, [vector(below)]],
    );
  }
  return [
    `A[${t.architecture}] ${b ? `with bias: ${hidden} end with the formal neuron 1 (after ┆), and the last column of Wh is its bias (Remark 1)` : 'without bias'}`,
    `${t.layers.map((l) => `σ${l.h} = ${showActivation(l.activation)}`).join(', ')} (eq. 7); loss ${t.loss}, f(x) = X${L}`,
    `x = ${vector(t.input)}, y = ${vector(t.target)}`,
    '',
    `F-propagation (eq. 1, 20): X0 = x, Yh = Wh · X(h−1), Xh = σh(Yh)`,
    ...table(forward),
    '',
    `F-adjoint (eq. 5, 21, 22, 25): δdown_h = δup_h ⊙ σh'(Yh), ∂J/∂Wh = δdown_h · X(h−1)ᵀ, δup_(h−1) = W${b ? '♯' : ''}hᵀ · δdown_h${b ? ' (W♯h: Wh without its bias column, eq. 13)' : ''}`,
    ...table(backward),
    `  where δup_0 = ∂J/∂x is the gradient with respect to the input.`,
  ];
}

/** The Section 4.2 closed forms, as the paper writes them. */
export const CLOSED_FORMS = [
  "Section 4.2 by the differential calculus rules (σ = sigmoid, σ' = σ(1 − σ), α1_ij = W1[i,j], α2_i = W2[1,i]):",
  '  y1_11 = α1_11·x + α1_12,  y1_21 = α1_21·x + α1_22,  y2 = α2_1·σ(y1_11) + α2_2·σ(y1_21) + α2_3',
  "  δW2 = (σ'(y2)σ(y1_11), σ'(y2)σ(y1_21), σ'(y2))",
  "  δW1 = │ α2_1·x·σ'(y1_11)σ'(y2)  α2_1·σ'(y1_11)σ'(y2) │",
  "        │ α2_2·x·σ'(y1_21)σ'(y2)  α2_2·σ'(y1_21)σ'(y2) │",
];

/** The comparisons as a table, and a last line saying whether all agree. */
export function formatChecks(checks: readonly Comparison[]): string[] {
  const e = (v: number) => (v === 0 ? '0' : v.toExponential(1));
  const head = ['entry', 'two-step rule', 'reference', '|Δ|', 'relative', 'against', ''];
  const cells = checks.map((c) => [
    c.entry,
    String(c.twoStep),
    String(c.reference),
    e(c.absolute),
    e(c.relative),
    c.against,
    c.agree ? 'ok' : 'DISAGREE',
  ]);
  const widths = head.map((h, j) => Math.max(h.length, ...cells.map((row) => row[j]!.length)));
  const line = (row: string[]) =>
    `  ${row.map((c, j) => c.padEnd(widths[j]!)).join('  ')}`.trimEnd();
  const off = checks.filter((c) => !c.agree);
  return [
    `Checks: closed form within |Δ| ≤ ${CLOSED_FORM_TOLERANCE}; five-point central differences (step ${CENTRAL_DIFFERENCE_STEP}) within relative ${FINITE_DIFFERENCE_TOLERANCE}`,
    line(head),
    ...cells.map(line),
    off.length === 0
      ? `all ${checks.length} comparisons agree: the two-step rule gives Section 4.2's δW1 and δW2.`
      : `${off.length} of ${checks.length} comparisons disagree: ${off.map((c) => `${c.entry} (${c.against})`).join(', ')}.`,
  ];
}
