/**
 * The twostep trainers: @twostep/core's `train` and `evaluate` on each backend, from the
 * network `createNetwork` gives (seed 1), on the data `workloadData` gives, batches in order.
 */
import {
  type Backend,
  type BackendConfig,
  classic,
  defineBackends,
  dispose,
  type FPropagation,
  fAdjoint,
  fPropagate,
  loadBackend,
  losses,
  type Matrix,
  tidy,
  toColumns,
  tracked,
} from '@twostep/core';
import { workloadData } from './data.js';
import { fit } from './fit.js';
import { peakRss } from './peers/common.js';
import type { Result, Workload } from './protocol.js';
import { maxRelativeDifference, median } from './stats.js';
import { close, defaultThreads, threadsNote, threadsOf } from './threads.js';
import { createNetwork } from './workloads.js';

export type Trainer = (workload: Workload, quick: boolean) => Promise<Result>;

const BACKENDS = defineBackends({
  ts: () => import('@twostep/backend-ts'),
  'tfjs-cpu': () => import('@twostep/backend-tfjs/cpu'),
  'tfjs-wasm': () => import('@twostep/backend-tfjs/wasm'),
});

/**
 * Each trainer's backend; loaded on use, so a missing package fails only its own trainer.
 * backend-ts's default is all cores (up to 8): every `ts` trainer but `ts-float32-threads`
 * asks for one thread.
 */
const CONFIGS: Record<string, BackendConfig> = {
  'ts-float32': { backend: 'ts', dtype: 'float32', threads: 1 },
  // All cores (at most 8): backend-ts's default count, passed explicitly so that the run says
  // what it asked for; `backend.threads` says what it got.
  'ts-float32-threads': { backend: 'ts', dtype: 'float32', threads: defaultThreads() },
  'ts-float64': { backend: 'ts', dtype: 'float64', threads: 1 },
  // Matrix products in plain TypeScript, as where WebAssembly SIMD is missing.
  'ts-float32-nosimd': { backend: 'ts', dtype: 'float32', simd: false, threads: 1 },
  'tfjs-cpu': { backend: 'tfjs-cpu' },
  'tfjs-wasm': { backend: 'tfjs-wasm' },
};

/**
 * W4: one gradient on a batch, forward pass included, by the two-step rule (`fAdjoint` after
 * `fPropagate`) and by the classic recursion; the methods alternate, each is median-timed
 * over `repeats` runs after as many warm-up runs. The backends here compute eagerly, so the
 * time is the computation's.
 */
async function gradient(name: string, backend: Backend, w: Workload): Promise<Result> {
  const { train: data } = workloadData(w);
  const net = createNetwork(w);
  const x0 = toColumns(backend, data.inputs);
  const targets = toColumns(backend, data.targets);
  const k = tracked(backend);
  /** F-propagation and δup_L = ∂J/∂XL, then the gradients by `backward`. */
  const gradients = (backward: (F: FPropagation, deltaUp: Matrix) => Matrix[]) => (): Matrix[] =>
    tidy(backend, () => {
      const F = fPropagate(k, net, x0);
      const { deltaUp } = losses.softmaxCrossEntropy.forward(k, F.X.at(-1)!, targets, 'mean');
      return backward(F, deltaUp);
    });
  const methods: Record<string, () => Matrix[]> = {
    'two-step': gradients(
      (F, deltaUp) => fAdjoint(k, net, F, deltaUp, { inputGradient: false }).gradients,
    ),
    classic: gradients(
      (F, deltaUpL) =>
        classic.gradients(k, net, {
          weights: net.weightsOn(backend),
          x0,
          targets,
          loss: losses.softmaxCrossEntropy,
          reduction: 'mean',
          F,
          deltaUpL,
        }).gradients,
    ),
  };
  const times: Record<string, number[]> = { 'two-step': [], classic: [] };
  const repeats = w.repeats ?? 1;
  for (let r = 0; r < 2 * repeats; r++) {
    for (const [method, run] of Object.entries(methods)) {
      const started = performance.now();
      const result = run();
      const ms = performance.now() - started;
      dispose(backend, result);
      if (r >= repeats) times[method]!.push(ms);
    }
  }
  const [a, c] = [methods['two-step']!(), methods.classic!()];
  const read = (ms: Matrix[]) => Promise.all(ms.map((m) => backend.read(m)));
  const difference = maxRelativeDifference(await read(a), await read(c));
  dispose(backend, [a, c, x0, targets]);
  net.release(backend);
  return {
    trainer: name,
    workload: w.name,
    gradientMs: Object.fromEntries(Object.entries(times).map(([m, ts]) => [m, median(ts)])),
    maxRelativeDifference: difference,
    threads: threadsOf(backend),
    peakRss: peakRss(),
  };
}

export const TWOSTEP_TRAINERS: Record<string, Trainer> = Object.fromEntries(
  Object.entries(CONFIGS).map(([name, config]) => [
    name,
    async (w: Workload) => {
      const backend = await loadBackend(config, BACKENDS);
      try {
        const result =
          w.name === 'W4'
            ? await gradient(name, backend, w)
            : {
                ...(await fit(name, backend, w, workloadData(w))),
                threads: threadsOf(backend),
                peakRss: peakRss(),
              };
        const note =
          typeof config.threads === 'number' ? threadsNote(config.threads, backend) : undefined;
        return note === undefined ? result : { ...result, note };
      } finally {
        close(backend);
      }
    },
  ]),
);
