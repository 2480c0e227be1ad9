import { ThreadPool } from './threads.js';

/** A kernel export: (from, to, addresses and scalars…). */
type Kernel = (from: number, to: number, ...args: number[]) => void;

/**
 * A backend's WebAssembly kernels, instantiated over its memory, and the threads that share
 * them. The workers start at the first job big enough to share (a backend used for small ops
 * never starts them) and end with `close`, or when the backend is garbage-collected.
 */
export class Compute {
  readonly #kernels: Readonly<Record<string, Kernel>>;
  /**
   * The pool once started, in a holder of its own: what `closeWhenCollected` keeps for a
   * dropped backend. It must not reach the memory before workers share it, or every dropped
   * backend's memory (gigabytes of address space each) would outlive the collection that
   * finds the backend unreachable until the finalizer runs.
   */
  readonly workers: { pool?: ThreadPool } = {};
  #closed = false;
  /** Why the workers could not start, if they could not (then `threads` is 1). */
  failure: string | undefined;

  constructor(
    readonly module: WebAssembly.Module,
    readonly memory: WebAssembly.Memory,
    /** Threads in all, counting the calling one; 1 never starts a worker. */
    public threads: number,
  ) {
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.#kernels = instance.exports as Record<string, Kernel>;
  }

  /**
   * `kernel` over [0, units): on this thread, or, when `big`, in chunks shared with the workers
   * (about four per thread, so a slow thread does not hold the others up).
   */
  run(kernel: string, units: number, big: boolean, args: readonly number[]): void {
    const pool = big && this.threads > 1 && !this.#closed ? this.#start() : undefined;
    if (pool) {
      pool.run(kernel, units, Math.ceil(units / (4 * this.threads)), args);
    } else {
      this.#kernels[kernel]!(0, units, ...args);
    }
  }

  /**
   * The pool, started on first use. Where workers cannot start (a Content-Security-Policy
   * without `worker-src blob:`, say), the backend goes on with one thread and says why.
   */
  #start(): ThreadPool | undefined {
    try {
      this.workers.pool ??= new ThreadPool({
        module: this.module,
        memory: this.memory,
        control: 0,
        threads: this.threads,
      });
      return this.workers.pool;
    } catch (error) {
      this.failure = `its workers could not start: ${error instanceof Error ? error.message : String(error)}`;
      this.threads = 1;
      return undefined;
    }
  }

  /** Ends the workers; later jobs run on the calling thread. Idempotent. */
  close(): void {
    this.#closed = true;
    this.workers.pool?.close();
  }
}

/** Closes the threads of a backend that was dropped without `close` (given its `workers`). */
export const closeWhenCollected = new FinalizationRegistry<Compute['workers']>((workers) =>
  workers.pool?.close(),
);
