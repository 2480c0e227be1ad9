/**
 * The ceiling the GFLOP/s column is read against: the best float32 `matMul` of backend-ts on
 * this machine, measured in the same `pnpm bench` run (in a worker process of its own, at the
 * start of every repetition), with one thread and with `defaultThreads()` (all cores, at most
 * 8). The product is W5's middle layer, Y2 = W2 · X1 without the bias column: 512×512 ·
 * 512×128, large enough for the kernel's and the threads' best, small enough for a few
 * milliseconds a product. Best, not median: the ceiling is what the kernel can do when the
 * shared machine lets it.
 */
import type { Ceiling } from './protocol.js';
import { close, defaultThreads, threadsOf, tsBackend } from './threads.js';

/** [rows of A, inner, columns of B]. */
export const CEILING_SHAPE = [512, 512, 128] as const;

/** Timed products per thread count (--quick: fewer), after as many untimed. */
export const CEILING_REPEATS = { full: 40, quick: 15 } as const;

/** The best GFLOP/s of backend-ts's float32 matMul on CEILING_SHAPE with `threads` threads. */
export async function measureCeiling(threads: number, repeats: number): Promise<Ceiling> {
  const k = tsBackend('float32', threads);
  try {
    const [m, inner, n] = CEILING_SHAPE;
    const values = (count: number, phase: number) =>
      Float32Array.from({ length: count }, (_, i) => Math.sin(i + phase));
    const a = k.fromArray(values(m * inner, 0), m, inner);
    const b = k.fromArray(values(inner * n, 1), inner, n);
    // backend-ts's workers join once this thread yields to the event loop (as `train` does):
    // one product to start them, then a yield.
    k.dispose(k.matMul(a, b));
    await new Promise((resolve) => setTimeout(resolve, 100));
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 2 * repeats; r++) {
      const started = performance.now();
      const c = k.matMul(a, b);
      const ms = performance.now() - started;
      k.dispose(c);
      if (r >= repeats) best = Math.min(best, ms);
    }
    k.dispose(a);
    k.dispose(b);
    return {
      requestedThreads: threads,
      threads: threadsOf(k),
      gflops: (2 * m * inner * n) / best / 1e6,
    };
  } finally {
    close(k);
  }
}

/** The ceiling with one thread and with all (once only, on a one-core machine). */
export async function measureCeilings(quick: boolean): Promise<Ceiling[]> {
  const repeats = quick ? CEILING_REPEATS.quick : CEILING_REPEATS.full;
  const all = defaultThreads();
  const counts = all > 1 ? [1, all] : [1];
  const ceilings: Ceiling[] = [];
  for (const threads of counts) ceilings.push(await measureCeiling(threads, repeats));
  return ceilings;
}
