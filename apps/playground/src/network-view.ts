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

/** The network as an SVG: neurons coloured by X (fill) and δ (ring), edges by Wh. */
export function renderNetwork(trace: StepTrace, { maxNeurons = 12 } = {}): string {
  const L = trace.architecture.length - 1;
  const layers = trace.architecture.map((n) => shownNeurons(n, maxNeurons));
  const rows = Math.max(...layers.map((l) => l.shown.length + (l.hidden ? 1 : 0) + 1));
  const height = TOP + rows * ROW + 90;
  const width = 80 + L * COLUMN + 80;
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
      `<text class="equation backward" x="${mid}" y="${height - 62}" text-anchor="middle">← δdown${h} = δup${h} ⊙ σ${h}′(Y${h})</text>`,
      `<text class="equation backward" x="${mid}" y="${height - 44}" text-anchor="middle">∂J/∂W${h} = δdown${h} · X${h - 1}ᵀ</text>`,
      `<text class="equation backward" x="${mid}" y="${height - 26}" text-anchor="middle">δup${h - 1} = (W♯${h})ᵀ · δdown${h}</text>`,
    );
  }
  parts.push(
    `<text class="legend" x="10" y="${height - 6}">fill: X (forward) · ring: δdown, δup₀ on the inputs (backward) · edges: W · red &gt; 0, blue &lt; 0 · J = ${escapeText(formatValue(trace.J))}</text>`,
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

/** The δ panel: every quantity of the step, layer by layer from L down to 0. */
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
        `<tr><th>∂J/∂W${h}</th><td class="equation">δdown${h} · X${h - 1}ᵀ</td><td>max |·| ${value(maxAbs(g), 0)} · ‖·‖ ${value(Math.hypot(...g), 0)}${matrix(trace.gradients[h - 1]!, maxValues)}</td></tr>`,
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
