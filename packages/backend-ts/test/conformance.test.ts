import { runConformance } from '@twostep/conformance';
import { createBackend } from '../src/index.js';

// `options` is `{ dtype }` when a check asks for an instance of another dtype. Every kernel
// runs on one thread and shared with workers (3 threads: more than this 2-core machine has, so
// chunks also wait for a core); in Chromium the page is cross-origin isolated (vitest.config.ts).
for (const dtype of ['float32', 'float64'] as const) {
  runConformance({
    name: `ts-${dtype}, 1 thread`,
    create: (o) => createBackend({ dtype, threads: 1, ...o }),
  });
  runConformance({
    name: `ts-${dtype}, 3 threads`,
    create: (o) => createBackend({ dtype, threads: 3, ...o }),
  });
  // Everything in plain TypeScript, as where WebAssembly SIMD is missing.
  runConformance({
    name: `ts-${dtype} without SIMD`,
    create: (o) => createBackend({ dtype, simd: false, ...o }),
  });
}
