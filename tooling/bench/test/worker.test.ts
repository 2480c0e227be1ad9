import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Ceiling, Result } from '../src/protocol.js';

const WORKER = fileURLToPath(new URL('../dist/worker.js', import.meta.url));
const run = (...args: string[]) => promisify(execFile)(process.execPath, [WORKER, ...args]);

describe.runIf(existsSync(WORKER))('the worker (dist/worker.js; turbo builds it first)', () => {
  it('runs W1 on ts-float32 in --quick mode and prints a sane Result', async () => {
    const { stdout } = await run('ts-float32', 'W1', '--quick');
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as Result;
    expect(result).toMatchObject({ trainer: 'ts-float32', workload: 'W1' });
    expect(result.samplesPerSecond).toBeGreaterThan(100);
    expect(result.stepMs).toBeGreaterThan(0);
    expect(result.accuracy1).toBeGreaterThanOrEqual(0.8);
    expect(result.accuracy1).toBeLessThanOrEqual(1);
    // --quick W1 is 1 warm-up + 1 timed epoch: the last is the second.
    expect(result.accuracyLast).toBeGreaterThanOrEqual(0.8);
    expect(result.threads).toBe(1);
    expect(result.peakRss).toBeGreaterThan(20 * 2 ** 20);
  });

  it('measures the matMul ceiling with one thread first, in GFLOP/s', async () => {
    const { stdout } = await run('ceiling', '--quick');
    const ceilings = JSON.parse(stdout.trim().split('\n').at(-1)!) as Ceiling[];
    expect(ceilings[0]).toMatchObject({ requestedThreads: 1, threads: 1 });
    for (const c of ceilings) {
      expect(c.threads).toBeLessThanOrEqual(c.requestedThreads);
      expect(c.gflops).toBeGreaterThan(0.5);
    }
  });

  it('fails with exit code 1 and a message for an unknown trainer', async () => {
    await expect(run('nope', 'W1', '--quick')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/unknown trainer "nope"/),
    });
  });
});

it('has a built worker to test', () => {
  expect(
    existsSync(WORKER),
    `${WORKER} is missing: run \`pnpm --filter @twostep/bench build\``,
  ).toBe(true);
});
