import { relativeError } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import { type Run, type RunSettings, runId } from '../src/grid.js';
import { executeRun, runData } from '../src/run.js';
import { SETTINGS } from './settings.js';

const settings: RunSettings = {
  ...SETTINGS,
  dataset: { name: 'moons', size: 200, noise: 0.1 },
  hidden: [8],
  optimizer: 'adam',
  learningRate: 0.05,
  batchSize: 16,
  epochs: 15,
  seed: 4,
};
const runOf = (s: RunSettings): Run => ({ id: runId(s), settings: s });
/** A record's results without its wall times. */
const results = ({ seconds: _, ...rest }: Awaited<ReturnType<typeof executeRun>>) => rest;

describe('runData', () => {
  it('splits the toy sets 3:1 and Iris 120:30, the same for every seed; standardizes Iris', async () => {
    const moons = await runData({ name: 'moons', size: 200, noise: 0.1 });
    expect([moons.train.inputs.length, moons.test.inputs.length]).toEqual([150, 50]);
    const iris = await runData({ name: 'iris', size: 150 });
    expect([iris.train.inputs.length, iris.test.inputs.length]).toEqual([120, 30]);
    for (let i = 0; i < 4; i++) {
      const column = iris.train.inputs.map((row) => row[i]!);
      const mean = column.reduce((a, b) => a + b) / column.length;
      const sd = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length);
      expect(mean).toBeCloseTo(0, 12);
      expect(sd).toBeCloseTo(1, 12);
    }
  });
});

describe('executeRun', () => {
  it('learns, records every epoch, and gives the same results every time', async () => {
    // The first run of this thread: its untimed warm-up epoch is in neither callback nor record.
    const epochs: number[] = [];
    const first = await executeRun(runOf(settings), { onEpoch: (e) => epochs.push(e.epoch) });
    expect(epochs).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(first.epochs).toHaveLength(15);
    expect(first.seconds).toHaveLength(15);
    expect(first.diverged).toBeUndefined();
    expect(first.epochs.at(-1)!.testAccuracy).toBeGreaterThan(0.85);
    expect(first.epochs.at(-1)!.trainLoss).toBeLessThan(first.epochs[0]!.trainLoss);
    expect(results(await executeRun(runOf(settings)))).toEqual(results(first));
  });

  it('gives another seed other results, and the classic rule the same to float32 rounding', async () => {
    const base = await executeRun(runOf(settings));
    const seeded = await executeRun(runOf({ ...settings, seed: 5 }));
    expect(seeded.epochs).not.toEqual(base.epochs);
    const classic = await executeRun(runOf({ ...settings, rule: 'classic' }));
    const losses = (r: typeof base) => r.epochs.map((e) => e.trainLoss);
    expect(relativeError(losses(classic), losses(base))).toBeLessThan(1e-4);
  });

  it('trains with autodiff on tfjs-cpu as the two-step rule does there', async () => {
    const tfjs = { ...settings, backend: 'tfjs-cpu', epochs: 5 } as const;
    const [twoStep, autodiff] = [
      await executeRun(runOf(tfjs)),
      await executeRun(runOf({ ...tfjs, rule: 'autodiff' })),
    ];
    const losses = (r: typeof twoStep) => r.epochs.map((e) => e.trainLoss);
    expect(relativeError(losses(autodiff), losses(twoStep))).toBeLessThan(1e-4);
  });

  it('records a diverging run up to the epoch before, with the reason', async () => {
    // relu does not saturate: a step of 1e30 overflows float32 in the next F-propagation.
    const diverging = {
      ...settings,
      activation: 'relu',
      optimizer: 'sgd',
      learningRate: 1e30,
    } as const;
    const record = await executeRun(runOf(diverging));
    expect(record.epochs).toEqual([]);
    expect(record.diverged).toEqual({
      epoch: 1,
      message: expect.stringMatching(
        /^Training diverged in epoch 1, batch 2: Y2 \(layer 2\) turned non-finite/,
      ),
    });
  });
});
