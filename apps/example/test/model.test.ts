import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deserialize, TwoStepError } from '@twostep/core';
import { writeFileAtomic } from '@twostep/io';
import { describe, expect, it } from 'vitest';
import { runTraining } from '../src/train.js';
import { SMALL, tempDir } from './helpers.js';

const APP = fileURLToPath(new URL('..', import.meta.url));

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

describe('writeFileAtomic, killed midway', () => {
  it('leaves the old file whole when the process dies during the write', async () => {
    const dir = await tempDir();
    const path = join(dir, 'm.json');
    await writeFile(path, '{"old":true}');
    // A child writes 400 MB through writeFileAtomic (from the built @twostep/io) and is killed with
    // SIGKILL once its temporary file has started to grow: no handler of ours can run.
    const script = `import { writeFileAtomic } from ${JSON.stringify(pathToFileURL(join(APP, '../../packages/io/dist/index.js')).href)};
await writeFileAtomic(${JSON.stringify(path)}, 'x'.repeat(400 * 2 ** 20));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: 'ignore',
    });
    const exited = new Promise((done) => child.once('exit', (_code, signal) => done(signal)));
    let temp: string | undefined;
    while (!temp) {
      const names = await readdir(dir);
      const name = names.find((n) => n.endsWith('.tmp'));
      if (name && (await stat(join(dir, name))).size > 0) temp = name;
      else await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(await readFile(path, 'utf8')).toBe('{"old":true}');
    // What it left is a stray temporary file, never a part of m.json.
    expect(
      (await readdir(dir)).filter((n) => n !== 'm.json').every((n) => n.endsWith('.tmp')),
    ).toBe(true);
  });
});

describe('saving from runTraining', () => {
  const config = { ...SMALL, epochs: 1 };

  it('replaces an existing model on success and writes its run record beside it', async () => {
    const dir = await tempDir();
    const model = join(dir, 'mnist.json');
    await writeFile(model, 'old model');
    const result = await runTraining({ ...config, model });
    expect(result.modelPath).toBe(model);
    expect(result.runPath).toBe(join(dir, 'mnist.run.json'));
    expect(deserialize(await readFile(model, 'utf8')).architecture).toEqual([784, 16, 10]);
    expect((await readdir(dir)).sort()).toEqual(['mnist.json', 'mnist.run.json']);
  });

  it('keeps an existing model when training is stopped (from a timer, as Ctrl-C does)', async () => {
    const dir = await tempDir();
    const model = join(dir, 'mnist.json');
    await writeFile(model, 'old model');
    const signal = AbortSignal.timeout(50);
    const run = runTraining({ ...config, epochs: 1000, model }, { signal });
    await expect(run).rejects.toThrow('aborted due to timeout');
    expect(await readFile(model, 'utf8')).toBe('old model');
    expect(await readdir(dir)).toEqual(['mnist.json']);
  });

  it('a model path that cannot be written is a TwoStepError naming it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'not a folder');
    const model = join(dir, 'file', 'mnist.json');
    const run = runTraining({ ...config, model });
    await expect(run).rejects.toBeInstanceOf(TwoStepError);
    await expect(run).rejects.toThrow(
      `cannot write the model to ${model}: ${join(dir, 'file')} is a file, not a folder; choose a --model in a folder you can write, or create it yourself.`,
    );
  });
});
