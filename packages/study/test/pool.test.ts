import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expand } from '../src/grid.js';
import { createPool, type Progress, pendingRuns, runStudy } from '../src/pool.js';
import { executeRun, type RunRecord } from '../src/run.js';
import { parseSpec } from '../src/spec.js';
import { FileStore } from '../src/store.js';

const spec = parseSpec({
  name: 'pool',
  datasets: [{ name: 'xor', size: 120 }],
  hidden: [[6]],
  rules: ['twoStep', 'classic'],
  modes: ['global', 'layerwise'],
  learningRates: [0.3],
  batchSizes: [16],
  epochs: 4,
  seeds: 3,
});
const runs = expand(spec); // (twoStep × 2 modes + classic) × 3 seeds
const fresh = () =>
  new FileStore(join(mkdtempSync(join(tmpdir(), 'twostep-pool-')), 'records.jsonl'));
const results = (records: RunRecord[]) =>
  records.map(({ seconds: _, ...rest }) => rest).sort((a, b) => (a.id < b.id ? -1 : 1));

describe('runStudy on the local pool', () => {
  it('records every run once, each as the run gives it in this thread', async () => {
    expect(runs).toHaveLength(9);
    const store = fresh();
    const progress: Progress[] = [];
    const summary = await runStudy(spec, {
      store,
      workers: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(summary).toMatchObject({ runs: 9, skipped: 0, recorded: 9 });
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(progress.every((p) => p.total === 9 && p.remaining >= 0)).toBe(true);
    expect(progress.at(-1)!.remaining).toBe(0);
    const inThread = await Promise.all(runs.map((run) => executeRun(run)));
    expect(results(await store.records())).toEqual(results(inThread));
  });

  it('goes on where a stopped study stopped, and runs nothing twice', async () => {
    const store = fresh();
    const controller = new AbortController();
    let seen = 0;
    await expect(
      runStudy(spec, {
        store,
        workers: 2,
        signal: controller.signal,
        onProgress: () => {
          if (++seen === 3) controller.abort();
        },
      }),
    ).rejects.toThrow();
    const kept = (await store.records()).length;
    expect(kept).toBeGreaterThanOrEqual(3);
    expect(kept).toBeLessThan(9);
    expect(await pendingRuns(spec, store)).toHaveLength(9 - kept);
    const summary = await runStudy(spec, { store, workers: 2 });
    expect(summary).toMatchObject({ runs: 9, skipped: kept, recorded: 9 - kept });
    const ids = (await store.records()).map((r) => r.id).sort();
    expect(ids).toEqual(runs.map((r) => r.id).sort());
    expect((await runStudy(spec, { store, workers: 1 })).recorded).toBe(0);
  });

  it('refuses a worker count that is not a positive integer', async () => {
    await expect(runStudy(spec, { store: fresh(), workers: 0 })).rejects.toThrow(
      'workers must be a positive integer, got 0; 1 runs one run at a time.',
    );
  });

  it('ignores a result that arrives from a thread destroy() ended, and no other error', async () => {
    // Piscina's event for a stopped run's late result (a stopped study once crashed on it).
    const late = new Error('Unexpected message from Worker: { taskId: 15, … }');
    const pool = createPool(1);
    expect(() => pool.emit('error', late)).toThrow(late);
    await pool.destroy();
    expect(() => pool.emit('error', late)).not.toThrow();
  });
});
