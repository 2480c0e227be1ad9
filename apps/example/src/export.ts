/**
 * `twostep export`: a saved model (any format `readModel` reads) in another format, built by
 * `@twostep/io`. `--format tfjs-layers`: the `model.json` + `group1-shard1of1.bin` pair that
 * `tf.loadLayersModel` reads (`toLayers`), written as one folder, all or nothing.
 * `--format onnx`: one ONNX file (`toOnnx`, float32 or float64), written atomically.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError, DTypeError, deserialize, Network, TwoStepError } from '@twostep/core';
import { shown } from '@twostep/core/check';
import { type LayersModelJson, ONNX_OPSET, toLayers, toOnnx, writeFileAtomic } from '@twostep/io';
import { asCommand, cannotWrite, MODEL_JSON, readModel } from './files.js';
import { commandFlags } from './flags.js';
import type { Io } from './io.js';

export const EXPORT_FORMATS = ['tfjs-layers', 'onnx'] as const;

/** The dtypes of an ONNX export: its weights' and tensors' type. */
export const ONNX_DTYPES = ['float32', 'float64'] as const;
type OnnxDtype = (typeof ONNX_DTYPES)[number];

const WEIGHTS_BIN = 'group1-shard1of1.bin';

/**
 * The Layers model of `net` (model.json, recording this command, and the weights file) and a
 * line per layer for the user. `toLayers`'s errors are worded for the command.
 */
function layersModel(net: Network): {
  modelJson: LayersModelJson;
  weights: Uint8Array;
  summary: string[];
} {
  let built: ReturnType<typeof toLayers>;
  try {
    built = toLayers(net, { weightsPath: WEIGHTS_BIN });
  } catch (error) {
    throw asCommand(error, 'toLayers', 'export');
  }
  // `Dense 784→32 relu`, `Dense 4→4 linear + LeakyReLU(0.1)`.
  const summary: string[] = [];
  let inputs = net.architecture[0]!;
  for (const { class_name, config } of built.modelJson.modelTopology.config.layers) {
    if (class_name === 'LeakyReLU') summary[summary.length - 1] += ` + LeakyReLU(${config.alpha})`;
    else {
      summary.push(`Dense ${inputs}→${config.units} ${config.activation}`);
      inputs = config.units;
    }
  }
  const modelJson = { ...built.modelJson, convertedBy: 'twostep export --format tfjs-layers' };
  return { modelJson, weights: new Uint8Array(built.weightData), summary };
}

/** Writes `data` to a new file at `path` and flushes it to disk. */
async function writeSynced(path: string, data: string | Uint8Array): Promise<void> {
  const file = await open(path, 'wx');
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
}

/**
 * Refuses to replace anything at `dir` but an earlier export (a folder holding only our two
 * files): `--out models` must not swap away the user's models.
 */
async function checkReplaceable(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR')
      throw new TwoStepError(`export: ${dir} is a file, not a folder; choose another --out.`);
    throw error;
  }
  const foreign = entries.filter((e) => e !== MODEL_JSON && e !== WEIGHTS_BIN);
  if (foreign.length > 0) {
    throw new TwoStepError(
      `export: ${dir} holds other files (${foreign.slice(0, 3).join(', ')}); it is not an earlier export, so it is not replaced. Choose another --out.`,
    );
  }
}

/**
 * Writes `files` as the folder `dir`, all or nothing: they go to a temporary sibling folder
 * (same file system) that is then renamed into place. An existing `dir` is renamed to a
 * backup first and deleted last (a folder cannot be renamed over a non-empty one), and put
 * back if the new one cannot be moved in. On any error the temporary folder is removed.
 */
