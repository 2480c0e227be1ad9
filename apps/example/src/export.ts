/**
 * `twostep export --format tfjs-layers`: a model file as a TensorFlow.js Layers model, the
 * `model.json` + `group1-shard1of1.bin` pair that `tf.loadLayersModel` reads. The JSON is
 * written by hand, in the shape tfjs-layers 4.22 itself saves (no tfjs import here).
 *
 * Layer h (Yh = Wh·X(h−1), bias in the last column of Wh, samples as columns) becomes a Dense
 * layer (y = x·kernel + bias, samples as rows): kernel = W♯hᵀ, N(h−1) × Nh, and bias = the
 * last column of Wh. leakyRelu(α) has no Dense activation name: it becomes a linear Dense
 * followed by a LeakyReLU layer.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  type ActivationSpec,
  ConfigError,
  deserialize,
  type LayerActivation,
  MODEL_FORMAT,
  MODEL_VERSION,
  Network,
  TwoStepError,
} from '@twostep/core';
import { firstOverflow, overflowError, shown } from '@twostep/core/check';
import { readModel } from './files.js';
import { commandFlags } from './flags.js';
import type { Io } from './io.js';

export const EXPORT_FORMATS = ['tfjs-layers'] as const;

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'group1-shard1of1.bin';

/** Our activation names → the names of tfjs Dense activations (leakyRelu is a layer). */
const DENSE_ACTIVATION = {
  identity: 'linear',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  softplus: 'softplus',
  leakyRelu: 'linear',
} as const;

const isFamily = (spec: LayerActivation): spec is readonly ActivationSpec[] => Array.isArray(spec);

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** A Dense layer's config, field for field as tfjs-layers 4.22 saves it. */
function denseLayer(name: string, units: number, activation: string, useBias: boolean) {
  return {
    class_name: 'Dense',
    config: {
      units,
      activation,
      use_bias: useBias,
      // tfjs's default (glorotNormal); unused on load, the weights come from the .bin.
      kernel_initializer: {
        class_name: 'VarianceScaling',
        config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null },
      },
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      name,
      trainable: true,
    },
  };
}

/** Throws for the first weight of `w` (layer `h`) that float32 cannot hold. */
function checkFloat32(w: readonly (readonly number[])[], h: number): void {
  w.forEach((row, r) => {
    const c = firstOverflow(row);
    if (c === row.length) return;
    throw overflowError(`export: W${h}[${r}][${c}] (layer ${h}, row ${r}, column ${c})`, row[c]!, {
      holder:
        'the TensorFlow.js Layers weights file, which is float32 whatever backend trained the model',
      fix: 'Train again so that the weights stay in range (a lower learning rate, scaled inputs), or use this model with twostep on a float64 backend.',
    });
  });
}

/** The Layers model (model.json) and its weights (little-endian float32) for `net`. */
export function toLayersModel(net: Network): {
  modelJson: object;
  weights: Buffer;
  summary: string[];
} {
  const layers: object[] = [];
  const specs: WeightSpec[] = [];
  const values: number[] = [];
  const summary: string[] = [];
  const all = net.getWeights();
  net.layers.forEach((layer, i) => {
    const h = i + 1;
    const spec = layer.activation.spec;
    // A family whose members are all alike is resolved to one spec by the core; an array
    // left here really mixes functions, which one Dense activation cannot express.
    if (isFamily(spec)) {
      const names = [...new Set(spec.map((s) => JSON.stringify(s)))];
      throw new ConfigError(
        `export: layer ${h} has a per-neuron activation family (${names.join(', ')}); a TensorFlow.js Dense layer applies one activation to all its neurons, so this network cannot be exported as tfjs-layers.`,
      );
    }
    const { name: kind, alpha } =
      typeof spec === 'string' ? { name: spec, alpha: undefined } : spec;
    const dense = `dense_Dense${h}`;
    const config = denseLayer(dense, layer.outputs, DENSE_ACTIVATION[kind], net.bias);
    // Only the first layer carries the input shape (and the dtype), as tfjs writes it.
    layers.push(
      h === 1
        ? {
            ...config,
            config: { ...config.config, batch_input_shape: [null, layer.inputs], dtype: 'float32' },
          }
        : config,
    );
    if (kind === 'leakyRelu') {
      layers.push({
        class_name: 'LeakyReLU',
        config: { alpha, name: `leaky_re_lu_LeakyReLU${h}`, trainable: true },
      });
    }
    summary.push(
      `Dense ${layer.inputs}→${layer.outputs} ${kind === 'leakyRelu' ? `linear + LeakyReLU(${alpha})` : DENSE_ACTIVATION[kind]}`,
    );

    // Wh[r][c] (r: neuron, c: input) → kernel[c][r], row-major; then the bias column.
    const w = all[i]!;
    checkFloat32(w, h);
    specs.push({ name: `${dense}/kernel`, shape: [layer.inputs, layer.outputs], dtype: 'float32' });
    for (let c = 0; c < layer.inputs; c++)
      for (let r = 0; r < layer.outputs; r++) values.push(w[r]![c]!);
    if (net.bias) {
      specs.push({ name: `${dense}/bias`, shape: [layer.outputs], dtype: 'float32' });
      for (let r = 0; r < layer.outputs; r++) values.push(w[r]![layer.inputs]!);
    }
  });

  const weights = Buffer.alloc(4 * values.length);
  for (let k = 0; k < values.length; k++) weights.writeFloatLE(values[k]!, 4 * k);
  const modelJson = {
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'sequential_1', layers },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    format: 'layers-model',
    generatedBy: `twostep (${MODEL_FORMAT} version ${MODEL_VERSION})`,
    convertedBy: 'twostep export --format tfjs-layers',
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: specs }],
  };
  return { modelJson, weights, summary };
}

