/** The host side of a training loop: batch uploads from reused buffers, and yielding to the event loop. */
import type { Backend } from './contract.js';
import type { Samples } from './data.js';

/** Uploads batches through `k` (so the step's scope frees them) from host buffers reused across steps. */
export function batchBuffers(backend: Backend) {
  const make = (n: number) =>
    backend.dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const cache = new Map<number, Float32Array | Float64Array>();
  return (samples: Samples, order: ArrayLike<number>, start: number, end: number, slot: number) => {
    const key = (end - start) * 2 + slot;
    const out = cache.get(key) ?? make(samples.width * (end - start));
    cache.set(key, out);
    samples.columns(order, start, end, out);
    return backend.fromArray(out, samples.width, end - start);
  };
}

/**
 * Yields to the event loop when 50 ms have passed since the last yield: a synchronous
 * backend would otherwise never let timers, input or an abort signal's handlers run.
 */
export function breather(): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < 50) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    last = performance.now();
  };
}