async function writeFolderAtomic(dir: string, files: Record<string, string | Uint8Array>) {
  await checkReplaceable(dir);
  await mkdir(dirname(dir), { recursive: true });
  const temp = await mkdtemp(join(dirname(dir), `.${basename(dir)}.tmp-`));
  const backup = `${temp}-old-${randomBytes(4).toString('hex')}`;
  try {
    for (const [name, data] of Object.entries(files)) await writeSynced(join(temp, name), data);
    let replaced = false;
    try {
      await rename(dir, backup);
      replaced = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    try {
      await rename(temp, dir);
    } catch (error) {
      if (replaced) {
        await rename(backup, dir).catch(() => {
          throw new TwoStepError(
            `export: could not move ${temp} to ${dir} (${(error as Error).message}), nor the earlier export back from ${backup}; it is there.`,
          );
        });
      }
      throw error;
    }
    if (replaced) await rm(backup, { recursive: true, force: true });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Writes `net` (a Network, or a model file as JSON text or a parsed object) to `outDir` as a
 * TensorFlow.js Layers model. Returns the paths written and a line per layer for the user.
 */
export async function exportTfjsLayers(
  modelFileJson: unknown | Network,
  outDir: string,
): Promise<{ files: string[]; summary: string[] }> {
  const net = modelFileJson instanceof Network ? modelFileJson : deserialize(modelFileJson);
  // Everything is built (and every error found) before the disk is touched.
  const { modelJson, weights, summary } = layersModel(net);
  try {
    await writeFolderAtomic(outDir, {
      [MODEL_JSON]: `${JSON.stringify(modelJson, null, 2)}\n`,
      [WEIGHTS_BIN]: weights,
    });
  } catch (error) {
    throw cannotWrite(error, outDir, 'export', 'the export');
  }
  return { files: [join(outDir, MODEL_JSON), join(outDir, WEIGHTS_BIN)], summary };
}

/**
 * Writes `net` to the file `out` as an ONNX model of `dtype` (`writeFileAtomic`: a failed write
 * leaves the old file whole). Returns the path written and a line per layer for the user.
 */
export async function exportOnnx(
  net: Network,
  out: string,
  dtype: OnnxDtype,
): Promise<{ files: string[]; summary: string[] }> {
  let bytes: Uint8Array;
  try {
    bytes = toOnnx(net, { dtype });
  } catch (error) {
    const worded = asCommand(error, 'toOnnx', 'export');
    // A weight beyond float32: the fix is this command's flag, not toOnnx's option.
    if (worded instanceof DTypeError) {
      worded.message = worded.message.replace("{ dtype: 'float64' }", '--dtype float64');
    }
    throw worded;
  }
  try {
    await writeFileAtomic(out, bytes);
  } catch (error) {
    throw cannotWrite(error, out, 'export', 'the export');
  }
  // The nodes of each layer, as toOnnx writes them: `Gemm 784→128 + Relu`, `MatMul 4→2`.
  const summary = net.activationSpecs.map((spec, i) => {
    // toOnnx refused families: each layer has one activation.
    const name = typeof spec === 'string' ? spec : (spec as { name: string }).name;
    const node = name === 'identity' ? '' : ` + ${name[0]!.toUpperCase()}${name.slice(1)}`;
    return `${net.bias ? 'Gemm' : 'MatMul'} ${net.architecture[i]}→${net.architecture[i + 1]}${node}`;
  });
  return { files: [out], summary };
}

export const EXPORT_USAGE = `Usage: twostep export --format <name> --model <file> [--out <path>] [--dtype <dtype>]

Writes a saved model (twostep's .json, an .onnx, or a TensorFlow.js Layers model.json) in
another format.

Options:
  --format <name>   tfjs-layers: a TensorFlow.js Layers folder (model.json and its weights)
                    onnx: one ONNX file (opset ${ONNX_OPSET}), for onnxruntime and other ONNX tools
  --model <file>    the saved model
  --out <path>      the folder (tfjs-layers) or file (onnx) to write; default beside the model:
                    models/mnist.json → models/mnist-tfjs/ or models/mnist.onnx
  --dtype <dtype>   onnx only: the weights' type, ${ONNX_DTYPES.join(' (the default) or ')}
  -h, --help        show this help`;

/** `twostep export --format tfjs-layers|onnx --model <file> [--out <path>] [--dtype <dtype>]`. */
export async function runExport(argv: readonly string[], io: Io): Promise<void> {
  const options = {
    model: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    dtype: { type: 'string' },
  } as const;
  const flags = commandFlags('export', argv, options, EXPORT_USAGE, io);
  if (!flags) return;
  const allowed = `use --format ${EXPORT_FORMATS.join(' or ')}`;
  if (flags.format === undefined)
    throw new ConfigError(`export: --format is required; ${allowed}.`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format)) {
    throw new ConfigError(`export: unknown format ${shown(flags.format)}; ${allowed}.`);
  }
  const onnx = flags.format === 'onnx';
  if (flags.dtype !== undefined && !onnx) {
    throw new ConfigError(
      'export: --dtype is for --format onnx; a TensorFlow.js Layers model is float32. Drop --dtype.',
    );
  }
  const dtype = flags.dtype ?? 'float32';
  if (!(ONNX_DTYPES as readonly string[]).includes(dtype)) {
    throw new ConfigError(
      `export: --dtype ${shown(dtype)} is not a dtype of ONNX files here; use --dtype ${ONNX_DTYPES.join(' or ')}.`,
    );
  }
  if (flags.model === undefined) throw new ConfigError('export: --model <file> is required.');
  if (flags.model === '') {
    throw new ConfigError('export: --model: "" is not a file path; give a saved model.');
  }
  if (flags.out === '') {
    throw new ConfigError(
      `export: --out: "" is not a ${onnx ? 'file path; give one such as models/mnist.onnx' : 'folder path; give one such as models/mnist-tfjs'}.`,
    );
  }
  const model = resolve(io.cwd, flags.model);
  // Default: beside the model, models/mnist.json → models/mnist-tfjs/ or models/mnist.onnx.
  const stem = join(dirname(model), basename(model).replace(/\.(json|onnx)$/i, ''));
  const out = resolve(io.cwd, flags.out ?? (onnx ? `${stem}.onnx` : `${stem}-tfjs`));
  if (onnx && out === model) {
    throw new ConfigError(
      `export: the ONNX model would be written over ${model}, the model being exported; pass another --out.`,
    );
  }
  const net = await readModel(model, 'export');
  const { files, summary } = onnx
    ? await exportOnnx(net, out, dtype as OnnxDtype)
    : await exportTfjsLayers(net, out);
  const [inputs, outputs] = [net.architecture[0], net.architecture.at(-1)];
  io.stdout(
    `exported ${model} as ${onnx ? `an ONNX model (opset ${ONNX_OPSET}, ${dtype})` : 'a TensorFlow.js Layers model'}:`,
  );
  for (const line of summary) io.stdout(`  ${line}`);
  for (const file of files) io.stdout(`wrote ${file}`);
  io.stdout(
    onnx
      ? `load it with ort.InferenceSession.create('<url of ${basename(out)}>'): input "input" [batch, ${inputs}], output "output" [batch, ${outputs}]`
      : `load it with tf.loadLayersModel('<url of ${MODEL_JSON}>')`,
  );
}
