import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, TwoStepError } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config.js';
import { writeFileAtomic } from '../src/model.js';
import { runTraining } from '../src/train.js';
import { tempDir } from './helpers.js';

describe('writeFileAtomic', () => {
  it('creates the folder, writes the file and leaves no temporary file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'models', 'm.json');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, 'second');
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(join(dir, 'models'))).toEqual(['m.json']);
  });

  it('on failure leaves the target as it was and removes the temporary file', async () => {
    const dir = await tempDir();
    // A folder in the way: the rename onto it fails after the temporary file was written.
    const path = join(dir, 'm.json');
    await mkdir(path);
    await writeFile(join(path, 'keep'), 'x');
    await expect(writeFileAtomic(path, 'new')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['m.json']);
    expect(await readdir(path)).toEqual(['keep']);
  });
});

describe('saving from runTraining', () => {
  const config = { ...DEFAULT_CONFIG, epochs: 3 };

  it('replaces an existing model on success, leaving no temporary file', async () => {
    const dir = await tempDir();
    const model = join(dir, 'iris.json');
    await writeFile(model, 'old model');
    const result = await runTraining({ ...config, model });
    expect(result.modelPath).toBe(model);
    expect(deserialize(await readFile(model, 'utf8')).architecture).toEqual([4, 8, 3]);
    expect(await readdir(dir)).toEqual(['iris.json']);
  });

  it('keeps an existing model when training is stopped (from a timer, as Ctrl-C does)', async () => {
    const dir = await tempDir();
    const model = join(dir, 'iris.json');
    await writeFile(model, 'old model');
    const signal = AbortSignal.timeout(50);
    const run = runTraining({ ...config, epochs: 20_000, model }, { signal });
    await expect(run).rejects.toThrow('aborted due to timeout');
    expect(await readFile(model, 'utf8')).toBe('old model');
    expect(await readdir(dir)).toEqual(['iris.json']);
  });

  it('a model path that cannot be written is a TwoStepError naming it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'not a folder');
    const model = join(dir, 'file', 'iris.json');
    const run = runTraining({ ...config, model });
    await expect(run).rejects.toBeInstanceOf(TwoStepError);
    await expect(run).rejects.toThrow(`cannot save the model to ${model}`);
  });
});
