/**
 * One sample's two-step rule drawn as the paper's Fig. 5, and listed number by number.
 *
 * Forward (eq. 1, 20): Yh = Wh · X(h−1), Xh = σh(Yh). Backward (eq. 5, 21, 22, 25):
 * δdown_h = δup_h ⊙ σh′(Yh), ∂J/∂Wh = δdown_h · X(h−1)ᵀ, δup_(h−1) = (W♯h)ᵀ · δdown_h.
 * With bias (Remark 1) every layer below L has the formal neuron 1, whose weights are the
 * last column of Wh. Both views return markup for `innerHTML`; every number is escaped text.
 */
import { colourOf, maxAbs } from './colours.js';
import type { StepTrace } from './protocol.js';

const escapeText = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** 4 significant digits; NaN and ±∞ as such. */
export const formatValue = (v: number) =>
  Number.isFinite(v) ? (v === 0 ? '0' : Number(v.toPrecision(4)).toString()) : String(v);

/**
 * The neurons drawn of a layer of `n`: all when they fit in `max`, else the first ones and
 * the last two, with `hidden` of them left out between.
 */
export function shownNeurons(
  n: number,
  max: number,
): { shown: number[]; hidden: number; head: number } {
  if (n <= max) return { shown: Array.from({ length: n }, (_, i) => i), hidden: 0, head: n };
  const head = Math.max(1, max - 2);
  const tail = Math.min(2, max - head);
  return {
    shown: [
      ...Array.from({ length: head }, (_, i) => i),
      ...Array.from({ length: tail }, (_, i) => n - tail + i),
    ],
    hidden: n - head - tail,
    head,
  };
}

const COLUMN = 230;
const ROW = 40;
const RADIUS = 13;
const TOP = 70;

/**
 * The Euclidean norm, by a loop: `Math.hypot(...values)` overflows the call stack on a
 * 784 × 256 ∂J/∂W1 (200 960 numbers). Scaled by the largest |value| against overflow; like
 * `Math.hypot`, ∞ when a value is ±∞, else NaN when one is NaN.
 */
export function norm(values: readonly number[]): number {
  const scale = maxAbs(values);
  let sum = 0;
  let nan = false;
  for (const v of values) {
    if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
      return Number.POSITIVE_INFINITY;
    }
    if (Number.isNaN(v)) nan = true;
    else if (scale > 0) sum += (v / scale) ** 2;
  }
  return nan ? Number.NaN : scale * Math.sqrt(sum);
}

/**
 * The network as an SVG, drawn as the paper's Fig. 5: layers 0…L left to right, the formal
 * neuron 1 (Remark 1) as a square under each layer below L, an edge per weight Wh[i][j]
 * coloured and thickened by Wh[i][j] / max|Wh|. Each neuron's fill is Xh_i (forward, eq. 1,
 * 20), its ring δdown_h_i (δup_0_i on the inputs; backward, eq. 5, 21, 22); its tooltip gives
 * Xh_i, Yh_i, δup_h_i and δdown_h_i. Layers wider than `maxNeurons` show their first and last
 * neurons around a "⋮ N more" marker (see `shownNeurons`); edges join shown neurons only.
 */
