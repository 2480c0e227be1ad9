/**
 * What the twostep trainers aim at, each measured against a peer (or the ceiling) in the same
 * run, printed after the tables with ✓ or ✗. A target whose trainers were not part of the run
 * (`--trainers`, `--workloads`) is left out; one whose peer was part of it but did not run
 * (PyTorch not installed, a failure) prints "–" with the reason, neither met nor missed.
 */
import { allThreadsCeiling, gflops } from './flops.js';
import { fixed, percent, times } from './format.js';
import type { Ceiling, WorkloadName } from './protocol.js';
import { errorLine, type Summary } from './report.js';
import { ratio } from './stats.js';
import { workload } from './workloads.js';

/** `trainer`'s samples/s at least `ratio` × `peer`'s; a ratio of 1 reads "faster than". */
export interface SpeedTarget {
  readonly workload: WorkloadName;
  readonly trainer: string;
  readonly peer: string;
  readonly ratio: number;
}

/** What one bench aims at (the Node bench's targets, the bench page's). */
export interface Targets {
  readonly speed: readonly SpeedTarget[];
  /** The fastest twostep trainer (on any backend, any threads) faster than `peer`. */
  readonly best: readonly { readonly workload: WorkloadName; readonly peer: string }[];
  /** `trainer`'s GFLOP/s at least `share` of the ceiling with all threads (ceiling.ts). */
  readonly ceiling: readonly {
    readonly workload: WorkloadName;
    readonly trainer: string;
    readonly share: number;
  }[];
  /** ts-float32 not slower than the fastest peer on these workloads. */
  readonly fastestPeer: readonly WorkloadName[];
  /**
   * W1 accuracy after the last epoch: every twostep trainer, and the peers that start from
   * twostep's weights and see its batches (`sameStartPeers`), within ACCURACY_MARGIN of
   * `reference` (same initial weights and batches).
   */
  readonly accuracy: { readonly reference: string; readonly sameStartPeers: readonly string[] };
}

/** W1 accuracy after the last epoch: within this of the reference trainer. */
export const ACCURACY_MARGIN = 0.005;

/** The Node bench's targets. */
export const NODE_TARGETS: Targets = {
  speed: [
    { workload: 'W1', trainer: 'ts-float32', peer: 'tfjs-layers-cpu', ratio: 6 },
    { workload: 'W1', trainer: 'ts-float32', peer: 'tfjs-layers-wasm', ratio: 8 },
    { workload: 'W1', trainer: 'ts-float32-threads', peer: 'ts-float32', ratio: 1.7 },
    { workload: 'W1', trainer: 'tfjs-wasm', peer: 'tfjs-layers-wasm', ratio: 1.3 },
    { workload: 'W1', trainer: 'tfjs-cpu', peer: 'tfjs-layers-cpu', ratio: 1.2 },
    { workload: 'W3', trainer: 'ts-float32', peer: 'tfjs-wasm', ratio: 2 },
    { workload: 'W3', trainer: 'ts-float32', peer: 'tfjs-layers-wasm', ratio: 5 },
    { workload: 'W3', trainer: 'ts-float32', peer: 'pytorch', ratio: 1 },
  ],
  best: [
    { workload: 'W1', peer: 'pytorch-threads' },
    { workload: 'W5', peer: 'pytorch-threads' },
  ],
  ceiling: [{ workload: 'W5', trainer: 'ts-float32-threads', share: 0.6 }],
  // W2 (per-op overhead) and W3 (per-sample steps).
  fastestPeer: ['W2', 'W3'],
  // brain.js draws its own weights: not held to the margin.
  accuracy: {
    reference: 'tfjs-layers-cpu',
    sameStartPeers: ['tfjs-layers-wasm', 'pytorch', 'pytorch-threads'],
  },
};

/**
 * The bench page's targets, on one adapter in one run: our WebGPU backend against TensorFlow.js's
 * GPU backends under the same rule, and its accuracy against backend-ts's.
 */
export const BROWSER_TARGETS: Targets = {
  speed: (['W1', 'W5'] as const).flatMap((workload) => [
    { workload, trainer: 'webgpu', peer: 'tfjs-webgpu', ratio: 1.5 },
    { workload, trainer: 'webgpu', peer: 'tfjs-webgl', ratio: 2 },
  ]),
  best: [],
  ceiling: [],
  fastestPeer: [],
  accuracy: { reference: 'ts-float32', sameStartPeers: [] },
};

type Line = { readonly mark: '✓' | '✗' | '–'; readonly text: string };

const met = (ok: boolean, text: string): Line => ({ mark: ok ? '✓' : '✗', text });

