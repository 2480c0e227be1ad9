/**
 * Runs the kernels of a WebAssembly module on several threads over one shared
 * `WebAssembly.Memory`. A job splits [0, units) into chunks; the calling thread and
 * `threads − 1` workers claim chunks from a counter in a control block of that memory until
 * none is left. Jobs reach the workers through the control block (`Atomics.wait`/`notify`),
 * never through messages, so `run()` is synchronous and never waits for an event loop: a
 * worker that has not started yet (a browser starts one only after its creator yields) claims
 * nothing, and the calling thread computes the chunks itself.
 *
 * Workers are Node `worker_threads` or browser `Worker`s started from a source string made of
 * the self-contained functions `workerMain` and `claimChunks` below (no file to ship or
 * resolve, and it survives bundling and minification).
 */

/**
 * The control block, in 32-bit words from the pool's `control` address unless said otherwise.
 * The workers receive it in their start message: their code references nothing outside itself.
 */
const LAYOUT = {
  /** Job sequence number, 0 … 2³¹ − 1 wrapping; STOP ends the workers. Workers wait on it. */
  SEQ: 0,
  /** The job: kernel index (into the export names the workers got), units, chunk, chunks, args. */
  KERNEL: 1,
  UNITS: 2,
  CHUNK: 3,
  CHUNKS: 4,
  ARGC: 5,
  /** Chunks not yet claimed: Atomics.sub(LEFT, 1) returning k > 0 claims chunk CHUNKS − k. */
  LEFT: 6,
  /** Chunks done; the thread that does the last one notifies it. */
  DONE: 7,
  /** 0, or the worker (1 … threads − 1) whose kernel threw first in this job. */
  FAILED: 8,
  /** Bytes of that worker's message (UTF-8, from byte MESSAGE). */
  MESSAGE_LENGTH: 9,
  /** −1, or a worker that ends right after its next claim (test hook: ThreadPool._exitOnClaim). */
  EXIT: 10,
  /** The args from word 12 (byte 48): each f64 as two words, low then high. */
  ARGS: 12,
  /** The error message, from this byte to BYTES. */
  MESSAGE: 144,
  BYTES: 256,
  STOP: -1,
  /**
   * How long an idle thread polls before it sleeps (ms). Waking a sleeping thread costs the
   * notifier 30–60 µs here (a VM), more than a small chunk's work; a training step leaves up to
   * a few hundred µs between big ops (batch upload, small layers), which the poll spans: at
   * 0.05 ms W1 gained 5% from a second thread, at 0.5 ms 12%.
   */
  SPIN_MS: 0.5,
} as const;

/** Bytes of the control block a pool needs in the shared memory (8-aligned). */
export const CONTROL_BYTES: number = LAYOUT.BYTES;

/** The most args a kernel takes after (from, to). */
const MAX_ARGS = (LAYOUT.MESSAGE - 4 * LAYOUT.ARGS) / 8;

const DEFAULT_TIMEOUT_MS = 10_000;

export interface ThreadPoolOptions {
  /**
   * The compiled kernels; instantiated in each thread (the calling one too) with
   * `{ env: { memory } }`, so it must not initialise memory (no active data segments).
   */
  readonly module: WebAssembly.Module;
  /** Shared memory (`new WebAssembly.Memory({ initial, maximum, shared: true })`), the same in every thread. */
  readonly memory: WebAssembly.Memory;
  /** Byte address (8-aligned) of a CONTROL_BYTES control block in `memory` that the caller reserved for the pool. */
  readonly control: number;
  /** Threads in all, counting the calling one (≥ 2): threads − 1 workers are started. */
  readonly threads: number;
  /** How long run() waits for a claimed chunk before it treats its worker as dead (default 10 s). */
  readonly timeoutMs?: number;
}

type Kernel = (...args: number[]) => unknown;

/** What a thread claims chunks with: its kernels, the control block, scratch for the args. */
interface Claimer {
  readonly words: Int32Array;
  readonly layout: typeof LAYOUT;
  /** 0 for the calling thread, 1 … threads − 1 for the workers. */
  readonly id: number;
  /** The module's exported functions, in the order of the names the workers got. */
  readonly kernels: readonly Kernel[];
  /** One f64 arg, and the same 8 bytes as two words. */
  readonly arg: Float64Array;
  readonly halves: Int32Array;
  /** Records a kernel's exception (the chunk still counts as done). */
  fail(error: unknown): void;
}

