import { runConformance } from '@twostep/conformance';
import { createBackend } from '../src/webgl.js';

runConformance({ name: 'tfjs-webgl', create: () => createBackend() });
