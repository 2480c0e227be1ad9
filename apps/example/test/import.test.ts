/**
 * `twostep import`: ONNX files (`toOnnx`) and TensorFlow.js Layers models (`toLayers`) become
 * twostep model files with the same weights, and a twostep .json is checked and copied; the
 * summary, the default --out, and what it refuses to write over or read.
 */
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, type LayerActivation, Network, serialize } from '@twostep/core';
import { LAYERS_WEIGHTS_FILE, toLayers, toOnnx } from '@twostep/io';
import { describe, expect, it } from 'vitest';
import { USAGE } from '../src/command-line.js';
import { IMPORT_USAGE } from '../src/import.js';
import { failure, ok, runBuilt, tempDir } from './helpers.js';

/** A seeded network whose weights are float64 values (not float32 ones). */
const network = (
  architecture = [784, 16, 10],
  activations: LayerActivation[] = ['relu', 'identity'],
  bias = true,
) => Network.create({ architecture, activations, bias, seed: 3 });

const float32 = (weights: number[][][]) =>
  weights.map((w) => w.map((row) => row.map((v) => Math.fround(v))));

/** A working folder holding `files` (path → content); the folders are made. */
async function folder(files: Record<string, string | Uint8Array>): Promise<string> {
  const cwd = await tempDir();
  for (const [path, data] of Object.entries(files)) {
    await mkdir(join(cwd, path, '..'), { recursive: true });
    await writeFile(join(cwd, path), data);
  }
  return cwd;
}

/** `net` as a Layers folder: `<dir>/model.json` and its weights file. */
function layers(net: Network, dir: string): Record<string, string | Uint8Array> {
  const { modelJson, weightData } = toLayers(net);
  return {
    [`${dir}/model.json`]: JSON.stringify(modelJson),
    [`${dir}/${LAYERS_WEIGHTS_FILE}`]: new Uint8Array(weightData),
  };
}

/** The network in the twostep model file at `path`. */
const imported = async (path: string) => deserialize(await readFile(path, 'utf8'));

const MNIST_LAYERS = [
  '  layer 1  784 → 16  relu      bias  12,560 parameters',
  '  layer 2   16 → 10  identity  bias     170 parameters',
  '  total                              12,730 parameters',
];

