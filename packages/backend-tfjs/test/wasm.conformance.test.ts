import { runConformance } from '@twostep/conformance';
import { createBackend } from '../src/wasm.js';

runConformance({ name: 'tfjs-wasm', create: () => createBackend() });
