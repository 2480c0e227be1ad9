import { describe, expect, it } from 'vitest';
import type { Result, WorkloadName } from '../src/protocol.js';
import {
  errorLine,
  formatTable,
  quickFailures,
  type Run,
  summarize,
  targetReport,
  workloadReport,
  workloadTable,
} from '../src/report.js';

const ok = (
  trainer: string,
  workload: WorkloadName,
  repetition: number,
  result: Partial<Result>,
): Run => ({
  trainer,
  workload,
  repetition,
  status: 'ok',
  seconds: 1,
  result: { trainer, workload, peakRss: 100 * 2 ** 20, ...result },
});

const w1 = (trainer: string, speeds: number[], accuracy1 = 0.9): Run[] =>
  speeds.map((samplesPerSecond, i) =>
    ok(trainer, 'W1', i + 1, { samplesPerSecond, accuracy1, accuracy5: 0.95 }),
  );

describe('summarize', () => {
  it('takes medians and the range over repetitions, per (workload, trainer)', () => {
    const runs = [
      ...w1('ts-float32', [3000, 1000, 2000]),
      ok('ts-float32', 'W3', 1, { stepMs: 2 }),
    ];
    const [first, second] = summarize(runs);
    expect(first).toMatchObject({
      trainer: 'ts-float32',
      workload: 'W1',
      status: 'ok',
      runs: 3,
      failures: 0,
      samplesPerSecond: { median: 2000, min: 1000, max: 3000 },
      accuracy1: 0.9,
      accuracy5: 0.95,
      peakRss: 100 * 2 ** 20,
    });
    expect(second).toMatchObject({ workload: 'W3', stepMs: 2 });
  });

  it('keeps failures: a trainer with no successful run takes the failure’s status', () => {
    const runs: Run[] = [
      ...w1('a', [1000]),
      {
        trainer: 'a',
        workload: 'W1',
        repetition: 2,
        status: 'failed',
        seconds: 1,
        error: 'Error: boom',
      },
      {
        trainer: 'b',
        workload: 'W1',
        repetition: 1,
        status: 'not installed',
        seconds: 1,
        error: 'x',
      },
    ];
    const [a, b] = summarize(runs);
    expect(a).toMatchObject({ status: 'ok', runs: 2, failures: 1, error: 'Error: boom' });
    expect(b).toMatchObject({ status: 'not installed', runs: 1, failures: 1 });
    expect(b?.samplesPerSecond).toBeUndefined();
  });

  it('takes per-method medians of W4 gradient times and the largest difference', () => {
    const runs = [1, 2, 3].map((r) =>
      ok('ts-float32', 'W4', r, {
        gradientMs: { 'two-step': r, classic: 2 * r },
        maxRelativeDifference: r * 1e-7,
      }),
    );
    expect(summarize(runs)[0]).toMatchObject({
      gradientMs: { 'two-step': 2, classic: 4 },
      maxRelativeDifference: 3e-7,
    });
  });
});

describe('tables', () => {
  it('aligns columns, numbers to the right', () => {
    expect(
      formatTable(
        ['name', 'n'],
        [
          ['a', '1'],
          ['bbb', '100'],
        ],
      ),
    ).toBe(['| name |   n |', '|------|----:|', '| a    |   1 |', '| bbb  | 100 |'].join('\n'));
  });

  it('shows ratios against the tfjs-layers peers, and – when a peer is missing', () => {
    const runs = [...w1('ts-float32', [4000, 3000, 5000]), ...w1('tfjs-layers-cpu', [2000])];
    const table = workloadTable('W1', summarize(runs));
    const lines = table.split('\n');
    expect(lines[0]).toMatch(
      /trainer .*samples\/s median \(min–max\) .*vs tfjs-layers-cpu .*vs tfjs-layers-wasm .*accuracy@1 .*accuracy@5 .*peak RSS/,
    );
    expect(lines[2]).toMatch(
      /\| ts-float32 +\| +4,000 \(3,000–5,000\) \| +2\.00× \| +– \| +90\.0 % \| +95\.0 % \| +100 MB \|/,
    );
    expect(lines[3]).toMatch(/\| tfjs-layers-cpu +\| +2,000 \| +1\.00× \| +– \|/);
  });

  it('W3 adds ms/step; W4 has a column per method and the difference', () => {
    expect(
      workloadTable('W3', summarize([ok('t', 'W3', 1, { samplesPerSecond: 500, stepMs: 2 })])),
    ).toMatch(/ms\/step[\s\S]*\| +2 \|/);
    const w4 = workloadTable(
      'W4',
      summarize([
        ok('t', 'W4', 1, {
          gradientMs: { 'two-step': 9.123, classic: 10 },
          maxRelativeDifference: 0,
        }),
        ok('p', 'W4', 1, { gradientMs: { autodiff: 36.25 }, maxRelativeDifference: 8.3e-8 }),
      ]),
    );
    expect(w4).toMatch(/two-step ms \| classic ms \| autodiff ms \| max rel diff/);
    expect(w4).toMatch(/\| t +\| +9\.12 \| +10 \| +– \| +0 \|/);
    expect(w4).toMatch(/\| p +\| +– \| +– \| +36\.3 \| +8\.3e-8 \|/);
  });

  it('reports failures and notes under the table, naming the error line', () => {
    const runs: Run[] = [
      {
        trainer: 'x',
        workload: 'W2',
        repetition: 1,
        status: 'failed',
        seconds: 1,
        error: '=====\nHi, tfjs\n=====\nError: no RealDiv\n    at f (a.js:1)',
      },
      ok('y', 'W2', 1, { samplesPerSecond: 10, note: 'sigmoid everywhere' }),
    ];
    const report = workloadReport('W2', summarize(runs));
    expect(report).toMatch(/\| x +\| failed +\|/);
    expect(report).toContain('- x: failed (1 of 1 runs): Error: no RealDiv');
    expect(report).toContain('- y: sigmoid everywhere');
    expect(errorLine('TypeError: bad\n  at x')).toBe('TypeError: bad');
    expect(errorLine('killed by SIGTERM')).toBe('killed by SIGTERM');
  });
});

