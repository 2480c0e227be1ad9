/**
 * The statistics of a study, as a reviewer would ask for them: per cell (a setting over its
 * seeds) the mean and 95% confidence interval; between the rules, paired comparisons on the
 * same seeds (Wilcoxon signed-rank, its p-value Holm-corrected for the number of comparisons,
 * and the matched-pairs rank-biserial correlation as the effect size).
 */
import quantile from '@stdlib/stats-base-dists-t-quantile';
import wilcoxon from '@stdlib/stats-wilcoxon';
import { canonical, type RunSettings } from './grid.js';
import type { RunRecord } from './run.js';

/** A mean over seeds with its 95% confidence interval (Student's t); no interval from one value. */
export interface Estimate {
  readonly n: number;
  readonly mean: number;
  readonly low: number;
  readonly high: number;
}

/** The values a mean can take: accuracies lie in [0, 1], losses and times in [0, ∞). */
export type Bounds = readonly [low: number, high: number];
export const FRACTION: Bounds = [0, 1];
export const NONNEGATIVE: Bounds = [0, Number.POSITIVE_INFINITY];

/**
 * The mean of `values` and its 95% confidence interval, mean ± t(0.975, n − 1) · s / √n, cut at
 * `bounds`: the mean cannot leave them, so the cut interval holds it whenever the whole one does
 * (a few seeds near 100% would otherwise reach past it).
 */
export function estimate(values: readonly number[], [min, max]: Bounds): Estimate {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { n, mean, low: Number.NaN, high: Number.NaN };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const half = quantile(0.975, n - 1) * Math.sqrt(variance / n);
  return { n, mean, low: Math.max(min, mean - half), high: Math.min(max, mean + half) };
}

/** How a rule is named in tables: `twoStep global`, `twoStep layerwise`, `classic`, `autodiff`. */
export const variantOf = (s: Pick<RunSettings, 'rule' | 'mode'>): string =>
  s.rule === 'twoStep' ? `twoStep ${s.mode}` : s.rule;

/** The settings a cell's runs share: all but the seed. */
const cellKey = ({ seed: _, ...rest }: RunSettings) => canonical(rest);
/** The settings a comparison's rules share: all but the rule, the mode and the seed. */
const contextKey = ({ seed: _, rule: __, mode: ___, ...rest }: RunSettings) => canonical(rest);

/** Seconds from the start of training to the end of the first epoch at `target` test accuracy. */
export function timeToTarget(record: RunRecord, target: number): number | undefined {
  let seconds = 0;
  for (const [i, epoch] of record.epochs.entries()) {
    seconds += record.seconds[i]!;
    if (epoch.testAccuracy >= target) return seconds;
  }
  return undefined;
}

/** One setting over its seeds. */
export interface Cell {
  readonly settings: Omit<RunSettings, 'seed'>;
  readonly variant: string;
  readonly seeds: number[];
  /** Final test accuracy and loss (runs that diverged count with their last epoch, or 0 and ∞). */
  readonly testAccuracy: Estimate;
  readonly testLoss: Estimate;
  readonly trainAccuracy: Estimate;
  /** Wall seconds of an epoch's training, each run's mean. */
  readonly secondsPerEpoch: Estimate;
  /** Time to the target accuracy over the runs that reached it, and how many did. */
  readonly timeToTarget: Estimate;
  readonly reached: number;
  readonly diverged: number;
}

const last = (r: RunRecord) => r.epochs.at(-1);

/** Items grouped by `key`, groups and items in the order they first appear. */
export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** The cells of `records`, in the order their first run appears. */
export function cells(records: readonly RunRecord[], target: number): Cell[] {
  return [...groupBy(records, (r) => cellKey(r.settings)).values()].map((runs) => {
    const { seed: _, ...settings } = runs[0]!.settings;
    const times = runs.flatMap((r) => timeToTarget(r, target) ?? []);
    return {
      settings,
      variant: variantOf(runs[0]!.settings),
      seeds: runs.map((r) => r.settings.seed),
      testAccuracy: estimate(
        runs.map((r) => last(r)?.testAccuracy ?? 0),
        FRACTION,
      ),
      testLoss: estimate(
        runs.map((r) => last(r)?.testLoss ?? Number.POSITIVE_INFINITY),
        NONNEGATIVE,
      ),
      trainAccuracy: estimate(
        runs.map((r) => last(r)?.trainAccuracy ?? 0),
        FRACTION,
      ),
      secondsPerEpoch: estimate(
        runs.map((r) => r.seconds.reduce((a, b) => a + b, 0) / Math.max(1, r.seconds.length)),
        NONNEGATIVE,
      ),
      timeToTarget: estimate(times, NONNEGATIVE),
      reached: times.length,
      diverged: runs.filter((r) => r.diverged).length,
    };
  });
}

