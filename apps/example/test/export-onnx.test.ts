/**
 * `twostep export --format onnx`, and models of other formats read by every command: the ONNX
 * file runs in onnxruntime-web as twostep predicts; evaluate, predict, trace and export take an
 * .onnx file or a TensorFlow.js Layers model.json as --model, and name the file in errors.
 */
import { chmod, mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBackend } from '@twostep/backend-ts';
import {
  ConfigError,
  DTypeError,
  type LayerActivation,
  Network,
  predict,
  Random,
  serialize,
} from '@twostep/core';
import { fromOnnx } from '@twostep/io';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { EXPORT_USAGE, runExport } from '../src/export.js';
import { failure, ok, runBuilt, TS_DEFAULT, tempDir } from './helpers.js';

ort.env.wasm.numThreads = 1;

/** A seeded network with every weight (biases included) nonzero and exact in float32. */
function network(
  architecture = [784, 16, 10],
  activations: LayerActivation[] = ['relu', 'identity'],
): Network {
  const net = Network.create({ architecture, activations, seed: 3 });
  net.setWeights(
    net.getWeights().map((w) => w.map((row) => row.map((v) => Math.fround(v + 0.01)))),
  );
  return net;
}

/** A working folder holding `net` as models/m.json. */
async function withModel(net = network()): Promise<string> {
  const cwd = await tempDir();
  await mkdir(join(cwd, 'models'));
  await writeFile(join(cwd, 'models', 'm.json'), serialize(net));
  return cwd;
}

/** What `twostep export …` throws (its class: `run` gives only the message it prints). */
const thrown = (args: string[], cwd: string) =>
  runExport(args.slice(1), { env: {}, cwd, stdout: () => {}, stderr: () => {} }).catch(
    (error: unknown) => error,
  );

/** Rows of `width` pixels in [0, 1], seeded. */
const rows = (count: number, width: number) => {
  const random = new Random(11);
  return Array.from({ length: count }, () =>
    Array.from({ length: width }, () => random.uniform(0, 1)),
  );
};

/** The outputs of the ONNX model `bytes` in onnxruntime-web on `x`, row by row. */
async function onnxruntime(bytes: Uint8Array, x: number[][]): Promise<number[][]> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const input = new ort.Tensor('float32', Float32Array.from(x.flat()), [x.length, x[0]!.length]);
    const { output } = await session.run({ input });
    const flat = Array.from(output!.data as Float32Array);
    const width = flat.length / x.length;
    return x.map((_, i) => flat.slice(i * width, (i + 1) * width));
  } finally {
    await session.release();
  }
}

const predictJson = ['predict', '--index', '0,1,2,3', '--json'];

