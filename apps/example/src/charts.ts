/**
 * The report's drawing: nice ticks, y axes, line charts of per-epoch series, the confusion
 * matrix as a heat map and digit images, each as an inline SVG string. Hand-made on purpose:
 * the report is one self-contained file (inline SVG, no scripts, nothing fetched), and a
 * charting library that renders with JavaScript at view time would need a script and would
 * draw nothing where scripts do not run; the SVG here is complete when the file is written.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe to put in HTML, in element content and in quoted attributes alike. */
export const escapeHtml = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** A coordinate with at most two decimals, to keep the SVG small. */
const px = (x: number): string => String(Math.round(x * 100) / 100);

/** Decimals that tell ticks `step` apart: 0.05 → 2, 0.5 → 1, 5 → 0. */
export const decimalsFor = (step: number): number =>
  Math.max(0, -Math.floor(Math.log10(step) + 1e-9));

/** 1, 2 or 5 times a power of ten, at least `raw` (> 0). */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

/** The multiples of `step` in [lo, hi], without floating-point dust. */
function ticksBetween(lo: number, hi: number, step: number): number[] {
  const ticks: number[] = [];
  const digits = decimalsFor(step) + 2;
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
    ticks.push(Number((k * step).toFixed(digits)));
  }
  return ticks;
}

// ─── Line charts ─────────────────────────────────────────────────────────────────────────

interface Series {
  readonly name: string;
  /** A CSS class giving the colour (see STYLE). */
  readonly className: string;
  readonly values: readonly number[];
}

interface LineChartOptions {
  readonly id: string;
  readonly title: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Allowed y range: the axis never goes beyond it (accuracy: [0, 1]). */
  readonly bounds: readonly [number, number];
  /** Start the y axis at 0 (loss). */
  readonly fromZero?: boolean;
  /** Tick label of y, given the tick step (for its decimals). */
  readonly format: (y: number, step: number) => string;
}

const CHART = { width: 560, height: 300, left: 64, right: 20, top: 34, bottom: 48 };

