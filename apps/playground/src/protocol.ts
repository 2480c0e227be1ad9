/**
 * The messages between the page and the training worker. The page only draws; the worker
 * owns the backend, the network and the data.
 */
import type { ModelFormat } from '@twostep/io';
import type { BackendChoice } from './config.js';
import type { LossCurveView } from './loss-curve.js';
import type { Settings } from './settings.js';

/** The formats the export control offers; `twostep` is the core's `serialize`. */
export const EXPORT_FORMATS = [
  'twostep',
  'onnx',
  'tfjs-layers',
] as const satisfies readonly ModelFormat[];
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A model file, selected or exported: JSON as text, the rest (.onnx, Layers weights) as bytes. */
export type ModelFile =
  | { readonly name: string; readonly text: string }
  | { readonly name: string; readonly bytes: Uint8Array };

/** Where Save and Load keep the model: the site's IndexedDB. */
export const STORED_MODEL = 'indexeddb://twostep-playground';

/** The page → the worker, which reads each through `checkCommand` (check-command.ts). */
export type Command =
  /**
   * Create the backend (once per worker: a new choice gets a new worker); `digitsUrl` is where
   * the page serves the packed MNIST digits.
   */
  | { readonly type: 'init'; readonly choice: BackendChoice; readonly digitsUrl: string }
  /** A fresh network and data for these settings (stops a run). */
  | { readonly type: 'configure'; readonly settings: Settings }
  | { readonly type: 'run' }
  /** The page drew the last snapshot (on the frame after it came): the next may come. */
  | { readonly type: 'drawn' }
  | { readonly type: 'pause' }
  /** One optimizer step (one mini-batch), then pause. */
  | { readonly type: 'step' }
  /** Epochs per second, or null for as fast as the backend goes. */
  | { readonly type: 'speed'; readonly epochsPerSecond: number | null }
  /** The sample the network view traces (an index into the training data). */
  | { readonly type: 'trace'; readonly sample: number }
  /** The network's model files in `format`, as a `model` report. */
  | { readonly type: 'export'; readonly format: ExportFormat }
  /**
   * The files the user selected (a twostep or Layers model.json with its weights files, or an
   * .onnx): their model replaces the network, and the settings follow its architecture.
   */
  | { readonly type: 'import'; readonly files: readonly ModelFile[] }
  /** Keep the network in STORED_MODEL, or replace it by the one kept there (as an import). */
  | { readonly type: 'save' }
  | { readonly type: 'load' }
  /** MNIST: classify 784 pixels, or test digit i, and trace it (δup_0 is the saliency). */
  | { readonly type: 'predict'; readonly pixels: readonly number[] }
  | { readonly type: 'predict'; readonly testDigit: number };

/** A vector per layer, or a matrix, as plain numbers (row-major rows for matrices). */
export type Vector = number[];
export type Rows = number[][];

/**
 * One sample's F-propagation and F-adjoint at the current weights, every quantity of the
 * paper's Fig. 5. Index h of `X` and `deltaUp` is layer h (0…L); index h − 1 of `Y`,
 * `deltaDown`, `gradients` and `weights` is layer h (1…L). X(h) is without the formal
 * neuron's 1; with bias, the last column of Wh and of ∂J/∂Wh belongs to it.
 */
export interface StepTrace {
  readonly architecture: readonly number[];
  readonly bias: boolean;
  /** σh per layer h = 1…L. */
  readonly activations: readonly string[];
  readonly loss: string;
  /** Which training sample, and its target. */
  readonly sample: number;
  readonly target: Vector;
  /** J of this one sample. */
  readonly J: number;
  readonly X: Vector[];
  readonly Y: Vector[];
  readonly deltaUp: Vector[];
  readonly deltaDown: Vector[];
  readonly gradients: Rows[];
  readonly weights: Rows[];
}

/** Where training stands, sent after epochs (at most ~20 times a second) and on request. */
export interface Snapshot {
  readonly epoch: number;
  /** Optimizer steps (mini-batches) so far. */
  readonly steps: number;
  /** The run's mean training loss by epoch (the loss curve, in bounded memory). */
  readonly losses: LossCurveView;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  /** Steps per second over the last second of running (while paused, the last measured). */
  readonly stepsPerSecond: number;
  readonly running: boolean;
  /** Toy task: P(class 1) on the page's grid (row-major, top row first). */
  readonly boundary?: Float32Array;
  readonly trace: StepTrace;
}

/** The worker → the page. */
export type Report =
  | {
      readonly type: 'ready';
      readonly backend: string;
      readonly dtype: string;
      /** What the backend says about itself (kernel, tfjs backend). */
      readonly detail: string;
      /** The threads it computes on, when it counts them (ts: `backend.threads`). */
      readonly threads?: number;
      /**
       * Its own line, when it has one (ts: `ts float32 · wasm-simd · 2 threads`, with the
       * reason when it runs on one thread of more asked, such as a page not cross-origin
       * isolated; webgpu: `webgpu float32 · google swiftshader`, its adapter).
       */
      readonly description?: string;
    }
  | {
      readonly type: 'configured';
      readonly settings: Settings;
      /** Toy task: the points, for drawing; MNIST: how many digits in each split. */
      readonly points?: { readonly inputs: [number, number][]; readonly labels: number[] };
      readonly counts: { readonly train: number; readonly test: number };
    }
  | { readonly type: 'snapshot'; readonly snapshot: Snapshot }
  /** The exported model: its files, each to download under its name. */
  | { readonly type: 'model'; readonly files: ModelFile[] }
  /** The network is kept in STORED_MODEL. */
  | { readonly type: 'saved' }
  | {
      readonly type: 'prediction';
      /** The 784 pixels classified, and their label when they are a test digit. */
      readonly pixels: number[];
      readonly label?: number;
      /** Softmax of the outputs. */
      readonly probabilities: number[];
      readonly digit: number;
      /** δup_0 = ∂J/∂X0 for the predicted class as target: the saliency of each pixel. */
      readonly saliency: number[];
      readonly trace: StepTrace;
    }
  | {
      readonly type: 'error';
      /** What failed: creating the backend, a command, or training. */
      readonly stage: Stage;
      readonly name: string;
      readonly message: string;
    };

/** What an error report is about. */
export type Stage = 'backend' | 'import' | 'export' | 'save' | 'load' | 'train' | 'command';

/** Boundary grid side: 60 × 60 points. */
export const GRID = 60;
