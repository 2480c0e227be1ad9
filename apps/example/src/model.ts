/**
 * The files a run writes next to its model: `models/mnist.json` (the model), `mnist.run.json`
 * (the run's record for `report`), `mnist.checkpoint.json` (for `--resume`),
 * `mnist.last-finite.json` (when training diverged). `files.ts` writes them atomically.
 */
import { basename, dirname, join } from 'node:path';
import {
  type ModelFile,
  type OptimizerConfig,
  type SavedOptimizerState,
  TwoStepError,
} from '@twostep/core';
import { parseJson, readText } from './files.js';
import type { EpochRecord } from './record.js';

/** A file next to the model: `models/mnist.json` → `models/mnist.<suffix>.json`. */
export const besideModel = (model: string, suffix: string): string =>
  join(dirname(model), `${basename(model).replace(/\.json$/, '')}.${suffix}.json`);

export const CHECKPOINT_FORMAT = 'twostep-checkpoint';

/** Everything `--resume` needs to continue a run as if it had never stopped. */
export interface Checkpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: 1;
  /** Epochs done. */
  readonly epoch: number;
  /** The settings that must not change on resume (see `RESUME_KEYS`). */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly network: ModelFile;
  readonly optimizer: SavedOptimizerState;
  readonly history: EpochRecord[];
}

/** Reads a checkpoint file; a missing or damaged one is an error that says what to do. */
export async function readCheckpoint(path: string): Promise<Checkpoint> {
  const text = await readText(
    path,
    (reason) =>
      new TwoStepError(
        `--resume: no checkpoint at ${path} (${reason}); train with --checkpoint-every N first.`,
      ),
  );
  const file = parseJson(
    text,
    () => new TwoStepError(`--resume: ${path} is not valid JSON; the checkpoint is damaged.`),
  ) as Partial<Checkpoint>;
  if (file?.format !== CHECKPOINT_FORMAT || file.version !== 1) {
    throw new TwoStepError(
      `--resume: ${path} is not a version-1 checkpoint (format ${JSON.stringify(file?.format)}).`,
    );
  }
  return file as Checkpoint;
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
