import { ConfigError } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../src/backends.js';
import {
  BACKEND_NAMES,
  checkConfigFile,
  choiceFromUrl,
  resolveChoice,
  withChoice,
} from '../src/config.js';

describe('the backend choice', () => {
  it('offers exactly the backends the worker declares', async () => {
    expect(BACKENDS.names).toEqual([...BACKEND_NAMES]);
    for (const name of BACKEND_NAMES) expect((await BACKENDS.describe(name)).name).toBe(name);
  });

  it('takes the config file, then the URL', () => {
    expect(resolveChoice({}, '')).toEqual({ backend: 'ts', dtype: 'default' });
    expect(resolveChoice({ backend: 'tfjs-wasm' }, '')).toEqual({
      backend: 'tfjs-wasm',
      dtype: 'default',
    });
    expect(resolveChoice({ backend: 'tfjs-wasm' }, '?backend=tfjs-webgl&dtype=float32')).toEqual({
      backend: 'tfjs-webgl',
      dtype: 'float32',
    });
    expect(resolveChoice({ backend: 'ts', dtype: 'float64' }, '?x=1')).toEqual({
      backend: 'ts',
      dtype: 'float64',
    });
  });

  it('names where the bad value came from, the values allowed, and the value', () => {
    expect(() => choiceFromUrl('?backend=cuda')).toThrow(
      new ConfigError(
        'URL parameter backend must be one of "ts", "tfjs-cpu", "tfjs-webgl", "tfjs-wasm"; it is "cuda".',
      ),
    );
    expect(() => choiceFromUrl('?dtype=int8')).toThrow(
      new ConfigError(
        'URL parameter dtype must be one of "float32", "float64", "default"; it is "int8".',
      ),
    );
    expect(() => checkConfigFile({ backend: 'ts', model: 'x' })).toThrow(
      new ConfigError('twostep.config.json: unknown key "model"; the keys are backend, dtype.'),
    );
    expect(() => checkConfigFile([])).toThrow(
      new ConfigError('twostep.config.json must be an object; it is [].'),
    );
    expect(() => checkConfigFile({ backend: 3 })).toThrow(
      new ConfigError(
        'twostep.config.json: backend must be one of "ts", "tfjs-cpu", "tfjs-webgl", "tfjs-wasm"; it is 3.',
      ),
    );
    expect(() => checkConfigFile({ dtype: null }, 'my.json')).toThrow(
      new ConfigError('my.json: dtype must be one of "float32", "float64", "default"; it is null.'),
    );
    expect(() => resolveChoice(undefined, '')).toThrow(
      new ConfigError('twostep.config.json must be an object; it is missing.'),
    );
  });

  it('writes the choice into the URL, keeping other parameters', () => {
    expect(withChoice('?a=1', { backend: 'tfjs-cpu', dtype: 'default' })).toBe(
      '?a=1&backend=tfjs-cpu',
    );
    expect(withChoice('?dtype=float64&backend=ts', { backend: 'ts', dtype: 'default' })).toBe(
      '?backend=ts',
    );
    expect(choiceFromUrl(withChoice('', { backend: 'ts', dtype: 'float64' }))).toEqual({
      backend: 'ts',
      dtype: 'float64',
    });
  });
});
