/**
 * The CLI's inputs, used as a hostile but fair user would: backend specifiers that are paths,
 * values beyond what the data or a number can give, values shown as written, repeated flags,
 * unwritable folders, and every loss of the core.
 */
import { execFile } from 'node:child_process';
import { access, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LOSS_NAMES, Network, serialize, TwoStepError } from '@twostep/core';
import { describe, expect, it, vi } from 'vitest';
import { parseCommandLine, USAGE } from '../src/command-line.js';
import { CHECKS, checkConfig } from '../src/config.js';
import { readConfigFile, resolveConfig } from '../src/config-sources.js';
import { splitDigits } from '../src/data.js';
import { TRACE_USAGE } from '../src/trace.js';
import { parseImages } from '../src/use.js';
import { configError, run, tempDir } from './helpers.js';

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, mkdtemp: vi.fn(actual.mkdtemp) };
});
const fs = await import('node:fs/promises');

const APP = fileURLToPath(new URL('..', import.meta.url));

/** A file that, once imported, leaves `ran` beside it; and a specifier that escapes a package to it. */
async function trap() {
  const dir = await tempDir();
  const file = join(dir, 'evil.mjs');
  await writeFile(
    file,
    `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(join(dir, 'ran'))}, '');`,
  );
  const ran = () =>
    access(join(dir, 'ran')).then(
      () => true,
      () => false,
    );
  // @types/node has no "exports": its subpaths resolve as paths, `..` included.
  return { file, ran, specifier: `@types/node/${'../'.repeat(40)}${file.slice(1)}` };
}

