// The backend on several threads: the same bits as on one, for every dtype; workers that end.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { adam, Network, oneHot, sgd, train } from '@twostep/core';
import { ConfigError, type MatMulOptions } from '@twostep/core/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { Compute } from '../src/compute.js';
import { createBackend, defaultThreads, type TsBackend } from '../src/index.js';
import { kernelModule } from '../src/simd.js';

const DTYPES = ['float32', 'float64'] as const;
const seeded = (length: number, seed: number) =>
  Array.from({ length }, (_, i) => Math.sin(i * 0.7 + seed) * (1 + (i % 5)));

/** The index of the first entry whose bits differ, or -1 (fast where `toEqual` on arrays of
 * 270,000 numbers takes seconds). */
function firstDifference(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  const bytes = (t: Float32Array | Float64Array) =>
    new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
  const [x, y] = [bytes(a), bytes(b)];
  if (x.length !== y.length) return Math.min(a.length, b.length);
  const at = x.findIndex((byte, i) => byte !== y[i]);
  return at < 0 ? -1 : Math.floor(at / a.BYTES_PER_ELEMENT);
}

describe.each(DTYPES)('%s on 3 threads', (dtype) => {
  const one = createBackend({ dtype, threads: 1 });
  const three = createBackend({ dtype, threads: 3 });

  // Workers start once the thread that made them yields: a first shared product, then a yield,
  // so that the tests below compute on them.
  beforeAll(async () => {
    const a = three.fill(256, 256, 1);
    three.matMul(a, a);
    await new Promise((resolve) => setTimeout(resolve, 300));
  });

  it('says how many threads it uses', () => {
    expect(three.threads).toBe(3);
    expect(three.description).toMatch(new RegExp(`^ts ${dtype} · wasm-simd.* · 3 threads$`));
    expect(one.description).toMatch(/ · 1 thread$/);
  });

  it.each<[MatMulOptions]>([
    [{}],
    [{ transposeA: true }],
    [{ transposeB: true }],
    [{ transposeA: true, transposeB: true }],
  ])('products big enough to share give the bits of one thread %o', (flags) => {
    const [m, k, n] = [132, 301, 70];
    const bits = (backend: TsBackend) => {
      const a = flags.transposeA
        ? backend.fromArray(seeded(m * k, 1), k, m)
        : backend.fromArray(seeded(m * k, 1), m, k);
      const b = flags.transposeB
        ? backend.fromArray(seeded(k * n, 2), n, k)
        : backend.fromArray(seeded(k * n, 2), k, n);
      return Array.from(backend.readSync(backend.matMul(a, b, flags)));
    };
    expect(bits(three)).toEqual(bits(one));
  });

  it('long element-wise passes and updates give the bits of one thread', () => {
    const n = 270_001; // past the size that is shared (2¹⁸), with a part of a vector at the end
    const bits = (k: TsBackend) => {
      const [x, y] = [k.fromArray(seeded(n, 3), 1, n), k.fromArray(seeded(n, 4), 1, n)];
      const step = k.adam(x, y, y, k.unary('square', x), {
        stepSize: 0.01,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
      });
      return [k.axpy(-0.1, x, y), k.unary('relu', x), k.mul(x, y), step.w, step.m, step.v].map(
        (m) => k.readSync(m),
      );
    };
    const [threaded, single] = [bits(three), bits(one)];
    expect(threaded.map((t, i) => firstDifference(t, single[i] as Float32Array))).toEqual(
      threaded.map(() => -1),
    );
  });

  it('a batch of 700 × 400 from its columns (shared) is the transposed data, as on one thread', () => {
    const [rows, cols] = [700, 400];
    const data = seeded(rows * cols, 5);
    const transposed = Array.from({ length: rows * cols }, (_, e) => {
      const [i, j] = [Math.floor(e / cols), e % cols];
      return data[j * rows + i]!;
    });
    const expected = one.readSync(one.fromArray(transposed, rows, cols));
    for (const k of [three, one]) {
      expect(firstDifference(k.readSync(k.fromColumns(data, rows, cols)), expected)).toBe(-1);
    }
  });

  it('trains to the same bits as one thread (SGD and Adam)', async () => {
    const inputs = Array.from({ length: 96 }, (_, i) => seeded(300, i));
    const targets = oneHot(
      inputs.map((_, i) => i % 10),
      10,
    );
    const weights = async (k: TsBackend, optimizer: 'sgd' | 'adam') => {
      const net = Network.create({ architecture: 'A[300,200,10]', activation: 'relu', seed: 4 });
      await train(
        k,
        net,
        { inputs, targets },
        {
          loss: 'softmaxCrossEntropy',
          optimizer:
            optimizer === 'sgd' ? sgd({ learningRate: 0.05 }) : adam({ learningRate: 0.001 }),
          batchSize: 32,
          epochs: 2,
        },
      );
      return net.getWeights().map((w) => w.flat());
    };
    for (const optimizer of ['sgd', 'adam'] as const) {
      expect(await weights(three, optimizer)).toEqual(await weights(one, optimizer));
    }
  });

  it('keeps working on the calling thread after close()', () => {
    const k = createBackend({ dtype, threads: 2 });
    const a = k.fromArray(seeded(200 * 300, 5), 200, 300);
    const before = Array.from(k.readSync(k.matMul(a, a, { transposeB: true })));
    k.close();
    k.close();
    expect(Array.from(k.readSync(k.matMul(a, a, { transposeB: true })))).toEqual(before);
  });
});

