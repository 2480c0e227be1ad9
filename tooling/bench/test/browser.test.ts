/**
 * `pnpm bench --browser` end to end (dist/cli.js and the built page; turbo builds both first):
 * webgpu and ts-float32 on W1 --quick in Chromium. The page trains on the same digits and
 * initial weights as the Node worker: ts-float32 reaches the very same accuracies there.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BrowserEnvironment } from '../src/browser.js';
import type { Result } from '../src/protocol.js';
import type { Summary } from '../src/report.js';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const node = (...args: string[]) => promisify(execFile)(process.execPath, args);

describe.runIf(existsSync(join(DIST, 'browser', 'index.html')))('pnpm bench --browser', () => {
  it('runs W1 on webgpu and ts-float32 in Chromium, names the adapter and writes the JSON', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'twostep-bench-')), 'browser.json');
    const args = ['--browser', '--quick', '--trainers', 'webgpu,ts-float32', '--workloads', 'W1'];
    const { stdout, stderr } = await node(join(DIST, 'cli.js'), ...args, '--out', out);
    expect(stderr).toMatch(/\[2\/2\] W1 ts-float32 #1: [\d.]+ s\n/);
    expect(stdout).toMatch(/^Browser: Chromium \d+/m);
    expect(stdout).toMatch(/^- WebGPU adapter: \w/m);
    expect(stdout).toMatch(/\| trainer +\| samples\/s median \(min–max\) \| vs tfjs-webgpu \|/);
    expect(stdout).toMatch(/✓ W1 webgpu accuracy@2 within 0\.5 points of ts-float32/);

    const json = JSON.parse(readFileSync(out, 'utf8')) as {
      environment: BrowserEnvironment;
      options: { browser: boolean };
      summaries: Summary[];
    };
    expect(json.options.browser).toBe(true);
    expect(json.environment.webgpu).toHaveProperty('vendor');
    const [webgpu, ts] = ['webgpu', 'ts-float32'].map(
      (t) => json.summaries.find((s) => s.trainer === t)!,
    );
    expect(webgpu).toMatchObject({ status: 'ok', failures: 0 });
    expect(webgpu!.samplesPerSecond!.median).toBeGreaterThan(0);
    expect(webgpu!.accuracy1).toBeGreaterThanOrEqual(0.8);

    // The Node worker's ts-float32: the same digits, weights and batches, the same backend.
    const worker = await node(join(DIST, 'worker.js'), 'ts-float32', 'W1', '--quick');
    const inNode = JSON.parse(worker.stdout.trim().split('\n').at(-1)!) as Result;
    expect(ts!.accuracy1).toBe(inNode.accuracy1);
    expect(ts!.accuracyLast).toBe(inNode.accuracyLast);
  }, 300_000);
});

it('has a built bench page to test', () => {
  expect(
    existsSync(join(DIST, 'browser', 'index.html')),
    `${DIST}browser is missing: run \`pnpm --filter @twostep/bench build\``,
  ).toBe(true);
});
