import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOSS_NAMES } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/command-line.js';
import { checkConfig, DEFAULT_CONFIG } from '../src/config.js';
import { configFromEnvironment, resolveConfig } from '../src/config-sources.js';
import { configError, tempDir } from './helpers.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));

describe('config file', () => {
  it('the shipped twostep.config.json is valid and holds the defaults', async () => {
    const { config, configPath } = await resolveConfig({ env: {}, cwd: appDir });
    expect(configPath).toBe(join(appDir, 'twostep.config.json'));
    expect(config).toEqual({ ...DEFAULT_CONFIG, model: join(appDir, 'models/mnist.json') });
    const file = JSON.parse(await readFile(join(appDir, 'twostep.config.json'), 'utf8'));
    expect(Object.keys(file).sort()).toEqual(Object.keys(DEFAULT_CONFIG).sort());
  });

  it('without a config file, the defaults apply', async () => {
    const cwd = await tempDir();
    const { config, configPath } = await resolveConfig({ env: {}, cwd });
    expect(configPath).toBeUndefined();
    expect(config).toEqual({ ...DEFAULT_CONFIG, model: join(cwd, 'models/mnist.json') });
  });

  it('an unknown key is an error naming it and the allowed keys', async () => {
    const message = await configError(() => checkConfig({ epoch: 10 }, 'twostep.config.json'));
    expect(message).toContain('unknown key "epoch"');
    expect(message).toContain('backend, dtype, threads, architecture');
    expect(message).toContain('epochs');
  });

  it('a backend that is not a string names the key and the backends', async () => {
    const message = await configError(() => checkConfig({ backend: 3 }, 'f.json'));
    expect(message).toBe(
      'f.json: backend: 3 is not a backend name; use ts, tfjs-cpu, tfjs-webgl, tfjs-wasm, or an npm package that exports a backend descriptor (such as @acme/backend or @acme/backend/entry; no paths).',
    );
  });

  it('a bad dtype names the key and the dtypes', async () => {
    const message = await configError(() => checkConfig({ dtype: 'float16' }, 'f.json'));
    expect(message).toBe('f.json: dtype: "float16" is not one of float32, float64, default.');
  });

  it.each([
    ['epochs', 0, 'epochs: 0 is not an integer ≥ 1.'],
    ['epochs', '10', 'epochs: "10" is not an integer ≥ 1.'],
    ['batchSize', 2.5, 'batchSize: 2.5 is not an integer ≥ 1.'],
    ['seed', -1, 'seed: -1 is not an integer ≥ 0.'],
    ['testSize', 10000, 'testSize: 10000 leaves no digit to train on; MNIST here has 10000.'],
    ['testSize', 0, 'testSize: 0 is not an integer ≥ 1.'],
    ['trainSize', 0, 'trainSize: 0 is not an integer ≥ 1.'],
    ['checkpointEvery', -2, 'checkpointEvery: -2 is not an integer ≥ 0.'],
  ])('a bad number: %s = %j', async (key, value, expected) => {
    expect(await configError(() => checkConfig({ [key]: value }, 'f.json'))).toBe(
      `f.json: ${expected}`,
    );
  });

  it('bad names of activations, losses and modes list the choices', async () => {
    expect(await configError(() => checkConfig({ activation: 'gelu' }, 'f'))).toContain(
      'activation: "gelu" is not one of identity, sigmoid, tanh, relu',
    );
    expect(await configError(() => checkConfig({ loss: 'hinge' }, 'f'))).toContain(
      `loss: "hinge" is not one of ${LOSS_NAMES.join(', ')}.`,
    );
    expect(await configError(() => checkConfig({ mode: 'local' }, 'f'))).toContain(
      'mode: "local" is not one of global, layerwise.',
    );
  });

  it('checks the optimizer: its name, its settings and their ranges', async () => {
    expect(await configError(() => checkConfig({ optimizer: { name: 'rmsprop' } }, 'f'))).toBe(
      'f: optimizer.name: "rmsprop" is not one of sgd, momentum, adam.',
    );
    expect(
      await configError(() => checkConfig({ optimizer: { name: 'sgd', beta1: 0.9 } }, 'f')),
    ).toBe('f: optimizer.beta1: is not a setting of sgd; use name, learningRate.');
    expect(
      await configError(() => checkConfig({ optimizer: { name: 'adam', learningRate: -1 } }, 'f')),
    ).toContain('learningRate must be a finite number in (0, ∞), got -1');
    expect(await configError(() => checkConfig({ optimizer: 'adam' }, 'f'))).toContain(
      'optimizer: "adam" is not an object',
    );
  });

  it('checks the architecture, and that it fits MNIST', async () => {
    expect(checkConfig({ architecture: 'A[784, 64, 32, 10]' }, 'f')).toEqual({
      architecture: 'A[784,64,32,10]',
    });
    expect(await configError(() => checkConfig({ architecture: 'A[784,x,10]' }, 'f'))).toContain(
      'architecture: ',
    );
    expect(await configError(() => checkConfig({ architecture: 'A[4,8,3]' }, 'f'))).toBe(
      'f: architecture: A[4,8,3] does not fit MNIST, which has 784 pixels and 10 classes: use A[784,…,10].',
    );
  });

  it('a file that is not JSON, not an object, or missing is an error naming it', async () => {
    const dir = await tempDir();
    const path = join(dir, 'bad.json');
    await writeFile(path, '{ "epochs": 3, }');
    expect(await configError(() => resolveConfig({ configPath: path, env: {} }))).toContain(
      `config file ${path} is not valid JSON`,
    );
    await writeFile(path, '[1, 2]');
    expect(await configError(() => resolveConfig({ configPath: path, env: {} }))).toBe(
      `${path}: expected a JSON object of settings, got [1,2].`,
    );
    const missing = join(dir, 'missing.json');
    expect(await configError(() => resolveConfig({ configPath: missing, env: {} }))).toContain(
      `cannot read config file ${missing}`,
    );
  });
});