/** A paired comparison of two rules' final test accuracies on the seeds both ran. */
export interface Comparison {
  /** The settings both share (the rule, mode and seed aside). */
  readonly context: Omit<RunSettings, 'seed' | 'rule' | 'mode'>;
  readonly a: string;
  readonly b: string;
  /** Seeds both ran; the mean of a − b over them. */
  readonly pairs: number;
  readonly meanDifference: number;
  /** Wilcoxon's two-sided p-value (1 when every difference is 0) and Holm's adjustment of it. */
  readonly p: number;
  readonly pHolm: number;
  /** Rank-biserial correlation of the differences, −1 … 1 (positive: a is better). */
  readonly effect: number;
}

/**
 * The matched-pairs rank-biserial correlation of differences d: (W+ − W−) / (W+ + W−) over the
 * ranks of |d| (ties averaged, zeros dropped); 0 when every difference is 0.
 */
export function rankBiserial(differences: readonly number[]): number {
  const nonzero = differences.filter((d) => d !== 0);
  const order = nonzero.map((d, i) => [Math.abs(d), i] as const).sort((x, y) => x[0] - y[0]);
  const ranks = new Array<number>(nonzero.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let plus = 0;
  let minus = 0;
  nonzero.forEach((d, i) => {
    if (d > 0) plus += ranks[i]!;
    else minus += ranks[i]!;
  });
  return plus + minus === 0 ? 0 : (plus - minus) / (plus + minus);
}

/** Holm's step-down adjustment of p-values for their number (order kept). */
export function holm(ps: readonly number[]): number[] {
  const order = ps.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
  const adjusted = new Array<number>(ps.length);
  let running = 0;
  order.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (ps.length - k) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/**
 * Every pair of rules that ran in the same context, compared on their shared seeds by final
 * test accuracy; p-values Holm-corrected over all the comparisons returned.
 */
export function compareRules(records: readonly RunRecord[]): Comparison[] {
  const contexts = new Map<string, Map<string, Map<number, number>>>();
  const shared = new Map<string, RunRecord>();
  for (const r of records) {
    const key = contextKey(r.settings);
    shared.set(key, shared.get(key) ?? r);
    const variants = contexts.get(key) ?? new Map<string, Map<number, number>>();
    contexts.set(key, variants);
    const bySeed = variants.get(variantOf(r.settings)) ?? new Map<number, number>();
    variants.set(variantOf(r.settings), bySeed);
    bySeed.set(r.settings.seed, last(r)?.testAccuracy ?? 0);
  }
  const raw: Omit<Comparison, 'pHolm'>[] = [];
  for (const [key, variants] of contexts) {
    const { seed: _, rule: __, mode: ___, ...context } = shared.get(key)!.settings;
    const names = [...variants.keys()];
    for (let i = 0; i < names.length; i++)
      for (let j = i + 1; j < names.length; j++) {
        const [a, b] = [variants.get(names[i]!)!, variants.get(names[j]!)!];
        const seeds = [...a.keys()].filter((s) => b.has(s));
        if (seeds.length === 0) continue;
        const d = seeds.map((s) => a.get(s)! - b.get(s)!);
        const allZero = d.every((x) => x === 0);
        raw.push({
          context,
          a: names[i]!,
          b: names[j]!,
          pairs: seeds.length,
          meanDifference: d.reduce((x, y) => x + y, 0) / d.length,
          p: allZero ? 1 : wilcoxon(d).pValue,
          effect: rankBiserial(d),
        });
      }
  }
  const adjusted = holm(raw.map((c) => c.p));
  return raw.map((c, i) => ({ ...c, pHolm: adjusted[i]! }));
}