describe('twostep import', () => {
  it('an ONNX file of float64 weights: the same weights, bit for bit, beside it', async () => {
    const net = network();
    const cwd = await folder({ 'models/m.onnx': toOnnx(net, { dtype: 'float64' }) });
    expect(await ok(['import', 'models/m.onnx'], cwd)).toEqual([
      'read models/m.onnx, an ONNX model: A[784,16,10]',
      ...MNIST_LAYERS,
      'wrote models/m.json',
      'try it: twostep evaluate --model models/m.json',
    ]);
    // Byte for byte what train writes for this network.
    expect(await readFile(join(cwd, 'models', 'm.json'), 'utf8')).toBe(`${serialize(net)}\n`);
    expect(await readdir(join(cwd, 'models'))).toEqual(['m.json', 'm.onnx']);
  });

  it('a float32 ONNX file without bias: float32-rounded weights; a non-MNIST model is traced', async () => {
    const leaky = { name: 'leakyRelu', alpha: 0.25 } as const;
    const net = network([3, 4, 2], [leaky, 'sigmoid'], false);
    const cwd = await folder({ 'small.onnx': toOnnx(net) });
    expect(await ok(['import', 'small.onnx', '--out', 'my models/small.json'], cwd)).toEqual([
      'read small.onnx, an ONNX model: A[3,4,2]',
      '  layer 1  3 → 4  leakyRelu(α = 0.25)  no bias  12 parameters',
      '  layer 2  4 → 2  sigmoid              no bias   8 parameters',
      '  total                                         20 parameters',
      'wrote my models/small.json',
      "try it: twostep trace --model 'my models/small.json' --input <3 numbers> --target <2 numbers>",
    ]);
    const back = await imported(join(cwd, 'my models', 'small.json'));
    expect(back.getWeights()).toEqual(float32(net.getWeights()));
    expect([back.bias, back.activationSpecs]).toEqual([false, [leaky, 'sigmoid']]);
  });

  it('a Layers folder or its model.json: float32-rounded weights in <folder>.json beside it', async () => {
    const net = network();
    const cwd = await folder(layers(net, 'web/m'));
    const out = join(cwd, 'web', 'm.json');
    const lines = (model: string) => [
      `read ${model}, a TensorFlow.js Layers model: A[784,16,10]`,
      ...MNIST_LAYERS,
      'wrote web/m.json',
      'try it: twostep evaluate --model web/m.json',
    ];
    expect(await ok(['import', 'web/m/'], cwd)).toEqual(lines('web/m'));
    expect((await imported(out)).getWeights()).toEqual(float32(net.getWeights()));
    expect(await failure(['import', 'web/m/model.json'], cwd)).toBe(
      `error: import: ${out} exists; pass --force to replace it, or choose another --out.`,
    );
    await writeFile(out, 'mine');
    expect(await ok(['import', 'web/m/model.json', '--force'], cwd)).toEqual(
      lines('web/m/model.json'),
    );
    expect((await imported(out)).getWeights()).toEqual(float32(net.getWeights()));
  });

  it('a twostep model file is checked and copied, never over itself', async () => {
    const net = network([2, 3, 1], ['tanh', 'identity']);
    const text = `${serialize(net)}\n`;
    const cwd = await folder({ 'm.json': text });
    const model = join(cwd, 'm.json');
    const itself = `error: import: ${model} is the model being imported, a twostep model file already: every command takes it as it is. Pass another --out to copy it.`;
    expect(await failure(['import', 'm.json'], cwd)).toBe(itself);
    expect(await failure(['import', 'm.json', '--out', './m.json', '--force'], cwd)).toBe(itself);
    const lines = await ok(['import', 'm.json', '--out', 'copy.json'], cwd);
    expect(lines[0]).toBe('read m.json, a twostep model file: A[2,3,1]');
    expect(await readFile(join(cwd, 'copy.json'), 'utf8')).toBe(text);
  });

  it('refuses to write over the model read, its weights or a folder, even with --force', async () => {
    const net = network([3, 4, 2], ['tanh', 'sigmoid']);
    const cwd = await folder({ 'm.onnx': toOnnx(net), ...layers(net, 'web') });
    const over = (path: string, what: string) =>
      `error: import: the twostep model would be written over ${join(cwd, path)}, ${what} being imported; pass another --out.`;
    expect(await failure(['import', 'm.onnx', '--out', 'm.onnx', '--force'], cwd)).toBe(
      over('m.onnx', 'the model'),
    );
    const weights = `web/${LAYERS_WEIGHTS_FILE}`;
    expect(await failure(['import', 'web', '--out', weights, '--force'], cwd)).toBe(
      over(weights, 'a weights file of the model'),
    );
    expect(await failure(['import', 'm.onnx', '--out', 'web', '--force'], cwd)).toBe(
      `error: import: --out ${join(cwd, 'web')} is a folder; name a file in it, such as ${join(cwd, 'web', 'mnist.json')}.`,
    );
    expect(await readFile(join(cwd, 'm.onnx'))).toEqual(Buffer.from(toOnnx(net)));
    expect((await readdir(cwd)).sort()).toEqual(['m.onnx', 'web']);
  });

  it('a read-only folder is refused as export refuses it, by the built CLI', async () => {
    const cwd = await folder({ 'ro/m.onnx': toOnnx(network([3, 4, 2], ['tanh', 'sigmoid'])) });
    await chmod(cwd, 0o777);
    await chmod(join(cwd, 'ro'), 0o555);
    expect(await runBuilt(['import', 'ro/m.onnx'], cwd)).toEqual([
      1,
      `error: import: cannot write the model into ${join(cwd, 'ro')} (EACCES: permission denied); choose another --out.\n`,
    ]);
    expect(await readdir(join(cwd, 'ro'))).toEqual(['m.onnx']);
  });

  it('a damaged, missing or temporary file gets the message every command gives', async () => {
    const cwd = await folder({ 'bad.onnx': 'not a protobuf', 'm.json': serialize(network()) });
    expect(await failure(['import', 'bad.onnx'], cwd)).toBe(
      `error: import: the model ${join(cwd, 'bad.onnx')} is not a valid ONNX model: the bytes are not an ONNX protobuf (invalid wire type 6 at offset 1); the file is damaged, truncated or not an .onnx model.`,
    );
    expect(await failure(['import', 'nope.onnx'], cwd)).toBe(
      `error: import: cannot read the model ${join(cwd, 'nope.onnx')} (ENOENT); check the path.`,
    );
    const temp = '.m.json.123.0a1b2c3d.tmp';
    await writeFile(join(cwd, temp), await readFile(join(cwd, 'm.json')));
    expect(await failure(['import', temp, '--out', 'x.json'], cwd)).toBe(
      `error: import: ${join(cwd, temp)} is the temporary file of a save, not a model; pass a path such as models/mnist.json.`,
    );
    expect((await readdir(cwd)).sort()).toEqual([temp, 'bad.onnx', 'm.json']);
  });

  it('bad arguments say what to do; --help and twostep --help show it', async () => {
    const cwd = await tempDir();
    expect(await failure(['import'], cwd)).toBe(
      'error: import: give the model to import: twostep import <file> [--out <path>], such as models/mnist.onnx.',
    );
    expect(await failure(['import', 'a.onnx', 'b.onnx'], cwd)).toBe(
      'error: import: "b.onnx" is one file too many; import one model at a time.',
    );
    expect(await failure(['import', ''], cwd)).toBe(
      'error: import: "" is not a file path; give a model, such as models/mnist.onnx.',
    );
    expect(await failure(['import', 'a.onnx', '--out', ''], cwd)).toBe(
      'error: import: --out: "" is not a file path; give one such as models/mnist.json.',
    );
    expect(await failure(['import', 'a.onnx', '--format', 'onnx'], cwd)).toMatch(
      /^error: import: Unknown option '--format'.*\nRun 'twostep import --help'\.$/s,
    );
    expect(await ok(['import', '--help'], cwd)).toEqual([IMPORT_USAGE]);
    expect(USAGE).toContain(
      '  import             convert an ONNX or TensorFlow.js Layers model into a twostep model file\n',
    );
  });
});
