import { runConformance } from '@twostep/conformance';
import { createBackend } from '../src/index.js';

runConformance({ name: 'ts-float32', create: () => createBackend({ dtype: 'float32' }) });
runConformance({ name: 'ts-float64', create: () => createBackend({ dtype: 'float64' }) });
