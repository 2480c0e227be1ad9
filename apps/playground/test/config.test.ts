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
    expect(resolveChoice({}, '')).toEqual({ backend: 'ts', dtype: 'default', threads: 'default' });
    expect(resolveChoice({ backend: 'tfjs-wasm' }, '')).toEqual({
      backend: 'tfjs-wasm',
      dtype: 'default',
      threads: 'default',
    });
    expect(resolveChoice({ backend: 'tfjs-wasm' }, '?backend=tfjs-webgl&dtype=float32')).toEqual({
      backend: 'tfjs-webgl',
      dtype: 'float32',
      threads: 'default',
    });
    expect(resolveChoice({ backend: 'ts', dtype: 'float64' }, '?x=1')).toEqual({
      backend: 'ts',
      dtype: 'float64',
      threads: 'default',
    });
  });

  it('names where the bad value came from, the values allowed, and the value', () => {
    expect(() => choiceFromUrl('?backend=cuda')).toThrow(
      new ConfigError(
        'URL parameter backend must be one of "ts", "webgpu", "tfjs-cpu", "tfjs-webgl", "tfjs-webgpu", "tfjs-wasm"; it is "cuda".',
      ),
    );
    expect(() => choiceFromUrl('?dtype=int8')).toThrow(
      new ConfigError(
        'URL parameter dtype must be one of "float32", "float64", "default"; it is "int8".',
      ),
    );
    expect(() => checkConfigFile({ backend: 'ts', model: 'x' })).toThrow(
      new ConfigError(
        'twostep.config.json: unknown key "model"; the keys are backend, dtype, threads.',
      ),
    );
    expect(() => checkConfigFile([])).toThrow(
      new ConfigError('twostep.config.json must be an object; it is [].'),
    );
    expect(() => checkConfigFile({ backend: 3 })).toThrow(
      new ConfigError(
        'twostep.config.json: backend must be one of "ts", "webgpu", "tfjs-cpu", "tfjs-webgl", "tfjs-webgpu", "tfjs-wasm"; it is 3.',
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
    expect(withChoice('?a=1', { backend: 'tfjs-cpu', dtype: 'default', threads: 'default' })).toBe(
      '?a=1&backend=tfjs-cpu',
    );
    expect(
      withChoice('?dtype=float64&backend=ts&threads=2', {
        backend: 'ts',
        dtype: 'default',
        threads: 'default',
      }),
    ).toBe('?backend=ts');
    const choice = { backend: 'ts', dtype: 'float64', threads: 3 } as const;
    expect(withChoice('?threads=1', choice)).toBe('?threads=3&backend=ts&dtype=float64');
    expect(choiceFromUrl(withChoice('', choice))).toEqual(choice);
  });
});

describe('threads', () => {
  const NOT_THREADS = 'must be an integer ≥ 1 (threads in all, counting the worker) or "default"';

  it('?threads=N sets the threads of the ts backend; absent or default, the backend’s own', () => {
    expect(choiceFromUrl('?threads=1')).toEqual({ threads: 1 });
    expect(choiceFromUrl('?backend=ts&threads=12')).toEqual({ backend: 'ts', threads: 12 });
    expect(choiceFromUrl('?threads=default')).toEqual({ threads: 'default' });
    expect(resolveChoice({}, '?threads=2')).toEqual({
      backend: 'ts',
      dtype: 'default',
      threads: 2,
    });
    expect(resolveChoice({ threads: 4 }, '')).toMatchObject({ threads: 4 });
    expect(resolveChoice({ threads: 4 }, '?threads=default')).toMatchObject({
      threads: 'default',
    });
    expect(checkConfigFile({ backend: 'ts', threads: 'default' })).toEqual({
      backend: 'ts',
      threads: 'default',
    });
  });

  it.each([
    ['0', '"0"'],
    ['-1', '"-1"'],
    ['1.5', '"1.5"'],
    ['two', '"two"'],
    ['', '""'],
  ])('?threads=%s is refused, with what it takes', (value, shown) => {
    // Digits are read as a number; anything else is shown as the text it is.
    const it = /^\d+$/.test(value) ? value : shown;
    expect(() => choiceFromUrl(`?threads=${value}`)).toThrow(
      new ConfigError(`URL parameter threads ${NOT_THREADS}; it is ${it}.`),
    );
  });

  it('the config file takes threads too, checked as the URL is', () => {
    expect(() => checkConfigFile({ threads: '2' })).toThrow(
      new ConfigError(`twostep.config.json: threads ${NOT_THREADS}; it is "2".`),
    );
    expect(() => checkConfigFile({ threads: 2.5 }, 'my.json')).toThrow(
      new ConfigError(`my.json: threads ${NOT_THREADS}; it is 2.5.`),
    );
  });

  it('threads are a setting of ts: with another backend they are refused, naming where they came from', () => {
    expect(() => resolveChoice({}, '?backend=tfjs-wasm&threads=2')).toThrow(
      new ConfigError(
        'URL parameter threads 2 is a setting of the ts backend, not of tfjs-wasm: leave threads out (or "default"), or pick ts.',
      ),
    );
    expect(() => resolveChoice({ threads: 2 }, '?backend=tfjs-cpu')).toThrow(
      new ConfigError(
        'twostep.config.json: threads 2 is a setting of the ts backend, not of tfjs-cpu: leave threads out (or "default"), or pick ts.',
      ),
    );
    expect(() => checkConfigFile({ backend: 'tfjs-webgl', threads: 1 })).toThrow(
      new ConfigError(
        'twostep.config.json: threads 1 is a setting of the ts backend, not of tfjs-webgl: leave threads out (or "default"), or pick ts.',
      ),
    );
    expect(resolveChoice({}, '?backend=tfjs-cpu&threads=default')).toEqual({
      backend: 'tfjs-cpu',
      dtype: 'default',
      threads: 'default',
    });
  });
});
