/** Runs to medians, medians to tables: the pure part of the runner (targets: targets.ts). */

import type { BrowserEnvironment } from './browser.js';
import { CEILING_REPEATS, CEILING_SHAPE } from './ceiling.js';
import { ceilingFor, gflops } from './flops.js';
import {
  DASH,
  fixed,
  formatTable,
  gflopsText,
  megabytes,
  ms,
  percent,
  scientific,
  times,
} from './format.js';
import type { Ceiling, Result, Workload, WorkloadName } from './protocol.js';
import { median, range, ratio } from './stats.js';

export { formatTable } from './format.js';

/** --quick fails when a trainer's W1 test accuracy after one epoch is below this. */
export const ACCURACY_FLOOR = 0.8;

/**
 * --quick fails when W4's gradients by two methods differ by more than this, relative to the
 * largest entry (float32 sums of 64 to 785 products differ by ~1e-7).
 */
export const GRADIENT_TOLERANCE = 1e-4;

/** What a bench's tables show: the trainers the ratio columns compare against, and its columns. */
export interface TableColumns {
  readonly baselines: readonly string[];
  /** Threads, the share of the ceiling and peak RSS: what a process reports and a page does not. */
  readonly machine: boolean;
}

/** The Node bench: ratios to the tfjs-layers peers. */
export const NODE_COLUMNS: TableColumns = {
  baselines: ['tfjs-layers-cpu', 'tfjs-layers-wasm'],
  machine: true,
};

/** The bench page: ratios to twostep on TensorFlow.js's GPU backends. */
export const BROWSER_COLUMNS: TableColumns = {
  baselines: ['tfjs-webgpu', 'tfjs-webgl'],
  machine: false,
};

/** 'skipped': an optional peer outside npm (PyTorch) is not on this machine. */
export type Status = 'ok' | 'failed' | 'not installed' | 'skipped';

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
  readonly accuracyLast?: number;
  readonly gradientMs?: Readonly<Record<string, number>>;
  /** The largest over the runs. */
  readonly maxRelativeDifference?: number;
  /** The most over the runs (they all ask for the same). */
  readonly threads?: number;
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
    accuracyLast: medianOf(results, (r) => r.accuracyLast),
    gradientMs:
      methods.length > 0
        ? Object.fromEntries(methods.map((m) => [m, medianOf(results, (r) => r.gradientMs?.[m])!]))
        : undefined,
    maxRelativeDifference: differences.length > 0 ? Math.max(...differences) : undefined,
    threads: results.some((r) => r.threads)
      ? Math.max(...results.map((r) => r.threads ?? 1))
      : undefined,
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

/** Samples/s as "median (min–max)", or why there is none. */
function speed(s: Summary): string {
  if (s.status !== 'ok') return s.status;
  const v = s.samplesPerSecond;
  if (!v) return 'n/a';
  return s.runs - s.failures > 1
    ? `${fixed(v.median)} (${fixed(v.min)}–${fixed(v.max)})`
    : fixed(v.median);
}

/** A trainer's GFLOP/s (flops.ts), and its share of the ceiling at its thread count. */
function arithmetic(w: Workload, s: Summary, ceilings: readonly Ceiling[]) {
  const speed = s.samplesPerSecond?.median;
  const rate = speed === undefined ? undefined : gflops(w.architecture, speed);
  const ceiling = ceilingFor(s.threads ?? 1, ceilings)?.gflops;
  return { rate, share: rate === undefined || ceiling === undefined ? undefined : rate / ceiling };
}

/**
 * The table of one workload's summaries (`w` as it ran: --quick changes its last epoch):
 * samples/s, the ratios to the baselines, the threads, GFLOP/s and its share of the ceiling at
 * the trainer's thread count (`ceilings`: none measured, "–"), the accuracies, peak RSS (the
 * bench page: no threads, share or RSS). W4, one gradient, has a column of milliseconds per
 * method instead.
 */