describe('--quick', () => {
  it('fails on a trainer that did not run, a W1 accuracy@1 below 0.8, or W4 gradients apart', () => {
    const runs: Run[] = [
      ...w1('ts-float32', [1000], 0.85),
      ...w1('brain-js', [1000], 0.5),
      {
        trainer: 'tfjs-cpu',
        workload: 'W2',
        repetition: 1,
        status: 'failed',
        seconds: 1,
        error: 'e',
      },
      {
        trainer: 'tfjs-layers-cpu',
        workload: 'W1',
        repetition: 1,
        status: 'not installed',
        seconds: 1,
        error: 'e',
      },
      ok('tfjs-autodiff-cpu', 'W1', 1, { note: 'W4 only' }),
      ok('tfjs-autodiff-cpu', 'W4', 1, { maxRelativeDifference: 2e-7 }),
      ok('tfjs-autodiff-wasm', 'W4', 1, { maxRelativeDifference: 0.3 }),
    ];
    expect(quickFailures(summarize(runs))).toEqual([
      'brain-js W1: accuracy@1 0.5 is below 0.8',
      'tfjs-layers-cpu W1: not installed',
      'tfjs-cpu W2: failed',
      'tfjs-autodiff-wasm W4: gradients differ by 0.3 (relative), above 0.0001',
    ]);
  });

  it('passes when every trainer ran, every accuracy is above the floor and gradients agree', () => {
    const runs = [
      ...w1('ts-float32', [1000], 0.83),
      ok('ts-float32', 'W4', 1, { maxRelativeDifference: 0 }),
    ];
    expect(quickFailures(summarize(runs))).toEqual([]);
  });
});

describe('targets', () => {
  const peers = ['tfjs-layers-cpu', 'tfjs-layers-wasm', 'brain-js'];
  it('prints each target with its measured value, met or not', () => {
    const runs: Run[] = [
      ...w1('ts-float32', [12_000]),
      ...w1('tfjs-wasm', [12_000]),
      ...w1('tfjs-cpu', [2_300]),
      ...w1('tfjs-layers-cpu', [2_000]),
      ...w1('tfjs-layers-wasm', [10_000]),
      ok('tfjs-wasm', 'W1', 2, { samplesPerSecond: 12_000, accuracy5: 0.93 }),
      ok('ts-float32', 'W2', 1, { samplesPerSecond: 5_000 }),
      ok('brain-js', 'W2', 1, { samplesPerSecond: 6_000 }),
      ok('tfjs-layers-wasm', 'W2', 1, { samplesPerSecond: 4_000 }),
    ];
    expect(targetReport(summarize(runs), peers).split('\n')).toEqual([
      '✓ W1 ts-float32 ≥ 6× tfjs-layers-cpu: 6.00×',
      '✗ W1 ts-float32 ≥ 1.5× tfjs-layers-wasm: 1.20×',
      '✗ W1 tfjs-wasm ≥ 1.3× tfjs-layers-wasm: 1.20×',
      '✗ W1 tfjs-cpu ≥ 1.2× tfjs-layers-cpu: 1.15×',
      '✗ W2 ts-float32 not slower than the fastest peer (brain-js): 5,000 vs 6,000 samples/s',
      '✓ W1 ts-float32 accuracy@5 within 0.5 points of tfjs-layers: 95.0 % vs 95.0 %',
      '✗ W1 tfjs-wasm accuracy@5 within 0.5 points of tfjs-layers: 94.0 % vs 95.0 %',
      '✓ W1 tfjs-cpu accuracy@5 within 0.5 points of tfjs-layers: 95.0 % vs 95.0 %',
    ]);
  });

  it('leaves out targets whose trainers did not run', () => {
    expect(targetReport(summarize(w1('ts-float32', [1000])), peers)).toBe('');
  });
});