export function renderNetwork(trace: StepTrace, { maxNeurons = 12 } = {}): string {
  const L = trace.architecture.length - 1;
  const layers = trace.architecture.map((n) => shownNeurons(n, maxNeurons));
  const rows = Math.max(...layers.map((l) => l.shown.length + (l.hidden ? 1 : 0) + 1));
  const height = TOP + rows * ROW + 110;
  const width = Math.max(460, 80 + L * COLUMN + 80);
  const x = (h: number) => 60 + h * COLUMN;
  /** Slots of layer h top-down: its shown neurons, the gap marker after `head`, the bias. */
  const slots = (h: number) => layers[h]!.shown.length + (layers[h]!.hidden ? 1 : 0);
  const slotY = (h: number, slot: number) => {
    const count = slots(h) + (trace.bias && h < L ? 1 : 0);
    return TOP + ((rows - count) * ROW) / 2 + slot * ROW + ROW / 2;
  };
  const neuronY = (h: number, i: number) => {
    const { shown, hidden, head } = layers[h]!;
    const k = shown.indexOf(i);
    return slotY(h, k + (hidden && k >= head ? 1 : 0));
  };
  const biasY = (h: number) => slotY(h, slots(h));
  // δ at each neuron: δup_0 for the inputs, δdown_h above.
  const delta = (h: number) => (h === 0 ? trace.deltaUp[0] : trace.deltaDown[h - 1]) ?? [];
  const xScale = maxAbs(trace.X.flat());
  const dScale = maxAbs([...(trace.deltaUp[0] ?? []), ...trace.deltaDown.flat()]);

  const parts: string[] = [];
  // Edges first, under the neurons: Wh[i][j] from neuron j of layer h−1 (or the bias) to i.
  for (let h = 1; h <= L; h++) {
    const w = trace.weights[h - 1]!;
    const g = trace.gradients[h - 1]!;
    const scale = maxAbs(w.flat());
    const sources = [...layers[h - 1]!.shown.map((j) => [j, neuronY(h - 1, j)] as const)];
    if (trace.bias) sources.push([trace.architecture[h - 1]!, biasY(h - 1)] as const);
    for (const i of layers[h]!.shown) {
      for (const [j, y0] of sources) {
        const v = w[i]![j]!;
        const thickness = 0.4 + (scale > 0 ? 2.6 * Math.min(1, Math.abs(v) / scale) : 0);
        const name = j === trace.architecture[h - 1] ? 'bias' : `${j + 1}`;
        parts.push(
          `<line class="edge" x1="${x(h - 1) + RADIUS}" y1="${y0}" x2="${x(h) - RADIUS}" y2="${neuronY(h, i)}" stroke="${colourOf(v, scale)}" stroke-width="${thickness.toFixed(2)}"><title>${escapeText(`W${h}[${i + 1}][${name}] = ${formatValue(v)}   ∂J/∂W${h}[${i + 1}][${name}] = ${formatValue(g[i]![j]!)}`)}</title></line>`,
        );
      }
    }
  }
  // Neurons: fill = Xh, ring = δdown_h (δup_0 on the inputs).
  for (let h = 0; h <= L; h++) {
    const { shown, hidden } = layers[h]!;
    for (const i of shown) {
      const X = trace.X[h]![i]!;
      const d = delta(h)[i]!;
      const lines = [
        `X${h}[${i + 1}] = ${formatValue(X)}`,
        ...(h > 0 ? [`Y${h}[${i + 1}] = ${formatValue(trace.Y[h - 1]![i]!)}`] : []),
        `δup${h}[${i + 1}] = ${formatValue(trace.deltaUp[h]?.[i] ?? Number.NaN)}`,
        ...(h > 0 ? [`δdown${h}[${i + 1}] = ${formatValue(d)}`] : []),
      ];
      parts.push(
        `<circle class="neuron" data-layer="${h}" cx="${x(h)}" cy="${neuronY(h, i)}" r="${RADIUS}" fill="${colourOf(X, xScale)}" stroke="${colourOf(d, dScale)}" stroke-width="5"><title>${escapeText(lines.join('\n'))}</title></circle>`,
      );
    }
    if (hidden) {
      parts.push(
        `<text class="more" x="${x(h)}" y="${slotY(h, layers[h]!.head) + 4}" text-anchor="middle">⋮ ${hidden} more</text>`,
      );
    }
    if (trace.bias && h < L) {
      parts.push(
        `<rect class="bias" data-layer="${h}" x="${x(h) - RADIUS}" y="${biasY(h) - RADIUS}" width="${2 * RADIUS}" height="${2 * RADIUS}"><title>formal neuron of layer ${h}: always 1 (Remark 1)</title></rect><text class="bias-label" x="${x(h)}" y="${biasY(h) + 4}" text-anchor="middle">1</text>`,
      );
    }
    parts.push(
      `<text class="layer" x="${x(h)}" y="${TOP - 28}" text-anchor="middle">${h === 0 ? 'input X0' : `layer ${h}: σ${h} = ${escapeText(trace.activations[h - 1] ?? '')}`}</text>`,
    );
  }
  // The equation of each arrow: forward above the layers, backward below.
  for (let h = 1; h <= L; h++) {
    const mid = (x(h - 1) + x(h)) / 2;
    parts.push(
      `<text class="equation forward" x="${mid}" y="${TOP - 48}" text-anchor="middle">→ Y${h} = W${h} · X${h - 1},  X${h} = σ${h}(Y${h})</text>`,
      `<text class="equation backward" x="${mid}" y="${height - 82}" text-anchor="middle">← δdown${h} = δup${h} ⊙ σ${h}′(Y${h})</text>`,
      `<text class="equation backward" x="${mid}" y="${height - 64}" text-anchor="middle">∂J/∂W${h} = δdown${h} · X${h - 1}ᵀ</text>`,
      `<text class="equation backward" x="${mid}" y="${height - 46}" text-anchor="middle">δup${h - 1} = (W♯${h})ᵀ · δdown${h}</text>`,
    );
  }
  // The legend: the scale from −max to +max (each matrix or vector has its own max), and J.
  const swatches = [-1, -2 / 3, -1 / 3, 0, 1 / 3, 2 / 3, 1].map(
    (t, k) =>
      `<rect class="swatch" x="${22 + 12 * k}" y="${height - 34}" width="12" height="12" fill="${colourOf(t, 1)}"/>`,
  );
  parts.push(
    `<g class="legend"><text x="10" y="${height - 24}">−</text>${swatches.join('')}<text x="110" y="${height - 24}">+ (by |value| / max) · J = ${escapeText(formatValue(trace.J))}</text>`,
    `<text x="10" y="${height - 6}">fill: X · ring: δdown (δup0 on the inputs) · edges: W</text></g>`,
  );
  return `<svg class="network" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="The network, Fig. 5 of the paper">${parts.join('')}</svg>`;
}