/** Writes `data` to a new file at `path` and flushes it to disk. */
async function writeSynced(path: string, data: string | Buffer): Promise<void> {
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
async function writeFolderAtomic(dir: string, files: Record<string, string | Buffer>) {
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
 * A file-system error of writing `dir` (EROFS, EACCES, ENOSPC, …) as an error that names the
 * folder written into and the reason, without a stack; other errors are left as they are.
 */
function cannotWrite(error: unknown, dir: string): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (error instanceof TwoStepError || typeof code !== 'string') return error;
  // Node's messages read "EROFS: read-only file system, mkdtemp '<path>'".
  const reason = String((error as Error).message).split(', ')[0]!;
  return new TwoStepError(
    `export: cannot write the export into ${dirname(dir)} (${reason.startsWith(code) ? reason : `${code}: ${reason}`}); choose another --out.`,
    { cause: error },
  );
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
  const { modelJson, weights, summary } = toLayersModel(net);
  try {
    await writeFolderAtomic(outDir, {
      [MODEL_JSON]: `${JSON.stringify(modelJson, null, 2)}\n`,
      [WEIGHTS_BIN]: weights,
    });
  } catch (error) {
    throw cannotWrite(error, outDir);
  }
  return { files: [join(outDir, MODEL_JSON), join(outDir, WEIGHTS_BIN)], summary };
}

export const EXPORT_USAGE = `Usage: twostep export --format tfjs-layers --model <file> [--out <dir>]

Writes a saved model in another format.

Options:
  --format <name>   ${EXPORT_FORMATS.join(', ')}
  --model <file>    the saved model
  --out <dir>       the folder to write (default: <model>-tfjs beside the model)
  -h, --help        show this help`;

/** `twostep export --model <file> --format tfjs-layers [--out <dir>]`. */
export async function runExport(argv: readonly string[], io: Io): Promise<void> {
  const options = {
    model: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
  } as const;
  const flags = commandFlags('export', argv, options, EXPORT_USAGE, io);
  if (!flags) return;
  const allowed = `use --format ${EXPORT_FORMATS.join(' or ')}`;
  if (flags.format === undefined)
    throw new ConfigError(`export: --format is required; ${allowed}.`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format)) {
    throw new ConfigError(`export: unknown format ${shown(flags.format)}; ${allowed}.`);
  }
  if (flags.model === undefined) throw new ConfigError('export: --model <file> is required.');
  if (flags.model === '') {
    throw new ConfigError('export: --model: "" is not a file path; give a saved model.');
  }
  if (flags.out === '') {
    throw new ConfigError(
      'export: --out: "" is not a folder path; give one such as models/mnist-tfjs.',
    );
  }
  const model = resolve(io.cwd, flags.model);
  // Default: next to the model, models/mnist.json → models/mnist-tfjs/.
  const out = resolve(
    io.cwd,
    flags.out ?? join(dirname(model), `${basename(model).replace(/\.json$/, '')}-tfjs`),
  );
  const { files, summary } = await exportTfjsLayers(await readModel(model, 'export'), out);
  io.stdout(`exported ${model} as a TensorFlow.js Layers model:`);
  for (const line of summary) io.stdout(`  ${line}`);
  for (const file of files) io.stdout(`wrote ${file}`);
  io.stdout(`load it with tf.loadLayersModel('<url of ${MODEL_JSON}>')`);
}
