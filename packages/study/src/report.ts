/**
 * A study's report: per dataset, the learning curves with their 95% confidence bands, the final
 * test accuracy of every run per rule, the time per epoch, the cells' table and the paired
 * comparisons of the rules. HTML with the charts drawn by Vega-Lite into inline SVG at build
 * time (the page loads nothing and runs no script), and a Markdown summary of the tables.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RunSettings } from './grid.js';
import type { RunRecord } from './run.js';
import {
  type Cell,
  type Comparison,
  cells,
  compareRules,
  type Estimate,
  estimate,
  FRACTION,
  groupBy,
  variantOf,
} from './stats.js';

export interface ReportOptions {
  /** The study's name, in titles. */
  readonly name: string;
  /** The test accuracy whose first epoch times a run's "time to target". */
  readonly target: number;
}

/** A dataset's part of the report. */
interface Section {
  readonly dataset: string;
  readonly records: RunRecord[];
  readonly cells: Cell[];
  readonly comparisons: Comparison[];
  /** Each cell's label: its rule, and the settings that vary between the dataset's cells. */
  readonly label: (settings: RunSettings | Cell['settings']) => string;
  /** Those settings alone, as a comparison's context. */
  readonly where: (settings: Partial<RunSettings>) => string;
}

const VARYING: readonly (keyof RunSettings)[] = [
  'dataset',
  'hidden',
  'activation',
  'optimizer',
  'learningRate',
  'batchSize',
  'epochs',
  'backend',
];

function describe(key: keyof RunSettings, value: unknown): string {
  if (key === 'dataset') {
    const { size, noise } = value as RunSettings['dataset'];
    return noise === undefined ? `${size} samples` : `${size} points, noise ${noise}`;
  }
  if (key === 'hidden') return `A[…,${(value as number[]).join(',')},…]`;
  if (key === 'learningRate') return `lr ${value}`;
  if (key === 'batchSize') return `batch ${value}`;
  if (key === 'epochs') return `${value} epochs`;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function sections(records: readonly RunRecord[], target: number): Section[] {
  const byDataset = groupBy(records, (r) => r.settings.dataset.name);
  return [...byDataset].map(([dataset, runs]) => {
    const varying = VARYING.filter(
      (key) => new Set(runs.map((r) => JSON.stringify(r.settings[key]))).size > 1,
    );
    const where = (s: Partial<RunSettings>) =>
      varying.map((key) => describe(key, s[key])).join(' · ');
    const label = (s: RunSettings | Cell['settings']) =>
      [variantOf(s), where(s)].filter(Boolean).join(' · ');
    return {
      dataset,
      records: runs,
      cells: cells(runs, target),
      comparisons: compareRules(runs),
      label,
      where,
    };
  });
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const interval = (e: Estimate, show: (x: number) => string) =>
  Number.isNaN(e.low) ? show(e.mean) : `${show(e.mean)} [${show(e.low)}, ${show(e.high)}]`;
const seconds = (x: number) => (x < 0.1 ? `${(x * 1000).toFixed(1)} ms` : `${x.toFixed(2)} s`);
/** `x` to `digits` places with its sign (a true minus), none when it shows as zero. */
function signed(x: number, digits: number): string {
  const shown = Math.abs(x).toFixed(digits);
  return Number(shown) === 0 ? shown : `${x < 0 ? '−' : '+'}${shown}`;
}
const pValue = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));

const INTERVALS =
  "Intervals: 95% over the seeds (Student's t), cut where a mean cannot go (below 0% or 0 s, above 100%).";

/** The cells' table: one row per setting, its seeds summarized. */
function cellRows(s: Section, target: number): string[][] {
  return [
    [
      'rule and settings',
      'runs',
      'test accuracy [95% CI]',
      'train accuracy',
      'time per epoch',
      `time to ${percent(target)}`,
      'diverged',
    ],
    ...s.cells.map((c) => [
      s.label(c.settings),
      String(c.seeds.length),
      interval(c.testAccuracy, percent),
      interval(c.trainAccuracy, percent),
      interval(c.secondsPerEpoch, seconds),
      c.reached === 0
        ? 'never'
        : `${interval(c.timeToTarget, seconds)} (${c.reached} of ${c.seeds.length})`,
      String(c.diverged),
    ]),
  ];
}

/** The comparisons' table: a − b in final test accuracy on the same seeds. */
function comparisonRows(s: Section): string[][] {
  return [
    ['a', 'b', 'where', 'pairs', 'mean a − b', 'Wilcoxon p', 'Holm p', 'effect r'],
    ...s.comparisons.map((c) => [
      c.a,
      c.b,
      s.where(c.context) || 'all',
      String(c.pairs),
      `${signed(100 * c.meanDifference, 2)} points`,
      pValue(c.p),
      pValue(c.pHolm),
      signed(c.effect, 2),
    ]),
  ];
}

function markdownTable(rows: string[][]): string {
  const [head, ...body] = rows;
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head!), line(head!.map(() => '---')), ...body.map(line)].join('\n');
}

/** The Markdown summary: per dataset, the cells and the comparisons. */
export function markdownReport(records: readonly RunRecord[], options: ReportOptions): string {
  const parts = [`# Study ${options.name}`, '', `${records.length} runs. ${INTERVALS}`];
  for (const s of sections(records, options.target)) {
    parts.push('', `## ${s.dataset}`, '', markdownTable(cellRows(s, options.target)));
    if (s.comparisons.length > 0) {
      parts.push(
        '',
        'Paired comparisons of final test accuracy on the same seeds (Wilcoxon signed-rank, Holm-corrected over the study; effect: rank-biserial r, positive when a is better):',
        '',
        markdownTable(comparisonRows(s)),
      );
    }
  }
  return `${parts.join('\n')}\n`;
}