describe('environment and flags', () => {
  it('bad environment values name the variable', async () => {
    expect(await configError(() => configFromEnvironment({ TWOSTEP_DTYPE: 'float16' }))).toBe(
      'TWOSTEP_DTYPE: "float16" is not one of float32, float64, default.',
    );
    expect(configFromEnvironment({ TWOSTEP_BACKEND: '', TWOSTEP_DTYPE: undefined })).toEqual({});
  });

  it('parses the command and flags; numbers must be integers', async () => {
    const cwd = '/work/here';
    const plain = { command: 'train', overrides: {}, json: false, resume: false, args: [] };
    expect(parseCommandLine([], cwd)).toEqual(plain);
    const argv = ['--backend', 'ts', '--dtype', 'float32', '--epochs', '5', '--seed', '0'];
    expect(parseCommandLine(['train', ...argv], cwd)).toEqual({
      ...plain,
      overrides: { backend: 'ts', dtype: 'float32', epochs: 5, seed: 0 },
      args: argv,
    });
    const every = [
      '--architecture',
      'A[784,32,10]',
      '--activation',
      'tanh',
      '--loss',
      'mse',
      '--optimizer',
      'adam',
      '--learning-rate',
      '0.002',
      '--mode',
      'layerwise',
      '--batch-size',
      '64',
      '--checkpoint-every',
      '2',
      '--resume',
      '--json',
    ];
    expect(parseCommandLine(every, cwd)).toEqual({
      command: 'train',
      overrides: {
        architecture: 'A[784,32,10]',
        activation: 'tanh',
        loss: 'mse',
        optimizer: { name: 'adam' },
        mode: 'layerwise',
        batchSize: 64,
        checkpointEvery: 2,
      },
      learningRate: 0.002,
      json: true,
      resume: true,
      args: every,
    });
    expect(parseCommandLine(['--config', 'c.json', '--model', 'out/m.json'], cwd)).toMatchObject({
      command: 'train',
      configPath: '/work/here/c.json',
      overrides: { model: '/work/here/out/m.json' },
    });
    expect(parseCommandLine(['--help'], cwd).command).toBe('help');
    expect(parseCommandLine(['train', '-h'], cwd).command).toBe('help');
    expect(parseCommandLine(['predict', '--index', '3'], cwd)).toMatchObject({
      command: 'predict',
      args: ['--index', '3'],
    });
    expect(await configError(() => parseCommandLine(['--epochs', 'ten']))).toBe(
      '--epochs: "ten" is not an integer ≥ 1.',
    );
    expect(await configError(() => parseCommandLine(['--dtype', 'int8']))).toBe(
      '--dtype: "int8" is not one of float32, float64, default.',
    );
    expect(await configError(() => parseCommandLine(['--optimizer', 'rmsprop']))).toBe(
      '--optimizer.name: "rmsprop" is not one of sgd, momentum, adam.',
    );
    for (const rate of ['0', '-1', 'fast', 'Infinity']) {
      expect(await configError(() => parseCommandLine([`--learning-rate=${rate}`]))).toBe(
        `--learning-rate: ${JSON.stringify(rate)} is not a positive number.`,
      );
    }
  });

  it('--learning-rate applies to the optimizer the config ends with', async () => {
    const cwd = await tempDir();
    const withFlags = async (argv: string[]) => {
      const line = parseCommandLine(argv, cwd);
      return (
        await resolveConfig({
          env: {},
          cwd,
          overrides: line.overrides,
          learningRate: line.learningRate,
        })
      ).config.optimizer;
    };
    expect(await withFlags(['--learning-rate', '0.2'])).toEqual({
      ...DEFAULT_CONFIG.optimizer,
      learningRate: 0.2,
    });
    expect(await withFlags(['--optimizer', 'adam', '--learning-rate', '0.003'])).toEqual({
      name: 'adam',
      learningRate: 0.003,
    });
    expect(await withFlags(['--optimizer', 'sgd'])).toEqual({ name: 'sgd' });
  });

  it('unknown flags and commands are errors', async () => {
    expect(await configError(() => parseCommandLine(['--lr', '0.1']))).toContain(
      "Unknown option '--lr'",
    );
    expect(await configError(() => parseCommandLine(['fit']))).toBe(
      'unknown command "fit"; the commands are train, backends, evaluate, predict, report, trace, export, import, help.',
    );
    expect(await configError(() => parseCommandLine(['train', 'now']))).toBe(
      `unexpected argument "now"; see 'twostep --help'.`,
    );
  });

  it('precedence: defaults < config file < environment < flags', async () => {
    const dir = await tempDir();
    const configPath = join(dir, 'sub', 'my.config.json');
    await mkdir(join(dir, 'sub'));
    await writeFile(
      configPath,
      JSON.stringify({
        backend: 'file-backend',
        dtype: 'float32',
        epochs: 5,
        seed: 7,
        model: 'file-model.json',
      }),
    );
    const resolveWith = async (env: Record<string, string>, argv: string[]) => {
      const line = parseCommandLine(['--config', configPath, ...argv], dir);
      return (
        await resolveConfig({
          configPath: line.configPath,
          env,
          overrides: line.overrides,
          cwd: dir,
        })
      ).config;
    };

    // The file over the defaults; its model path is relative to the file.
    const fromFile = await resolveWith({}, []);
    expect(fromFile).toMatchObject({
      backend: 'file-backend',
      dtype: 'float32',
      epochs: 5,
      seed: 7,
    });
    expect(fromFile.model).toBe(join(dir, 'sub', 'file-model.json'));
    expect(fromFile.batchSize).toBe(DEFAULT_CONFIG.batchSize);

    // The environment over the file.
    const env = { TWOSTEP_BACKEND: 'env-backend', TWOSTEP_DTYPE: 'float64' };
    expect(await resolveWith(env, [])).toMatchObject({
      backend: 'env-backend',
      dtype: 'float64',
      epochs: 5,
    });

    // Flags over both; --model is relative to the working directory.
    const fromFlags = await resolveWith(env, [
      '--backend',
      'flag-backend',
      '--dtype',
      'float32',
      '--epochs',
      '9',
      '--seed',
      '3',
      '--model',
      'flag-model.json',
    ]);
    expect(fromFlags).toMatchObject({
      backend: 'flag-backend',
      dtype: 'float32',
      epochs: 9,
      seed: 3,
      model: join(dir, 'flag-model.json'),
    });
  });
});

