/**
 * `twostep export --format tfjs-layers`: the folder it writes (what `toLayers` of @twostep/io
 * builds, which its own tests check against tfjs-layers), all or nothing, its flags and
 * messages, and one model as the user sees it: tfjs loads the folder and predicts as twostep.
 */
import * as fs from 'node:fs/promises';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { type LayersModel, loadLayersModel } from '@tensorflow/tfjs-layers';
import { createBackend } from '@twostep/backend-ts';
import {
  ConfigError,
  DTypeError,
  ModelFormatError,
  Network,
  type NetworkOptions,
  predict,
  serialize,
  TwoStepError,
} from '@twostep/core';
import { toLayers } from '@twostep/io';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportTfjsLayers, runExport } from '../src/export.js';
import type { Io } from '../src/io.js';
import { tempDir } from './helpers.js';

// rename and open pass through to the real ones unless a test makes them fail.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, rename: vi.fn(actual.rename), open: vi.fn(actual.open) };
});
const real = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');
afterEach(() => {
  vi.mocked(fs.rename).mockImplementation(real.rename);
  vi.mocked(fs.open).mockImplementation(real.open);
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A network with its seeded initial weights. */
const network = (architecture: number[], activations: NetworkOptions['activations']) =>
  Network.create({ architecture, activations, seed: 1 });

/** Loads an export with tfjs's own model.json parsing (as its http loader does), from disk. */
async function loadExport(dir: string): Promise<LayersModel> {
  const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const handler: tf.io.IOHandler = {
    load: () =>
      tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const bin = await readFile(join(dir, manifest[0]!.paths[0]!));
        const data = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
        return [manifest.flatMap((group) => group.weights), data as ArrayBuffer];
      }),
  };
  return loadLayersModel(handler);
}

