/**
 * matMul throughput: `pnpm bench`. Besides Vitest's table (ops/s), each case prints its
 * median time as GFLOP/s (2·m·n·k floating-point operations per product). The SIMD kernels
 * run on one thread and on `defaultThreads()`; the workers join at the setup's yield.
 */
import { bench, describe } from 'vitest';
import { createBackend, defaultThreads } from '../src/index.js';

const SIZES = [128, 512];
const FLAGS = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[s.length >> 1]!;
};

const ALL = defaultThreads();
for (const [dtype, simd, threads] of [
  ['float32', true, 1],
  ['float32', true, ALL],
  ['float32', false, 1],
  ['float64', true, 1],
  ['float64', true, ALL],
  ['float64', false, 1],
] as const) {
  if (threads > 1 && ALL === 1) continue;
  for (const n of SIZES) {
    const kernel = `${simd ? 'wasm-simd' : 'typescript'}, ${threads} thread${threads > 1 ? 's' : ''}`;
    describe(`matMul ${dtype} ${kernel} ${n}×${n}`, () => {
      const k = createBackend({ dtype, simd, threads });
      const data = Array.from({ length: n * n }, (_, i) => Math.sin(i));
      const a = k.fromArray(data, n, n);
      const b = k.fromArray(data.reverse(), n, n);
      for (const [transposeA, transposeB] of FLAGS) {
        const name = `${transposeA ? 'aᵀ' : 'a'}·${transposeB ? 'bᵀ' : 'b'}`;
        const times: number[] = [];
        bench(
          name,
          () => {
            const start = performance.now();
            k.dispose(k.matMul(a, b, { transposeA, transposeB }));
            times.push(performance.now() - start);
          },
          {
            time: n >= 512 ? 2000 : 500,
            setup: () => new Promise((resolve) => setTimeout(resolve, 50)),
            teardown: (_task, mode) => {
              if (mode === 'run') {
                const gflops = (2 * n ** 3) / median(times) / 1e6;
                console.log(
                  `${dtype} ${kernel} ${n}×${n} ${name}: ${gflops.toFixed(2)} GFLOP/s (median)`,
                );
              }
              times.length = 0;
            },
          },
        );
      }
    });
  }
}