describe('export --format onnx', () => {
  // Five runs of the CLI and onnxruntime: 34 s in a CI run where every package's tests share two
  // cores.
  it('writes models/m.onnx beside the model; onnxruntime runs it as twostep predicts', async () => {
    const net = network();
    const cwd = await withModel(net);
    const model = join(cwd, 'models', 'm.json');
    const out = join(cwd, 'models', 'm.onnx');
    expect(await ok(['export', '--format', 'onnx', '--model', 'models/m.json'], cwd)).toEqual([
      `exported ${model} as an ONNX model (opset 13, float32):`,
      '  Gemm 784→16 + Relu',
      '  Gemm 16→10',
      `wrote ${out}`,
      `load it with ort.InferenceSession.create('<url of m.onnx>'): input "input" [batch, 784], output "output" [batch, 10]`,
    ]);
    expect(await readdir(join(cwd, 'models'))).toEqual(['m.json', 'm.onnx']);
    const bytes = new Uint8Array(await readFile(out));
    const x = rows(32, 784);
    const ours = await predict(createBackend({ dtype: 'float32' }), net, x);
    const theirs = await onnxruntime(bytes, x);
    const scale = Math.max(...ours.flat().map(Math.abs));
    expect(scale).toBeGreaterThan(0.1);
    const worst = Math.max(
      ...theirs.flatMap((row, s) => row.map((v, j) => Math.abs(v - ours[s]![j]!))),
    );
    expect(worst).toBeLessThan(1e-5 * scale);
    // The weights are float32 values, so the file holds them exactly.
    expect(fromOnnx(bytes).getWeights()).toEqual(net.getWeights());
    // evaluate and predict read the .onnx file and give what the model file gives.
    const evaluate = ['evaluate', '--json'];
    expect(await ok([...evaluate, '--model', 'models/m.onnx'], cwd)).toEqual(
      (await ok([...evaluate, '--model', 'models/m.json'], cwd)).map((line) =>
        line.replace('m.json', 'm.onnx'),
      ),
    );
    expect(await ok([...predictJson, '--model', 'models/m.onnx'], cwd)).toEqual(
      await ok([...predictJson, '--model', 'models/m.json'], cwd),
    );
  }, 300_000);

  it('--dtype float64 keeps every bit of the weights; --out names the file', async () => {
    const net = Network.create({ architecture: [784, 8, 10], activations: ['tanh', 'sigmoid'] });
    const cwd = await withModel(net);
    const args = ['export', '--format', 'onnx', '--model', 'models/m.json', '--dtype', 'float64'];
    const lines = await ok([...args, '--out', 'web/m64.onnx'], cwd);
    expect(lines[0]).toMatch(/as an ONNX model \(opset 13, float64\):$/);
    expect(lines.slice(1, 3)).toEqual(['  Gemm 784→8 + Tanh', '  Gemm 8→10 + Sigmoid']);
    const back = fromOnnx(await readFile(join(cwd, 'web', 'm64.onnx')));
    expect(back.getWeights()).toEqual(net.getWeights());
    expect(back.activationSpecs).toEqual(['tanh', 'sigmoid']);
  });

  it('a weight beyond float32 names it and the flag that holds it; nothing is written', async () => {
    const net = network();
    const w = net.getWeights();
    w[0]![1]![784] = -1e39;
    net.setWeights(w);
    const cwd = await withModel(net);
    const args = ['export', '--format', 'onnx', '--model', 'models/m.json'];
    expect(await failure(args, cwd)).toBe(
      'error: export: W1[1][784] (layer 1, the bias) is -1e+39, beyond the float32 range (±3.4028234663852886e+38) of a float32 ONNX file: it would become -Infinity. Export with --dtype float64, or scale the weights into range.',
    );
    expect(await thrown(args, cwd)).toBeInstanceOf(DTypeError);
    expect(await readdir(join(cwd, 'models'))).toEqual(['m.json']);
    await ok([...args, '--dtype', 'float64'], cwd);
    expect(fromOnnx(await readFile(join(cwd, 'models', 'm.onnx'))).getWeights()[0]![1]![784]).toBe(
      -1e39,
    );
  });

  it('a per-neuron activation family, which no ONNX operator computes, names the layer', async () => {
    const leaky = { name: 'leakyRelu', alpha: 0.1 } as const;
    const cwd = await withModel(network([3, 4, 2], ['tanh', ['sigmoid', leaky]]));
    const args = ['export', '--format', 'onnx', '--model', 'models/m.json'];
    expect(await failure(args, cwd)).toBe(
      'error: export: layer 2 of A[3,4,2] has a per-neuron activation family ("sigmoid", {"name":"leakyRelu","alpha":0.1}), which no ONNX operator computes; give the layer one activation to export it, or save the network with serialize from @twostep/core.',
    );
    expect(await thrown(args, cwd)).toBeInstanceOf(ConfigError);
    expect(await readdir(join(cwd, 'models'))).toEqual(['m.json']);
  });

  it('bad flags say what to do; --help lists both formats', async () => {
    const cwd = await withModel(network([3, 4, 2], ['tanh', 'sigmoid']));
    const onnx = ['export', '--format', 'onnx', '--model', 'models/m.json'];
    expect(await failure([...onnx, '--dtype', 'float16'], cwd)).toBe(
      'error: export: --dtype "float16" is not a dtype of ONNX files here; use --dtype float32 or float64.',
    );
    expect(await failure([...onnx, '--out', ''], cwd)).toBe(
      'error: export: --out: "" is not a file path; give one such as models/mnist.onnx.',
    );
    const layers = ['export', '--format', 'tfjs-layers', '--model', 'models/m.json'];
    expect(await failure([...layers, '--dtype', 'float32'], cwd)).toBe(
      'error: export: --dtype is for --format onnx; a TensorFlow.js Layers model is float32. Drop --dtype.',
    );
    expect(await failure(['export', '--format', 'pt', '--model', 'models/m.json'], cwd)).toBe(
      'error: export: unknown format "pt"; use --format tfjs-layers or onnx.',
    );
    // An ONNX model to ONNX: by default that would be the file itself.
    await ok(onnx, cwd);
    expect(await failure(['export', '--format', 'onnx', '--model', 'models/m.onnx'], cwd)).toBe(
      `error: export: the ONNX model would be written over ${join(cwd, 'models', 'm.onnx')}, the model being exported; pass another --out.`,
    );
    expect(await ok(['export', '--help'], cwd)).toEqual([EXPORT_USAGE]);
    expect(EXPORT_USAGE).toMatch(/--format <name> +tfjs-layers: .*\n +onnx: /);
    expect(EXPORT_USAGE).toContain(
      "--dtype <dtype>   onnx only: the weights' type, float32 (the default) or float64",
    );
  });

  it('a folder that cannot be written is refused as for tfjs-layers, by the built CLI', async () => {
    const cwd = await withModel(network([3, 4, 2], ['tanh', 'sigmoid']));
    await chmod(cwd, 0o777);
    await mkdir(join(cwd, 'ro'), { mode: 0o555 });
    await chmod(join(cwd, 'ro'), 0o555);
    const refused = `error: export: cannot write the export into ${join(cwd, 'ro')} (EACCES: permission denied); choose another --out.\n`;
    for (const [format, out] of [
      ['onnx', 'ro/m.onnx'],
      ['tfjs-layers', 'ro/m'],
    ] as const) {
      const args = ['export', '--format', format, '--model', 'models/m.json', '--out', out];
      expect(await runBuilt(args, cwd), format).toEqual([1, refused]);
    }
    expect(await readdir(join(cwd, 'ro'))).toEqual([]);
  });
});

