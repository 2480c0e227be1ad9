/**
 * One WebGPU device as the backend uses it: storage buffers pooled by size, shaders compiled
 * once per kernel, and the commands of many ops recorded into one compute pass and submitted
 * together (when a read or an upload needs them on the queue, or after `BATCH` dispatches).
 */
import { BackendUnavailableError } from '@twostep/core/backend';
import { type Kernel, MAX_GROUPS, source } from './wgsl.js';

/**
 * Dispatches recorded before they are submitted (the GPU idles until a submit): one slot each
 * in the uniform arena.
 */
const BATCH = 32;

/** Bytes of one dispatch's parameters in the uniform arena (WebGPU's offset alignment). */
const SLOT_BYTES = 256;

/** Pooled buffers beyond this many bytes are destroyed instead of kept. */
const POOL_BYTES = 256 * 1024 * 1024;

const CLOSED = 'the backend was closed (its GPU device destroyed)';

/** The size a buffer of `bytes` gets: a multiple of 16, at least 16. */
export const bufferSize = (bytes: number): number => Math.max(16, Math.ceil(bytes / 16) * 16);

export class Gpu {
  readonly #device: GPUDevice;
  /** Why the device can no longer compute (lost, destroyed), once it cannot. */
  #lost: string | undefined;
  /** The first error the device reported for a command of ours (a bug, or memory exhausted). */
  #error: string | undefined;
  readonly #pipelines = new Map<Kernel, GPUComputePipeline>();
  readonly #pool = new Map<number, GPUBuffer[]>();
  #pooledBytes = 0;
  /** Storage buffers alive (in matrices or in the pool), and their bytes. */
  #buffers = 0;
  #bufferBytes = 0;
  readonly #arena: GPUBuffer;
  readonly #params = new ArrayBuffer(SLOT_BYTES * BATCH);
  readonly #words = new Uint32Array(this.#params);
  readonly #floats = new Float32Array(this.#params);
  /** Dispatches recorded since the last submit: the next one's slot in the arena. */
  #slot = 0;
  #encoder: GPUCommandEncoder | undefined;
  #pass: GPUComputePassEncoder | undefined;

  constructor(device: GPUDevice) {
    this.#device = device;
    this.#arena = device.createBuffer({
      size: SLOT_BYTES * BATCH,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    device.lost.then((info) => {
      this.#lost ??=
        info.reason === 'destroyed'
          ? CLOSED
          : `the GPU device was lost${info.message ? ` (${info.message})` : ''}`;
    });
    device.addEventListener('uncapturederror', (event) => {
      this.#error ??= (event as GPUUncapturedErrorEvent).error.message;
    });
  }

  /** The largest buffer this device binds to a shader, in bytes. */
  get maxBindingBytes(): number {
    return Math.min(
      this.#device.limits.maxStorageBufferBindingSize,
      this.#device.limits.maxBufferSize,
    );
  }

  /** Throws when the device can no longer compute: every op checks it first. */
  check(op: string): void {
    if (this.#lost) {
      throw new BackendUnavailableError(
        `webgpu: ${op}: ${this.#lost}; its matrices are gone. Create a new backend and upload the weights again (a model saved from an earlier read is intact).`,
      );
    }
  }

  /** A storage buffer of at least `bytes`, from the pool when one of its size is free. */
  take(bytes: number): GPUBuffer {
    const size = bufferSize(bytes);
    const free = this.#pool.get(size);
    const buffer = free?.pop();
    if (buffer) {
      this.#pooledBytes -= size;
      return buffer;
    }
    this.#buffers++;
    this.#bufferBytes += size;
    // Bound to shaders, copied to and from. (GPUBufferUsage is read here, not at import:
    // where WebGPU is missing it is undefined, and the import must still give a clear error.)
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    return this.#device.createBuffer({ size, usage });
  }