describe('exportTfjsLayers', () => {
  it('writes model.json and group1-shard1of1.bin into the folder: what toLayers builds, converted by the command', async () => {
    const net = network([784, 32, 10], ['relu', 'identity']);
    const out = join(await tempDir(), 'out');
    const { files } = await exportTfjsLayers(net, out);
    expect(files).toEqual([join(out, 'model.json'), join(out, 'group1-shard1of1.bin')]);
    expect((await readdir(out)).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    const built = toLayers(net, { weightsPath: 'group1-shard1of1.bin' });
    expect(JSON.parse(await readFile(join(out, 'model.json'), 'utf8'))).toEqual({
      ...built.modelJson,
      convertedBy: 'twostep export --format tfjs-layers',
    });
    const bin = await readFile(join(out, 'group1-shard1of1.bin'));
    expect(bin.equals(Buffer.from(built.weightData))).toBe(true);
  });

  it('accepts a model file as JSON text or a parsed object', async () => {
    const net = network([3, 4, 2], ['tanh', 'sigmoid']);
    const dir = await tempDir();
    await exportTfjsLayers(serialize(net), join(dir, 'a'));
    await exportTfjsLayers(JSON.parse(serialize(net)), join(dir, 'b'));
    expect(await readFile(join(dir, 'a', 'group1-shard1of1.bin'))).toEqual(
      await readFile(join(dir, 'b', 'group1-shard1of1.bin')),
    );
    await expect(exportTfjsLayers({ format: 'nope' }, join(dir, 'c'))).rejects.toThrow(
      ModelFormatError,
    );
  });

  it('a per-neuron family is a ConfigError naming the layer, and nothing is written', async () => {
    const net = network([3, 4, 2], ['tanh', ['sigmoid', { name: 'leakyRelu', alpha: 0.1 }]]);
    const dir = await tempDir();
    const error = await exportTfjsLayers(net, join(dir, 'out')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'export: layer 2 has a per-neuron activation family ("sigmoid", {"name":"leakyRelu","alpha":0.1}); a TensorFlow.js Dense layer applies one activation to all its neurons, so this network cannot be exported as tfjs-layers.',
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('a weight beyond float32 is a DTypeError naming it: the weights file is float32', async () => {
    const net = network([2, 2], ['tanh']);
    const w = net.getWeights();
    w[0]![1]![2] = -1e39;
    net.setWeights(w);
    const dir = await tempDir();
    const error = await exportTfjsLayers(net, join(dir, 'out')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DTypeError);
    expect((error as Error).message).toBe(
      'export: W1[1][2] (layer 1, row 1, column 2) is -1e+39, beyond the float32 range (±3.4028234663852886e+38) of the TensorFlow.js Layers weights file, which is float32 whatever backend trained the model: it would become -Infinity. Train again so that the weights stay in range (a lower learning rate, scaled inputs), or use this model with twostep on a float64 backend.',
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('replaces an earlier export and leaves nothing else behind', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out');
    await exportTfjsLayers(network([3, 4, 2], ['tanh', 'sigmoid']), out);
    await exportTfjsLayers(network([5, 2], ['relu']), out);
    expect(await readdir(dir)).toEqual(['out']);
    const json = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
    expect(json.modelTopology.config.layers[0].config.batch_input_shape).toEqual([null, 5]);
  });

  describe('a failed export leaves an earlier one intact and no temporary folder', () => {
    async function withEarlierExport() {
      const dir = await tempDir();
      const out = join(dir, 'out');
      await exportTfjsLayers(network([3, 4, 2], ['tanh', 'sigmoid']), out);
      const before = await readFile(join(out, 'model.json'), 'utf8');
      const intact = async () => {
        expect(await readdir(dir)).toEqual(['out']);
        expect(await readFile(join(out, 'model.json'), 'utf8')).toBe(before);
        expect((await readdir(out)).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
      };
      return { out, intact };
    }
    const next = () => network([5, 3, 2], ['relu', 'identity']);
    const fail = (what: string) => Object.assign(new Error(`simulated ${what}`), { code: 'EIO' });

    it('a model that cannot be exported', async () => {
      const { out, intact } = await withEarlierExport();
      await expect(exportTfjsLayers(network([3, 2], [['tanh', 'relu']]), out)).rejects.toThrow(
        ConfigError,
      );
      await intact();
    });

    it('the weights file cannot be written', async () => {
      const { out, intact } = await withEarlierExport();
      vi.mocked(fs.open).mockImplementation(async (path, ...rest) => {
        if (String(path).endsWith('.bin')) throw fail('write');
        return real.open(path, ...rest);
      });
      await expect(exportTfjsLayers(next(), out)).rejects.toThrow('simulated write');
      await intact();
    });

    it('the new folder cannot be moved in: the old one is put back', async () => {
      const { out, intact } = await withEarlierExport();
      vi.mocked(fs.rename).mockImplementation(async (from, to) => {
        // Only the new folder's move fails, not the old one's move back.
        if (String(to) === out && !String(from).includes('-old-')) throw fail('rename');
        return real.rename(from, to);
      });
      await expect(exportTfjsLayers(next(), out)).rejects.toThrow('simulated rename');
      vi.mocked(fs.rename).mockImplementation(real.rename);
      await intact();
    });

    it('neither the new folder nor the old one can be moved in: the error says where the old one is', async () => {
      const { out } = await withEarlierExport();
      vi.mocked(fs.rename).mockImplementation(async (from, to) => {
        if (String(to) === out) throw fail('rename');
        return real.rename(from, to);
      });
      const error = await exportTfjsLayers(next(), out).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TwoStepError);
      const backup = /back from (\S+); it is there/.exec((error as Error).message)?.[1];
      expect(await readdir(backup!)).toContain('model.json');
      expect(await readdir(dirname(out))).toEqual([basename(backup!)]);
    });

    it('the old folder cannot be moved aside', async () => {
      const { out, intact } = await withEarlierExport();
      vi.mocked(fs.rename).mockImplementation(async (from, to) => {
        if (String(from) === out) throw fail('rename');
        return real.rename(from, to);
      });
      await expect(exportTfjsLayers(next(), out)).rejects.toThrow('simulated rename');
      await intact();
    });
  });

  it('will not replace a folder that is not an export, nor a file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'mnist.json'), 'keep');
    await expect(exportTfjsLayers(network([3, 2], ['tanh']), dir)).rejects.toThrow(
      /holds other files \(mnist\.json\)/,
    );
    expect(await readdir(dir)).toEqual(['mnist.json']);
    await expect(
      exportTfjsLayers(network([3, 2], ['tanh']), join(dir, 'mnist.json')),
    ).rejects.toThrow(/is a file, not a folder/);
    expect(await readFile(join(dir, 'mnist.json'), 'utf8')).toBe('keep');
  });
});

describe('runExport', () => {
  async function setup() {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'models'));
    const net = network([4, 3, 2], ['relu', 'sigmoid']);
    await writeFile(join(cwd, 'models', 'net.json'), serialize(net));
    const stdout: string[] = [];
    const io: Io = { env: {}, cwd, stdout: (line) => stdout.push(line), stderr: () => {} };
    return { cwd, io, stdout, net };
  }

  it('writes next to the model by default and says what it wrote', async () => {
    const { cwd, io, stdout } = await setup();
    await runExport(['--model', 'models/net.json', '--format', 'tfjs-layers'], io);
    const out = join(cwd, 'models', 'net-tfjs');
    expect((await readdir(out)).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    expect(stdout).toContain(`wrote ${join(out, 'model.json')}`);
    expect(stdout).toContain(`wrote ${join(out, 'group1-shard1of1.bin')}`);
    expect(stdout).toContain('  Dense 4→3 relu');
  });

  it('--out is relative to the working folder; tfjs loads that folder and predicts as twostep does', async () => {
    const { cwd, io, net } = await setup();
    await runExport(['--model=models/net.json', '--format=tfjs-layers', '--out', 'web/m'], io);
    const out = join(cwd, 'web', 'm');
    expect((await readdir(out)).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    const model = await loadExport(out);
    const x = [
      [0.5, -1, 2, 0],
      [1, 1, -0.5, 3],
      [-2, 0.25, 1, -1],
    ];
    const input = tf.tensor2d(x);
    const output = model.predict(input) as tf.Tensor;
    const theirs = (output.arraySync() as number[][]).flat();
    tf.dispose([input, output]);
    const ours = (await predict(createBackend({ dtype: 'float32' }), net, x)).flat();
    // Sigmoid outputs, in (0, 1): float32 sums in another order differ far below 1e-6.
    expect(ours).toHaveLength(x.length * 2);
    expect(theirs).toEqual(ours.map((v) => expect.closeTo(v, 6)));
  });

  it.each([
    [['--model', 'models/net.json', '--format', 'tfjs-layers', '--bogus'], /--bogus/],
    [['--model', 'models/net.json', '--format', 'pt'], /unknown format "pt".*tfjs-layers or onnx/],
    [['--model', 'models/net.json'], /--format is required.*tfjs-layers/],
    [['--format', 'tfjs-layers'], /--model <file> is required/],
    [['--model', 'models/net.json', '--format', 'tfjs-layers', 'extra'], /extra/],
    [['--model', 'models/net.json', '--format'], /--format/],
  ])('bad flags %j are a ConfigError', async (argv, message) => {
    const { cwd, io } = await setup();
    const error = await runExport(argv, io).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^export: /);
    expect((error as Error).message).toMatch(message);
    expect(await readdir(join(cwd, 'models'))).toEqual(['net.json']);
  });

  it('a missing model file says it cannot be read; a damaged one names the bad field', async () => {
    const { cwd, io } = await setup();
    const missing = await runExport(['--model', 'nope.json', '--format', 'tfjs-layers'], io).catch(
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(TwoStepError);
    expect((missing as Error).message).toMatch(/cannot read the model .*nope\.json \(ENOENT\)/);
    const file = JSON.parse(await readFile(join(cwd, 'models', 'net.json'), 'utf8'));
    file.weights[1][0].pop();
    await writeFile(join(cwd, 'models', 'bad.json'), JSON.stringify(file));
    const bad = await runExport(
      ['--model', 'models/bad.json', '--format', 'tfjs-layers'],
      io,
    ).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ModelFormatError);
    expect((bad as ModelFormatError).path).toBe('weights[1][0]');
    expect(await readdir(join(cwd, 'models'))).toEqual(['bad.json', 'net.json']);
  });
});