/** A y axis range with round ends and its step: never empty, even for a constant series. */
function yAxis(values: readonly number[], options: LineChartOptions) {
  const [floor, ceiling] = options.bounds;
  let lo = options.fromZero ? 0 : Math.min(...values, Infinity);
  let hi = Math.max(...values, -Infinity);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [floor, Math.min(ceiling, 1)];
  if (hi - lo < 1e-12) {
    const pad = Math.abs(hi) * 0.05 || 0.5;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const step = niceStep((hi - lo) / 5);
  lo = Math.max(floor, Math.floor(lo / step + 1e-9) * step);
  hi = Math.min(ceiling, Math.ceil(hi / step - 1e-9) * step);
  if (hi <= lo) hi = lo + step; // only when a bound cut the range to nothing
  return { lo, hi, step };
}

/** An SVG line chart of per-epoch series (epoch 1 … n) with axes, ticks, grid and legend. */
export function lineChart(options: LineChartOptions): string {
  const { width, height, left, right, top, bottom } = CHART;
  const epochs = Math.max(0, ...options.series.map((s) => s.values.length));
  const y = yAxis(
    options.series.flatMap((s) => s.values),
    options,
  );
  // One epoch gets a domain around it, so nothing divides by zero.
  const [x0, x1] = epochs > 1 ? [1, epochs] : [0.5, 1.5];
  const sx = (x: number) => left + ((x - x0) / (x1 - x0)) * (width - left - right);
  const sy = (v: number) =>
    height - bottom - ((v - y.lo) / (y.hi - y.lo)) * (height - top - bottom);
  const xTicks = ticksBetween(x0, x1, Math.max(1, niceStep((x1 - x0) / 10)));
  const yTicks = ticksBetween(y.lo, y.hi, y.step);

  const grid = yTicks
    .map(
      (t) =>
        `<line class="grid" x1="${left}" x2="${width - right}" y1="${px(sy(t))}" y2="${px(sy(t))}"/>` +
        `<text class="tick" x="${left - 8}" y="${px(sy(t))}" text-anchor="end" dominant-baseline="middle">${escapeHtml(options.format(t, y.step))}</text>`,
    )
    .join('');
  const xAxis = xTicks
    .map(
      (t) =>
        `<line class="axis" x1="${px(sx(t))}" x2="${px(sx(t))}" y1="${height - bottom}" y2="${height - bottom + 5}"/>` +
        `<text class="tick" x="${px(sx(t))}" y="${height - bottom + 18}" text-anchor="middle">${t}</text>`,
    )
    .join('');
  const lines = options.series
    .map((s) => {
      const points = s.values.map((v, i) => `${px(sx(i + 1))},${px(sy(v))}`);
      const dots = s.values
        .map(
          (v, i) =>
            // The tooltip shows two more decimals than the axis.
            `<circle class="dot ${s.className}" cx="${px(sx(i + 1))}" cy="${px(sy(v))}" r="3"><title>${escapeHtml(`${s.name}, epoch ${i + 1}: ${options.format(v, y.step / 100)}`)}</title></circle>`,
        )
        .join('');
      return `<polyline class="series ${s.className}" data-series="${escapeHtml(s.name)}" points="${points.join(' ')}"/>${dots}`;
    })
    .join('');
  const legend = options.series
    .map((s, i) => {
      const x = left + 10 + i * 130;
      return (
        `<line class="series ${s.className}" x1="${x}" x2="${x + 22}" y1="14" y2="14"/>` +
        `<text class="legend" x="${x + 28}" y="14" dominant-baseline="middle">${escapeHtml(s.name)}</text>`
      );
    })
    .join('');
  const empty =
    epochs === 0
      ? `<text class="empty" x="${width / 2}" y="${height / 2}" text-anchor="middle">no epochs recorded</text>`
      : '';
  return (
    `<svg id="${options.id}" class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.title)}">` +
    `<title>${escapeHtml(options.title)}</title>${grid}${xAxis}` +
    `<line class="axis" x1="${left}" x2="${width - right}" y1="${height - bottom}" y2="${height - bottom}"/>` +
    `<line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${height - bottom}"/>` +
    `<text class="label" x="${(left + width - right) / 2}" y="${height - 8}" text-anchor="middle">epoch</text>` +
    `<text class="label" transform="translate(16 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(options.yLabel)}</text>` +
    `${legend}${lines}${empty}</svg>`
  );
}

// ─── Confusion matrix ────────────────────────────────────────────────────────────────────

/**
 * Fill of a confusion cell: the diagonal in blue by the share of its row (the class's
 * accuracy), mistakes in red by their count against the largest mistake.
 */
function cellColour(count: number, share: number, diagonal: boolean) {
  if (count === 0) return { fill: '#f4f5f7', text: 'count zero' };
  const lightness = 96 - 58 * Math.min(1, share);
  return {
    fill: diagonal ? `hsl(212 70% ${px(lightness)}%)` : `hsl(4 78% ${px(lightness)}%)`,
    text: lightness < 62 ? 'count dark' : 'count',
  };
}

/** The confusion matrix as an SVG heat map: rows are the true classes, columns the predictions. */
export function confusionMatrix(
  confusion: readonly (readonly number[])[],
  classes: readonly string[],
) {
  const cell = 40;
  const margin = 56;
  const size = margin + classes.length * cell + 8;
  const mistakes = confusion.flatMap((row, i) => row.filter((_, j) => j !== i));
  const worst = Math.max(1, ...mistakes);
  const cells = confusion
    .map((row, i) => {
      const total = row.reduce((a, b) => a + b, 0);
      return row
        .map((count, j) => {
          const share = i === j ? (total > 0 ? count / total : 0) : 0.1 + (0.9 * count) / worst;
          const { fill, text } = cellColour(count, share, i === j);
          const [x, y] = [margin + j * cell, margin + i * cell];
          const tip = `true ${classes[i]}, predicted ${classes[j]}: ${count}`;
          return (
            `<rect class="cell" data-actual="${i}" data-predicted="${j}" x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}"><title>${escapeHtml(tip)}</title></rect>` +
            `<text class="${text}" x="${x + cell / 2}" y="${y + cell / 2}" text-anchor="middle" dominant-baseline="central">${count}</text>`
          );
        })
        .join('');
    })
    .join('');
  const labels = classes
    .map(
      (name, k) =>
        `<text class="tick" x="${margin + k * cell + cell / 2}" y="${margin - 8}" text-anchor="middle">${escapeHtml(name)}</text>` +
        `<text class="tick" x="${margin - 8}" y="${margin + k * cell + cell / 2}" text-anchor="end" dominant-baseline="central">${escapeHtml(name)}</text>`,
    )
    .join('');
  const middle = margin + (classes.length * cell) / 2;
  return (
    `<svg id="confusion-matrix" class="matrix" viewBox="0 0 ${size} ${size}" role="img" aria-label="confusion matrix">` +
    `<title>confusion matrix: rows are the true classes, columns the predicted ones</title>` +
    `<text class="label" x="${middle}" y="16" text-anchor="middle">predicted class</text>` +
    `<text class="label" transform="translate(16 ${middle}) rotate(-90)" text-anchor="middle">true class</text>` +
    `${labels}${cells}</svg>`
  );
}

// ─── Digit images ────────────────────────────────────────────────────────────────────────

/** A digit as an SVG grid of grey squares, dark ink on white (pixels in [0, 1], 0 blank). */
export function digitImage(pixels: readonly number[], width: number, height: number): string {
  const squares: string[] = [];
  pixels.forEach((p, k) => {
    const ink = Math.min(1, Math.max(0, p));
    if (ink < 0.02) return;
    const grey = Math.round(255 * (1 - ink));
    squares.push(
      `<rect x="${k % width}" y="${Math.floor(k / width)}" width="1" height="1" fill="rgb(${grey},${grey},${grey})"/>`,
    );
  });
  return (
    `<svg class="digit" viewBox="0 0 ${width} ${height}" width="${width * 3}" height="${height * 3}" shape-rendering="crispEdges">` +
    `<rect width="${width}" height="${height}" fill="#fff"/>${squares.join('')}</svg>`
  );
}
