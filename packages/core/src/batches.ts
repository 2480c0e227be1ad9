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
    return samples.upload(backend, order, start, end, out);
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
    await yieldToEventLoop();
    last = performance.now();
  };
}

/**
 * One turn of the event loop, without the wait of `setTimeout(…, 0)`: at least 1 ms in Node,
 * and 4 ms in browsers once timers nest five deep, as a training loop's do (8% of every 50 ms).
 * `setImmediate` in Node (timers and I/O run before it), a message to itself elsewhere (a task
 * in line with the page's or worker's own messages and timers); `setTimeout` last. Not
 * `scheduler.yield()`: its continuation runs ahead of waiting tasks, so a worker that trains
 * would never read the message that pauses it.
 */
export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown })
    .setImmediate;
  return new Promise((resolve) => {
    if (typeof immediate === 'function') immediate(resolve);
    else if (typeof MessageChannel === 'function') {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(undefined);
    } else setTimeout(resolve, 0);
  });
}
