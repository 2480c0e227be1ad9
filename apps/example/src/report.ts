/**
 * `twostep report`: one self-contained HTML page about a training run, drawn from its run
 * record (`models/mnist.run.json`, see record.ts): the headline numbers, the loss and accuracy
 * curves, the confusion matrix, the misclassified digits and the config. Inline CSS and inline
 * SVG only: no scripts, fonts, images or style sheets to fetch, so the file opens anywhere.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, TwoStepError } from '@twostep/core';
import { DEFAULT_CONFIG } from './config.js';
import type { Io } from './io.js';
import { besideModel, writeFileAtomic } from './model.js';
import { type EpochRecord, RUN_FORMAT, RUN_VERSION, type RunRecord } from './record.js';

export const REPORT_USAGE = `Usage: twostep report [--run <file>] [--out <file>]

Writes one self-contained HTML page about a training run.

Options:
  --run <file>   the run record 'twostep train' wrote next to its model
                 (default: models/mnist.run.json, beside the default model models/mnist.json)
  --out <file>   the HTML file to write (default: the run record's name with .report.html,
                 e.g. models/mnist.report.html)
  -h, --help     show this help`;

/** `models/mnist.run.json` → `models/mnist.report.html` (any other `x.json` → `x.report.html`). */
export const reportPathFor = (run: string): string =>
  join(dirname(run), `${basename(run).replace(/(\.run)?\.json$/, '')}.report.html`);

