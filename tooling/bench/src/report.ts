/** Runs to medians, medians to tables: the pure part of the runner. */
import type { Result, WorkloadName } from './protocol.js';
import { median, range, ratio } from './stats.js';

/** --quick fails when a trainer's W1 test accuracy after one epoch is below this. */
export const ACCURACY_FLOOR = 0.8;

/**
 * --quick fails when W4's gradients by two methods differ by more than this, relative to the
 * largest entry (float32 sums of 64 to 785 products differ by ~1e-7).
 */
export const GRADIENT_TOLERANCE = 1e-4;

/** The peers the ratio columns compare against. */
export const BASELINES = ['tfjs-layers-cpu', 'tfjs-layers-wasm'] as const;

export type Status = 'ok' | 'failed' | 'not installed';

/** One worker process. */
export interface Run {
  readonly trainer: string;
  readonly workload: WorkloadName;
  readonly repetition: number;
  readonly status: Status;
  readonly result?: Result;
  /** The worker's stderr, trimmed, when it failed. */
  readonly error?: string;
  /** Wall time of the process, start-up and data loading included. */
  readonly seconds: number;
}

/** Every run of one (trainer, workload), reduced: medians, and the range of samples/s. */
export interface Summary {
  readonly trainer: string;
  readonly workload: WorkloadName;
  /** 'ok' when at least one run succeeded. */
  readonly status: Status;
  readonly runs: number;
  readonly failures: number;
  readonly error?: string;
  readonly note?: string;
  readonly samplesPerSecond?: {
    readonly median: number;
    readonly min: number;
    readonly max: number;
  };
  readonly stepMs?: number;
  readonly accuracy1?: number;
  readonly accuracy5?: number;
  readonly gradientMs?: Readonly<Record<string, number>>;
  /** The largest over the runs. */
  readonly maxRelativeDifference?: number;
  readonly peakRss?: number;
}

/** The median of a field over the results that have it. */
function medianOf(results: Result[], pick: (r: Result) => number | undefined): number | undefined {
  const xs = results.map(pick).filter((x): x is number => x !== undefined);
  return xs.length > 0 ? median(xs) : undefined;
}

function summarise(runs: readonly Run[]): Summary {
  const { trainer, workload } = runs[0]!;
  const results = runs.flatMap((r) => (r.result ? [r.result] : []));
  const failed = runs.filter((r) => r.status !== 'ok');
  const base = {
    trainer,
    workload,
    runs: runs.length,
    failures: failed.length,
    ...(failed[0]?.error === undefined ? {} : { error: failed[0].error }),
  };
  if (results.length === 0) return { ...base, status: failed[0]!.status };
  const speeds = results.flatMap((r) =>
    r.samplesPerSecond === undefined ? [] : [r.samplesPerSecond],
  );
  const [min, max] = range(speeds);
  const methods = [...new Set(results.flatMap((r) => Object.keys(r.gradientMs ?? {})))];
  const differences = results.flatMap((r) => r.maxRelativeDifference ?? []);
  const optional = {
    note: results.find((r) => r.note)?.note,
    samplesPerSecond: speeds.length > 0 ? { median: median(speeds), min, max } : undefined,
    stepMs: medianOf(results, (r) => r.stepMs),
    accuracy1: medianOf(results, (r) => r.accuracy1),
    accuracy5: medianOf(results, (r) => r.accuracy5),
    gradientMs:
      methods.length > 0
        ? Object.fromEntries(methods.map((m) => [m, medianOf(results, (r) => r.gradientMs?.[m])!]))
        : undefined,
    maxRelativeDifference: differences.length > 0 ? Math.max(...differences) : undefined,
    peakRss: medianOf(results, (r) => r.peakRss),
  };
  // Only the fields a trainer reported, so the JSON stays readable.
  const present = Object.entries(optional).filter(([, v]) => v !== undefined);
  return { ...base, status: 'ok', ...Object.fromEntries(present) };
}

