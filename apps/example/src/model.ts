/**
 * The files a run writes next to its model: `models/mnist.json` (the model), `mnist.run.json`
 * (the run's record for `report`), `mnist.checkpoint.json` (for `--resume`),
 * `mnist.last-finite.json` (when training diverged). `files.ts` writes them atomically.
 */
import { basename, dirname, join } from 'node:path';
import {
  type ActivationName,
  ConfigError,
  deserialize,
  type ModelFile,
  ModelFormatError,
  Network,
  type OptimizerConfig,
  type SavedOptimizerState,
  TwoStepError,
  toModelFile,
} from '@twostep/core';
import { type Checker, checker, Overflow, parseJsonAsWritten, shown } from '@twostep/core/check';
import { CHECKS, type Config } from './config.js';
import { readText } from './files.js';
import { checkEpochs, type EpochRecord } from './record.js';

/** A file next to the model: `models/mnist.json` → `models/mnist.<suffix>.json`. */
export const besideModel = (model: string, suffix: string): string =>
  join(dirname(model), `${basename(model).replace(/\.json$/, '')}.${suffix}.json`);

export const CHECKPOINT_FORMAT = 'twostep-checkpoint';

/**
 * Settings a resumed run must share with its checkpoint: all but `epochs` and the paths, for
 * the result to be the uninterrupted run's byte for byte. `dtype` is the one the backend ran.
 */
export const RESUME_KEYS = [
  'backend',
  'dtype',
  'architecture',
  'activation',
  'outputActivation',
  'loss',
  'optimizer',
  'mode',
  'batchSize',
  'seed',
  'testSize',
  'trainSize',
  'splitSeed',
] as const satisfies readonly (keyof Config)[];

/** Everything `--resume` needs to continue a run as if it had never stopped. */
export interface Checkpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: 1;
  /** Epochs done. */
  readonly epoch: number;
  /** The settings that must not change on resume (`RESUME_KEYS`), dtype as the backend ran it. */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly network: ModelFile;
  readonly optimizer: SavedOptimizerState;
  readonly history: EpochRecord[];
}

/** Reads a checkpoint file; a missing, damaged or inconsistent one is an error that says what to do. */
export async function readCheckpoint(path: string): Promise<Checkpoint> {
  const text = await readText(
    path,
    (reason) =>
      new TwoStepError(
        `--resume: no checkpoint at ${path} (${reason}); train with --checkpoint-every N first.`,
      ),
  );
  const file = parseJsonAsWritten(
    text,
    (reason) =>
      new TwoStepError(
        `--resume: ${path} is not valid JSON (${reason}); the checkpoint is damaged: ${AGAIN}.`,
      ),
  );
  return checkCheckpoint(file, path);
}

const AGAIN = 'train again without --resume (with --checkpoint-every N) to replace it';

/** Slot matrices each optimizer keeps per layer. */
const SLOTS = { sgd: 0, momentum: 1, adam: 2 } as const;

/**
 * Checks a parsed checkpoint as a whole: every field (errors name it by path, with its value
 * as written), the settings as the config would take them, and that the network, the
 * optimizer's moments and the history agree with the settings and the epoch.
 */
export function checkCheckpoint(value: unknown, path: string): Checkpoint {
  const problem = (text: string) =>
    new TwoStepError(`--resume: the checkpoint ${path} is not valid: ${text}; ${AGAIN}.`);
  const c = checker(problem);
  const root = c.object(value, 'the checkpoint');
  c.equal(root.format, 'format', CHECKPOINT_FORMAT);
  c.equal(root.version, 'version', 1);
  const epoch = c.integer(root.epoch, 'epoch', 1);
  const settings = c.object(root.settings, 'settings');
  for (const key of RESUME_KEYS) {
    const field = `settings.${key}`;
    if (settings[key] instanceof Overflow) c.number(settings[key], field);
    try {
      CHECKS[key](settings[key], field);
    } catch (error) {
      if (error instanceof ConfigError) throw problem(error.message.replace(/\.$/, ''));
      throw error;
    }
  }
  const network = checkNetwork(c, root.network, settings, problem);
  checkOptimizer(c, root.optimizer, settings, network);
  checkEpochs(c, root.history, 'history', epoch);
  return root as unknown as Checkpoint;
}

/** The network as a model file, and as the settings say it is (architecture, activations). */
function checkNetwork(
  c: Checker,
  value: unknown,
  settings: Record<string, unknown>,
  problem: (text: string) => TwoStepError,
): Network {
  const file = c.object(value, 'network');
  let network: Network;
  try {
    network = deserialize(file);
  } catch (error) {
    if (error instanceof ModelFormatError) throw problem(`network.${error.path} ${error.reason}`);
    throw error;
  }
  const expected = toModelFile(
    Network.create({
      architecture: settings.architecture as string,
      activation: settings.activation as ActivationName,
      outputActivation: settings.outputActivation as ActivationName,
    }),
  );
  const says = (field: string) => `${shown(expected[field as 'bias'])} (as settings.${field} says)`;
  const actual = toModelFile(network);
  if (JSON.stringify(actual.architecture) !== JSON.stringify(expected.architecture)) {
    c.fail('network.architecture', says('architecture'), actual.architecture);
  }
  if (JSON.stringify(actual.activations) !== JSON.stringify(expected.activations)) {
    c.fail(
      'network.activations',
      `${shown(expected.activations)} (as settings.activation and settings.outputActivation say)`,
      actual.activations,
    );
  }
  if (actual.bias !== expected.bias) c.fail('network.bias', shown(expected.bias), actual.bias);
  return network;
}

/** The optimizer's saved moments: the optimizer of the settings, one matrix per slot and layer. */
function checkOptimizer(
  c: Checker,
  value: unknown,
  settings: Record<string, unknown>,
  network: Network,
): void {
  const optimizer = c.object(value, 'optimizer');
  const name = (settings.optimizer as OptimizerConfig).name;
  if (optimizer.optimizer !== name) {
    c.fail('optimizer.optimizer', `"${name}" (as settings.optimizer says)`, optimizer.optimizer);
  }
  const widths = network.architecture;
  c.array(optimizer.layers, 'optimizer.layers', widths.length - 1).forEach((l, h) => {
    const at = `optimizer.layers[${h}]`;
    const layer = c.object(l, at);
    c.integer(layer.steps, `${at}.steps`);
    const size = widths[h + 1]! * (widths[h]! + (network.bias ? 1 : 0));
    c.array(layer.slots, `${at}.slots`, SLOTS[name]).forEach((slot, k) => {
      c.array(slot, `${at}.slots[${k}]`, size).forEach((x, i) => {
        if (typeof x !== 'number' || !Number.isFinite(x)) c.number(x, `${at}.slots[${k}][${i}]`);
      });
    });
  });
}

/** Settings compared on resume, with the optimizer written out so that key order does not matter. */
export function resumeSettings(config: object, keys: readonly string[]): Record<string, unknown> {
  const values = config as Record<string, unknown>;
  return Object.fromEntries(
    keys.map((k) => [k, k === 'optimizer' ? sortKeys(values[k] as OptimizerConfig) : values[k]]),
  );
}

const sortKeys = (o: object) =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