describe('ONNX and TensorFlow.js Layers models as --model', () => {
  it('export converts Layers to ONNX; evaluate and predict read the Layers model.json and its folder', async () => {
    const cwd = await withModel();
    await ok(['export', '--format', 'tfjs-layers', '--model', 'models/m.json'], cwd);
    await ok(['export', '--format', 'onnx', '--model', 'models/m.json'], cwd);
    const layers = join(cwd, 'models', 'm-tfjs', 'model.json');
    const lines = await ok(
      ['export', '--format', 'onnx', '--model', 'models/m-tfjs/model.json'],
      cwd,
    );
    expect(lines[0]).toBe(`exported ${layers} as an ONNX model (opset 13, float32):`);
    expect(lines).toContain(`wrote ${join(cwd, 'models', 'm-tfjs', 'model.onnx')}`);
    // The same network, whichever file it came from: the same ONNX file.
    expect(await readFile(join(cwd, 'models', 'm-tfjs', 'model.onnx'))).toEqual(
      await readFile(join(cwd, 'models', 'm.onnx')),
    );
    const expected = await ok([...predictJson, '--model', 'models/m.json'], cwd);
    for (const model of ['models/m-tfjs/model.json', 'models/m-tfjs']) {
      expect(await ok([...predictJson, '--model', model], cwd), model).toEqual(expected);
    }
    const evaluated = await ok(['evaluate', '--model', 'models/m-tfjs/model.json'], cwd);
    expect(evaluated[0]).toBe(`${layers} on 2000 test digits (${TS_DEFAULT})`);
  });

  it('trace reads an .onnx file and a Layers model.json', async () => {
    const cwd = await withModel(network([3, 4, 2], ['tanh', { name: 'leakyRelu', alpha: 0.25 }]));
    await ok(['export', '--format', 'onnx', '--model', 'models/m.json'], cwd);
    await ok(['export', '--format', 'tfjs-layers', '--model', 'models/m.json'], cwd);
    const trace = ['trace', '--input', '0.5,-1,2', '--target', '0,1', '--json'];
    const expected = await ok([...trace, '--model', 'models/m.json'], cwd);
    for (const model of ['models/m.onnx', 'models/m-tfjs/model.json']) {
      expect(await ok([...trace, '--model', model], cwd), model).toEqual(expected);
    }
  });

  it('a damaged or incomplete model names the file and the problem', async () => {
    const cwd = await withModel(network([784, 4, 10]));
    await ok(['export', '--format', 'tfjs-layers', '--model', 'models/m.json'], cwd);
    const dir = join(cwd, 'models', 'm-tfjs');
    const evaluate = (model: string) => failure(['evaluate', '--model', model], cwd);

    await writeFile(join(cwd, 'bad.onnx'), 'not a protobuf');
    expect(await evaluate('bad.onnx')).toBe(
      `error: evaluate: the model ${join(cwd, 'bad.onnx')} is not a valid ONNX model: the bytes are not an ONNX protobuf (invalid wire type 6 at offset 1); the file is damaged, truncated or not an .onnx model.`,
    );

    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.modelTopology.config.layers[1].config.activation = 'softmax';
    await writeFile(join(dir, 'softmax.json'), JSON.stringify(json));
    expect(await evaluate('models/m-tfjs/softmax.json')).toBe(
      `error: evaluate: the model ${join(dir, 'softmax.json')} is not a valid TensorFlow.js Layers model: modelTopology.config.layers[1].config.activation is "softmax" (Dense "dense_Dense2"), which twostep does not have as an activation: a twostep network outputs the logits, and its loss softmaxCrossEntropy applies the softmax. Save the model again with activation "linear" on that layer: its outputs are then the logits, whose largest is the same class.`,
    );

    await rm(join(dir, 'group1-shard1of1.bin'));
    expect(
      await failure(['predict', '--index', '0', '--model', 'models/m-tfjs/model.json'], cwd),
    ).toBe(
      `error: predict: cannot read ${join(dir, 'group1-shard1of1.bin')}, a weights file of the TensorFlow.js Layers model ${join(dir, 'model.json')} (ENOENT); keep the files its weightsManifest names beside it, or pass another --model.`,
    );
    expect(await evaluate('models')).toBe(
      `error: evaluate: cannot read the model ${join(cwd, 'models')}: it is a folder, and its model.json cannot be read (ENOENT); pass a model file, or the folder of a TensorFlow.js Layers model.`,
    );

    // Over loadModel's limit, told from the file's size (a sparse file: nothing is read).
    await writeFile(join(cwd, 'big.json'), '');
    await truncate(join(cwd, 'big.json'), 2 ** 28 + 1);
    expect(await evaluate('big.json')).toBe(
      `error: evaluate: the model ${join(cwd, 'big.json')} is more than 256 MiB, the most twostep reads; pass a smaller --model.`,
    );
  });
});
