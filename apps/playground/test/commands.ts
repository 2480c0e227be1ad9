import type { Command } from '../src/protocol.js';
import { DEFAULTS } from '../src/settings.js';

/** One valid command of every kind, as the page sends them. */
export const COMMANDS: Command[] = [
  {
    type: 'init',
    choice: { backend: 'tfjs-wasm', dtype: 'default', threads: 'default' },
    digitsUrl: '/d.bin',
  },
  { type: 'init', choice: { backend: 'ts', dtype: 'float64', threads: 2 }, digitsUrl: '/d.bin' },
  { type: 'configure', settings: DEFAULTS.toy },
  { type: 'configure', settings: DEFAULTS.mnist },
  { type: 'run' },
  { type: 'pause' },
  { type: 'step' },
  { type: 'speed', epochsPerSecond: 5 },
  { type: 'speed', epochsPerSecond: null },
  { type: 'trace', sample: 12 },
  { type: 'export', format: 'twostep' },
  { type: 'export', format: 'onnx' },
  { type: 'export', format: 'tfjs-layers' },
  { type: 'import', files: [{ name: 'model.json', text: '{}' }] },
  {
    type: 'import',
    files: [
      { name: 'model.json', text: '{"format":"layers-model"}' },
      { name: 'weights.bin', bytes: new Uint8Array([0, 0, 128, 63]) },
    ],
  },
  { type: 'import', files: [{ name: 'model.onnx', bytes: new Uint8Array([8, 7]) }] },
  { type: 'save' },
  { type: 'load' },
  { type: 'predict', pixels: Array.from({ length: 784 }, (_, i) => (i % 7) / 7) },
  { type: 'predict', testDigit: 3 },
];
