import { runConformance } from '@twostep/conformance';
import { createBackend } from '../src/index.js';

runConformance({ name: 'ts-float32', create: () => createBackend({ dtype: 'float32' }) });
runConformance({ name: 'ts-float64', create: () => createBackend({ dtype: 'float64' }) });
// Matrix products in plain TypeScript, as where WebAssembly SIMD is missing.
runConformance({
  name: 'ts-float32 without SIMD',
  create: () => createBackend({ dtype: 'float32', simd: false }),
});
runConformance({
  name: 'ts-float64 without SIMD',
  create: () => createBackend({ dtype: 'float64', simd: false }),
});
