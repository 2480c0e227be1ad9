import { describe, expect, it } from 'vitest';
import type { Ceiling } from '../src/protocol.js';
import type { Run } from '../src/report.js';
import { summarize } from '../src/report.js';
import { BROWSER_TARGETS, targetReport } from '../src/targets.js';
import { notRun, ok, w1 } from './helpers.js';

const peers = ['tfjs-layers-cpu', 'tfjs-layers-wasm', 'brain-js', 'pytorch', 'pytorch-threads'];
const ceilings: Ceiling[] = [
  { requestedThreads: 1, threads: 1, gflops: 40 },
  { requestedThreads: 2, threads: 2, gflops: 80 },
];
const report = (runs: Run[], more: { ceilings?: Ceiling[] } = { ceilings }) =>
  targetReport(summarize(runs), { peers, ...more }).split('\n');

const speed = (trainer: string, workload: Run['workload'], samplesPerSecond: number) =>
  ok(trainer, workload, 1, { samplesPerSecond });

describe('targets', () => {
  it('prints each target with its measured value, met or not', () => {
    const runs: Run[] = [
      ...w1('ts-float32', [40_000]),
      ...w1('ts-float32-threads', [60_000]),
      ...w1('tfjs-wasm', [12_000]),
      ...w1('tfjs-cpu', [2_300]),
      ...w1('tfjs-layers-cpu', [2_000]),
      ...w1('tfjs-layers-wasm', [5_000]),
      ok('tfjs-wasm', 'W1', 2, { samplesPerSecond: 12_000, accuracyLast: 0.93 }),
      ok('pytorch-threads', 'W1', 1, { samplesPerSecond: 50_000, accuracyLast: 0.951 }),
      speed('ts-float32', 'W2', 5_000),
      speed('brain-js', 'W2', 6_000),
      speed('tfjs-layers-wasm', 'W2', 4_000),
      speed('ts-float32', 'W3', 2_000),
      speed('tfjs-wasm', 'W3', 1_000),
      speed('tfjs-layers-wasm', 'W3', 400),
      speed('pytorch', 'W3', 2_100),
      // 20,000 samples/s × 3,213,352 FLOPs = 64.3 GFLOP/s: 80.3 % of 80.
      speed('ts-float32-threads', 'W5', 20_000),
      speed('ts-float32', 'W5', 12_000),
      speed('pytorch-threads', 'W5', 11_000),
    ];
    expect(report(runs)).toEqual([
      '✓ W1 ts-float32 ≥ 6× tfjs-layers-cpu: 20.00×',
      '✓ W1 ts-float32 ≥ 8× tfjs-layers-wasm: 8.00×',
      '✗ W1 ts-float32-threads ≥ 1.7× ts-float32: 1.50×',
      '✓ W1 tfjs-wasm ≥ 1.3× tfjs-layers-wasm: 2.40×',
      '✗ W1 tfjs-cpu ≥ 1.2× tfjs-layers-cpu: 1.15×',
      '✓ W3 ts-float32 ≥ 2× tfjs-wasm: 2.00×',
      '✓ W3 ts-float32 ≥ 5× tfjs-layers-wasm: 5.00×',
      '✗ W3 ts-float32 faster than pytorch: 0.95×',
      '✓ W1 the fastest twostep trainer (ts-float32-threads) faster than pytorch-threads: 1.20×',
      '✓ W5 the fastest twostep trainer (ts-float32-threads) faster than pytorch-threads: 1.82×',
      '✓ W5 ts-float32-threads ≥ 60% of the all-threads matMul ceiling (2 threads, 80.0 GFLOP/s): 64.3 GFLOP/s, 80.3 %',
      '✗ W2 ts-float32 not slower than the fastest peer (brain-js): 5,000 vs 6,000 samples/s',
      '✗ W3 ts-float32 not slower than the fastest peer (pytorch): 2,000 vs 2,100 samples/s',
      '✓ W1 ts-float32 accuracy@5 within 0.5 points of tfjs-layers-cpu: 95.0 % vs 95.0 %',
      '✓ W1 ts-float32-threads accuracy@5 within 0.5 points of tfjs-layers-cpu: 95.0 % vs 95.0 %',
      '✗ W1 tfjs-wasm accuracy@5 within 0.5 points of tfjs-layers-cpu: 94.0 % vs 95.0 %',
      '✓ W1 tfjs-cpu accuracy@5 within 0.5 points of tfjs-layers-cpu: 95.0 % vs 95.0 %',
      '✓ W1 tfjs-layers-wasm accuracy@5 within 0.5 points of tfjs-layers-cpu: 95.0 % vs 95.0 %',
      '✓ W1 pytorch-threads accuracy@5 within 0.5 points of tfjs-layers-cpu: 95.1 % vs 95.0 %',
    ]);
  });

  it('prints a target whose peer was skipped (PyTorch missing) as skipped with why, not ✗', () => {
    const why =
      'PyTorch not found (tried python3: not found): install it with `pip install torch`.';
    const runs: Run[] = [
      speed('ts-float32', 'W3', 2_000),
      notRun('pytorch', 'W3', 'skipped', why),
      speed('ts-float32', 'W5', 12_000),
      notRun('pytorch-threads', 'W5', 'skipped', why),
    ];
    expect(report(runs)).toEqual([
      `– W3 ts-float32 faster than pytorch: skipped, pytorch did not run (skipped: ${why})`,
      `– W5 the fastest twostep trainer (ts-float32) faster than pytorch-threads: skipped, pytorch-threads did not run (skipped: ${why})`,
    ]);
  });

  it('skips the ceiling target when the ceiling was not measured, or its trainer failed', () => {
    expect(report([speed('ts-float32-threads', 'W5', 20_000)], { ceilings: [] })).toEqual([
      '– W5 ts-float32-threads ≥ 60% of the all-threads matMul ceiling: skipped, the ceiling was not measured',
    ]);
    expect(report([notRun('ts-float32-threads', 'W5', 'failed', 'Error: boom\n  at x')])).toEqual([
      '– W5 ts-float32-threads ≥ 60% of the all-threads matMul ceiling: skipped, ts-float32-threads did not run (failed: Error: boom)',
    ]);
  });

  it('leaves out targets whose trainers were not part of the run', () => {
    expect(report(w1('ts-float32', [1000]))).toEqual(['']);
  });

  it('holds the bench page to its own targets: webgpu against tfjs on the same adapter, accuracy against ts-float32', () => {
    const page = (trainer: string, w: Run['workload'], samplesPerSecond: number, last: number) =>
      ok(trainer, w, 1, { samplesPerSecond, accuracy1: 0.9, accuracyLast: last });
    const runs: Run[] = [
      page('webgpu', 'W1', 1_500, 0.95),
      page('tfjs-webgpu', 'W1', 500, 0.951),
      page('tfjs-webgl', 'W1', 1_000, 0.94),
      page('ts-float32', 'W1', 40_000, 0.952),
      page('webgpu', 'W5', 300, 0.9),
      notRun('tfjs-webgpu', 'W5', 'skipped', 'no WebGPU adapter'),
      page('tfjs-webgl', 'W5', 100, 0.9),
    ];
    const lines = targetReport(summarize(runs), { peers: [], targets: BROWSER_TARGETS });
    expect(lines.split('\n')).toEqual([
      '✓ W1 webgpu ≥ 1.5× tfjs-webgpu: 3.00×',
      '✗ W1 webgpu ≥ 2× tfjs-webgl: 1.50×',
      '– W5 webgpu ≥ 1.5× tfjs-webgpu: skipped, tfjs-webgpu did not run (skipped: no WebGPU adapter)',
      '✓ W5 webgpu ≥ 2× tfjs-webgl: 3.00×',
      // The reference is not held against itself.
      '✓ W1 webgpu accuracy@5 within 0.5 points of ts-float32: 95.0 % vs 95.2 %',
      '✓ W1 tfjs-webgpu accuracy@5 within 0.5 points of ts-float32: 95.1 % vs 95.2 %',
      '✗ W1 tfjs-webgl accuracy@5 within 0.5 points of ts-float32: 94.0 % vs 95.2 %',
    ]);
  });
});
