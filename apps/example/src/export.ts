/**
 * `twostep export --format tfjs-layers`: a model file as a TensorFlow.js Layers model, the
 * `model.json` + `group1-shard1of1.bin` pair that `tf.loadLayersModel` reads, built by
 * `toLayers` of `@twostep/io` and written as one folder, all or nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError, deserialize, Network, TwoStepError } from '@twostep/core';
import { shown } from '@twostep/core/check';
import { type LayersModelJson, toLayers } from '@twostep/io';
import { readModel } from './files.js';
import { commandFlags } from './flags.js';
import type { Io } from './io.js';

export const EXPORT_FORMATS = ['tfjs-layers'] as const;

const MODEL_JSON = 'model.json';
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
    if (!(error instanceof TwoStepError) || !error.message.startsWith('toLayers: ')) throw error;
    const Kind = error.constructor as new (message: string, options?: ErrorOptions) => Error;
    throw new Kind(`export: ${error.message.slice('toLayers: '.length)}`, { cause: error });
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
  const { modelJson, weights, summary } = layersModel(net);
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
