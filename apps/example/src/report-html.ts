/**
 * The page of `twostep report`: the headline numbers, the loss and accuracy curves, the
 * confusion matrix, the misclassified digits, the per-epoch table and the config, with inline
 * CSS. The drawing is in charts.ts.
 */
import { confusionMatrix, decimalsFor, digitImage, escapeHtml, lineChart } from './charts.js';
import { backendLabel, threadsText } from './progress.js';
import type { EpochRecord, RunRecord } from './record.js';

const grouped = (n: number): string => Math.round(n).toLocaleString('en-US');
const percent = (x: number, digits = 2): string => `${(100 * x).toFixed(digits)}%`;

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
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
    [
      'backend',
      backend.name,
      backend.threads === undefined
        ? backend.dtype
        : `${backend.dtype} · ${threadsText(backend.threads)}`,
    ],
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
    backendLabel(record.backend),
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