/** Runs `twostep report …args`: reads the run record and writes the HTML page atomically. */
export async function runReport(args: readonly string[], io: Io): Promise<void> {
  let flags: { run?: string; out?: string; help?: boolean };
  try {
    flags = parseArgs({
      args: [...args],
      options: {
        run: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    // Node's ERR_PARSE_ARGS_* messages name the flag or argument.
    throw new ConfigError(`report: ${(error as Error).message}\nRun 'twostep report --help'.`);
  }
  if (flags.help) {
    io.stdout(REPORT_USAGE);
    return;
  }
  const run =
    flags.run === undefined
      ? besideModel(resolve(io.cwd, DEFAULT_CONFIG.model), 'run')
      : resolve(io.cwd, flags.run);
  const out = flags.out === undefined ? reportPathFor(run) : resolve(io.cwd, flags.out);
  const html = renderReport(await readRunRecord(run));
  try {
    await writeFileAtomic(out, html);
  } catch (error) {
    throw new TwoStepError(`report: cannot write ${out}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const shown = relative(io.cwd, out);
  io.stdout(`wrote ${shown.startsWith('..') || isAbsolute(shown) ? out : shown}`);
}

// ─── Reading and checking the run record ─────────────────────────────────────────────────

/** Reads a run record; a missing file, bad JSON or a misshapen field is a TwoStepError. */
export async function readRunRecord(path: string): Promise<RunRecord> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TwoStepError(
      `cannot read the run record ${path} (${(error as NodeJS.ErrnoException).code}); train a model first, or pass --run <file>.`,
      { cause: error },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TwoStepError(`the run record ${path} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return checkRunRecord(value, path);
}

type Fields = Record<string, unknown>;

/**
 * Checks the shape of a parsed run record (loosely: types, sizes and ranges, not that the
 * numbers agree with one another); errors name `file` and the bad field, e.g. `epochs[2].loss`.
 */
export function checkRunRecord(value: unknown, file: string): RunRecord {
  const fail = (field: string, what: string): never => {
    throw new TwoStepError(`the run record ${file} is not valid: ${field} ${what}.`);
  };
  const object = (v: unknown, field: string): Fields =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Fields)
      : fail(field, 'must be an object');
  const array = (v: unknown, field: string, length?: number): unknown[] => {
    if (!Array.isArray(v)) return fail(field, 'must be an array');
    if (length !== undefined && v.length !== length) {
      fail(field, `must have ${length} entries, not ${v.length}`);
    }
    return v;
  };
  const string = (v: unknown, field: string): string =>
    typeof v === 'string' ? v : fail(field, 'must be a string');
  const number = (v: unknown, field: string, min = -Infinity, max = Infinity): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max
      ? v
      : fail(field, `must be a number${rangeText(min, max)}`);
  const integer = (v: unknown, field: string, min = 0, max = Infinity): number =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
      ? (v as number)
      : fail(field, `must be an integer${rangeText(min, max)}`);

  const root = object(value, 'the record');
  if (root.format !== RUN_FORMAT) fail('format', `must be "${RUN_FORMAT}"`);
  if (root.version !== RUN_VERSION) fail('version', `must be ${RUN_VERSION}`);
  string(root.finishedAt, 'finishedAt');
  object(root.config, 'config');
  const backend = object(root.backend, 'backend');
  string(backend.name, 'backend.name');
  string(backend.dtype, 'backend.dtype');
  const dataset = object(root.dataset, 'dataset');
  string(dataset.name, 'dataset.name');
  const classes = array(dataset.classes, 'dataset.classes');
  if (classes.length === 0) fail('dataset.classes', 'must not be empty');
  classes.forEach((c, i) => {
    string(c, `dataset.classes[${i}]`);
  });
  integer(dataset.trainSize, 'dataset.trainSize');
  integer(dataset.testSize, 'dataset.testSize');
  const pixels =
    integer(dataset.width, 'dataset.width', 1) * integer(dataset.height, 'dataset.height', 1);
  array(root.epochs, 'epochs').forEach((e, i) => {
    const epoch = object(e, `epochs[${i}]`);
    integer(epoch.epoch, `epochs[${i}].epoch`, 1);
    number(epoch.loss, `epochs[${i}].loss`);
    number(epoch.trainAccuracy, `epochs[${i}].trainAccuracy`, 0, 1);
    number(epoch.testAccuracy, `epochs[${i}].testAccuracy`, 0, 1);
    number(epoch.seconds, `epochs[${i}].seconds`, 0);
    number(epoch.samplesPerSecond, `epochs[${i}].samplesPerSecond`, 0);
  });
  number(root.testAccuracy, 'testAccuracy', 0, 1);
  array(root.confusion, 'confusion', classes.length).forEach((row, i) => {
    array(row, `confusion[${i}]`, classes.length).forEach((n, j) => {
      integer(n, `confusion[${i}][${j}]`);
    });
  });
  array(root.misclassified, 'misclassified').forEach((m, i) => {
    const digit = object(m, `misclassified[${i}]`);
    integer(digit.index, `misclassified[${i}].index`);
    integer(digit.label, `misclassified[${i}].label`, 0, classes.length - 1);
    integer(digit.predicted, `misclassified[${i}].predicted`, 0, classes.length - 1);
    array(digit.pixels, `misclassified[${i}].pixels`, pixels).forEach((p, j) => {
      number(p, `misclassified[${i}].pixels[${j}]`);
    });
  });
  return root as unknown as RunRecord;
}

function rangeText(min: number, max: number): string {
  if (min === -Infinity && max === Infinity) return '';
  if (max === Infinity) return ` ≥ ${min}`;
  return min === -Infinity ? ` ≤ ${max}` : ` in [${min}, ${max}]`;
}

// ─── Formatting ──────────────────────────────────────────────────────────────────────────

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
const grouped = (n: number): string => Math.round(n).toLocaleString('en-US');
const percent = (x: number, digits = 2): string => `${(100 * x).toFixed(digits)}%`;

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Decimals that tell ticks `step` apart: 0.05 → 2, 0.5 → 1, 5 → 0. */
const decimalsFor = (step: number): number => Math.max(0, -Math.floor(Math.log10(step) + 1e-9));

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
function lineChart(options: LineChartOptions): string {
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
function confusionMatrix(confusion: readonly (readonly number[])[], classes: readonly string[]) {
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

// ─── Misclassified digits ────────────────────────────────────────────────────────────────

/** A digit as an SVG grid of grey squares, dark ink on white (pixels in [0, 1], 0 blank). */
function digitImage(pixels: readonly number[], width: number, height: number): string {
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

function misclassifiedGrid(record: RunRecord): string {
  const { classes, width, height } = record.dataset;
  if (record.misclassified.length === 0) {
    return '<p class="note">No misclassified test digits were recorded.</p>';
  }
  const figures = record.misclassified.map((m) => {
    const [actual, predicted] = [classes[m.label] ?? m.label, classes[m.predicted] ?? m.predicted];
    return (
      `<figure title="${escapeHtml(`test digit #${m.index}: a ${actual} taken for a ${predicted}`)}">` +
      digitImage(m.pixels, width, height) +
      `<figcaption><span class="actual">${escapeHtml(actual)}</span> → <span class="predicted">${escapeHtml(predicted)}</span></figcaption></figure>`
    );
  });
  return `<div class="digits">${figures.join('')}</div>`;
}

// ─── Tables and the page ─────────────────────────────────────────────────────────────────

const configValue = (value: unknown): string =>
  typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));

function configTable(config: Readonly<Record<string, unknown>>): string {
  const rows = Object.entries(config).map(
    ([key, value]) =>
      `<tr><th scope="row">${escapeHtml(key)}</th><td><code>${escapeHtml(configValue(value))}</code></td></tr>`,
  );
  return `<table id="config" class="config"><tbody>${rows.join('')}</tbody></table>`;
}

function epochTable(epochs: readonly EpochRecord[]): string {
  const rows = epochs.map(
    (e) =>
      `<tr><td>${e.epoch}</td><td>${e.loss.toFixed(4)}</td><td>${percent(e.trainAccuracy)}</td>` +
      `<td>${percent(e.testAccuracy)}</td><td>${e.seconds.toFixed(2)}</td><td>${grouped(e.samplesPerSecond)}</td></tr>`,
  );
  return (
    '<table id="epochs" class="numbers"><thead><tr><th>epoch</th><th>loss</th><th>train</th>' +
    `<th>test</th><th>seconds</th><th>samples/s</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

/** The headline numbers: total time and the overall speed (samples over all training time). */
function summary(record: RunRecord): string {
  const seconds = record.epochs.reduce((sum, e) => sum + e.seconds, 0);
  const samples = record.epochs.reduce((sum, e) => sum + e.seconds * e.samplesPerSecond, 0);
  const { dataset, backend } = record;
  const stats: [string, string, string][] = [
    ['test accuracy', percent(record.testAccuracy), `on ${grouped(dataset.testSize)} test digits`],
    [
      'dataset',
      dataset.name,
      `${grouped(dataset.trainSize)} train · ${grouped(dataset.testSize)} test · ${dataset.width}×${dataset.height} · ${dataset.classes.length} classes`,
    ],
    ['backend', backend.name, backend.dtype],
    ['epochs', String(record.epochs.length), 'of training'],
    ['total time', duration(seconds), 'training steps'],
    ['samples/s', seconds > 0 ? grouped(samples / seconds) : '–', 'overall'],
  ];
  const cards = stats.map(
    ([name, value, note]) =>
      `<div class="stat"><dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}<small>${escapeHtml(note)}</small></dd></div>`,
  );
  return `<dl class="stats">${cards.join('')}</dl>`;
}

const STYLE = `
:root { color-scheme: light; --ink: #1c2430; --muted: #5d6776; --line: #dde1e7; --train: #2f6fd6; --test: #e0702b; --loss: #7a3fc4; }
* { box-sizing: border-box; }
body { margin: 0; background: #f2f4f7; color: var(--ink); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 48px; }
header h1 { margin: 0; font-size: 26px; }
header p { margin: 4px 0 18px; color: var(--muted); }
h2 { margin: 0 0 12px; font-size: 17px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin-top: 18px; }
.row { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 18px; }
.row > section { margin-top: 18px; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; margin: 0; }
.stat { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.stat dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.stat dd { margin: 2px 0 0; font-size: 22px; font-weight: 600; }
.stat small { display: block; font-size: 12px; font-weight: 400; color: var(--muted); }
svg.chart, svg.matrix { display: block; width: 100%; height: auto; }
svg.matrix { max-width: 480px; margin: 0 auto; }
svg text { font-family: inherit; fill: var(--ink); }
svg .tick { font-size: 12px; fill: var(--muted); }
svg .label, svg .legend { font-size: 13px; }
svg .axis { stroke: #8a93a0; stroke-width: 1; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .series { fill: none; stroke-width: 2.5; stroke-linejoin: round; stroke-linecap: round; }
svg .dot { stroke: #fff; stroke-width: 1.5; }
.series.loss { stroke: var(--loss); } .dot.loss { fill: var(--loss); }
.series.train { stroke: var(--train); } .dot.train { fill: var(--train); }
.series.test { stroke: var(--test); } .dot.test { fill: var(--test); }
svg .count { font-size: 12px; } svg .count.dark { fill: #fff; } svg .count.zero { fill: #a0a6b0; }
svg .cell { stroke: #fff; stroke-width: 1; }
svg .empty { fill: var(--muted); }
.digits { display: flex; flex-wrap: wrap; gap: 10px; }
.digits figure { margin: 0; padding: 6px; border: 1px solid var(--line); border-radius: 8px; text-align: center; }
.digits svg.digit { display: block; border-radius: 4px; }
.digits figcaption { font-size: 14px; margin-top: 4px; }
.digits .actual { font-weight: 600; } .digits .predicted { color: #c0392b; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
table.numbers td, table.numbers th { text-align: right; font-variant-numeric: tabular-nums; }
table.config th { width: 30%; color: var(--muted); font-weight: 500; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
.note { color: var(--muted); margin: 0 0 10px; }
`;

/** The whole report: one HTML file with inline CSS and SVG, nothing to fetch, no scripts. */
export function renderReport(record: RunRecord): string {
  const architecture = record.config.architecture;
  const title = `twostep report: ${record.dataset.name}`;
  const subtitle = [
    typeof architecture === 'string' ? architecture : undefined,
    `${record.backend.name} (${record.backend.dtype})`,
    `finished ${record.finishedAt.replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d(\.\d+)?)?Z$/, '$1 $2 UTC')}`,
  ].filter((s) => s !== undefined);
  const axisPercent = (y: number, step: number) => percent(y, decimalsFor(step * 100));
  const loss = lineChart({
    id: 'loss-chart',
    title: 'training loss per epoch',
    yLabel: 'loss',
    series: [{ name: 'loss', className: 'loss', values: record.epochs.map((e) => e.loss) }],
    bounds: [0, Infinity],
    fromZero: true,
    format: (y, step) => y.toFixed(decimalsFor(step)),
  });
  const accuracy = lineChart({
    id: 'accuracy-chart',
    title: 'train and test accuracy per epoch',
    yLabel: 'accuracy',
    series: [
      { name: 'train', className: 'train', values: record.epochs.map((e) => e.trainAccuracy) },
      { name: 'test', className: 'test', values: record.epochs.map((e) => e.testAccuracy) },
    ],
    bounds: [0, 1],
    format: axisPercent,
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header><h1>${escapeHtml(title)}</h1><p>${escapeHtml(subtitle.join(' · '))}</p></header>
${summary(record)}
<div class="row">
<section><h2>Loss</h2>${loss}</section>
<section><h2>Accuracy</h2>${accuracy}</section>
</div>
<div class="row">
<section><h2>Confusion matrix</h2>${confusionMatrix(record.confusion, record.dataset.classes)}</section>
<section><h2>Epochs</h2>${epochTable(record.epochs)}</section>
</div>
<section><h2>Misclassified test digits (${record.misclassified.length})</h2>
<p class="note">Each caption reads true class → predicted class.</p>
${misclassifiedGrid(record)}</section>
<section><h2>Config</h2>${configTable(record.config)}</section>
</main>
</body>
</html>
`;
}
