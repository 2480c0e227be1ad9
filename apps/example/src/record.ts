/**
 * What a training run leaves besides the model: its config, per-epoch curves, the confusion
 * matrix and a sample of misclassified digits (with their pixels, so `report` needs no data).
 * Written next to the model as `<model>.run.json`.
 */

export const RUN_FORMAT = 'twostep-run';
export const RUN_VERSION = 1;

export interface EpochRecord {
  /** 1-based. */
  readonly epoch: number;
  /** Mean training loss J over the epoch's batches. */
  readonly loss: number;
  readonly trainAccuracy: number;
  /** Accuracy on the held-out test set after this epoch. */
  readonly testAccuracy: number;
  /** Wall time of the epoch's training steps. */
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

export interface Misclassified {
  /** Index into the test set. */
  readonly index: number;
  /** The true class, an index into `dataset.classes`. */
  readonly label: number;
  readonly predicted: number;
  /** The image, row-major, `dataset.width · dataset.height` values in [0, 1] (0 is background). */
  readonly pixels: number[];
}

export interface RunRecord {
  readonly format: typeof RUN_FORMAT;
  readonly version: typeof RUN_VERSION;
  /** ISO 8601 time the run ended. */
  readonly finishedAt: string;
  /** The effective config (defaults < file < environment < flags), as the app resolved it. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly backend: { readonly name: string; readonly dtype: string };
  readonly dataset: {
    readonly name: string;
    /** Class names, e.g. '0' … '9'. */
    readonly classes: string[];
    readonly trainSize: number;
    readonly testSize: number;
    /** Image size in pixels (28 × 28 for MNIST). */
    readonly width: number;
    readonly height: number;
  };
  readonly epochs: EpochRecord[];
  readonly testAccuracy: number;
  /** confusion[actual][predicted]: test samples of class `actual` predicted as `predicted`. */
  readonly confusion: number[][];
  /** Up to a few dozen misclassified test digits, in test-set order. */
  readonly misclassified: Misclassified[];
}
