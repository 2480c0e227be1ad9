import { ConfigError } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../src/check-command.js';
import { DEFAULTS } from '../src/settings.js';
import { COMMANDS } from './commands.js';

const bad = (text: string) => new ConfigError(`The page sent the worker a bad command: ${text}.`);

describe('the commands the worker reads', () => {
  it('takes every command the page sends as it is', () => {
    for (const command of COMMANDS) expect(checkCommand(command)).toEqual(command);
  });

  it('keeps only the fields of the command', () => {
    expect(checkCommand({ type: 'run', extra: 1 })).toEqual({ type: 'run' });
    expect(checkCommand({ type: 'configure', settings: { ...DEFAULTS.toy, bias: false } })).toEqual(
      { type: 'configure', settings: DEFAULTS.toy },
    );
    const bytes = new Uint8Array([1, 2]);
    expect(
      checkCommand({ type: 'import', files: [{ name: 'm.onnx', bytes, size: 2 }], json: '{}' }),
    ).toEqual({ type: 'import', files: [{ name: 'm.onnx', bytes }] });
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'run', 'the command must be an object; it is "run"'],
    [
      'no type',
      {},
      'type must be one of "init", "configure", "run", "pause", "step", "speed", "trace", "export", "import", "save", "load", "predict", "drawn"; it is missing',
    ],
    [
      'an unknown type',
      { type: 'train' },
      'type must be one of "init", "configure", "run", "pause", "step", "speed", "trace", "export", "import", "save", "load", "predict", "drawn"; it is "train"',
    ],
    [
      'a speed of 0',
      { type: 'speed', epochsPerSecond: 0 },
      'speed.epochsPerSecond must be a positive finite number or null; it is 0',
    ],
    [
      'a speed as text',
      { type: 'speed', epochsPerSecond: '5' },
      'speed.epochsPerSecond must be a positive finite number or null; it is "5"',
    ],
    [
      'no speed',
      { type: 'speed' },
      'speed.epochsPerSecond must be a positive finite number or null; it is missing',
    ],
    [
      'a negative sample',
      { type: 'trace', sample: -1 },
      'trace.sample must be an integer ≥ 0; it is -1',
    ],
    [
      'a fractional sample',
      { type: 'trace', sample: 1.5 },
      'trace.sample must be an integer ≥ 0; it is 1.5',
    ],
    [
      'an export without a format',
      { type: 'export' },
      'export.format must be one of "twostep", "onnx", "tfjs-layers"; it is missing',
    ],
    [
      'an unknown export format',
      { type: 'export', format: 'zip' },
      'export.format must be one of "twostep", "onnx", "tfjs-layers"; it is "zip"',
    ],
    [
      'an import of one text, not files',
      { type: 'import', json: '{}' },
      'import.files must be an array; it is missing',
    ],
    [
      'a file without a name',
      { type: 'import', files: [{ text: '{}' }] },
      'import.files[0].name must be a string; it is missing',
    ],
    [
      'a file with neither text nor bytes',
      { type: 'import', files: [{ name: 'a.json', text: '{}' }, { name: 'b.bin' }] },
      'import.files[1].text must be a string; it is missing',
    ],
    [
      'a model that is not text',
      { type: 'import', files: [{ name: 'a.json', text: { format: 'twostep-network' } }] },
      'import.files[0].text must be a string; it is {"format":"twostep-network"}',
    ],
    [
      'bytes as an array',
      { type: 'import', files: [{ name: 'a.onnx', bytes: [8, 7] }] },
      'import.files[0].bytes must be a Uint8Array; it is [8,7]',
    ],
    [
      'both text and bytes',
      { type: 'import', files: [{ name: 'a.onnx', text: '', bytes: new Uint8Array(1) }] },
      'import.files[0] must hold text or bytes; it holds both',
    ],
    [
      '783 pixels',
      { type: 'predict', pixels: Array(783).fill(0) },
      'predict.pixels must be an array of 784 entries; it has 783',
    ],
    [
      'a NaN pixel',
      { type: 'predict', pixels: [...Array(783).fill(0), Number.NaN] },
      'predict.pixels[783] must be a finite number; it is NaN',
    ],
    [
      'a fractional test digit',
      { type: 'predict', testDigit: 1.5 },
      'predict.testDigit must be an integer; it is 1.5',
    ],
    [
      'neither pixels nor a test digit',
      { type: 'predict' },
      'predict.testDigit must be an integer; it is missing',
    ],
    [
      'an unknown backend',
      {
        type: 'init',
        choice: { backend: 'cuda', dtype: 'default', threads: 'default' },
        digitsUrl: '',
      },
      'init.choice.backend must be one of "ts", "webgpu", "tfjs-cpu", "tfjs-webgl", "tfjs-webgpu", "tfjs-wasm"; it is "cuda"',
    ],
    [
      'a choice without dtype',
      { type: 'init', choice: { backend: 'ts' }, digitsUrl: '' },
      'init.choice.dtype must be one of "float32", "float64", "default"; it is missing',
    ],
    [
      'a choice without threads',
      { type: 'init', choice: { backend: 'ts', dtype: 'default' }, digitsUrl: '' },
      'init.choice.threads must be an integer ≥ 1 (threads in all, counting the worker) or "default"; it is missing',
    ],
    [
      'no thread at all',
      { type: 'init', choice: { backend: 'ts', dtype: 'default', threads: 0 }, digitsUrl: '' },
      'init.choice.threads must be an integer ≥ 1 (threads in all, counting the worker) or "default"; it is 0',
    ],
    [
      'threads for another backend than ts',
      {
        type: 'init',
        choice: { backend: 'tfjs-cpu', dtype: 'default', threads: 2 },
        digitsUrl: '',
      },
      `init.choice.threads must be "default" on tfjs-cpu (threads are ts's); it is 2`,
    ],
    [
      'no digits URL',
      { type: 'init', choice: { backend: 'ts', dtype: 'float64', threads: 2 } },
      'init.digitsUrl must be a string; it is missing',
    ],
    ['no settings', { type: 'configure' }, 'configure.settings must be an object; it is missing'],
    [
      'a seed as text',
      { type: 'configure', settings: { ...DEFAULTS.toy, seed: '1' } },
      'configure.settings.seed must be a finite number; it is "1"',
    ],
    [
      'an architecture as text',
      { type: 'configure', settings: { ...DEFAULTS.toy, architecture: 'A[2,8,2]' } },
      'configure.settings.architecture must be an array; it is "A[2,8,2]"',
    ],
    [
      'a width as text',
      { type: 'configure', settings: { ...DEFAULTS.toy, architecture: [2, '8', 2] } },
      'configure.settings.architecture[1] must be a finite number; it is "8"',
    ],
    [
      'an activation that is not a name',
      { type: 'configure', settings: { ...DEFAULTS.toy, activations: ['tanh', 1, 'identity'] } },
      'configure.settings.activations[1] must be a string; it is 1',
    ],
    // The form's own rules, in the form's words.
    [
      'a learning rate out of range',
      { type: 'configure', settings: { ...DEFAULTS.toy, learningRate: -1 } },
      'configure.settings.learningRate: -1 is outside 0.000001 … 10',
    ],
    [
      'a hidden layer too wide',
      {
        type: 'configure',
        settings: { ...DEFAULTS.toy, architecture: [2, 64, 2], activations: ['tanh', 'identity'] },
      },
      'configure.settings.architecture: hidden layers of at most 32 neurons here; 64 is too wide',
    ],
    [
      'a loss that does not fit',
      { type: 'configure', settings: { ...DEFAULTS.toy, loss: 'binaryCrossEntropy' } },
      'configure.settings.loss: binaryCrossEntropy takes probabilities: set σ of layer 3 to sigmoid (it is identity)',
    ],
  ])('refuses %s, naming the field and the value', (_, data, message) => {
    expect(() => checkCommand(data)).toThrow(bad(message));
  });
});