/** One summary per (workload, trainer), in the order they first ran. */
export function summarize(runs: readonly Run[]): Summary[] {
  const groups = new Map<string, Run[]>();
  for (const run of runs) {
    const key = `${run.workload}\u0000${run.trainer}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map(summarise).sort((a, b) => a.workload.localeCompare(b.workload));
}

const DASH = '–';

const fixed = (x: number | undefined, digits = 0) =>
  x === undefined
    ? DASH
    : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (x: number | undefined) => (x === undefined ? DASH : String(Number(x.toPrecision(3))));
const percent = (x: number | undefined) => (x === undefined ? DASH : `${(x * 100).toFixed(1)} %`);
const megabytes = (x: number | undefined) => (x === undefined ? DASH : `${fixed(x / 2 ** 20)} MB`);
const times = (x: number | undefined) => (x === undefined ? DASH : `${x.toFixed(2)}×`);
const scientific = (x: number | undefined) =>
  x === undefined ? DASH : x === 0 ? '0' : x.toExponential(1);

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

/** Samples/s as "median (min–max)", or why there is none. */
function speed(s: Summary): string {
  if (s.status !== 'ok') return s.status;
  const v = s.samplesPerSecond;
  if (!v) return 'n/a';
  return s.runs - s.failures > 1
    ? `${fixed(v.median)} (${fixed(v.min)}–${fixed(v.max)})`
    : fixed(v.median);
}

/** The table of one workload's summaries. */
export function workloadTable(workload: WorkloadName, summaries: readonly Summary[]): string {
  const rows = summaries.filter((s) => s.workload === workload);
  if (workload === 'W4') {
    const methods = [...new Set(rows.flatMap((s) => Object.keys(s.gradientMs ?? {})))];
    return formatTable(
      ['trainer', ...methods.map((m) => `${m} ms`), 'max rel diff', 'peak RSS'],
      rows.map((s) => [
        s.status === 'ok' ? s.trainer : `${s.trainer} (${s.status})`,
        ...methods.map((m) => ms(s.gradientMs?.[m])),
        scientific(s.maxRelativeDifference),
        megabytes(s.peakRss),
      ]),
    );
  }
  const baseline = (name: string) => rows.find((s) => s.trainer === name)?.samplesPerSecond?.median;
  return formatTable(
    [
      'trainer',
      'samples/s median (min–max)',
      ...BASELINES.map((b) => `vs ${b}`),
      ...(workload === 'W3' ? ['ms/step'] : []),
      ...(workload === 'W1' ? ['accuracy@1', 'accuracy@5'] : []),
      'peak RSS',
    ],
    rows.map((s) => [
      s.trainer,
      speed(s),
      ...BASELINES.map((b) => times(ratio(s.samplesPerSecond?.median, baseline(b)))),
      ...(workload === 'W3' ? [ms(s.stepMs)] : []),
      ...(workload === 'W1' ? [percent(s.accuracy1), percent(s.accuracy5)] : []),
      megabytes(s.peakRss),
    ]),
  );
}

/**
 * Why --quick fails: a trainer that did not run (the peers are dev dependencies of this
 * package, so each is installed wherever the bench is), a W1 accuracy@1 below the floor, or
 * W4 gradients that differ by more than `GRADIENT_TOLERANCE` between methods.
 */
export function quickFailures(summaries: readonly Summary[]): string[] {
  return summaries.flatMap((s) => {
    if (s.status !== 'ok') return [`${s.trainer} ${s.workload}: ${s.status}`];
    if (s.workload === 'W1' && s.accuracy1 !== undefined && !(s.accuracy1 >= ACCURACY_FLOOR)) {
      return [`${s.trainer} W1: accuracy@1 ${s.accuracy1} is below ${ACCURACY_FLOOR}`];
    }
    const difference = s.maxRelativeDifference;
    if (difference !== undefined && !(difference <= GRADIENT_TOLERANCE)) {
      return [
        `${s.trainer} W4: gradients differ by ${difference} (relative), above ${GRADIENT_TOLERANCE}`,
      ];
    }
    return [];
  });
}

/** The line of a worker's stderr that says what went wrong (not tfjs's banner). */
export const errorLine = (stderr: string): string => {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /^\w*Error\b/.test(l)) ?? lines.at(-1) ?? '';
};

/** A workload's table, then a line per trainer that failed or left a note. */
export function workloadReport(workload: WorkloadName, summaries: readonly Summary[]): string {
  const rows = summaries.filter((s) => s.workload === workload);
  const notes = rows.flatMap((s) => [
    ...(s.error === undefined
      ? []
      : [`- ${s.trainer}: ${s.status} (${s.failures} of ${s.runs} runs): ${errorLine(s.error)}`]),
    ...(s.note === undefined ? [] : [`- ${s.trainer}: ${s.note}`]),
  ]);
  return [workloadTable(workload, summaries), ...(notes.length > 0 ? ['', ...notes] : [])].join(
    '\n',
  );
}

/** W1 samples/s ratios the twostep trainers aim at, each against a peer in the same run. */
export const SPEED_TARGETS = [
  { trainer: 'ts-float32', peer: 'tfjs-layers-cpu', ratio: 6 },
  { trainer: 'ts-float32', peer: 'tfjs-layers-wasm', ratio: 1.5 },
  { trainer: 'tfjs-wasm', peer: 'tfjs-layers-wasm', ratio: 1.3 },
  { trainer: 'tfjs-cpu', peer: 'tfjs-layers-cpu', ratio: 1.2 },
] as const;

/** W1 accuracy after 5 epochs: within this of tfjs-layers (same initial weights and batches). */
export const ACCURACY_MARGIN = 0.005;

/**
 * The targets, one line each with the measured value and ✓ or ✗: the W1 speed ratios, W2 and
 * W3 against the fastest peer (`peers`), and W1 accuracy@5 against tfjs-layers. A target
 * whose trainers did not both run is left out.
 */
export function targetReport(summaries: readonly Summary[], peers: readonly string[]): string {
  const find = (w: WorkloadName, t: string) =>
    summaries.find((s) => s.workload === w && s.trainer === t && s.status === 'ok');
  const speedOf = (w: WorkloadName, t: string) => find(w, t)?.samplesPerSecond?.median;
  const mark = (met: boolean) => (met ? '✓' : '✗');
  const lines: string[] = [];
  for (const { trainer, peer, ratio: goal } of SPEED_TARGETS) {
    const r = ratio(speedOf('W1', trainer), speedOf('W1', peer));
    if (r !== undefined) {
      lines.push(`${mark(r >= goal)} W1 ${trainer} ≥ ${goal}× ${peer}: ${times(r)}`);
    }
  }
  for (const w of ['W2', 'W3'] as const) {
    const ours = speedOf(w, 'ts-float32');
    const best = peers
      .map((p) => [p, speedOf(w, p)] as const)
      .filter((e): e is readonly [string, number] => e[1] !== undefined)
      .sort((a, b) => b[1] - a[1])[0];
    if (ours !== undefined && best) {
      lines.push(
        `${mark(ours >= best[1])} ${w} ts-float32 not slower than the fastest peer (${best[0]}): ${fixed(ours)} vs ${fixed(best[1])} samples/s`,
      );
    }
  }
  const layers = find('W1', 'tfjs-layers-cpu')?.accuracy5;
  for (const s of summaries) {
    if (s.workload !== 'W1' || s.accuracy5 === undefined || layers === undefined) continue;
    if (peers.includes(s.trainer)) continue;
    const gap = Math.abs(s.accuracy5 - layers);
    lines.push(
      `${mark(gap <= ACCURACY_MARGIN)} W1 ${s.trainer} accuracy@5 within ${ACCURACY_MARGIN * 100} points of tfjs-layers: ${percent(s.accuracy5)} vs ${percent(layers)}`,
    );
  }
  return lines.join('\n');
}