describe('threads option', () => {
  it('defaults to the cores, up to 8', () => {
    expect(defaultThreads()).toBeGreaterThanOrEqual(1);
    expect(defaultThreads()).toBeLessThanOrEqual(8);
    expect(createBackend().threads).toBe(defaultThreads());
  });

  it.each([0, -1, 1.5, Number.NaN, 65, '2', null])('refuses threads %s', (threads) => {
    expect(() => createBackend({ threads: threads as number })).toThrow(ConfigError);
    expect(() => createBackend({ threads: threads as number })).toThrow(
      /createBackend: threads is .*; it must be a whole number from 1 \(this thread only\) to 64/,
    );
  });

  it('runs on one thread without SIMD, and says why', () => {
    const k = createBackend({ simd: false, threads: 4 });
    expect(k.threads).toBe(1);
    expect(k.description).toBe(
      'ts float32 · typescript · 1 thread (simd: false computes in TypeScript on this thread)',
    );
  });
});

describe('worker threads and the process', () => {
  it('a process that never closes its backends still exits', () => {
    const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `
      import { createBackend } from ${JSON.stringify(entry)};
      const k = createBackend({ threads: 2 });
      const a = k.fill(400, 400, 0.5);
      const c = k.readSync(k.matMul(a, a));
      if (c[0] !== 100) throw new Error('wrong product ' + c[0]);
      console.log(k.description);
    `;
    // Live workers would keep the process up for good: killed at the timeout, it fails here.
    // (No bound on the time itself: a loaded machine may take seconds to start Node.)
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.error).toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('· 2 threads');
  });
});

describe('workers that cannot start', () => {
  it('leave the kernels on the calling thread, and say why', () => {
    // A memory that is not shared: the pool refuses it, as it would a page whose policy
    // forbids workers. The job still runs, on this thread.
    const memory = new WebAssembly.Memory({ initial: 1 });
    const module = kernelModule({ dtype: 'float64', shared: false, relaxed: false })!;
    const compute = new Compute(module, memory, 2);
    const values = new Float64Array(memory.buffer);
    values.set([1, 2, 3, 4], 64); // x at byte 512, y at byte 544, out at byte 1024
    values.set([10, 20, 30, 40], 68);
    compute.run('axpy', 2, true, [1024, 512, 544, 2]);
    expect(Array.from(values.subarray(128, 132))).toEqual([12, 24, 36, 48]);
    expect(compute.threads).toBe(1);
    expect(compute.failure).toMatch(/^its workers could not start: .*memory is not shared/);
  });
});