describe('threads', () => {
  const NOT_THREADS =
    "is not a number of threads: use an integer ≥ 1 (threads in all, counting the main one), or default (the machine's cores, at most 8).";

  it('takes a whole number ≥ 1, or default (the backend’s: all cores, at most 8)', () => {
    expect(DEFAULT_CONFIG.threads).toBe('default');
    expect(checkConfig({ threads: 1 }, 'f')).toEqual({ threads: 1 });
    expect(checkConfig({ threads: 12 }, 'f')).toEqual({ threads: 12 });
    expect(checkConfig({ threads: 'default' }, 'f')).toEqual({ threads: 'default' });
  });

  it.each([
    [0, '0'],
    [-2, '-2'],
    [1.5, '1.5'],
    ['4', '"4"'],
    ['all', '"all"'],
    [null, 'null'],
    [true, 'true'],
  ])(
    'in the config file, %j is refused, shown as written, with what it takes',
    async (value, shown) => {
      expect(await configError(() => checkConfig({ threads: value }, 'f.json'))).toBe(
        `f.json: threads: ${shown} ${NOT_THREADS}`,
      );
    },
  );

  it('refuses numbers a double does not hold exactly, or at all', async () => {
    expect(await configError(() => checkConfig({ threads: 2 ** 53 }, 'f'))).toBe(
      'f: threads: 9007199254740992 is more than 9007199254740991, the largest integer a number holds exactly.',
    );
    const dir = await tempDir();
    const path = join(dir, 'c.json');
    await writeFile(path, '{ "threads": 1e400 }');
    expect(await configError(() => resolveConfig({ configPath: path, env: {} }))).toBe(
      `${path}: threads: 1e400 is beyond the largest number (about 1.8e308).`,
    );
  });

  it('--threads and TWOSTEP_THREADS are read as numbers, or default', async () => {
    expect(parseCommandLine(['--threads', '3'], '/w').overrides).toEqual({ threads: 3 });
    expect(parseCommandLine(['train', '--threads=default'], '/w').overrides).toEqual({
      threads: 'default',
    });
    expect(configFromEnvironment({ TWOSTEP_THREADS: '2' })).toEqual({ threads: 2 });
    expect(configFromEnvironment({ TWOSTEP_THREADS: 'default' })).toEqual({ threads: 'default' });
    expect(configFromEnvironment({ TWOSTEP_THREADS: '' })).toEqual({});
    expect(await configError(() => parseCommandLine(['--threads', '0']))).toBe(
      `--threads: 0 ${NOT_THREADS}`,
    );
    expect(await configError(() => parseCommandLine(['--threads', 'many']))).toBe(
      `--threads: "many" ${NOT_THREADS}`,
    );
    expect(await configError(() => parseCommandLine(['--threads', '99999999999999999999']))).toBe(
      '--threads: 99999999999999999999 is more than 9007199254740991, the largest integer a number holds exactly.',
    );
    expect(await configError(() => configFromEnvironment({ TWOSTEP_THREADS: '1.5' }))).toBe(
      `TWOSTEP_THREADS: "1.5" ${NOT_THREADS}`,
    );
  });

  it('precedence: config file < TWOSTEP_THREADS < --threads', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'twostep.config.json'), JSON.stringify({ threads: 1 }));
    const threadsWith = async (env: Record<string, string>, argv: string[]) =>
      (
        await resolveConfig({
          env,
          overrides: parseCommandLine(argv, dir).overrides,
          cwd: dir,
        })
      ).config.threads;
    expect(await threadsWith({}, [])).toBe(1);
    expect(await threadsWith({ TWOSTEP_THREADS: '3' }, [])).toBe(3);
    expect(await threadsWith({ TWOSTEP_THREADS: '3' }, ['--threads', 'default'])).toBe('default');
  });

  it('is a setting of the ts backend: given with another backend, it is an error saying so', async () => {
    const dir = await tempDir();
    const resolveWith = async (env: Record<string, string>, argv: string[]) =>
      resolveConfig({ env, overrides: parseCommandLine(argv, dir).overrides, cwd: dir });
    const message = (threads: number, backend: string) =>
      `threads: ${threads} is a setting of the ts backend, and the backend is ${backend} (which sets its own threads); leave threads at default (drop --threads, TWOSTEP_THREADS or "threads" in twostep.config.json), or use --backend ts.`;
    expect(
      await configError(() => resolveWith({}, ['--backend', 'tfjs-cpu', '--threads', '2'])),
    ).toBe(message(2, 'tfjs-cpu'));
    expect(
      await configError(() =>
        resolveWith({ TWOSTEP_BACKEND: 'tfjs-wasm', TWOSTEP_THREADS: '4' }, []),
      ),
    ).toBe(message(4, 'tfjs-wasm'));
    await writeFile(join(dir, 'twostep.config.json'), JSON.stringify({ threads: 2 }));
    expect(await configError(() => resolveWith({}, ['--backend', '@acme/backend']))).toBe(
      message(2, '@acme/backend'),
    );
    // Left at default, another backend is fine; and on ts, any number of threads.
    expect(
      (await resolveWith({}, ['--backend', 'tfjs-cpu', '--threads', 'default'])).config,
    ).toMatchObject({ backend: 'tfjs-cpu', threads: 'default' });
    expect((await resolveWith({}, ['--threads', '3'])).config).toMatchObject({
      backend: 'ts',
      threads: 3,
    });
  });
});