export interface TargetOptions {
  /** The peers' names: every other trainer is a twostep one. */
  readonly peers: readonly string[];
  /** The ceilings measured in the run (none: the ceiling target is skipped). */
  readonly ceilings?: readonly Ceiling[];
  /** Whether the run was --quick (the workloads' last epoch). */
  readonly quick?: boolean;
  /** Default: the Node bench's. */
  readonly targets?: Targets;
}

/** Every target that applies to the run, one line each: ✓, ✗ or – (skipped, with why). */
export function targetReport(summaries: readonly Summary[], options: TargetOptions): string {
  const { peers, ceilings = [], quick = false, targets = NODE_TARGETS } = options;
  const summary = (w: WorkloadName, t: string) =>
    summaries.find((s) => s.workload === w && s.trainer === t);
  const speedOf = (s: Summary | undefined) =>
    s?.status === 'ok' ? s.samplesPerSecond?.median : undefined;
  /** Why a trainer in the run measured nothing: its status and the line that says why. */
  const didNotRun = (s: Summary, text: string): Line => ({
    mark: '–',
    text: `${text}: skipped, ${s.trainer} did not run (${s.status}${s.error ? `: ${errorLine(s.error)}` : ''})`,
  });
  const lines: Line[] = [];

  for (const { workload: w, trainer, peer, ratio: goal } of targets.speed) {
    const [ours, theirs] = [summary(w, trainer), summary(w, peer)];
    if (!ours || !theirs) continue;
    const text = `${w} ${trainer} ${goal === 1 ? 'faster than' : `≥ ${goal}×`} ${peer}`;
    const missing = [ours, theirs].find((s) => speedOf(s) === undefined);
    if (missing) {
      lines.push(didNotRun(missing, text));
      continue;
    }
    const r = ratio(speedOf(ours), speedOf(theirs))!;
    lines.push(met(goal === 1 ? r > 1 : r >= goal, `${text}: ${times(r)}`));
  }

  for (const { workload: w, peer } of targets.best) {
    const theirs = summary(w, peer);
    const best = summaries
      .filter((s) => s.workload === w && !peers.includes(s.trainer) && speedOf(s) !== undefined)
      .sort((a, b) => speedOf(b)! - speedOf(a)!)[0];
    if (!theirs || !best) continue;
    const text = `${w} the fastest twostep trainer (${best.trainer}) faster than ${peer}`;
    const r = ratio(speedOf(best), speedOf(theirs));
    lines.push(r === undefined ? didNotRun(theirs, text) : met(r > 1, `${text}: ${times(r)}`));
  }

  for (const { workload: w, trainer, share } of targets.ceiling) {
    const ours = summary(w, trainer);
    if (!ours) continue;
    const ceiling = allThreadsCeiling(ceilings);
    const text = `${w} ${trainer} ≥ ${share * 100}% of the all-threads matMul ceiling`;
    const speed = speedOf(ours);
    if (speed === undefined) {
      lines.push(didNotRun(ours, text));
    } else if (!ceiling) {
      lines.push({ mark: '–', text: `${text}: skipped, the ceiling was not measured` });
    } else {
      const rate = gflops(workload(w, quick).architecture, speed);
      lines.push(
        met(
          rate >= share * ceiling.gflops,
          `${text} (${ceiling.threads} threads, ${fixed(ceiling.gflops, 1)} GFLOP/s): ${fixed(rate, 1)} GFLOP/s, ${percent(rate / ceiling.gflops)}`,
        ),
      );
    }
  }

  for (const w of targets.fastestPeer) {
    const ours = speedOf(summary(w, 'ts-float32'));
    const fastest = peers
      .map((p) => [p, speedOf(summary(w, p))] as const)
      .filter((e): e is readonly [string, number] => e[1] !== undefined)
      .sort((a, b) => b[1] - a[1])[0];
    if (ours !== undefined && fastest) {
      lines.push(
        met(
          ours >= fastest[1],
          `${w} ts-float32 not slower than the fastest peer (${fastest[0]}): ${fixed(ours)} vs ${fixed(fastest[1])} samples/s`,
        ),
      );
    }
  }

  const { reference: name, sameStartPeers } = targets.accuracy;
  const reference = summary('W1', name)?.accuracyLast;
  const last = 1 + workload('W1', quick).epochs;
  for (const s of summaries) {
    if (s.workload !== 'W1' || s.accuracyLast === undefined || reference === undefined) continue;
    if (s.trainer === name) continue;
    if (peers.includes(s.trainer) && !sameStartPeers.includes(s.trainer)) continue;
    const gap = Math.abs(s.accuracyLast - reference);
    lines.push(
      met(
        gap <= ACCURACY_MARGIN,
        `W1 ${s.trainer} accuracy@${last} within ${ACCURACY_MARGIN * 100} points of ${name}: ${percent(s.accuracyLast)} vs ${percent(reference)}`,
      ),
    );
  }
  return lines.map((l) => `${l.mark} ${l.text}`).join('\n');
}
