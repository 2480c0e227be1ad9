/**
 * What a run trains: the task and its data, the network A[N0,…,NL] with σh per layer, the
 * loss, the optimizer, the learning mode. `checkSettings` turns the form's text into
 * settings, or into one reason per field that names the problem and what to enter instead.
 */
import {
  ACTIVATION_NAMES,
  type ActivationName,
  formatArchitecture,
  LEARNING_MODES,
  type LearningMode,
  LOSS_NAMES,
  type LossName,
  OPTIMIZER_NAMES,
  type Optimizer,
  parseArchitecture,
  TwoStepError,
} from '@twostep/core';
import type { Checker } from '@twostep/core/check';
import { TOY_DATASETS, type ToyDataset } from './datasets.js';

export const TASKS = ['toy', 'mnist'] as const;
export type Task = (typeof TASKS)[number];
export const OPTIMIZERS = OPTIMIZER_NAMES;
export type OptimizerName = Optimizer['name'];
export const MODES = LEARNING_MODES;

export interface Settings {
  readonly task: Task;
  /** Toy task: which points, how many, how noisy, from which seed. */
  readonly dataset: ToyDataset;
  readonly points: number;
  readonly noise: number;
  readonly dataSeed: number;
  /** [N0, …, NL]. */
  readonly architecture: readonly number[];
  /** σh for h = 1…L. */
  readonly activations: readonly ActivationName[];
  readonly loss: LossName;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly mode: LearningMode;
  readonly batchSize: number;
  /** Seed of the initial weights and of the shuffling. */
  readonly seed: number;
}

/** The form's fields, as text. */
export type SettingsForm = {
  readonly [K in Exclude<keyof Settings, 'activations'>]: string;
} & { readonly activations: readonly string[] };

export type Field = keyof Settings;

/** Digits in the MNIST task: 784 pixels, 10 classes. */
export const MNIST_PIXELS = 784;
export const MNIST_CLASSES = 10;

/** Widest hidden layer and deepest network the page trains (and draws) per task. */
export const LIMITS = {
  toy: { width: 32, depth: 6, points: [20, 2000] },
  mnist: { width: 256, depth: 4 },
} as const;

export const DEFAULTS: Record<Task, Settings> = {
  toy: {
    task: 'toy',
    dataset: 'moons',
    points: 400,
    noise: 0.1,
    dataSeed: 1,
    architecture: [2, 8, 8, 2],
    activations: ['tanh', 'tanh', 'identity'],
    loss: 'softmaxCrossEntropy',
    optimizer: 'adam',
    learningRate: 0.03,
    mode: 'global',
    batchSize: 20,
    seed: 1,
  },
  mnist: {
    task: 'mnist',
    dataset: 'moons',
    points: 400,
    noise: 0.1,
    dataSeed: 1,
    architecture: [MNIST_PIXELS, 64, MNIST_CLASSES],
    activations: ['relu', 'identity'],
    loss: 'softmaxCrossEntropy',
    optimizer: 'adam',
    learningRate: 0.002,
    mode: 'global',
    batchSize: 32,
    seed: 1,
  },
};

/** The form's text for some settings. */
export function toForm(s: Settings): SettingsForm {
  return {
    task: s.task,
    dataset: s.dataset,
    points: String(s.points),
    noise: String(s.noise),
    dataSeed: String(s.dataSeed),
    architecture: formatArchitecture(s.architecture),
    activations: [...s.activations],
    loss: s.loss,
    optimizer: s.optimizer,
    learningRate: String(s.learningRate),
    mode: s.mode,
    batchSize: String(s.batchSize),
    seed: String(s.seed),
  };
}

export type Checked =
  | { readonly ok: true; readonly settings: Settings }
  | { readonly ok: false; readonly errors: Partial<Record<Field, string>> };

const NUMBER = /^\s*-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i;

const oneOf = <T extends string>(value: string, allowed: readonly T[]): T | string =>
  (allowed as readonly string[]).includes(value)
    ? (value as T)
    : `${JSON.stringify(value)} is not one of ${allowed.join(', ')}.`;

/** A number in [min, max] (an integer when `integer`), or the reason it is not. */
function numberIn(text: string, min: number, max: number, integer = false): number | string {
  const value = Number(text);
  if (!NUMBER.test(text) || !Number.isFinite(value))
    return `${JSON.stringify(text)} is not a number.`;
  if (integer && !Number.isInteger(value)) return `${text} is not a whole number.`;
  if (value < min || value > max) return `${text} is outside ${min} … ${max}.`;
  return value + 0; // "-0" is 0, as the form writes it back
}

/** The σ of each layer of `architecture`: hidden ones carried over from `previous`'s hidden ones, the output σ last. */
export function activationsFor(
  architecture: readonly number[],
  previous: readonly string[],
): string[] {
  const depth = architecture.length - 1;
  const hidden = previous.slice(0, -1);
  return Array.from({ length: depth }, (_, i) =>
    i === depth - 1 ? (previous.at(-1) ?? 'identity') : (hidden[i] ?? hidden.at(-1) ?? 'tanh'),
  );
}

