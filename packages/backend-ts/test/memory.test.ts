import { ResourceLimitError } from '@twostep/core/backend';
import { describe, expect, it } from 'vitest';
import { createBackend, TsBackend, type TsMatrix } from '../src/index.js';
import { backends } from './reference.js';

const BYTES = { float32: 4, float64: 8 } as const;
const SIGMOID = { kind: 'sigmoid', alpha: 0 } as const;
const ADAM = { stepSize: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

describe.each(backends())('memory, $dtype', (k) => {
  const size = BYTES[k.dtype];

  it('counts live matrices and their bytes', () => {
    const start = k.memory();
    const a = k.fill(3, 2, 1);
    const b = k.fromArray([1, 2, 3], 3, 1);
    expect(k.memory()).toEqual({ matrices: start.matrices + 2, bytes: start.bytes + 9 * size });
    k.dispose(a);
    expect(k.memory()).toEqual({ matrices: start.matrices + 1, bytes: start.bytes + 3 * size });
    k.dispose(b);
    expect(k.memory()).toEqual(start);
  });

  it('dispose is idempotent and leaves a disposed, empty handle', () => {
    const start = k.memory();
    const a = k.fill(2, 2, 1);
    k.dispose(a);
    k.dispose(a);
    expect(k.memory()).toEqual(start);
    expect(a.isDisposed).toBe(true);
    expect(a.data.length).toBe(0);
    expect(String(a)).toBe(`Matrix(2×2, ${k.dtype})`);
  });

  it('returns to the start after many ops, allocating nothing after the first round', () => {
    const start = k.memory();
    const blocks = new Set<number>();
    const w = k.fromArray(
      Array.from({ length: 30 }, (_, i) => Math.sin(i)),
      6,
      5,
    );
    for (let round = 0; round < 500; round++) {
      const made: TsMatrix[] = [];
      const keep = (m: TsMatrix) => {
        made.push(m);
        return m;
      };
      const x = keep(k.fill(5, 4, round / 500));
      const y = keep(k.matMul(w, x));
      const z = keep(k.activate(y, SIGMOID));
      const d = keep(k.deltaDown(z, y, SIGMOID));
      const g = keep(k.matMul(d, x, { transposeB: true }));
      const step = k.adam(w, g, w, keep(k.unary('square', w)), ADAM);
      made.push(step.w, step.m, step.v, k.sum(z), k.logSoftmax(z), k.sliceCols(z, 1, 3));
      keep(k.add(z, keep(k.copy(keep(k.sliceCols(z, 0, 1))))));
      keep(k.concatRows(z, keep(k.scale(z, 2))));
      const count = blocks.size;
      const carved = k.createdBuffers;
      for (const m of made) blocks.add(m.address);
      if (round > 0) expect([blocks.size, k.createdBuffers]).toEqual([count, carved]);
      for (const m of made) k.dispose(m);
    }
    k.dispose(w);
    expect(k.memory()).toEqual(start);
  });

  it('reuses a disposed buffer for the next result of its length, overwriting it', () => {
    const sevens = k.fill(4, 6, 7);
    const block = sevens.address;
    k.dispose(sevens);
    const zeros = k.fill(4, 6, 0);
    expect(zeros.address).toBe(block);
    expect(Array.from(k.readSync(zeros))).toEqual(new Array(24).fill(0));

    const other = k.fill(3, 8, 7); // another shape of the same length
    const otherBlock = other.address;
    k.dispose(other);
    const [x, y] = [k.fill(3, 2, 1), k.fill(2, 8, 0.5)];
    const product = k.matMul(x, y);
    expect(product.address).toBe(otherBlock);
    expect(Array.from(k.readSync(product))).toEqual(new Array(24).fill(1));
  });

  it('hands a pooled buffer to one matrix only', () => {
    k.dispose(k.fill(3, 3, 7));
    const [a, b] = [k.fill(3, 3, 1), k.fill(3, 3, 2)];
    expect(a.data).not.toBe(b.data);
    expect(Array.from(k.readSync(k.add(a, b)))).toEqual(new Array(9).fill(3));
  });

  it('does not count pooled buffers as live', () => {
    const start = k.memory();
    for (let i = 0; i < 10; i++) k.dispose(k.fill(10, 10, i));
    expect(k.memory()).toEqual(start);
    expect(k.pooledBytes).toBeGreaterThanOrEqual(100 * size);
  });
});

describe('the pool', () => {
  it.each(['float32', 'float64'] as const)(
    'keeps at most poolBytes of free buffers (%s)',
    (dtype) => {
      const k = new TsBackend({ dtype, poolBytes: 1000 });
      const size = BYTES[dtype];
      const many = Array.from({ length: 50 }, (_, i) => k.fill(10, 10 + i, i));
      for (const m of many) k.dispose(m);
      expect(k.pooledBytes).toBeLessThanOrEqual(1000);
      expect(k.memory()).toEqual({ matrices: 0, bytes: 0 });
      // A buffer within the limit is still reused.
      const small = k.fill(5, 5, 7);
      const block = small.address;
      k.dispose(small);
      expect(k.pooledBytes).toBeLessThanOrEqual(1000);
      expect(k.fill(5, 5, 1).address).toBe(block);
      expect(k.pooledBytes).toBeLessThanOrEqual(1000 - 25 * size);
    },
  );

  it('is per backend: a matrix returns to the backend that made it', () => {
    const a = createBackend({ dtype: 'float64' });
    const b = createBackend({ dtype: 'float64' });
    const m = a.fill(2, 2, 1);
    b.dispose(m);
    expect(a.memory()).toEqual({ matrices: 0, bytes: 0 });
    expect(b.memory()).toEqual({ matrices: 0, bytes: 0 });
    expect(a.pooledBytes).toBe(32);
    expect(b.pooledBytes).toBe(0);
  });
});

describe('the WebAssembly memory', () => {
  it('past 4 GiB, a ResourceLimitError that says what to do', () => {
    const k = createBackend({ dtype: 'float64', threads: 1 });
    expect(() => k.fill(1 << 15, 1 << 14, 0)).toThrow(ResourceLimitError);
    expect(() => k.fill(1 << 15, 1 << 14, 0)).toThrow(
      /4,294,967,296 bytes does not fit .* cannot grow past 4 GiB .* Dispose the matrices/,
    );
    expect(k.fill(2, 2, 3).data[0]).toBe(3); // the backend goes on
  });

  it('one the runtime cannot reserve: a ResourceLimitError that says what to do', () => {
    const Memory = WebAssembly.Memory;
    WebAssembly.Memory = function NoMemory() {
      throw new RangeError('WebAssembly.Memory(): could not allocate memory');
    } as unknown as typeof WebAssembly.Memory;
    try {
      for (const threads of [1, 3]) {
        expect(() => createBackend({ threads })).toThrow(ResourceLimitError);
        expect(() => createBackend({ threads })).toThrow(
          /cannot reserve a WebAssembly memory for one more backend \(WebAssembly.Memory\(\): could not allocate memory\)\. .* reuse one backend .* close\(\)/,
        );
      }
    } finally {
      WebAssembly.Memory = Memory;
    }
    expect(createBackend({ threads: 1 }).fill(1, 1, 2).data[0]).toBe(2);
  });
});
