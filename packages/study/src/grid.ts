/**
 * A spec's grid: every combination of its axes that is a run, each with an id derived from its
 * settings alone, so that a run recorded once is known again in a resumed study, on another
 * machine, or in another study that shares it.
 */
import { createHash } from 'node:crypto';
import type { LayerActivation, Optimizer } from '@twostep/core';
import type { DatasetName, Spec, StudyBackend, StudyRule } from './spec.js';

/** The dataset of a run, sizes filled in. */
export interface DatasetSettings {
  readonly name: DatasetName;
  /** Toy sets: points drawn; MNIST: samples trained on. */
  readonly size: number;
  /** Toy sets only. */
  readonly noise?: number;
}

/** Everything a run's results depend on: its id is a hash of these. */
export interface RunSettings {
  readonly dataset: DatasetSettings;
  readonly hidden: readonly number[];
  readonly activation: LayerActivation;
  readonly rule: StudyRule;
  readonly mode: 'global' | 'layerwise';
  readonly optimizer: Optimizer['name'];
  readonly learningRate: number;
  readonly batchSize: number;
  readonly epochs: number;
  readonly backend: StudyBackend;
  readonly seed: number;
}

/** A run of a study: its id and settings. */
export interface Run {
  readonly id: string;
  readonly settings: RunSettings;
}

/** Sizes where the spec gives none: the toy sets' points, MNIST's training samples. */
export const DEFAULT_SIZE: Record<DatasetName, number> = {
  mnist: 2000,
  iris: 150,
  moons: 400,
  spirals: 400,
  xor: 400,
  circles: 400,
};

/** The toy sets' noise where the spec gives none. */
export const DEFAULT_NOISE = 0.15;

function datasetSettings(entry: Spec['datasets'][number]): DatasetSettings {
  const { name, size, noise } = typeof entry === 'string' ? { name: entry } : entry;
  const toy = name !== 'mnist' && name !== 'iris';
  return {
    name,
    size: name === 'iris' ? DEFAULT_SIZE.iris : (size ?? DEFAULT_SIZE[name]),
    ...(toy && { noise: noise ?? DEFAULT_NOISE }),
  };
}

/** JSON with every object's keys sorted: the same settings give the same text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A run's id: the first 16 hex digits of the SHA-256 of its settings' canonical JSON. */
export function runId(settings: RunSettings): string {
  return createHash('sha256').update(canonical(settings)).digest('hex').slice(0, 16);
}

/** The seeds a spec names: 1 … n, or its list. */
export function seedsOf(spec: Spec): number[] {
  return typeof spec.seeds === 'number'
    ? Array.from({ length: spec.seeds }, (_, i) => i + 1)
    : [...spec.seeds];
}

/**
 * Every run of the spec, the rules and modes innermost and the seeds next: the runs a paired
 * comparison sets side by side (one seed, every rule) run one after another, so that a machine
 * that slows down or speeds up during a study shifts their times alike instead of one rule's.
 * The product of the spec's axes, without what is not a run: the layer-wise mode of a rule other
 * than the two-step rule, autodiff on a backend that is not TensorFlow.js's, and a per-neuron
 * family on a network whose hidden layers it does not fit.
 */
export function expand(spec: Spec): Run[] {
  const runs: Run[] = [];
  for (const entry of spec.datasets)
    for (const hidden of spec.hidden)
      for (const activation of spec.activations) {
        if (Array.isArray(activation) && (hidden.length !== 1 || hidden[0] !== activation.length))
          continue;
        for (const optimizer of spec.optimizers)
          for (const learningRate of spec.learningRates)
            for (const batchSize of spec.batchSizes)
              for (const backend of spec.backends)
                for (const seed of seedsOf(spec))
                  for (const rule of spec.rules)
                    for (const mode of spec.modes) {
                      if (mode === 'layerwise' && rule !== 'twoStep') continue;
                      if (rule === 'autodiff' && backend === 'ts') continue;
                      const settings: RunSettings = {
                        dataset: datasetSettings(entry),
                        hidden,
                        activation: activation as LayerActivation,
                        rule,
                        mode,
                        optimizer,
                        learningRate,
                        batchSize,
                        epochs: spec.epochs,
                        backend,
                        seed,
                      };
                      runs.push({ id: runId(settings), settings });
                    }
      }
  return runs;
}
