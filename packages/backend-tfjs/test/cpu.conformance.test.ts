import { runConformance } from '@twostep/conformance';
import { createBackend as createCpu } from '../src/cpu.js';

runConformance({ name: 'tfjs-cpu', create: () => createCpu() });