export function workloadTable(
  w: Workload,
  summaries: readonly Summary[],
  ceilings: readonly Ceiling[] = [],
  { baselines, machine }: TableColumns = NODE_COLUMNS,
): string {
  const rows = summaries.filter((s) => s.workload === w.name);
  if (w.name === 'W4') {
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
  const perStep = w.batchSize === 1;
  const tested = w.testSize > 0;
  const only = (on: boolean, ...cells: string[]) => (on ? cells : []);
  return formatTable(
    [
      'trainer',
      'samples/s median (min–max)',
      ...baselines.map((b) => `vs ${b}`),
      ...only(perStep, 'ms/step'),
      ...only(machine, 'threads'),
      'GFLOP/s',
      ...only(machine, '% of ceiling'),
      ...only(tested, 'accuracy@1', `accuracy@${1 + w.epochs}`),
      ...only(machine, 'peak RSS'),
    ],
    rows.map((s) => {
      const { rate, share } = arithmetic(w, s, ceilings);
      return [
        s.trainer,
        speed(s),
        ...baselines.map((b) => times(ratio(s.samplesPerSecond?.median, baseline(b)))),
        ...only(perStep, ms(s.stepMs)),
        ...only(machine, s.status === 'ok' ? String(s.threads ?? 1) : DASH),
        gflopsText(rate),
        ...only(machine, percent(share)),
        ...only(tested, percent(s.accuracy1), percent(s.accuracyLast)),
        ...only(machine, megabytes(s.peakRss)),
      ];
    }),
  );
}

/**
 * The ceiling lines: backend-ts's best float32 matMul with each thread count (a count the
 * backend did not honour says so), or why there is none.
 */
export function ceilingReport(ceilings: readonly Ceiling[], quick = false): string {
  const [m, inner, n] = CEILING_SHAPE;
  const repeats = quick ? CEILING_REPEATS.quick : CEILING_REPEATS.full;
  const head = `Ceiling: backend-ts float32 matMul ${m}×${inner} · ${inner}×${n}, the best of ${repeats} products (and of the repetitions)`;
  if (ceilings.length === 0) return `${head}: not measured.`;
  const plural = (k: number) => `${k} thread${k === 1 ? '' : 's'}`;
  return [
    `${head}:`,
    ...ceilings.map((c) =>
      c.threads === c.requestedThreads
        ? `- ${plural(c.threads)}: ${fixed(c.gflops, 1)} GFLOP/s`
        : `- ${plural(c.requestedThreads)} asked, ${c.threads} ran: ${fixed(c.gflops, 1)} GFLOP/s`,
    ),
  ].join('\n');
}

/**
 * Why --quick fails: a trainer that did not run (the npm peers are dev dependencies of this
 * package, so each is installed wherever the bench is; PyTorch, which is not, is skipped
 * instead), a W1 accuracy@1 below the floor, or W4 gradients that differ by more than
 * `GRADIENT_TOLERANCE` between methods.
 */
export function quickFailures(summaries: readonly Summary[]): string[] {
  return summaries.flatMap((s) => {
    if (s.status === 'skipped') return [];
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

/** A workload's table, then a line per trainer that failed, was skipped or left a note. */
export function workloadReport(
  w: Workload,
  summaries: readonly Summary[],
  ceilings: readonly Ceiling[] = [],
  columns: TableColumns = NODE_COLUMNS,
): string {
  const rows = summaries.filter((s) => s.workload === w.name);
  const notes = rows.flatMap((s) => [
    ...(s.error === undefined
      ? []
      : [`- ${s.trainer}: ${s.status} (${s.failures} of ${s.runs} runs): ${errorLine(s.error)}`]),
    ...(s.note === undefined ? [] : [`- ${s.trainer}: ${s.note}`]),
  ]);
  return [
    workloadTable(w, summaries, ceilings, columns),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}

/** The lines that name where the bench page ran: the browser, its WebGPU adapter and WebGL. */
export function browserReport(environment: BrowserEnvironment): string {
  const { webgpu, webgl } = environment;
  const adapter =
    'unavailable' in webgpu
      ? `none (${webgpu.unavailable})`
      : [webgpu.vendor, webgpu.architecture, webgpu.description].filter(Boolean).join(' · ');
  const renderer = 'unavailable' in webgl ? `none (${webgl.unavailable})` : webgl.renderer;
  return [
    `Browser: ${environment.browser}`,
    `- WebGPU adapter: ${adapter}`,
    `- WebGL renderer: ${renderer}`,
  ].join('\n');
}
