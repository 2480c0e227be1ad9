import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Io, main } from '../src/main.js';
import { tempDir } from './helpers.js';

/** Runs `twostep …args` in a fresh folder (no config file): exit code and output. */
async function run(args: string[], io: Partial<Io> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const cwd = await tempDir();
  const code = await main(args, {
    env: {},
    cwd,
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    ...io,
  });
  return { code, stdout, stderr: stderr.join('\n'), cwd };
}

describe('twostep', () => {
  it('trains, reports each epoch and the test accuracy, and saves the model', async () => {
    const { code, stdout, stderr, cwd } = await run(['train', '--epochs', '3', '--seed', '2']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.filter((l) => l.startsWith('epoch '))).toHaveLength(3);
    expect(stdout.at(-2)).toMatch(/^test accuracy \d+\.\d% \(\d+\/30\)$/);
    expect(stdout.at(-1)).toContain(join(cwd, 'models', 'iris.json'));
    expect(await readdir(join(cwd, 'models'))).toEqual(['iris.json']);
  });

  it('prints the usage for --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout.join('\n')).toContain('Usage: twostep [train] [options]');
  });

  it('an unknown backend is a clear error, without a stack', async () => {
    const { code, stderr } = await run(['--backend', 'no-such-backend']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      "error: Unknown backend 'no-such-backend': it is not one of ts, tfjs-cpu, tfjs-webgl, tfjs-wasm and no package of that name is installed.",
    );
  });

  it.each(['tfjs-cpu', 'tfjs-wasm'])('trains on %s with the same flags', async (backend) => {
    const { code, stdout, stderr } = await run(['--backend', backend, '--epochs', '3']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContainEqual(expect.stringMatching(`^backend ${backend} \\(float32\\)`));
    expect(stdout.at(-2)).toMatch(/^test accuracy \d+\.\d% \(\d+\/30\)$/);
  });

  it('says that tfjs-webgl needs a browser', async () => {
    const { code, stderr } = await run(['--backend', 'tfjs-webgl']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      "error: Backend 'tfjs-webgl' needs WebGL, which only a browser page or worker has: in Node use tfjs-cpu or tfjs-wasm.",
    );
  });

  it('a backend that is not installed says what to install', async () => {
    // As where @twostep/backend-tfjs is not installed.
    const missing = Object.assign(
      new Error("Cannot find package '@twostep/backend-tfjs' imported from /app/dist/train.js"),
      { code: 'ERR_MODULE_NOT_FOUND' },
    );
    const { code, stderr } = await run([], {
      env: { TWOSTEP_BACKEND: 'tfjs-cpu' },
      importModule: () => Promise.reject(missing),
    });
    expect(code).toBe(1);
    expect(stderr).toContain("error: Backend 'tfjs-cpu' needs @twostep/backend-tfjs");
    expect(stderr).toContain('npm install');
  });

  it('an unknown flag is an error', async () => {
    const { code, stderr } = await run(['--learningRate', '0.1']);
    expect(code).toBe(1);
    expect(stderr).toContain("error: Unknown option '--learningRate'");
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('an unexpected error shows its stack', async () => {
    const { code, stderr } = await run([], {
      importModule: () => Promise.reject(new TypeError('boom')),
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: TypeError: boom\n\s+at /);
  });
});