describe('backend specifiers', () => {
  it('a path dressed as a package subpath is refused before anything is imported (built CLI)', async () => {
    const { specifier, ran } = await trap();
    const cli = join(APP, 'dist/cli.js');
    const result = await promisify(execFile)(process.execPath, [cli, '--backend', specifier], {
      cwd: await tempDir(),
    }).catch((error: { code: number; stderr: string }) => error);
    expect(await ran()).toBe(false);
    expect(result.stderr).toMatch(
      /^error: --backend: "@types\/node\/\.\.\/\S* is not a backend name; use ts,/,
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('in-process, from the config file, the environment and flags alike', async () => {
    const { specifier, file, ran } = await trap();
    for (const name of [
      specifier,
      file,
      `./${file}`,
      'mnist/../x.mjs',
      'a/./b',
      'a\\b',
      'node:fs',
    ]) {
      expect(await configError(() => checkConfig({ backend: name }, 'f.json'))).toMatch(
        /^f\.json: backend: "\S* is not a backend name; use ts, tfjs-cpu, tfjs-webgl, tfjs-wasm, or an npm package that exports a backend descriptor \(such as @acme\/backend or @acme\/backend\/entry; no paths\)\.$/s,
      );
    }
    expect((await run(['--backend', specifier])).stderr).toContain('is not a backend name');
    expect((await run([], { env: { TWOSTEP_BACKEND: specifier } })).stderr).toMatch(
      /^error: TWOSTEP_BACKEND: "\S* is not a backend name/,
    );
    expect((await run(['evaluate', '--backend', specifier])).stderr).toContain('is not a backend');
    expect(await ran()).toBe(false);
  });

  it('package names, scoped or not and with a subpath, are still taken', () => {
    for (const name of [
      'ts',
      'acme-backend',
      '@acme/backend',
      '@acme/backend/cpu',
      'a.b/c-d/e_f',
    ]) {
      expect(CHECKS.backend(name, 'backend')).toBe(name);
    }
  });

  it('a package subpath that the package does not export is a clean error', async () => {
    const { code, stderr } = await run(['--backend', '@twostep/core/no-such-entry']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: Unknown backend '@twostep\/core\/no-such-entry'/);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});

describe('values beyond what the data or a number can give', () => {
  it('trainSize beyond the digits left after testSize is refused, naming the maximum', async () => {
    const cwd = await tempDir();
    await writeFile(join(cwd, 'twostep.config.json'), '{ "trainSize": 100000 }');
    expect(await configError(() => resolveConfig({ env: {}, cwd }))).toBe(
      'trainSize: 100000 is more than the 8000 digits left for training (MNIST here has 10000 and testSize holds out 2000); use at most 8000, or a smaller testSize.',
    );
    expect(() => splitDigits({ trainSize: 9001, testSize: 1000, splitSeed: 0 })).toThrow(
      'trainSize: 9001 is more than the 9000 digits left',
    );
  });

  it('batchSize beyond trainSize is refused', async () => {
    const message = await configError(() =>
      resolveConfig({ env: {}, cwd: APP, overrides: { batchSize: 9000 } }),
    );
    expect(message).toBe(
      'batchSize: 9000 is more than the 8000 training digits (trainSize); use at most 8000.',
    );
  });

  it('seeds beyond 32 bits, which would repeat smaller ones, are refused', async () => {
    expect(await configError(() => checkConfig({ seed: 2 ** 32 + 1 }, 'f.json'))).toBe(
      'f.json: seed: 4294967297 is more than 4294967295: seeds are 32-bit, so it would give the same run as a smaller one.',
    );
    expect(await configError(() => checkConfig({ splitSeed: 2 ** 40 }, 'f.json'))).toContain(
      'is more than 4294967295',
    );
  });

  it('integers past 2^53 and numbers beyond float64 are refused as written', async () => {
    const dir = await tempDir();
    const cases = {
      '{ "epochs": 1e400 }': 'epochs: 1e400 is beyond the largest number (about 1.8e308).',
      '{ "epochs": 99999999999999999999 }':
        'epochs: 100000000000000000000 is more than 9007199254740991, the largest integer a number holds exactly.',
      '{ "optimizer": { "name": "momentum", "momentum": -1e400 } }':
        'optimizer: -1e400 is beyond the largest number',
      '1e400': 'expected a JSON object of settings, got 1e400.',
      '{ "epochs": "0.2" }': 'epochs: "0.2" is not an integer ≥ 1.',
      '{ "architecture": [784, "0.2", 10] }': 'architecture: N1 = "0.2" is not a width',
      '{ "optimizer": { "name": "sgd", "learningRate": "0.2" } }':
        'optimizer.learningRate: "0.2" is not a number.',
      '{ "epochs": 1e300 }': 'epochs: 1e+300 is more than 9007199254740991',
    };
    for (const [text, expected] of Object.entries(cases)) {
      const file = join(dir, 'c.json');
      await writeFile(file, text);
      expect(await configError(() => readConfigFile(file)), text).toContain(`${file}: ${expected}`);
    }
    expect(await configError(() => parseCommandLine(['--epochs', '99999999999999999999']))).toBe(
      '--epochs: 99999999999999999999 is more than 9007199254740991, the largest integer a number holds exactly.',
    );
    expect(await configError(() => parseCommandLine(['--learning-rate', '1e400']))).toBe(
      '--learning-rate: 1e400 is beyond the largest number (about 1.8e308).',
    );
    expect(await configError(() => parseCommandLine(['--learning-rate', '1e-400']))).toBe(
      '--learning-rate: 1e-400 is closer to 0 than the smallest positive number (about 5e-324).',
    );
  });
});

describe('repeated and empty flags', () => {
  it('a flag given twice counts the last time, as the usage says', async () => {
    expect(parseCommandLine(['--epochs', '3', '--epochs', '5']).overrides).toEqual({ epochs: 5 });
    expect(USAGE).toContain('A flag given twice counts once, the last time');
  });

  it('empty values are errors, not the working folder', async () => {
    expect(await configError(() => parseCommandLine(['--config', '']))).toBe(
      '--config: "" is not a file path; give a config file such as twostep.config.json.',
    );
    const { stderr } = await run([
      'export',
      '--format',
      'tfjs-layers',
      '--model',
      'm.json',
      '--out',
      '',
    ]);
    expect(stderr).toBe(
      'error: export: --out: "" is not a folder path; give one such as models/mnist-tfjs.',
    );
    expect((await run(['predict', '--input', ''])).stderr).toBe(
      'error: predict: --input: "" is not a file path; give a JSON file of images.',
    );
  });
});

describe('models and images', () => {
  /** A cwd with an MNIST-shaped model whose W1[0][0] is `value`. */
  async function modelWith(value: number) {
    const cwd = await tempDir();
    const net = Network.create({ architecture: [784, 4, 10], activations: ['relu', 'identity'] });
    const w = net.getWeights();
    w[0]![0]![0] = value;
    net.setWeights(w);
    await writeFile(join(cwd, 'm.json'), serialize(net));
    return cwd;
  }

  it('evaluate and predict refuse weights beyond float32 on a float32 backend', async () => {
    const cwd = await modelWith(1e39);
    for (const args of [['evaluate'], ['predict', '--index', '0']]) {
      const { code, stderr, stdout } = await run([...args, '--model', 'm.json'], { cwd });
      expect([code, stdout]).toEqual([1, []]);
      expect(stderr).toBe(
        `error: ${args[0]}: ${join(cwd, 'm.json')}: W1[0][0] (layer 1, row 0, column 0) is 1e+39, beyond the float32 range (±3.4028234663852886e+38) of this float32 backend: it would become Infinity. Scale the values into range, or use a float64 backend.`,
      );
    }
    const wide = await run(['evaluate', '--model', 'm.json', '--dtype', 'float64', '--json'], {
      cwd,
    });
    expect(wide.code).toBe(0);
  });

  it('predict says how many pixels an image has, and which one is out of range', async () => {
    const cwd = await modelWith(0.5);
    await writeFile(join(cwd, 'short.json'), JSON.stringify(Array(783).fill(0)));
    await writeFile(
      join(cwd, 'bright.json'),
      JSON.stringify([Array(784).fill(0), [...Array(783).fill(0), 1.5]]),
    );
    await writeFile(join(cwd, 'huge.json'), `[${Array(783).fill(0).join(',')},1e400]`);
    const error = async (file: string) =>
      (await run(['predict', '--input', file, '--model', 'm.json'], { cwd })).stderr;
    const image = '; an image is 784 numbers in [0, 1] (28 × 28, row-major, 0 = background).';
    expect(await error('short.json')).toBe(
      `error: predict: ${join(cwd, 'short.json')}: image 0 has 783 numbers${image}`,
    );
    expect(await error('bright.json')).toBe(
      `error: predict: ${join(cwd, 'bright.json')}: images[1][783] must be a finite number in [0, 1]; it is 1.5${image}`,
    );
    expect(await error('huge.json')).toBe(
      `error: predict: ${join(cwd, 'huge.json')}: image[783] must be a finite number in [0, 1]; it is 1e400${image}`,
    );
  });

  it('predict names every bad value of an input file by its path, as written', () => {
    const zeros = Array<number>(784).fill(0);
    const error = (text: string) => {
      try {
        parseImages(text, 'in.json');
      } catch (e) {
        expect(e).toBeInstanceOf(TwoStepError);
        return (e as Error).message.replace(
          '; an image is 784 numbers in [0, 1] (28 × 28, row-major, 0 = background).',
          '',
        );
      }
      throw new Error(`no error for ${text.slice(0, 40)}`);
    };
    const cases: [unknown[], string][] = [
      [
        [zeros, [...zeros.slice(1), '0.5']],
        'images[1][783] must be a finite number in [0, 1]; it is "0.5"',
      ],
      [[...zeros.slice(1), null], 'image[783] must be a finite number in [0, 1]; it is null'],
      [
        [zeros, zeros.map((_, i) => (i === 17 ? -0.1 : 0))],
        'images[1][17] must be a finite number in [0, 1]; it is -0.1',
      ],
      [[zeros, 5], 'images[1] must be an array; it is 5'],
      [[zeros, zeros.slice(1)], 'image 1 has 783 numbers'],
      [[], 'the file must be one image or an array of images; it is []'],
    ];
    for (const [json, message] of cases)
      expect(error(JSON.stringify(json))).toBe(`predict: in.json: ${message}`);
    expect(error(`[[${zeros.slice(1).join(',')},-1e400]]`)).toBe(
      'predict: in.json: images[0][783] must be a finite number in [0, 1]; it is -1e400',
    );
    expect(error('{"images": []}')).toBe(
      'predict: in.json: the file must be one image or an array of images; it is {"images":[]}',
    );
    expect(error('[0.5,')).toMatch(/^predict: in\.json: it is not JSON \(.+\)$/);
    expect(parseImages(JSON.stringify([zeros, zeros.fill(1)]), 'in.json')).toHaveLength(2);
  });

  it('evaluate, predict and export name the model and the field of a damaged model', async () => {
    const cwd = await modelWith(0.5);
    const text = await readFile(join(cwd, 'm.json'), 'utf8');
    await writeFile(
      join(cwd, 'bad.json'),
      text.replace(/"weights":\[\[\[[^,\]]+/, '"weights":[[[1e400'),
    );
    const damaged = (command: string) =>
      `error: ${command}: the model ${join(cwd, 'bad.json')} is not valid: weights[0][0][0] must be a finite number; it is 1e400. Train it again, or pass another --model.`;
    for (const args of [['evaluate'], ['predict', '--index', '0']]) {
      expect((await run([...args, '--model', 'bad.json'], { cwd })).stderr).toBe(damaged(args[0]!));
    }
    const exported = await run(['export', '--format', 'tfjs-layers', '--model', 'bad.json'], {
      cwd,
    });
    expect(exported.stderr).toBe(damaged('export'));
  });

  it('evaluate, predict and export refuse a temporary file of a save as --model, as train does', async () => {
    const cwd = await modelWith(0.5);
    const temp = '.m.json.123.0a1b2c3d.tmp';
    // A whole model: the name alone is refused (the save may have stopped midway).
    await writeFile(join(cwd, temp), await readFile(join(cwd, 'm.json'), 'utf8'));
    const refused = (command: string) =>
      `error: ${command}: --model ${join(cwd, temp)} is the temporary file of a save, not a model; pass a path such as models/mnist.json.`;
    for (const args of [
      ['evaluate'],
      ['predict', '--index', '0'],
      ['export', '--format', 'tfjs-layers'],
    ]) {
      const { code, stdout, stderr } = await run([...args, '--model', temp], { cwd });
      expect([code, stdout, stderr]).toEqual([1, [], refused(args[0]!)]);
    }
    // A flag given twice counts the last time, here as for train.
    const last = await run(['evaluate', '--model', temp, '--model', 'm.json', '--json'], { cwd });
    expect([last.code, last.stderr]).toEqual([0, '']);
    await writeFile(join(cwd, 'twostep.config.json'), JSON.stringify({ model: temp }));
    expect((await run(['evaluate'], { cwd })).stderr).toBe(refused('evaluate'));
    expect((await run(['train', '--model', temp], { cwd })).stderr).toBe(
      refused('train').replace('train: ', ''),
    );
    expect((await readdir(cwd)).sort()).toEqual([temp, 'm.json', 'twostep.config.json']);
  });
});

describe('export to a folder that cannot be written', () => {
  it('names the folder and the reason, without a stack', async () => {
    const cwd = await tempDir();
    const net = Network.create({ architecture: [2, 2], activations: ['tanh'] });
    await writeFile(join(cwd, 'm.json'), serialize(net));
    await mkdir(join(cwd, 'ro'));
    vi.mocked(fs.mkdtemp).mockRejectedValueOnce(
      Object.assign(
        new Error(`EROFS: read-only file system, mkdtemp '${join(cwd, 'ro', '.x.tmp-XXXXXX')}'`),
        {
          code: 'EROFS',
        },
      ),
    );
    const { code, stderr } = await run(
      ['export', '--format', 'tfjs-layers', '--model', 'm.json', '--out', 'ro/x'],
      { cwd },
    );
    expect(code).toBe(1);
    expect(stderr).toBe(
      `error: export: cannot write the export into ${resolve(cwd, 'ro')} (EROFS: read-only file system); choose another --out.`,
    );
  });
});

describe('every loss of the core', () => {
  it('the config, --loss, trace --loss and the usages take each of LOSS_NAMES', async () => {
    for (const loss of LOSS_NAMES) {
      expect(checkConfig({ loss }, 'f.json')).toEqual({ loss });
      expect(parseCommandLine(['--loss', loss]).overrides).toEqual({ loss });
      const traced = await run(['trace', '--loss', loss]);
      expect([traced.code, traced.stderr], loss).toEqual([0, '']);
      expect(traced.stdout.join('\n')).toContain(`loss ${loss}`);
      expect(USAGE).toContain(loss);
      expect(TRACE_USAGE).toContain(loss);
    }
  });
});
