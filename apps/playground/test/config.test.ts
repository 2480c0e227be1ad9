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

  it('names the bad value, where it came from, and the values allowed', () => {
    expect(() => choiceFromUrl('?backend=cuda')).toThrow(
      new ConfigError(
        'URL parameter backend: "cuda" is not one of ts, tfjs-cpu, tfjs-webgl, tfjs-wasm.',
      ),
    );
    expect(() => choiceFromUrl('?dtype=int8')).toThrow(
      'URL parameter dtype: "int8" is not one of float32, float64, default.',
    );
    expect(() => checkConfigFile({ backend: 'ts', model: 'x' })).toThrow(
      'twostep.config.json: unknown key "model"; the keys are backend, dtype.',
    );
    expect(() => checkConfigFile([])).toThrow('twostep.config.json: expected an object');
    expect(() => checkConfigFile({ backend: 3 })).toThrow(
      'twostep.config.json: backend: 3 is not one of',
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
