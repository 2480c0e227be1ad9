import type { Command } from '../src/protocol.js';
import { DEFAULTS } from '../src/settings.js';

/** One valid command of every kind, as the page sends them. */
export const COMMANDS: Command[] = [
  { type: 'init', choice: { backend: 'tfjs-wasm', dtype: 'default' }, digitsUrl: '/d.bin' },
  { type: 'configure', settings: DEFAULTS.toy },
  { type: 'configure', settings: DEFAULTS.mnist },
  { type: 'run' },
  { type: 'pause' },
  { type: 'step' },
  { type: 'speed', epochsPerSecond: 5 },
  { type: 'speed', epochsPerSecond: null },
  { type: 'trace', sample: 12 },
  { type: 'export' },
  { type: 'import', json: '{}' },
  { type: 'predict', pixels: Array.from({ length: 784 }, (_, i) => (i % 7) / 7) },
  { type: 'predict', testDigit: 3 },
];