/** A worker's start message. */
interface WorkerInit {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly control: number;
  readonly kernels: readonly string[];
  readonly layout: typeof LAYOUT;
  readonly id: number;
}

/**
 * Claims and runs chunks of the posted job until none is left. False when this worker must
 * end now (the test hook EXIT). Self-contained: it is part of the workers' source.
 */
function claimChunks(t: Claimer): boolean {
  const c = t.words;
  const L = t.layout;
  for (;;) {
    const left = Atomics.sub(c, L.LEFT, 1);
    if (left <= 0) return true;
    if (Atomics.load(c, L.EXIT) === t.id) return false;
    // Claim first, then read the job. A worker may wake late for job N while N + 1 is being
    // posted, but the caller writes a job's fields before it stores LEFT, and posts the next
    // job only once DONE reaches CHUNKS, which needs this chunk: so what a valid claim reads
    // below is the claimed job's. A late claim on an exhausted LEFT gets k ≤ 0 and reads nothing.
    const chunks = Atomics.load(c, L.CHUNKS);
    const chunk = Atomics.load(c, L.CHUNK);
    const from = (chunks - left) * chunk;
    const args = [from, Math.min(from + chunk, Atomics.load(c, L.UNITS))];
    for (let i = 0, n = Atomics.load(c, L.ARGC); i < n; i++) {
      t.halves[0] = Atomics.load(c, L.ARGS + 2 * i);
      t.halves[1] = Atomics.load(c, L.ARGS + 2 * i + 1);
      args.push(t.arg[0]!);
    }
    try {
      t.kernels[Atomics.load(c, L.KERNEL)]!(...args);
    } catch (error) {
      t.fail(error);
    }
    if (Atomics.add(c, L.DONE, 1) === chunks - 1) Atomics.notify(c, L.DONE);
  }
}

/**
 * A worker's code: `receive` calls back with the start message, then the worker claims chunks
 * of each job posted, polling briefly and then sleeping on SEQ between jobs, until STOP.
 * Self-contained (its helpers come as arguments), so `(${workerMain})(…)` is its source.
 */
function workerMain(
  claim: typeof claimChunks,
  receive: (start: (init: WorkerInit) => void) => void,
  exit: () => void,
): void {
  receive((init) => {
    const L = init.layout;
    const exports = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports;
    const words = new Int32Array(init.memory.buffer, init.control, L.BYTES / 4);
    const message = new Uint8Array(
      init.memory.buffer,
      init.control + L.MESSAGE,
      L.BYTES - L.MESSAGE,
    );
    const encoded = new Uint8Array(message.length);
    const arg = new Float64Array(1);
    const claimer: Claimer = {
      words,
      layout: L,
      id: init.id,
      kernels: init.kernels.map((name) => exports[name] as Kernel),
      arg,
      halves: new Int32Array(arg.buffer),
      fail(error) {
        // The first failure of a job writes its message; the caller reads it once DONE is full.
        if (Atomics.compareExchange(words, L.FAILED, 0, init.id) !== 0) return;
        const { written } = new TextEncoder().encodeInto(String(error), encoded);
        for (let i = 0; i < written; i++) Atomics.store(message, i, encoded[i]!);
        Atomics.store(words, L.MESSAGE_LENGTH, written);
      },
    };
    for (;;) {
      const seq = Atomics.load(words, L.SEQ);
      if (seq === L.STOP) return;
      if (!claim(claimer)) return exit();
      const until = performance.now() + L.SPIN_MS;
      while (Atomics.load(words, L.SEQ) === seq && performance.now() < until);
      Atomics.wait(words, L.SEQ, seq); // returns at once when a job came meanwhile
    }
  });
}

/** Node's worker_threads, as much of it as the pool uses. */
interface NodeWorkerThreads {
  readonly Worker: new (
    source: string,
    options: { readonly eval: true },
  ) => {
    postMessage(value: unknown): void;
    terminate(): Promise<number>;
    unref(): void;
    on(event: 'error', listener: (error: unknown) => void): unknown;
  };
}

/** A Node built-in module (synchronously, Node ≥ 20.16), or undefined outside Node. */
function nodeModule<T>(id: string): T | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
    .process;
  return process?.getBuiltinModule?.(id) as T | undefined;
}

/** A started worker: what the pool does with it. */
interface WorkerHandle {
  terminate(): unknown;
}