/** A number as a coloured span carrying its exact value. */
function value(v: number, scale: number): string {
  const kind = Number.isFinite(v) ? 'value' : 'value nonfinite';
  // White text on the deeper colours.
  const ink = scale > 0 && Math.abs(v) / scale > 0.6 ? ';color:#fff' : '';
  return `<span class="${kind}" data-value="${v}" style="background:${colourOf(v, scale)}${ink}">${formatValue(v)}</span>`;
}

/** A named vector with the equation that made it, at most `max` values shown. */
function row(name: string, equation: string, values: readonly number[], max: number): string {
  const scale = maxAbs(values);
  const shown = values.slice(0, max).map((v) => value(v, scale));
  const more = values.length > max ? `<span class="more">… ${values.length - max} more</span>` : '';
  return `<tr><th>${name}</th><td class="equation">${escapeText(equation)}</td><td>${shown.join(' ')}${more}</td></tr>`;
}

/** A matrix as a grid of coloured values, when it has at most `max` rows and columns. */
function matrix(rows: readonly (readonly number[])[], max: number): string {
  if (rows.length > max || (rows[0]?.length ?? 0) > max + 1) return '';
  const scale = maxAbs(rows.flat());
  const cells = rows.map((r) => `<tr>${r.map((v) => `<td>${value(v, scale)}</td>`).join('')}</tr>`);
  return `<table class="matrix">${cells.join('')}</table>`;
}

/**
 * The δ panel: every quantity of the step, layer by layer in the F-adjoint's order, L down
 * to 0: Xh and Yh (F-propagation, eq. 1, 20), δup_h (∂J/∂XL at L), δdown_h and ∂J/∂Wh
 * (F-adjoint, eq. 5, 21, 22; W♯h with bias, Remark 1, eq. 25), the last as its max |·| and
 * norm, plus its grid when within `maxValues` rows and
 * `maxValues` + 1 columns. Each number is a `span.value` (`value nonfinite` for NaN, ±∞)
 * with its exact value in `data-value`; vectors longer than `maxValues` end in "… N more".
 */
export function renderTraceTable(trace: StepTrace, { maxValues = 12 } = {}): string {
  const L = trace.architecture.length - 1;
  const sections: string[] = [];
  for (let h = L; h >= 0; h--) {
    const rows: string[] = [];
    if (h > 0) {
      const g = trace.gradients[h - 1]!.flat();
      rows.push(
        row(`X${h}`, `σ${h}(Y${h})`, trace.X[h]!, maxValues),
        row(`Y${h}`, `W${h} · X${h - 1}`, trace.Y[h - 1]!, maxValues),
        row(
          `δup${h}`,
          h === L ? '∂J/∂XL (the loss)' : `(W♯${h + 1})ᵀ · δdown${h + 1}`,
          trace.deltaUp[h]!,
          maxValues,
        ),
        row(`δdown${h}`, `δup${h} ⊙ σ${h}′(Y${h})`, trace.deltaDown[h - 1]!, maxValues),
        `<tr><th>∂J/∂W${h}</th><td class="equation">δdown${h} · X${h - 1}ᵀ</td><td>max |·| ${value(maxAbs(g), 0)} · ‖·‖ ${value(norm(g), 0)}${matrix(trace.gradients[h - 1]!, maxValues)}</td></tr>`,
      );
    } else {
      rows.push(
        row('X0', 'the input x', trace.X[0]!, maxValues),
        row('δup0', '(W♯1)ᵀ · δdown1 = ∂J/∂x', trace.deltaUp[0] ?? [], maxValues),
      );
    }
    sections.push(
      `<tbody><tr class="layer"><th colspan="3">${h === 0 ? 'layer 0 (inputs)' : `layer ${h}, σ${h} = ${escapeText(trace.activations[h - 1] ?? '')}`}</th></tr>${rows.join('')}</tbody>`,
    );
  }
  const sample = trace.sample >= 0 ? `training sample ${trace.sample}` : 'your input';
  return `<div class="trace"><p>${escapeText(sample)}, target [${trace.target.map(formatValue).join(', ')}], loss ${escapeText(trace.loss)}: J = ${value(trace.J, 0)}</p><table>${sections.join('')}</table></div>`;
}
