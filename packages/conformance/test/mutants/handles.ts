/**
 * Mutants of backend-ts that get handles wrong: results that alias an operand or the backend's
 * storage, kernels that write in place, pooled buffers reused too early, miscounted memory.
 */
import type { FusedActivation, MemoryInfo } from '@twostep/core/backend';
import { TsBackend, TsMatrix } from '../../../backend-ts/src/index.js';
import { type Mutant, mutant } from './mutant.js';

/** A matrix like `a` over storage it does not own: what "saving an allocation" hands out. */
const sharing = (a: TsMatrix, backend: TsBackend, data = () => a.data): TsMatrix =>
  Object.create(TsMatrix.prototype, {
    rows: { value: a.rows },
    cols: { value: a.cols },
    dtype: { value: a.dtype },
    backend: { value: backend },
    data: { get: data },
    isDisposed: { get: () => a.isDisposed },
    release: { value: () => a.release() },
  });

export const handleMutants: Mutant[] = [
  mutant(
    'fromArray keeps the caller’s typed array when its type matches',
    /^handles: /,
    class extends TsBackend {
      override fromArray(data: ArrayLike<number>, rows: number, cols: number): TsMatrix {
        const out = super.fromArray(data, rows, cols);
        const Store = this.dtype === 'float32' ? Float32Array : Float64Array;
        return data instanceof Store ? sharing(out, this, () => data) : out;
      }
    },
  ),
  mutant(
    'read hands out the matrix storage instead of a copy',
    /^handles: read and readSync return copies/,
    class extends TsBackend {
      override async read(m: TsMatrix): Promise<Float32Array | Float64Array> {
        await super.read(m);
        return m.data;
      }
    },
  ),
  mutant(
    'readSync hands out a view of the storage',
    /^handles: read and readSync return copies/,
    class extends TsBackend {
      override readSync(m: TsMatrix): Float32Array | Float64Array {
        super.readSync(m);
        return m.data.subarray(0);
      }
    },
  ),
  mutant(
    'copy returns its operand',
    /^(handles: every op returns new matrices|ops: copy)/,
    class extends TsBackend {
      override copy(a: TsMatrix): TsMatrix {
        super.copy(a).release();
        return a;
      }
    },
  ),
  mutant(
    'copy shares the storage, which returns to the pool when the source is disposed',
    /^(handles: |ops: copy)/,
    class extends TsBackend {
      override copy(a: TsMatrix): TsMatrix {
        this.dispose(super.copy(a));
        return sharing(a, this);
      }
    },
  ),
  mutant(
    'sliceCols of every column returns its operand',
    /^handles: every op returns new matrices/,
    class extends TsBackend {
      override sliceCols(a: TsMatrix, start: number, end: number): TsMatrix {
        const out = super.sliceCols(a, start, end);
        if (start !== 0 || end !== a.cols) return out;
        this.dispose(out);
        return a;
      }
    },
  ),
  mutant(
    'scale(a, 1, 0) returns its operand',
    /^handles: every op returns new matrices/,
    class extends TsBackend {
      override scale(a: TsMatrix, s: number, t = 0): TsMatrix {
        const out = super.scale(a, s, t);
        if (s !== 1 || t !== 0) return out;
        this.dispose(out);
        return a;
      }
    },
  ),
  mutant(
    'add writes its result into a (in place)',
    /^handles: every op leaves every operand unchanged/,
    class extends TsBackend {
      override add(a: TsMatrix, b: TsMatrix): TsMatrix {
        const out = super.add(a, b);
        a.data.set(out.data);
        return out;
      }
    },
  ),
  mutant(
    'deltaDown writes δdown into δup (in place)',
    /^handles: every op leaves every operand unchanged/,
    class extends TsBackend {
      override deltaDown(up: TsMatrix, y: TsMatrix, act: FusedActivation): TsMatrix {
        const out = super.deltaDown(up, y, act);
        up.data.set(out.data);
        return out;
      }
    },
  ),
  mutant(
    'matMul scales a in place when it is square (a scratch buffer saved)',
    /^handles: every op leaves every operand unchanged/,
    class extends TsBackend {
      override matMul(a: TsMatrix, b: TsMatrix, o = {}): TsMatrix {
        const out = super.matMul(a, b, o);
        if (a.rows === a.cols && a.rows > 1) a.data[a.data.length - 1]! *= 1 + 2 ** -10;
        return out;
      }
    },
  ),
  mutant(
    'fill(…, 0) trusts a pooled buffer to be zeroed',
    /^handles: results never carry stale pooled data/,
    class extends TsBackend {
      readonly #freed = new Map<number, Float64Array>();
      override dispose(m: TsMatrix): void {
        if (!m.isDisposed) this.#freed.set(m.data.length, Float64Array.from(m.data));
        super.dispose(m);
      }
      override fill(rows: number, cols: number, value: number): TsMatrix {
        const out = super.fill(rows, cols, value);
        const stale = this.#freed.get(rows * cols);
        if (value === 0 && stale) out.data.set(stale);
        return out;
      }
    },
  ),
  mutant(
    'disposing twice counts the matrix out twice',
    /^handles: (disposing twice|results never carry stale|memory)/,
    class extends TsBackend {
      #twice = 0;
      override dispose(m: TsMatrix): void {
        if (m.isDisposed) this.#twice++;
        super.dispose(m);
      }
      override memory(): MemoryInfo {
        const { matrices, bytes } = super.memory();
        return { matrices: matrices - this.#twice, bytes };
      }
    },
  ),
  mutant(
    'memory() counts 4 bytes per entry in float64',
    /^handles: memory\(\)/,
    class extends TsBackend {
      override memory(): MemoryInfo {
        const { matrices, bytes } = super.memory();
        return { matrices, bytes: bytes / 2 };
      }
    },
    ['float64'],
  ),
  mutant(
    'activate leaks a scratch matrix',
    /^(handles: memory|memory: )/,
    class extends TsBackend {
      override activate(y: TsMatrix, act: FusedActivation): TsMatrix {
        this.fill(y.rows, 1, 0);
        return super.activate(y, act);
      }
    },
  ),
  mutant(
    'logSoftmax leaks its column maxima',
    /^(handles: memory|memory: )/,
    class extends TsBackend {
      override logSoftmax(a: TsMatrix): TsMatrix {
        this.fill(1, a.cols, 0);
        return super.logSoftmax(a);
      }
    },
  ),
];