/** Starts a worker and posts it `init`; it claims chunks once it has started. */
function startWorker(init: WorkerInit): WorkerHandle {
  const threads = nodeModule<NodeWorkerThreads>('node:worker_threads');
  if (threads) {
    const worker = new threads.Worker(
      `(${workerMain})(${claimChunks}, (start) => process.getBuiltinModule('node:worker_threads').parentPort.once('message', start), () => process.exit())`,
      { eval: true },
    );
    worker.unref(); // a process that never calls close() still exits
    // An error outside a kernel ends the worker. It claims nothing more, and a chunk it held
    // makes run() throw after timeoutMs; without a listener Node would rethrow it here.
    worker.on('error', () => {});
    worker.postMessage(init);
    return worker;
  }
  const url = URL.createObjectURL(
    new Blob(
      [
        `(${workerMain})(${claimChunks}, (start) => { onmessage = (event) => { onmessage = null; start(event.data); }; }, () => close())`,
      ],
      { type: 'text/javascript' },
    ),
  );
  try {
    const worker = new Worker(url);
    worker.postMessage(init);
    return worker;
  } finally {
    URL.revokeObjectURL(url);
  }
}

let waitAllowed: boolean | undefined;

/** Whether this thread may block in Atomics.wait (not on a browser's main thread). Detected once. */
function canWait(words: Int32Array): boolean {
  if (waitAllowed === undefined) {
    try {
      Atomics.wait(words, LAYOUT.SEQ, Atomics.load(words, LAYOUT.SEQ) + 1, 0);
      waitAllowed = true;
    } catch {
      waitAllowed = false;
    }
  }
  return waitAllowed;
}

/**
 * Runs kernels on the calling thread and `threads − 1` workers that share its memory.
 *
 * A kernel is an export `(from, to, ...args)` of the module that computes units [from, to)
 * and writes outputs no other chunk writes, so the result does not depend on which thread ran
 * which chunk. Args are i32 or f64 parameters: JS numbers pass through unchanged.
 */
export class ThreadPool {
  /** Threads the pool was made with, counting the calling one. */
  readonly threads: number;
  readonly #timeoutMs: number;
  readonly #words: Int32Array;
  readonly #message: Uint8Array;
  readonly #ids: ReadonlyMap<string, number>;
  readonly #claimer: Claimer;
  readonly #canWait: boolean;
  #seq = 0;
  #workers: WorkerHandle[];
  /** The calling thread's kernel exception in the current job, if any. */
  #error: { readonly value: unknown } | undefined;

