import { describe, expect, it } from 'vitest';
import { canonical, expand, type RunSettings, runId } from '../src/grid.js';
import { parseSpec } from '../src/spec.js';
import { SETTINGS } from './settings.js';

const spec = parseSpec({
  name: 'grid',
  datasets: ['moons', { name: 'mnist', size: 500 }],
  hidden: [[8], [4]],
  activations: ['tanh', ['relu', 'tanh', 'sigmoid', 'softplus']],
  rules: ['twoStep', 'classic', 'autodiff'],
  modes: ['global', 'layerwise'],
  learningRates: [0.1, 0.01],
  epochs: 3,
  backends: ['ts', 'tfjs-cpu'],
  seeds: 2,
});

describe('expand', () => {
  const runs = expand(spec);

  it('is the product of the axes without what is no run', () => {
    // per dataset: (hidden [8] × tanh) + (hidden [4] × tanh, family) = 3 networks;
    // rules × modes on two backends: twoStep 2 modes × 2, classic 1 × 2, autodiff 1 × 1 (tfjs only) = 7;
    // × 2 rates × 2 seeds.
    expect(runs).toHaveLength(2 * 3 * 7 * 2 * 2);
    expect(runs.some((r) => r.settings.mode === 'layerwise' && r.settings.rule !== 'twoStep')).toBe(
      false,
    );
    expect(runs.some((r) => r.settings.rule === 'autodiff' && r.settings.backend === 'ts')).toBe(
      false,
    );
    expect(
      runs
        .filter((r) => Array.isArray(r.settings.activation))
        .every((r) => r.settings.hidden[0] === 4),
    ).toBe(true);
  });

  it('fills in the dataset sizes and the toy sets noise', () => {
    expect(runs[0]!.settings.dataset).toEqual({ name: 'moons', size: 400, noise: 0.15 });
    expect(runs.at(-1)!.settings.dataset).toEqual({ name: 'mnist', size: 500 });
  });

  it('puts the rules and modes innermost, then the seeds, and gives every run its own id', () => {
    // moons, [8], tanh, lr 0.1, ts: seed 1's three runs, then seed 2's; then tfjs-cpu with autodiff.
    const first = runs
      .slice(0, 10)
      .map(({ settings: s }) => `${s.backend} ${s.seed} ${s.rule} ${s.mode}`);
    expect(first).toEqual([
      'ts 1 twoStep global',
      'ts 1 twoStep layerwise',
      'ts 1 classic global',
      'ts 2 twoStep global',
      'ts 2 twoStep layerwise',
      'ts 2 classic global',
      'tfjs-cpu 1 twoStep global',
      'tfjs-cpu 1 twoStep layerwise',
      'tfjs-cpu 1 classic global',
      'tfjs-cpu 1 autodiff global',
    ]);
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    for (const run of runs) expect(run.id).toBe(runId(run.settings));
  });
});

describe('runId', () => {
  const settings: RunSettings = { ...SETTINGS, dataset: { name: 'xor', size: 400, noise: 0.15 } };

  it('does not depend on the order of keys', () => {
    const reversed = Object.fromEntries(
      Object.entries(settings).reverse(),
    ) as unknown as RunSettings;
    expect(canonical(reversed)).toBe(canonical(settings));
    expect(runId(reversed)).toBe(runId(settings));
  });

  it('is the SHA-256 of the canonical settings, so that records stay valid across versions', () => {
    expect(canonical(settings)).toBe(
      '{"activation":"tanh","backend":"ts","batchSize":32,"dataset":{"name":"xor","noise":0.15,"size":400},"epochs":20,"hidden":[16],"learningRate":0.1,"mode":"global","optimizer":"sgd","rule":"twoStep","seed":1}',
    );
    // sha256 of the line above, by `printf %s '…' | sha256sum`: pinned, as stored records use it.
    expect(runId(settings)).toBe('66734b4718eb2b28');
    expect(runId(settings)).toBe(runId(JSON.parse(JSON.stringify(settings))));
    expect(runId({ ...settings, seed: 2 })).not.toBe(runId(settings));
    expect(runId({ ...settings, learningRate: 0.1000001 })).not.toBe(runId(settings));
  });
});