/** Checks every field; the first problem of each field is its reason. */
export function checkSettings(form: SettingsForm): Checked {
  const errors: Partial<Record<Field, string>> = {};
  const take = <T>(
    field: Field,
    value: T | string,
    isValue: (v: T | string) => v is T,
  ): T | undefined => {
    if (isValue(value)) return value;
    errors[field] = value as string;
    return undefined;
  };
  const isNumber = (v: unknown): v is number => typeof v === 'number';
  const isName =
    <T extends string>(allowed: readonly T[]) =>
    (v: unknown): v is T =>
      (allowed as readonly unknown[]).includes(v);

  const task = take('task', oneOf(form.task, TASKS), isName(TASKS)) ?? 'toy';
  const limits = LIMITS[task];
  const dataset = take('dataset', oneOf(form.dataset, TOY_DATASETS), isName(TOY_DATASETS));
  const points = take('points', numberIn(form.points, ...LIMITS.toy.points, true), isNumber);
  const noise = take('noise', numberIn(form.noise, 0, 0.5), isNumber);
  const dataSeed = take('dataSeed', numberIn(form.dataSeed, 0, 2 ** 31, true), isNumber);
  const loss = take('loss', oneOf(form.loss, LOSS_NAMES), isName(LOSS_NAMES));
  const optimizer = take('optimizer', oneOf(form.optimizer, OPTIMIZERS), isName(OPTIMIZERS));
  const learningRate = take('learningRate', numberIn(form.learningRate, 1e-6, 10), isNumber);
  const mode = take('mode', oneOf(form.mode, MODES), isName(MODES));
  const seed = take('seed', numberIn(form.seed, 0, 2 ** 31, true), isNumber);
  const data = task === 'toy' ? points : 10_000;
  const batchSize = take('batchSize', numberIn(form.batchSize, 1, data ?? 1, true), isNumber);

  let architecture: number[] | undefined;
  try {
    architecture = parseArchitecture(form.architecture);
  } catch (error) {
    if (!(error instanceof TwoStepError)) throw error;
    errors.architecture = `${error.message} Write it as A[2,8,8,2].`;
  }
  if (architecture) {
    const [inputs, outputs] = [architecture[0]!, architecture.at(-1)!];
    const hidden = architecture.slice(1, -1);
    const shape = task === 'toy' ? `A[2,…,2] or A[2,…,1]` : `A[${MNIST_PIXELS},…,${MNIST_CLASSES}]`;
    if (
      task === 'toy'
        ? inputs !== 2 || outputs > 2
        : inputs !== MNIST_PIXELS || outputs !== MNIST_CLASSES
    ) {
      errors.architecture = `${formatArchitecture(architecture)} does not fit the ${task === 'toy' ? 'points (2 coordinates, 2 classes)' : 'digits (784 pixels, 10 classes)'}: use ${shape}.`;
    } else if (architecture.length - 1 > limits.depth) {
      errors.architecture = `${architecture.length - 1} layers: the playground trains at most ${limits.depth} here.`;
    } else if (hidden.some((n) => n > limits.width)) {
      errors.architecture = `hidden layers of at most ${limits.width} neurons here; ${Math.max(...hidden)} is too wide.`;
    }
  }

  const depth = architecture ? architecture.length - 1 : form.activations.length;
  const activations = form.activations.map((a) => a as ActivationName);
  if (form.activations.length !== depth) {
    errors.activations = `give one activation per layer h = 1…${depth}, got ${form.activations.length}.`;
  } else {
    const bad = form.activations.findIndex(
      (a) => !(ACTIVATION_NAMES as readonly string[]).includes(a),
    );
    if (bad >= 0)
      errors.activations = `layer ${bad + 1}: ${oneOf(form.activations[bad]!, ACTIVATION_NAMES)}`;
  }

  // Losses that do not fit the output layer.
  const output = activations.at(-1);
  const outputs = architecture?.at(-1);
  if (loss && !errors.loss && !errors.activations) {
    if (loss === 'difference') {
      errors.loss =
        'difference (J = Σ(f(x) − y)) has no minimum to train towards; use mse, binaryCrossEntropy or softmaxCrossEntropy.';
    } else if (loss === 'softmaxCrossEntropy' && outputs === 1) {
      errors.loss =
        'softmaxCrossEntropy needs one output per class (NL = 2); with NL = 1 use binaryCrossEntropy.';
    } else if (loss === 'softmaxCrossEntropy' && output !== 'identity') {
      errors.loss = `softmaxCrossEntropy takes logits: set σ of layer ${depth} to identity (it is ${output}).`;
    } else if (loss === 'binaryCrossEntropy' && output !== 'sigmoid') {
      errors.loss = `binaryCrossEntropy takes probabilities: set σ of layer ${depth} to sigmoid (it is ${output}).`;
    }
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      task,
      dataset: dataset!,
      points: points!,
      noise: noise!,
      dataSeed: dataSeed!,
      architecture: architecture!,
      activations,
      loss: loss!,
      optimizer: optimizer!,
      learningRate: learningRate!,
      mode: mode!,
      batchSize: batchSize!,
      seed: seed!,
    },
  };
}

/**
 * Settings sent as a value (the `configure` command): each field must be of the kind the
 * defaults have (the checker's error names it under `field`, as `configure.settings.seed`);
 * then the form's rules judge them, through `toForm` and `checkSettings`.
 */
export function checkSettingsValue(c: Checker, value: unknown, field: string): Checked {
  const o = c.object(value, field);
  for (const [key, kind] of Object.entries(DEFAULTS.toy)) {
    const at = `${field}.${key}`;
    if (typeof kind === 'number') c.number(o[key], at);
    else if (typeof kind === 'string') c.string(o[key], at);
    else {
      const entries = typeof (kind as readonly unknown[])[0];
      c.array(o[key], at).forEach((v, i) => {
        if (entries === 'number') c.number(v, `${at}[${i}]`);
        else c.string(v, `${at}[${i}]`);
      });
    }
  }
  return checkSettings(toForm(o as unknown as Settings));
}