/**
 * Vega-Lite's chart as SVG, drawn here (no script in the page). Vega is imported on use: its
 * canvas module awaits at top level, which would keep `require()` from loading this package.
 */
async function svg(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const WIDTH = 520;

/** An estimate as a chart draws it: a band of zero width where one value gives no interval. */
const band = ({ mean, low, high }: Estimate) => ({
  mean,
  low: Number.isNaN(low) ? mean : low,
  high: Number.isNaN(high) ? mean : high,
});

/** Test accuracy per epoch: each cell's mean over seeds, with its 95% band. */
function curves(s: Section): TopLevelSpec {
  const values = [...groupBy(s.records, (r) => s.label(r.settings))].flatMap(([label, runs]) => {
    const epochs = Math.max(...runs.map((r) => r.epochs.length));
    return Array.from({ length: epochs }, (_, i) => {
      const at = runs.flatMap((r) => (r.epochs[i] ? [r.epochs[i]!.testAccuracy] : []));
      return { label, epoch: i + 1, ...band(estimate(at, FRACTION)) };
    });
  });
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch' } as const;
  const color = {
    field: 'label',
    type: 'nominal',
    title: null,
    legend: { orient: 'bottom', columns: 1 },
  } as const;
  return {
    title: 'Test accuracy per epoch (mean over seeds, 95% band)',
    width: WIDTH,
    height: 240,
    data: { values },
    layer: [
      {
        mark: { type: 'area', opacity: 0.2 },
        encoding: {
          x,
          y: {
            field: 'low',
            type: 'quantitative',
            title: 'test accuracy',
            axis: { format: '.0%' },
          },
          y2: { field: 'high' },
          color,
        },
      },
      {
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: { x, y: { field: 'mean', type: 'quantitative' }, color },
      },
    ],
  };
}

/** Every run's final test accuracy, per cell: a box and the points. */
function distributions(s: Section): TopLevelSpec {
  const values = s.records.map((r) => ({
    label: s.label(r.settings),
    accuracy: r.epochs.at(-1)?.testAccuracy ?? 0,
  }));
  const y = { field: 'label', type: 'nominal', title: null } as const;
  const x = {
    field: 'accuracy',
    type: 'quantitative',
    title: 'final test accuracy',
    scale: { zero: false },
    axis: { format: '.1%' },
  } as const;
  return {
    title: 'Final test accuracy of every run',
    width: WIDTH,
    data: { values },
    layer: [
      { mark: { type: 'boxplot', extent: 'min-max', opacity: 0.5 }, encoding: { x, y } },
      {
        mark: { type: 'point', filled: true, size: 18 },
        encoding: { x, y, color: { field: 'label', legend: null } },
      },
    ],
  };
}

/** Seconds per epoch of training, per cell, with the 95% interval. */
function times(s: Section): TopLevelSpec {
  const values = s.cells.map((c) => ({ label: s.label(c.settings), ...band(c.secondsPerEpoch) }));
  const y = { field: 'label', type: 'nominal', title: null } as const;
  return {
    title: 'Training time per epoch (mean, 95% interval)',
    width: WIDTH,
    data: { values },
    layer: [
      {
        mark: 'bar',
        encoding: {
          y,
          x: { field: 'mean', type: 'quantitative', title: 'seconds per epoch' },
          color: { field: 'label', legend: null },
        },
      },
      {
        mark: 'rule',
        encoding: { y, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } },
      },
    ],
  };
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function htmlTable(rows: string[][]): string {
  const [head, ...body] = rows;
  const row = (cells: string[], tag: string) =>
    `<tr>${cells.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
  return `<table><thead>${row(head!, 'th')}</thead><tbody>${body.map((r) => row(r, 'td')).join('')}</tbody></table>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
h1,h2{font-weight:600}table{border-collapse:collapse;margin:1rem 0;font-size:13px}
th,td{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left}td:not(:first-child){font-variant-numeric:tabular-nums}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}figure{margin:0}`;

/** The HTML report: one self-contained page, charts as inline SVG, no script and no request. */
export async function htmlReport(
  records: readonly RunRecord[],
  options: ReportOptions,
): Promise<string> {
  const parts: string[] = [];
  for (const s of sections(records, options.target)) {
    const charts = await Promise.all([curves(s), distributions(s), times(s)].map(svg));
    parts.push(
      `<section><h2>${escapeHtml(s.dataset)}</h2>`,
      `<div class="charts">${charts.map((c) => `<figure>${c}</figure>`).join('')}</div>`,
      htmlTable(cellRows(s, options.target)),
      s.comparisons.length > 0
        ? `<p>Paired comparisons of final test accuracy on the same seeds: Wilcoxon signed-rank, p Holm-corrected over the study; effect: rank-biserial r, positive when a is better.</p>${htmlTable(comparisonRows(s))}`
        : '',
      '</section>',
    );
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Study ${escapeHtml(options.name)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>${STYLE}</style></head>
<body><h1>Study ${escapeHtml(options.name)}</h1><p>${records.length} runs; time to target: first epoch at ${percent(options.target)} test accuracy. ${INTERVALS}</p>
${parts.join('\n')}
</body></html>
`;
}
