import { runConformance } from '@twostep/conformance';
import { createBackend } from '../src/index.js';

// `options` is `{ dtype }` when a check asks for an instance of another dtype.
runConformance({ name: 'ts-float32', create: (o) => createBackend({ dtype: 'float32', ...o }) });
runConformance({ name: 'ts-float64', create: (o) => createBackend({ dtype: 'float64', ...o }) });
// Matrix products in plain TypeScript, as where WebAssembly SIMD is missing.
runConformance({
  name: 'ts-float32 without SIMD',
  create: (o) => createBackend({ dtype: 'float32', simd: false, ...o }),
});
runConformance({
  name: 'ts-float64 without SIMD',
  create: (o) => createBackend({ dtype: 'float64', simd: false, ...o }),
});
