// The WebAssembly kernels against the TypeScript loops: the same bits, entry for entry.
import { UNARY_OPS } from '@twostep/core/backend';
import { describe, expect, it } from 'vitest';
import { createBackend, type TsBackend, type TsMatrix } from '../src/index.js';
import { hasRelaxedSimd, kernelBytes } from '../src/simd.js';

/** Values where rounding, NaN, ±0, ±∞, subnormals and overflow show, then seeded noise. */
const EDGES = [
  0,
  -0,
  1,
  -1,
  0.1,
  -0.3,
  1e-40,
  -1e-44,
  1e-310,
  3.4e38,
  -3.4e38,
  1e300,
  Infinity,
  -Infinity,
  Number.NaN,
  0.5,
  2 ** -126,
  1 / 3,
  -2 / 3,
  1e-8,
];
function values(length: number, seed: number): number[] {
  let s = seed;
  const noise = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31 - 0.5) * 10 ** ((s % 9) - 4);
  };
  return Array.from(
    { length },
    (_, i) => EDGES[(i * 7 + seed) % EDGES.length]! * (i < 60 ? 1 : 0) + (i < 60 ? 0 : noise()),
  );
}

const bits = (k: TsBackend, m: TsMatrix) =>
  Array.from(k.readSync(m), (x) => (Number.isNaN(x) ? 'NaN' : Object.is(x, -0) ? '-0' : x));

// Shapes whose entries fill whole vectors, and ones that leave a part of the last vector unused.
const SHAPES: [number, number][] = [
  [1, 1],
  [3, 7],
  [16, 16],
  [37, 29],
  [40, 201],
];

describe.each(['float32', 'float64'] as const)(
  "%s: SIMD kernels give the TypeScript loops' bits",
  (dtype) => {
    const simd = createBackend({ dtype, threads: 1 });
    const plain = createBackend({ dtype, simd: false });
    const both = (
      f: (k: TsBackend, ...m: TsMatrix[]) => TsMatrix,
      ...data: [number[], number, number][]
    ) => {
      const [x, y] = [simd, plain].map((k) =>
        bits(k, f(k, ...data.map(([d, r, c]) => k.fromArray(d, r, c)))),
      );
      expect(x).toEqual(y);
    };

    it.each(SHAPES)('%i×%i: add, sub, mul, div, scale, clamp, axpy', (rows, cols) => {
      const a: [number[], number, number] = [values(rows * cols, 1), rows, cols];
      const b: [number[], number, number] = [values(rows * cols, 2), rows, cols];
      for (const op of ['add', 'sub', 'mul', 'div'] as const)
        both((k, x, y) => k[op](x!, y!), a, b);
      both((k, x) => k.scale(x!, 0.1, -0.7), a);
      both((k, x) => k.scale(x!, 3), a);
      both((k, x) => k.clamp(x!, -0.1, 0.3), a);
      both((k, x, y) => k.axpy(-0.01, x!, y!), a, b);
    });

    it.each(SHAPES)('%i×%i: every unary op, activation and δdown', (rows, cols) => {
      const a: [number[], number, number] = [values(rows * cols, 3), rows, cols];
      const d: [number[], number, number] = [values(rows * cols, 4), rows, cols];
      for (const op of UNARY_OPS) both((k, x) => k.unary(op, x!), a);
      for (const kind of [
        'identity',
        'relu',
        'leakyRelu',
        'sigmoid',
        'tanh',
        'softplus',
      ] as const) {
        const activation = { kind, alpha: 0.01 };
        both((k, y) => k.activate(y!, activation), a);
        both((k, up, y) => k.deltaDown(up!, y!, activation), d, a);
      }
    });

    it.each(SHAPES)('%i×%i: adam', (rows, cols) => {
      const n = rows * cols;
      const w: [number[], number, number] = [values(n, 5), rows, cols];
      const g: [number[], number, number] = [values(n, 6), rows, cols];
      const m: [number[], number, number] = [values(n, 7), rows, cols];
      const v: [number[], number, number] = [values(n, 8).map(Math.abs), rows, cols];
      const step = {
        stepSize: (0.001 * Math.sqrt(1 - 0.999 ** 3)) / (1 - 0.9 ** 3),
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
      };
      for (const part of ['w', 'm', 'v'] as const) {
        both((k, ...x) => k.adam(x[0]!, x[1]!, x[2]!, x[3]!, step)[part], w, g, m, v);
      }
    });
  },
);

describe('relaxed SIMD', () => {
  it('is detected by validating a kernel that uses it, and the plain kernels are what runs without it', () => {
    const relaxed = kernelBytes({ dtype: 'float32', shared: false, relaxed: true });
    expect(hasRelaxedSimd()).toBe(WebAssembly.validate(relaxed));
    expect(
      WebAssembly.validate(kernelBytes({ dtype: 'float32', shared: false, relaxed: false })),
    ).toBe(true);
    expect(createBackend({ relaxedSimd: false }).description).toMatch(/^ts float32 · wasm-simd · /);
    expect(createBackend({ dtype: 'float64' }).description).toMatch(/^ts float64 · wasm-simd · /);
    expect(createBackend().description).toContain(
      hasRelaxedSimd() ? 'wasm-simd (relaxed)' : 'wasm-simd ·',
    );
  });

  it.each([true, false])(
    'float32 products with relaxedSimd %s stay within the float32 bound',
    (relaxedSimd) => {
      const k = createBackend({ relaxedSimd, threads: 1 });
      const [m, inner, n] = [36, 300, 40];
      const a = values(m * inner, 9).map((x) => (Number.isFinite(x) && Math.abs(x) < 10 ? x : 0.5));
      const b = values(inner * n, 10).map((x) =>
        Number.isFinite(x) && Math.abs(x) < 10 ? x : -0.25,
      );
      const c = k.readSync(k.matMul(k.fromArray(a, m, inner), k.fromArray(b, inner, n)));
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let exact = 0;
          let magnitude = 0;
          for (let p = 0; p < inner; p++) {
            exact += a[i * inner + p]! * b[p * n + j]!;
            magnitude += Math.abs(a[i * inner + p]! * b[p * n + j]!);
          }
          expect(Math.abs(c[i * n + j]! - exact)).toBeLessThanOrEqual(
            inner * 2 ** -23 * magnitude + 1e-30,
          );
        }
      }
    },
  );
});
