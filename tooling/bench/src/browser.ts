/**
 * What the bench page (browser/page.ts) and the runner that drives it in Chromium
 * (browser-run.ts) agree on: the trainers, the workloads, and what the page exposes as
 * `globalThis.bench`. The page fetches the packed digits beside it, as MNIST_FILE of
 * @twostep/datasets/mnist.
 */
import type { BackendConfig } from '@twostep/core';
import type { Result, WorkloadName } from './protocol.js';

/**
 * The page's trainers: twostep on each browser backend, the rule and the workload the same as
 * in Node. Names as in the Node bench where the backend is the same (`ts-float32`).
 */
export const BROWSER_TRAINERS = {
  webgpu: { backend: 'webgpu' },
  'tfjs-webgpu': { backend: 'tfjs-webgpu' },
  'tfjs-webgl': { backend: 'tfjs-webgl' },
  'ts-float32': { backend: 'ts', dtype: 'float32', threads: 1 },
} as const satisfies Record<string, BackendConfig>;

export type BrowserTrainer = keyof typeof BROWSER_TRAINERS;
export const BROWSER_TRAINER_NAMES = Object.keys(BROWSER_TRAINERS) as BrowserTrainer[];

/** The workloads the page runs: W1 (per-op overhead) and W5 (the products). */
export const BROWSER_WORKLOADS: readonly WorkloadName[] = ['W1', 'W5'];

/** What the page says of where it runs. */
export interface PageEnvironment {
  readonly userAgent: string;
  /** The WebGPU adapter (`GPUAdapterInfo`), or why there is none. */
  readonly webgpu:
    | { readonly vendor: string; readonly architecture: string; readonly description: string }
    | { readonly unavailable: string };
  /** WebGL2's renderer (unmasked when the browser tells), or why there is none. */
  readonly webgl: { readonly renderer: string } | { readonly unavailable: string };
}

/** Where the bench page ran: the browser's name and version, and what the page says. */
export type BrowserEnvironment = PageEnvironment & { readonly browser: string };

/** One run's outcome in the page: its Result, or the backend's reason it cannot run here. */
export type PageRun = { readonly result: Result } | { readonly unavailable: string };

/** `globalThis.bench` in the page. */
export interface BenchPage {
  environment(): Promise<PageEnvironment>;
  run(trainer: BrowserTrainer, workload: WorkloadName, quick: boolean): Promise<PageRun>;
}
