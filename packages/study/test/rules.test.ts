/**
 * The control: on the same step (the study's network and first batch, per dataset), every rule
 * the study compares gives the same gradients — the two-step rule's F-adjoint, the classic
 * recursion and TensorFlow.js's autodiff — so that a difference in a study's results is the
 * rule's use of them (the layer-wise variant), never a wrong gradient.
 */

import { autodiff } from '@twostep/backend-tfjs/autodiff';
import { createBackend as createTfjs } from '@twostep/backend-tfjs/cpu';
import { createBackend as createTs } from '@twostep/backend-ts';
import {
  type Backend,
  classic,
  dispose,
  fAdjoint,
  fPropagate,
  type GradientRule,
  losses,
  tidy,
  toColumns,
  tracked,
} from '@twostep/core';
import { relativeError } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import type { DatasetSettings } from '../src/grid.js';
import { runData, runNetwork } from '../src/run.js';
import { SETTINGS } from './settings.js';

const DATASETS: DatasetSettings[] = [
  { name: 'mnist', size: 64 },
  { name: 'iris', size: 150 },
  { name: 'moons', size: 200, noise: 0.15 },
  { name: 'spirals', size: 200, noise: 0.15 },
  { name: 'xor', size: 200, noise: 0.15 },
];

/** ∂J/∂W1 … ∂J/∂WL of the first batch of 32 by each rule, read back. */
async function gradients(backend: Backend, dataset: DatasetSettings, rules: GradientRule[]) {
  const data = await runData(dataset);
  const net = runNetwork({ ...SETTINGS, dataset, hidden: [8, 6] }, data);
  const k = tracked(backend);
  const x0 = toColumns(k, data.train.inputs.slice(0, 32) as number[][]);
  const targets = toColumns(k, data.train.targets.slice(0, 32));
  const loss = losses.softmaxCrossEntropy;
  const all = tidy(backend, () => {
    const F = fPropagate(k, net, x0);
    const { deltaUp } = loss.forward(k, F.X.at(-1)!, targets, 'mean');
    const input = {
      weights: net.weightsOn(backend),
      x0,
      targets,
      loss,
      reduction: 'mean',
      F,
      deltaUpL: deltaUp,
    } as const;
    return [
      fAdjoint(k, net, F, deltaUp, { inputGradient: false }).gradients,
      ...rules.map((rule) => rule.gradients(k, net, input).gradients),
    ];
  });
  const read = await Promise.all(all.map((gs) => Promise.all(gs.map((g) => backend.read(g)))));
  dispose(backend, [all, x0, targets]);
  net.release(backend);
  return read.map((gs) => gs.flatMap((g) => Array.from(g)));
}

describe('every rule gives the same gradients on the same step', () => {
  it.each(DATASETS.map((d) => [d.name, d] as const))(
    '%s: two-step, classic and autodiff on tfjs-cpu (float32); two-step and classic on ts (float64)',
    async (_, dataset) => {
      const [twoStep, recursion, auto] = await gradients(await createTfjs(), dataset, [
        classic,
        autodiff,
      ]);
      expect(twoStep!.some((v) => v !== 0)).toBe(true);
      expect(relativeError(recursion!, twoStep!)).toBeLessThan(1e-6);
      expect(relativeError(auto!, twoStep!)).toBeLessThan(1e-5);
      const [exact, classicExact] = await gradients(
        createTs({ dtype: 'float64', threads: 1 }),
        dataset,
        [classic],
      );
      expect(relativeError(classicExact!, exact!)).toBeLessThan(1e-13);
    },
    // MNIST's first read parses 21 MB of JSON: 24 s beside a full test run here.
    300_000,
  );
});
