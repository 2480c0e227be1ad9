import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBackend } from '@twostep/backend-ts';
import { deserialize, evaluate, oneHot, predict } from '@twostep/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Config, DEFAULT_CONFIG } from '../src/config.js';
import { loadIris, standardization, standardize, stratifiedSplit } from '../src/data.js';
import { runTraining, type TrainingResult } from '../src/train.js';
import { tempDir } from './helpers.js';

describe('Iris data', () => {
  it('loads 150 flowers of 3 species, 50 each', () => {
    const iris = loadIris();
    expect(iris.inputs).toHaveLength(150);
    expect(iris.inputs[0]).toEqual([5.1, 3.5, 1.4, 0.2]);
    expect(iris.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect([0, 1, 2].map((c) => iris.labels.filter((l) => l === c).length)).toEqual([50, 50, 50]);
  });

  it('splits 120/30 with 10 test flowers per species, the same for the same seed', () => {
    const { labels } = loadIris();
    const split = stratifiedSplit(labels, 0.2, 0);
    expect(split.train).toHaveLength(120);
    expect(split.test).toHaveLength(30);
    expect(new Set([...split.train, ...split.test]).size).toBe(150);
    expect([0, 1, 2].map((c) => split.test.filter((i) => labels[i] === c).length)).toEqual([
      10, 10, 10,
    ]);
    expect(stratifiedSplit(labels, 0.2, 0)).toEqual(split);
    expect(stratifiedSplit(labels, 0.2, 1).test).not.toEqual(split.test);
  });

  it('standardises columns to mean 0 and standard deviation 1', () => {
    const rows = loadIris().inputs;
    const scaled = standardize(rows, standardization(rows));
    const again = standardization(scaled);
    for (const m of again.mean) expect(m).toBeCloseTo(0, 12);
    for (const s of again.std) expect(s).toBeCloseTo(1, 12);
  });
});

describe('runTraining with the default config', () => {
  let result: TrainingResult;
  let config: Config;
  const lines: string[] = [];

  beforeAll(async () => {
    config = { ...DEFAULT_CONFIG, model: join(await tempDir('file'), 'models', 'iris.json') };
    result = await runTraining(config, { log: (line) => lines.push(line) });
  });

  it('reaches at least 93% test accuracy on the ts backend', () => {
    expect(result.testAccuracy).toBeGreaterThanOrEqual(0.93);
    expect(result.split.test).toHaveLength(30);
  });

  it('reports every epoch: loss, train accuracy and samples/s', () => {
    expect(result.history).toHaveLength(config.epochs);
    expect(result.history.at(-1)!.loss).toBeLessThan(result.history[0]!.loss);
    expect(result.history.at(-1)!.trainAccuracy).toBeGreaterThan(0.9);
    const epochLines = lines.filter((l) => l.startsWith('epoch '));
    expect(epochLines).toHaveLength(config.epochs);
    expect(epochLines[0]).toMatch(
      /^epoch {2}1\/60 {2}loss \d\.\d{4} {2}train accuracy +\d+\.\d% {2}[\d,]+ samples\/s$/,
    );
    expect(lines).toContain(
      `test accuracy ${(100 * result.testAccuracy).toFixed(1)}% (${Math.round(result.testAccuracy * 30)}/30)`,
    );
    expect(lines.at(-1)).toMatch(/^saved model to .*iris\.json/);
  });

  it('saves a model that deserializes and predicts as the trained network', async () => {
    const model = deserialize(await readFile(result.modelPath, 'utf8'));
    expect(model.architecture).toEqual([4, 8, 3]);
    const backend = createBackend({ dtype: 'float64' });
    const iris = loadIris();
    const raw = result.split.test.map((i) => iris.inputs[i]!);
    // The model takes raw measurements: the standardisation is folded into W1.
    const fromModel = await predict(backend, model, raw);
    const fromNetwork = await predict(
      backend,
      result.network,
      standardize(raw, result.standardization),
    );
    for (const [r, row] of fromModel.entries()) {
      for (const [c, v] of row.entries()) expect(v).toBeCloseTo(fromNetwork[r]![c]!, 10);
    }
    const targets = oneHot(
      result.split.test.map((i) => iris.labels[i]!),
      3,
    );
    const { accuracy } = await evaluate(backend, model, { inputs: raw, targets });
    expect(accuracy).toBe(result.testAccuracy);
  });

  it('the same config trains to the same result', async () => {
    const again = await runTraining({ ...config, model: join(await tempDir(), 'iris.json') });
    expect(again.history.map((e) => e.loss)).toEqual(result.history.map((e) => e.loss));
    expect(again.network.getWeights()).toEqual(result.network.getWeights());
  });
});

describe('runTraining across splits', () => {
  it('averages at least 93% test accuracy over eight seeded splits', async () => {
    const accuracies: number[] = [];
    for (let splitSeed = 0; splitSeed < 8; splitSeed++) {
      const model = join(await tempDir(), 'iris.json');
      accuracies.push((await runTraining({ ...DEFAULT_CONFIG, splitSeed, model })).testAccuracy);
    }
    const mean = accuracies.reduce((a, b) => a + b, 0) / accuracies.length;
    expect(mean).toBeGreaterThanOrEqual(0.93);
  });
});

describe('runTraining with other settings', () => {
  it.each([
    { dtype: 'float32', mode: 'global' },
    { dtype: 'float64', mode: 'layerwise' },
  ] as const)('trains with $dtype in $mode mode', async ({ dtype, mode }) => {
    const result = await runTraining({
      ...DEFAULT_CONFIG,
      dtype,
      mode,
      model: join(await tempDir(), 'iris.json'),
    });
    expect(result.testAccuracy).toBeGreaterThanOrEqual(0.9);
  });
});