  /** The storage buffers alive, in matrices or pooled, and their bytes (sizes as allocated). */
  get buffers(): { buffers: number; bytes: number; pooledBytes: number } {
    return { buffers: this.#buffers, bytes: this.#bufferBytes, pooledBytes: this.#pooledBytes };
  }

  /**
   * Gives a buffer back for reuse. Commands recorded earlier may still read it: they run first
   * (one queue, in order), and uploads into a reused buffer submit what was recorded first.
   */
  give(buffer: GPUBuffer): void {
    if (this.#pooledBytes + buffer.size > POOL_BYTES || this.#lost) {
      this.#buffers--;
      this.#bufferBytes -= buffer.size;
      buffer.destroy();
      return;
    }
    const free = this.#pool.get(buffer.size);
    if (free) free.push(buffer);
    else this.#pool.set(buffer.size, [buffer]);
    this.#pooledBytes += buffer.size;
  }

  /** Writes `data` into `buffer` after every command recorded so far. */
  write(buffer: GPUBuffer, data: Float32Array | Uint32Array): void {
    this.flush();
    this.#device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Records a copy of `bytes` from one buffer into another (each at its offset). */
  copy(from: GPUBuffer, fromOffset: number, to: GPUBuffer, toOffset: number, bytes: number): void {
    this.#endPass();
    this.#encoder ??= this.#device.createCommandEncoder();
    this.#encoder.copyBufferToBuffer(from, fromOffset, to, toOffset, bytes);
  }

  /**
   * Records `kernel` over `groups` workgroups ([x, y]), with its parameters in the order the
   * kernel declares them and its buffers (inputs, then outputs).
   */
  dispatch(
    kernel: Kernel,
    params: readonly number[],
    buffers: readonly GPUBuffer[],
    groups: readonly [number, number],
  ): void {
    const base = (this.#slot * SLOT_BYTES) / 4;
    kernel.params.forEach(([, type], f) => {
      if (type === 'u32') this.#words[base + f] = params[f]!;
      else this.#floats[base + f] = params[f]!;
    });
    const pipeline = this.#pipeline(kernel);
    const bindGroup = this.#device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.#arena, offset: base * 4, size: SLOT_BYTES } },
        ...buffers.map((buffer, b) => ({ binding: b + 1, resource: { buffer } })),
      ],
    });
    this.#slot++;
    this.#encoder ??= this.#device.createCommandEncoder();
    this.#pass ??= this.#encoder.beginComputePass();
    this.#pass.setPipeline(pipeline);
    this.#pass.setBindGroup(0, bindGroup);
    this.#pass.dispatchWorkgroups(groups[0], groups[1]);
    if (this.#slot === BATCH) this.flush();
  }

  /** Submits every command recorded, after the parameters they read. */
  flush(): void {
    this.#endPass();
    if (!this.#encoder) return;
    const queue = this.#device.queue;
    if (this.#slot > 0) queue.writeBuffer(this.#arena, 0, this.#params, 0, this.#slot * SLOT_BYTES);
    queue.submit([this.#encoder.finish()]);
    this.#encoder = undefined;
    this.#slot = 0;
  }

  /** The bytes of `buffer` (its first `bytes`), once every command recorded so far has run. */
  async read(buffer: GPUBuffer, bytes: number, op: string): Promise<ArrayBuffer> {
    const size = Math.ceil(bytes / 4) * 4;
    const staging = this.#device.createBuffer({
      size,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    try {
      this.copy(buffer, 0, staging, 0, size);
      this.flush();
      try {
        await staging.mapAsync(GPUMapMode.READ);
      } catch (cause) {
        this.check(op);
        throw cause;
      }
      const error = this.#error;
      if (error !== undefined) {
        throw new Error(
          `webgpu: ${op}: the GPU reported an error for an earlier command: ${error}. Results since then may be wrong; please report it with the network and batch size.`,
        );
      }
      return staging.getMappedRange().slice(0);
    } finally {
      staging.destroy();
    }
  }

  /** Destroys the device: later ops throw that the backend was closed. Idempotent. */
  destroy(): void {
    this.#lost ??= CLOSED;
    this.#pass = undefined;
    this.#encoder = undefined;
    this.#device.destroy();
  }

  /** Workgroups for `units` groups' worth of work: [x, y] with x within the dispatch limit. */
  static grid(units: number): [number, number] {
    const x = Math.min(Math.max(units, 1), MAX_GROUPS);
    return [x, Math.ceil(units / x)];
  }

  #endPass(): void {
    this.#pass?.end();
    this.#pass = undefined;
  }

  #pipeline(kernel: Kernel): GPUComputePipeline {
    let pipeline = this.#pipelines.get(kernel);
    if (!pipeline) {
      const module = this.#device.createShaderModule({ label: kernel.name, code: source(kernel) });
      pipeline = this.#device.createComputePipeline({
        label: kernel.name,
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
      });
      this.#pipelines.set(kernel, pipeline);
    }
    return pipeline;
  }
}
