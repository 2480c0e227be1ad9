import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBackend } from '@twostep/backend-ts';
import { deserialize, evaluate, TwoStepError } from '@twostep/core';
import { MNIST_CLASSES } from '@twostep/datasets/mnist';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config.js';
import { splitDigits } from '../src/data.js';
import type { TrainEvent } from '../src/progress.js';
import type { RunRecord } from '../src/record.js';
import { runTraining } from '../src/train.js';
import { SMALL, tempDir } from './helpers.js';

describe('the digits', () => {
  it('are split as the config says: 8,000 / 2,000, disjoint, the same for the same seed', () => {
    const a = splitDigits(DEFAULT_CONFIG);
    expect([a.train.inputs.length, a.test.inputs.length]).toEqual([8000, 2000]);
    expect(new Set([...a.train.inputs, ...a.test.inputs]).size).toBe(10_000);
    expect(splitDigits(DEFAULT_CONFIG).test.labels).toEqual(a.test.labels);
    expect(splitDigits({ ...DEFAULT_CONFIG, splitSeed: 1 }).test.labels).not.toEqual(a.test.labels);
    // Shuffled: the test set holds every class.
    expect(new Set(a.test.labels).size).toBe(10);
    const small = splitDigits({ testSize: 500, trainSize: 1000, splitSeed: 0 });
    expect(small.train.inputs).toHaveLength(1000);
    expect(small.test.inputs).toEqual(
      splitDigits({ ...DEFAULT_CONFIG, testSize: 500 }).test.inputs,
    );
  });
});

describe('runTraining', () => {
  it('trains, reports events, and saves a model and a run record that agree', async () => {
    const dir = await tempDir();
    const events: TrainEvent[] = [];
    const result = await runTraining(
      { ...SMALL, model: join(dir, 'm.json') },
      { onEvent: (e) => events.push(e) },
    );
    const types = events.map((e) => e.type).filter((t) => t !== 'batch');
    expect(types).toEqual(['start', 'epoch', 'epoch', 'done']);
    const record = JSON.parse(await readFile(result.runPath, 'utf8')) as RunRecord;
    expect(record).toEqual(result.record);
    expect(record).toMatchObject({
      format: 'twostep-run',
      version: 1,
      backend: { name: 'ts', dtype: 'float32' },
      dataset: {
        name: 'MNIST',
        classes: MNIST_CLASSES,
        trainSize: 1000,
        testSize: 500,
        width: 28,
        height: 28,
      },
    });
    expect(record.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(record.confusion.flat().reduce((a, b) => a + b, 0)).toBe(500);
    // The saved model, evaluated independently through the core, has the recorded accuracy.
    const net = deserialize(await readFile(result.modelPath, 'utf8'));
    const backend = createBackend({ dtype: 'float32' });
    const { test } = splitDigits(SMALL);
    const check = await evaluate(backend, net, test);
    expect(check.accuracy).toBeCloseTo(record.testAccuracy, 10);
    expect(record.epochs.at(-1)!.testAccuracy).toBeCloseTo(record.testAccuracy, 10);
    expect(record.testAccuracy).toBeGreaterThan(0.75);
    for (const m of record.misclassified) {
      expect(m.predicted).not.toBe(m.label);
      expect(m.label).toBe(test.labels[m.index]);
      expect(m.pixels).toEqual(Array.from(test.inputs[m.index]!));
    }
    expect(record.misclassified.length).toBe(
      Math.min(24, 500 - Math.round(500 * record.testAccuracy)),
    );
  });

  it('the default run reaches at least 95% test accuracy', async () => {
    const dir = await tempDir();
    const { record } = await runTraining({ ...DEFAULT_CONFIG, model: join(dir, 'm.json') });
    expect(record.epochs).toHaveLength(12);
    expect(record.testAccuracy).toBeGreaterThanOrEqual(0.95);
  });
});

describe('checkpoints and --resume', () => {
  it('resuming after a checkpoint gives the same model as an uninterrupted run', async () => {
    const dir = await tempDir();
    const whole = join(dir, 'whole.json');
    await runTraining({ ...SMALL, epochs: 4, model: whole });

    const parts = join(dir, 'parts.json');
    await runTraining({ ...SMALL, epochs: 2, checkpointEvery: 1, model: parts });
    const events: TrainEvent[] = [];
    const resumed = await runTraining(
      { ...SMALL, epochs: 4, model: parts },
      { resume: true, onEvent: (e) => events.push(e) },
    );
    expect(events[0]).toMatchObject({ type: 'start', initialEpoch: 2, epochs: 4 });
    expect(resumed.record.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(await readFile(parts, 'utf8')).toBe(await readFile(whole, 'utf8'));
  });

  it('refuses a checkpoint of other settings, a missing one, or one already past the epochs', async () => {
    const dir = await tempDir();
    const model = join(dir, 'm.json');
    await expect(runTraining({ ...SMALL, model }, { resume: true })).rejects.toThrow(
      `--resume: no checkpoint at ${join(dir, 'm.checkpoint.json')} (ENOENT); train with --checkpoint-every N first.`,
    );
    await runTraining({ ...SMALL, epochs: 1, checkpointEvery: 1, model });
    await expect(
      runTraining({ ...SMALL, epochs: 3, batchSize: 20, seed: 5, model }, { resume: true }),
    ).rejects.toThrow(
      'was trained with batchSize 50, not 20; seed 1, not 5. Resume with the same settings (only epochs may change), or train from the start without --resume.',
    );
    await expect(runTraining({ ...SMALL, epochs: 1, model }, { resume: true })).rejects.toThrow(
      'the checkpoint is at epoch 1 and epochs is 1; ask for more epochs (--epochs 2 or more).',
    );
    await writeFile(join(dir, 'm.checkpoint.json'), '{"format":"x"}');
    await expect(runTraining({ ...SMALL, model }, { resume: true })).rejects.toThrow(
      'm.checkpoint.json is not valid: format must be "twostep-checkpoint"; it is "x"',
    );
  });
});

describe('a diverging run', () => {
  it('stops naming the epoch and batch, keeps the last finite weights, writes no model', async () => {
    const dir = await tempDir();
    const model = join(dir, 'm.json');
    const run = runTraining({ ...SMALL, optimizer: { name: 'sgd', learningRate: 1e30 }, model });
    await expect(run).rejects.toBeInstanceOf(TwoStepError);
    const message = await run.catch((e: Error) => e.message);
    expect(message).toMatch(
      /^Training diverged in epoch 1, batch \d+: Y\d \(layer \d\) turned non-finite/,
    );
    expect(message).toContain(
      `The last finite weights are in ${join(dir, 'm.last-finite.json')}; the model was not written.`,
    );
    const kept = deserialize(await readFile(join(dir, 'm.last-finite.json'), 'utf8'));
    expect(kept.getWeights().flat(2).every(Number.isFinite)).toBe(true);
    await expect(readFile(model)).rejects.toThrow('ENOENT');
  });
});
