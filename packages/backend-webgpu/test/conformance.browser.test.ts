import { runConformance } from '@twostep/conformance';
import { createBackend } from '../src/index.js';

// The whole suite on this browser's WebGPU adapter.
runConformance({ name: 'webgpu', create: createBackend });
