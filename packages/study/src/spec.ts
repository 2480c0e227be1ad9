/**
 * A study's spec: the grid of settings to run, as a JSON file people write by hand. Checked
 * with a zod schema, so that every mistake is named by its path with what to write instead.
 */
import {
  ACTIVATION_NAMES,
  type ActivationName,
  ConfigError,
  MAX_SEED,
  OPTIMIZER_NAMES,
  type Optimizer,
} from '@twostep/core';
import { z } from 'zod';

/** The datasets a study draws from (`@twostep/datasets`), by name. */
export const DATASET_NAMES = ['mnist', 'iris', 'moons', 'spirals', 'xor', 'circles'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** The learning rules: the two-step rule, standard back-propagation, TensorFlow.js autodiff. */
export const STUDY_RULES = ['twoStep', 'classic', 'autodiff'] as const;
export type StudyRule = (typeof STUDY_RULES)[number];

/** The backends a run trains on; autodiff needs a tfjs one. */
export const STUDY_BACKENDS = ['ts', 'tfjs-cpu', 'tfjs-wasm'] as const;
export type StudyBackend = (typeof STUDY_BACKENDS)[number];

const positiveInt = z.int().positive();

/** zod's enum of a non-empty list the core exports. */
const oneOf = <T extends string>(values: readonly T[]) => z.enum(values as [T, ...T[]]);

const activationName = oneOf<ActivationName>(ACTIVATION_NAMES);

const activationSpec = z.union([
  activationName,
  z.strictObject({
    name: activationName,
    alpha: z.number().positive().max(1).optional(),
  }),
]);

/** A dataset by name, or with its size: points for the toy sets, samples kept for MNIST. */
const dataset = z.union([
  z.enum(DATASET_NAMES),
  z.strictObject({
    name: z.enum(DATASET_NAMES),
    /** Toy sets: points drawn (default 400); MNIST: samples trained on (default 2,000). */
    size: positiveInt.min(8).optional(),
    /** Toy sets: the noise's standard deviation (default 0.15). */
    noise: z.number().min(0).max(1).optional(),
  }),
]);

/** One list of what a grid axis takes, at least one value, no value twice. */
const axis = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .min(1)
    .refine((values) => new Set(values.map((v) => JSON.stringify(v))).size === values.length, {
      message: 'lists a value twice',
    });

export const SpecSchema = z.strictObject({
  /** Names the study in reports; a Redis queue's keys are prefixed with it. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message: 'use letters, digits, ".", "_" and "-" (at most 64, a letter or digit first)',
  }),
  datasets: axis(dataset),
  /** The hidden layers' widths, e.g. [[16], [32, 16]]; [] is no hidden layer. */
  hidden: axis(z.array(positiveInt.max(4096)).max(8)).default([[16]]),
  /**
   * The hidden layers' activation: a name or `{ name, alpha }` for every hidden neuron, or a
   * list of them, one per hidden neuron of a one-hidden-layer network (a family, eq. 7).
   */
  activations: axis(z.union([activationSpec, z.array(activationSpec).min(1)])).default(['tanh']),
  rules: axis(z.enum(STUDY_RULES)),
  /** Learning modes of the two-step rule; the other rules learn globally. */
  modes: axis(z.enum(['global', 'layerwise'])).default(['global']),
  optimizers: axis(oneOf<Optimizer['name']>(OPTIMIZER_NAMES)).default(['sgd']),
  learningRates: axis(z.number().positive().max(100)),
  batchSizes: axis(positiveInt.max(65536)).default([32]),
  epochs: positiveInt.max(10000),
  backends: axis(z.enum(STUDY_BACKENDS)).default(['ts']),
  /** Seeds 1 … n, or the seeds themselves; each seeds the initial weights and the batch order. */
  seeds: z.union([positiveInt.max(10000), axis(z.int().min(0).max(MAX_SEED))]),
  /** The test accuracy whose first epoch times a run's "time to target" (default 0.9). */
  target: z.number().gt(0).max(1).default(0.9),
});

/** A spec as written (defaults optional). */
export type SpecInput = z.input<typeof SpecSchema>;
/** A spec checked, defaults filled in. */
export type Spec = z.output<typeof SpecSchema>;

/** The path of an issue as a reader finds it in the file: `rules[2]`, `datasets[0].size`. */
function pathOf(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

/**
 * `value` checked as a study spec, with its defaults filled in; else a ConfigError listing every
 * problem by path (`learningRates[1]: …`) with what the field takes.
 */
export function parseSpec(value: unknown, where = 'spec'): Spec {
  const result = SpecSchema.safeParse(value);
  if (result.success) {
    const spec = result.data;
    spec.activations.forEach((activation, i) => {
      if (!Array.isArray(activation)) return;
      const fits = spec.hidden.some((h) => h.length === 1 && h[0] === activation.length);
      if (!fits) {
        throw new ConfigError(
          `${where}: activations[${i}] is a family of ${activation.length} (one σ per neuron), which fits one hidden layer of ${activation.length} neurons; add [${activation.length}] to hidden.`,
        );
      }
    });
    if (spec.rules.includes('autodiff') && !spec.backends.some((b) => b !== 'ts')) {
      throw new ConfigError(
        `${where}: rules has autodiff, which differentiates with TensorFlow.js, but backends has none of tfjs-cpu, tfjs-wasm; add one (every rule then runs on it, for a like-for-like comparison).`,
      );
    }
    return spec;
  }
  const lines = result.error.issues.map((issue) => {
    const at = pathOf(issue.path);
    return `  ${at || '(the spec)'}: ${issue.message}`;
  });
  throw new ConfigError(
    `${where} is not a study spec:\n${lines.join('\n')}\nSee packages/study/README.md for each field.`,
  );
}