  constructor({
    module,
    memory,
    control,
    threads,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  }: ThreadPoolOptions) {
    const support = threadSupport();
    if (!support.available) throw new Error(`ThreadPool: ${support.reason}`);
    if (!((memory.buffer as ArrayBufferLike) instanceof SharedArrayBuffer))
      throw new TypeError(
        'ThreadPool: memory is not shared; create it with new WebAssembly.Memory({ initial, maximum, shared: true }).',
      );
    if (
      !Number.isInteger(control) ||
      control < 0 ||
      control % 8 !== 0 ||
      control + CONTROL_BYTES > memory.buffer.byteLength
    )
      throw new RangeError(
        `ThreadPool: control is ${control}; it must be an 8-aligned byte address with ${CONTROL_BYTES} bytes of the memory (${memory.buffer.byteLength} bytes) from it.`,
      );
    if (!Number.isInteger(threads) || threads < 2)
      throw new RangeError(
        `ThreadPool: threads is ${threads}; it must be a whole number ≥ 2 (the calling thread and at least one worker).`,
      );
    if (!(timeoutMs > 0))
      throw new RangeError(
        `ThreadPool: timeoutMs is ${timeoutMs}; it must be a positive number of milliseconds.`,
      );
    this.threads = threads;
    this.#timeoutMs = timeoutMs;
    const names = WebAssembly.Module.exports(module)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name);
    this.#ids = new Map(names.map((name, i) => [name, i]));
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    const arg = new Float64Array(1);
    this.#words = new Int32Array(memory.buffer, control, CONTROL_BYTES / 4);
    this.#message = new Uint8Array(
      memory.buffer,
      control + LAYOUT.MESSAGE,
      CONTROL_BYTES - LAYOUT.MESSAGE,
    );
    this.#claimer = {
      words: this.#words,
      layout: LAYOUT,
      id: 0,
      kernels: names.map((name) => exports[name] as Kernel),
      arg,
      halves: new Int32Array(arg.buffer),
      fail: (error) => {
        this.#error ??= { value: error };
      },
    };
    this.#canWait = canWait(this.#words);
    for (const word of [LAYOUT.SEQ, LAYOUT.LEFT, LAYOUT.DONE, LAYOUT.FAILED])
      Atomics.store(this.#words, word, 0);
    Atomics.store(this.#words, LAYOUT.EXIT, -1);
    const init = { module, memory, control, kernels: names, layout: LAYOUT };
    this.#workers = Array.from({ length: threads - 1 }, (_, i) =>
      startWorker({ ...init, id: i + 1 }),
    );
  }

  /**
   * Runs exports[kernel](from, to, ...args) for chunks [from, to) covering [0, units), each `chunk` units
   * long (the last shorter), on this thread and on the workers; returns once every chunk is done.
   * Throws when the kernel throws (in any thread, after every chunk has finished) and when a
   * worker stops responding while it holds a chunk (which closes the pool).
   */
  run(kernel: string, units: number, chunk: number, args: readonly number[]): void {
    const id = this.#ids.get(kernel);
    if (id === undefined)
      throw new Error(
        `ThreadPool.run: the module exports no function "${kernel}"; it exports ${[...this.#ids.keys()].join(', ')}.`,
      );
    const arity = this.#claimer.kernels[id]!.length - 2;
    if (args.length !== arity || arity > MAX_ARGS)
      throw new RangeError(
        arity > MAX_ARGS
          ? `ThreadPool.run: kernel "${kernel}" takes ${arity} args after (from, to); a pool passes at most ${MAX_ARGS}.`
          : `ThreadPool.run: kernel "${kernel}" takes ${arity} args after (from, to), not ${args.length}.`,
      );
    if (!Number.isInteger(units) || units < 0 || units > 0x7fffffff)
      throw new RangeError(
        `ThreadPool.run: units is ${units}; it must be a whole number from 0 to 2³¹ − 1.`,
      );
    if (!Number.isInteger(chunk) || chunk < 1)
      throw new RangeError(`ThreadPool.run: chunk is ${chunk}; it must be a whole number ≥ 1.`);
    const chunks = Math.ceil(units / chunk);
    if (chunks <= 1 || this.#workers.length === 0) {
      this.#runHere(kernel, units, chunk, args);
      return;
    }
    const c = this.#words;
    Atomics.store(c, LAYOUT.KERNEL, id);
    Atomics.store(c, LAYOUT.UNITS, units);
    Atomics.store(c, LAYOUT.CHUNK, chunk);
    Atomics.store(c, LAYOUT.CHUNKS, chunks);
    Atomics.store(c, LAYOUT.ARGC, args.length);
    const { arg, halves } = this.#claimer;
    for (let i = 0; i < args.length; i++) {
      arg[0] = args[i]!;
      Atomics.store(c, LAYOUT.ARGS + 2 * i, halves[0]!);
      Atomics.store(c, LAYOUT.ARGS + 2 * i + 1, halves[1]!);
    }
    Atomics.store(c, LAYOUT.DONE, 0);
    Atomics.store(c, LAYOUT.LEFT, chunks); // opens the job to claims
    this.#seq = (this.#seq + 1) & 0x7fffffff;
    Atomics.store(c, LAYOUT.SEQ, this.#seq);
    Atomics.notify(c, LAYOUT.SEQ, chunks - 1);
    claimChunks(this.#claimer);
    this.#awaitChunks(kernel, chunks);
    const error = this.#error;
    const worker = Atomics.load(c, LAYOUT.FAILED);
    this.#error = undefined;
    Atomics.store(c, LAYOUT.FAILED, 0);
    if (error) throw kernelError(kernel, 'on the calling thread', error.value);
    if (worker !== 0) {
      const length = Atomics.load(c, LAYOUT.MESSAGE_LENGTH);
      const bytes = Uint8Array.from({ length }, (_, i) => Atomics.load(this.#message, i));
      throw kernelError(kernel, `in worker ${worker}`, new TextDecoder().decode(bytes));
    }
  }

  /** Ends the workers (idempotent); run() afterwards computes every chunk on the calling thread. */
  close(): void {
    if (this.#workers.length === 0) return;
    Atomics.store(this.#words, LAYOUT.SEQ, LAYOUT.STOP);
    Atomics.notify(this.#words, LAYOUT.SEQ);
    for (const worker of this.#workers) worker.terminate();
    this.#workers = [];
  }

  /**
   * Test hook: worker `id` (1 … threads − 1) ends itself (process.exit(), or close() in a
   * browser) right after it next claims a chunk, holding it.
   * @internal
   */
  _exitOnClaim(id: number): void {
    Atomics.store(this.#words, LAYOUT.EXIT, id);
  }

  /**
   * Test hook: terminates worker `id` (1 … threads − 1); resolves once it is gone.
   * @internal
   */
  async _terminate(id: number): Promise<void> {
    await this.#workers[id - 1]?.terminate();
  }

  /** Every chunk on the calling thread. */
  #runHere(kernel: string, units: number, chunk: number, args: readonly number[]): void {
    const run = this.#claimer.kernels[this.#ids.get(kernel)!]!;
    for (let from = 0; from < units; from += chunk) {
      try {
        run(from, Math.min(from + chunk, units), ...args);
      } catch (error) {
        throw kernelError(kernel, 'on the calling thread', error);
      }
    }
  }

  /**
   * Waits until DONE reaches `chunks`: polls for SPIN_MS, then sleeps on DONE (or keeps polling
   * where this thread may not block). Closes the pool and throws when DONE makes no progress
   * for timeoutMs.
   */
  #awaitChunks(kernel: string, chunks: number): void {
    const c = this.#words;
    const until = performance.now() + LAYOUT.SPIN_MS;
    while (Atomics.load(c, LAYOUT.DONE) < chunks && performance.now() < until);
    let seen = -1;
    let deadline = 0;
    for (
      let done = Atomics.load(c, LAYOUT.DONE);
      done < chunks;
      done = Atomics.load(c, LAYOUT.DONE)
    ) {
      const now = performance.now();
      if (done !== seen) {
        seen = done;
        deadline = now + this.#timeoutMs;
      } else if (now >= deadline) {
        this.close();
        throw new Error(
          `ThreadPool.run: a worker stopped responding (it crashed or was terminated) while it held ${chunks - done} of the ${chunks} chunks of kernel "${kernel}": none finished in ${this.#timeoutMs} ms. The pool is closed and run() now computes on the calling thread; create a new ThreadPool to use workers again.`,
        );
      }
      if (this.#canWait) Atomics.wait(c, LAYOUT.DONE, done, deadline - now);
    }
  }
}

/** The Error run() throws when a kernel threw `where` (its message says what to check). */
function kernelError(kernel: string, where: string, error: unknown): Error {
  return new Error(
    `ThreadPool.run: kernel "${kernel}" threw ${where}: ${String(error)}. The job's other chunks ran, but its outputs are incomplete; check the kernel's args (addresses within the memory, say).`,
    { cause: error },
  );
}

let support: ReturnType<typeof threadSupport> | undefined;

/** Whether this runtime can run a pool, and if not why (a sentence a user can act on). */
export function threadSupport():
  | { readonly available: true }
  | { readonly available: false; readonly reason: string } {
  support ??= findSupport();
  return support;
}

function findSupport(): ReturnType<typeof threadSupport> {
  if (
    typeof SharedArrayBuffer !== 'function' ||
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false
  )
    return {
      available: false,
      reason:
        'Threads need SharedArrayBuffer, which browsers enable only on cross-origin isolated pages: serve the page with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp.',
    };
  if (typeof Worker !== 'function' && !nodeModule('node:worker_threads'))
    return {
      available: false,
      reason:
        "This runtime has neither Worker nor Node's worker_threads to start threads with; use one thread.",
    };
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return {
      available: false,
      reason:
        'This runtime cannot create a shared WebAssembly.Memory (WebAssembly threads are missing or disabled); use one thread.',
    };
  }
  return { available: true };
}

/**
 * A sensible default thread count: the machine's cores (os.availableParallelism() in Node,
 * navigator.hardwareConcurrency in browsers), at least 1 and capped at 8. Each job costs
 * microseconds of synchronisation (tens when sleeping workers must be woken), and more threads
 * contend for the claim counter, while the products of MLP-sized layers (a few hundred rows)
 * split into too few chunks of too little work to keep more than about 8 threads busy: past
 * that, threads add cost and no speed.
 */
export function defaultThreads(): number {
  const cores =
    nodeModule<{ availableParallelism(): number }>('node:os')?.availableParallelism() ??
    (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
      ?.hardwareConcurrency ??
    1;
  return Math.max(1, Math.min(8, Math.floor(cores)));
}
