/**
 * What the bench runner and each trainer agree on. The runner starts one process per
 * (trainer, workload, repetition): `node dist/worker.js <trainer> <workload> [--quick]`; the
 * worker prints exactly one `Result` as JSON on its last stdout line. The workload a trainer
 * gets is already scaled for --quick (`workload(name, quick)` in workloads.ts); the same
 * module has the data (`workloadData`) and the initial weights (`initialWeights`).
 */

/** The fixed, seeded workloads (see README.md and workloads.ts). */
export type WorkloadName = 'W1' | 'W2' | 'W3' | 'W4' | 'W5';

export interface Workload {
  readonly name: WorkloadName;
  readonly title: string;
  /** [N0, …, NL]. */
  readonly architecture: readonly number[];
  /** σ of the hidden layers; the output is identity (logits) with softmax cross-entropy. */
  readonly activation: 'relu' | 'tanh';
  readonly batchSize: number;
  /** Plain SGD. */
  readonly learningRate: number;
  /** Epochs timed, after one warm-up epoch (so the last epoch is 1 + epochs). */
  readonly epochs: number;
  /** Training samples: the first `trainSize` of the shuffle (W4: its one batch). */
  readonly trainSize: number;
  /** Test samples: the last `testSize` of the shuffle (0 when the workload measures no accuracy). */
  readonly testSize: number;
  /** W4: timed repetitions of each gradient computation, after as many warm-up ones. */
  readonly repeats?: number;
}

/**
 * Data, identical for every trainer: the mnist package's 10,000 digits in a seeded shuffle
 * (seed DATA_SEED), the first `trainSize` for training and the last `testSize` for testing, batches
 * taken in order (no reshuffling), the same every epoch. W2 takes 64 inputs per digit: the
 * central 24 × 24 pixels averaged over 3 × 3 blocks (an 8 × 8 image).
 */
export const DATA_SEED = 42;

export interface Result {
  readonly trainer: string;
  readonly workload: WorkloadName;
  /** Training samples per second over the timed epochs (W1, W2, W3). */
  readonly samplesPerSecond?: number;
  /**
   * Test accuracy after the warm-up epoch and after the last one (1 + epochs: W1's 5th, W5's
   * 3rd), when the workload has a test set.
   */
  readonly accuracy1?: number;
  readonly accuracyLast?: number;
  /** Milliseconds per training step (W3: batch 1). */
  readonly stepMs?: number;
  /** W4: milliseconds per gradient by method, and the largest relative difference between them. */
  readonly gradientMs?: Readonly<Record<string, number>>;
  readonly maxRelativeDifference?: number;
  /**
   * Threads the trainer computed with, as its library reports them (backend-ts's
   * `backend.threads`, torch.get_num_threads()); absent means one.
   */
  readonly threads?: number;
  /**
   * Peak resident set size of the process that trained (the Python one for pytorch), bytes;
   * absent from the bench page's runs (a page cannot measure its process).
   */
  readonly peakRss?: number;
  /** What the trainer does differently, or why it measured nothing on this workload. */
  readonly note?: string;
}

/**
 * The worker's exit code when the trainer failed; when a package it needs is missing; and when
 * an optional peer outside npm (PyTorch) is not on this machine, so its runs are skipped: the
 * one line on stderr says how to get it.
 */
export const EXIT_FAILED = 1;
export const EXIT_NOT_INSTALLED = 2;
export const EXIT_SKIPPED = 3;

/**
 * One measurement of the ceiling: backend-ts's float32 `matMul` at its best on this machine
 * (see ceiling.ts), with `threads` threads as the backend reports them (`requestedThreads`
 * asked for).
 */
export interface Ceiling {
  readonly requestedThreads: number;
  readonly threads: number;
  readonly gflops: number;
}
