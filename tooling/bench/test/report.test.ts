import { describe, expect, it } from 'vitest';
import type { Ceiling } from '../src/protocol.js';
import {
  BROWSER_COLUMNS,
  browserReport,
  ceilingReport,
  errorLine,
  formatTable,
  quickFailures,
  type Run,
  summarize,
  workloadReport,
  workloadTable,
} from '../src/report.js';
import { WORKLOADS, workload } from '../src/workloads.js';
import { notRun, ok, w1 } from './helpers.js';

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
      accuracyLast: 0.95,
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
    const table = workloadTable(WORKLOADS.W1, summarize(runs));
    const lines = table.split('\n');
    expect(lines[0]).toMatch(
      /trainer .*samples\/s median \(min–max\) .*vs tfjs-layers-cpu .*vs tfjs-layers-wasm .*threads .*GFLOP\/s .*% of ceiling .*accuracy@1 .*accuracy@5 .*peak RSS/,
    );
    // 4,000 samples/s × 409,640 FLOPs = 1.64 GFLOP/s; no ceiling measured: –.
    expect(lines[2]).toMatch(
      /\| ts-float32 +\| +4,000 \(3,000–5,000\) \| +2\.00× \| +– \| +1 \| +1\.64 \| +– \| +90\.0 % \| +95\.0 % \| +100 MB \|/,
    );
    expect(lines[3]).toMatch(/\| tfjs-layers-cpu +\| +2,000 \| +1\.00× \| +– \|/);
  });

  it('reads GFLOP/s against the ceiling at the trainer’s own thread count', () => {
    const ceilings: Ceiling[] = [
      { requestedThreads: 1, threads: 1, gflops: 40 },
      { requestedThreads: 2, threads: 2, gflops: 80 },
    ];
    const runs = [
      ok('ts-float32', 'W1', 1, { samplesPerSecond: 10_000, threads: 1 }),
      ok('ts-float32-threads', 'W1', 1, { samplesPerSecond: 20_000, threads: 2 }),
      // A peer that reports no threads computes on one.
      ok('tfjs-layers-wasm', 'W1', 1, { samplesPerSecond: 5_000 }),
    ];
    const lines = workloadTable(WORKLOADS.W1, summarize(runs), ceilings).split('\n');
    // 4.10 GFLOP/s of 40 (one thread), 8.19 of 80 (two), 2.05 of 40.
    expect(lines[2]).toMatch(/\| ts-float32 +\|.*\| +1 \| +4\.10 \| +10\.2 % \|/);
    expect(lines[3]).toMatch(/\| ts-float32-threads +\|.*\| +2 \| +8\.19 \| +10\.2 % \|/);
    expect(lines[4]).toMatch(/\| tfjs-layers-wasm +\|.*\| +1 \| +2\.05 \| +5\.1 % \|/);
  });

  it('labels the last accuracy by the epoch it was taken after (W5: 3; --quick W1: 2)', () => {
    const runs = [ok('t', 'W5', 1, { samplesPerSecond: 1, accuracy1: 0.8, accuracyLast: 0.9 })];
    expect(workloadTable(WORKLOADS.W5, summarize(runs)).split('\n')[0]).toMatch(
      /GFLOP\/s .*accuracy@1 \| accuracy@3 \|/,
    );
    expect(workloadTable(workload('W1', true), summarize(w1('t', [1]))).split('\n')[0]).toMatch(
      /accuracy@1 \| accuracy@2 \|/,
    );
    // W2 and W3 have no test set: no accuracy columns.
    expect(workloadTable(WORKLOADS.W2, summarize([ok('t', 'W2', 1, {})]))).not.toMatch(/accuracy/);
  });

  it('in the bench page, compares with tfjs-webgpu and tfjs-webgl, without threads, ceiling or RSS', () => {
    const runs = [
      ok('webgpu', 'W1', 1, { samplesPerSecond: 3_000, accuracy1: 0.9, accuracyLast: 0.95 }),
      ok('tfjs-webgpu', 'W1', 1, { samplesPerSecond: 1_500, accuracy1: 0.9, accuracyLast: 0.95 }),
      notRun('tfjs-webgl', 'W1', 'skipped', 'no WebGL2 context'),
    ];
    const lines = workloadReport(WORKLOADS.W1, summarize(runs), [], BROWSER_COLUMNS).split('\n');
    expect(lines[0]).toMatch(
      /^\| trainer +\| samples\/s median \(min–max\) \| vs tfjs-webgpu \| vs tfjs-webgl \| GFLOP\/s \| accuracy@1 \| accuracy@5 \|$/,
    );
    // 3,000 samples/s × 409,640 FLOPs = 1.23 GFLOP/s.
    expect(lines[2]).toMatch(
      /^\| webgpu +\| 3,000 +\| +2\.00× \| +– \| +1\.23 \| +90\.0 % \| +95\.0 % \|$/,
    );
    expect(lines[4]).toMatch(/^\| tfjs-webgl +\| skipped +\|/);
    expect(lines.at(-1)).toBe('- tfjs-webgl: skipped (1 of 1 runs): no WebGL2 context');
  });

  it('names the browser, its WebGPU adapter and its WebGL renderer, or why there is none', () => {
    expect(
      browserReport({
        browser: 'Chromium 156.0.8078.114',
        userAgent: 'Mozilla/5.0',
        webgpu: { vendor: 'google', architecture: 'swiftshader', description: '' },
        webgl: { renderer: 'ANGLE (Google, SwiftShader driver)' },
      }).split('\n'),
    ).toEqual([
      'Browser: Chromium 156.0.8078.114',
      '- WebGPU adapter: google · swiftshader',
      '- WebGL renderer: ANGLE (Google, SwiftShader driver)',
    ]);
    expect(
      browserReport({
        browser: 'Chromium 156',
        userAgent: '',
        webgpu: { unavailable: 'requestAdapter() gave no adapter' },
        webgl: { unavailable: 'no WebGL2 context' },
      }),
    ).toMatch(
      /adapter: none \(requestAdapter\(\) gave no adapter\)\n- WebGL renderer: none \(no WebGL2 context\)$/,
    );
  });

  it('prints the ceiling per thread count, saying when the backend ran fewer than asked', () => {
    expect(
      ceilingReport([
        { requestedThreads: 1, threads: 1, gflops: 41.25 },
        { requestedThreads: 2, threads: 2, gflops: 79.9 },
      ]).split('\n'),
    ).toEqual([
      'Ceiling: backend-ts float32 matMul 512×512 · 512×128, the best of 40 products (and of the repetitions):',
      '- 1 thread: 41.3 GFLOP/s',
      '- 2 threads: 79.9 GFLOP/s',
    ]);
    expect(ceilingReport([{ requestedThreads: 2, threads: 1, gflops: 40 }], true)).toMatch(
      /best of 15 products[\s\S]*- 2 threads asked, 1 ran: 40\.0 GFLOP\/s/,
    );
    expect(ceilingReport([])).toMatch(/not measured/);
  });

  it('shows a skipped peer as skipped, with the line that says how to get it', () => {
    const hint =
      'PyTorch not found (tried python3: not found): install it with `pip install torch`.';
    const runs = [...w1('ts-float32', [1000]), notRun('pytorch', 'W1', 'skipped', hint)];
    const report = workloadReport(WORKLOADS.W1, summarize(runs));
    expect(report).toMatch(/\| pytorch +\| skipped +\|/);
    expect(report).toContain(`- pytorch: skipped (1 of 1 runs): ${hint}`);
  });

  it('W3 adds ms/step; W4 has a column per method and the difference', () => {
    expect(
      workloadTable(
        WORKLOADS.W3,
        summarize([ok('t', 'W3', 1, { samplesPerSecond: 500, stepMs: 2 })]),
      ),
    ).toMatch(/ms\/step[\s\S]*\| +2 \|/);
    const w4 = workloadTable(
      WORKLOADS.W4,
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
    const report = workloadReport(WORKLOADS.W2, summarize(runs));
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
      // PyTorch is not an npm package: CI has none, and the quick bench passes without it.
      notRun('pytorch', 'W1', 'skipped'),
      notRun('pytorch-threads', 'W5', 'skipped'),
    ];
    expect(quickFailures(summarize(runs))).toEqual([]);
  });
});
