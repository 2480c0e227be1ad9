/**
 * `twostep import <file>`: a model of another tool (an ONNX file, a TensorFlow.js Layers
 * model.json or its folder) as twostep's own model file, the one `train` writes; a twostep
 * `.json` is checked and copied. It prints the layers that arrived, and writes the file
 * atomically, never over the model it read nor, without --force, over another file.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import {
  ConfigError,
  formatArchitecture,
  type Network,
  serialize,
  TwoStepError,
} from '@twostep/core';
import { parseJsonAsWritten, shown } from '@twostep/core/check';
import { MNIST_CLASSES, MNIST_PIXELS } from '@twostep/datasets/mnist';
import { type ModelFormat, writeFileAtomic } from '@twostep/io';
import { cannotWrite, MODEL_JSON, readModel, shownPath } from './files.js';
import { commandArgs } from './flags.js';
import type { Io } from './io.js';
import { count } from './progress.js';
import { showActivation } from './trace-text.js';

export const IMPORT_USAGE = `Usage: twostep import <file> [--out <path>] [--force]

Converts a model of another tool into twostep's model file (as 'twostep train' writes it) and
prints its layers. <file> is an .onnx file, a TensorFlow.js Layers model.json with its weights
files beside it (or the folder holding them), or a twostep .json, which is checked and copied.

Options:
  --out <path>   the model file to write; default beside <file>, ending in .json:
                 models/mnist.onnx → models/mnist.json, web/m/model.json (or web/m/) → web/m.json
  --force        replace --out if it exists (never the model being imported)
  -h, --help     show this help`;

const FORMAT_NAMES: Record<ModelFormat, string> = {
  twostep: 'a twostep model file',
  onnx: 'an ONNX model',
  'tfjs-layers': 'a TensorFlow.js Layers model',
};

/**
 * The format `loadModel` read the model at `model` in, told apart as it does (a folder, or a
 * JSON file whose `format` is "layers-model", is a Layers model; an `.onnx` name, or bytes
 * that do not begin with `{`, ONNX), and the files it read: the model file first, then a
 * Layers model's weights files. For a model that `readModel` has read.
 */
async function modelSource(
  model: string,
): Promise<{ format: ModelFormat; files: readonly string[] }> {
  const file = (await stat(model)).isDirectory() ? join(model, MODEL_JSON) : model;
  const onnx = { format: 'onnx', files: [file] } as const;
  if (/\.onnx$/i.test(file)) return onnx;
  const text = await readFile(file, 'utf8');
  if (!/\.json$/i.test(file) && !/^[ \t\n\r]*\{/.test(text)) return onnx;
  const json = parseJsonAsWritten(
    text,
    (reason) =>
      new TwoStepError(`import: ${file} changed while it was read (${reason}); import it again.`),
  ) as { format?: unknown; weightsManifest: { paths: string[] }[] };
  if (json.format !== 'layers-model') return { format: 'twostep', files: [file] };
  const weights = json.weightsManifest.flatMap((group) => group.paths);
  return { format: 'tfjs-layers', files: [file, ...weights.map((w) => join(dirname(file), w))] };
}

/**
 * The default --out, beside the model read: `models/mnist.onnx` → `models/mnist.json`, a
 * Layers `web/m/model.json` → `web/m.json`.
 */
function besideInput(format: ModelFormat, file: string): string {
  if (format === 'tfjs-layers' && basename(file) === MODEL_JSON) return `${dirname(file)}.json`;
  return join(dirname(file), `${basename(file, extname(file))}.json`);
}

/** Refuses `out` when it is a folder, one of `files` (the model read) or, without `force`, a file. */
async function checkOut(out: string, files: readonly string[], format: ModelFormat, force = false) {
  const found = await stat(out).catch(() => undefined);
  if (!found) return;
  if (found.isDirectory()) {
    throw new ConfigError(
      `import: --out ${out} is a folder; name a file in it, such as ${join(out, 'mnist.json')}.`,
    );
  }
  for (const [i, file] of files.entries()) {
    const input = await stat(file).catch(() => undefined);
    const same = file === out || (input?.dev === found.dev && input.ino === found.ino);
    if (!same) continue;
    throw new ConfigError(
      i === 0 && format === 'twostep'
        ? `import: ${out} is the model being imported, a twostep model file already: every command takes it as it is. Pass another --out to copy it.`
        : `import: the twostep model would be written over ${out}, ${i === 0 ? 'the model' : 'a weights file of the model'} being imported; pass another --out.`,
    );
  }
  if (!force) {
    throw new ConfigError(
      `import: ${out} exists; pass --force to replace it, or choose another --out.`,
    );
  }
}

/** Strings of one column padded to its widest, on the left for `right`. */
const aligned = (cells: readonly string[], right = false): string[] => {
  const width = Math.max(...cells.map((c) => c.length));
  return cells.map((c) => (right ? c.padStart(width) : c.padEnd(width)));
};

/**
 * A line per layer h, `layer 1  784 → 32  relu  bias  25,120 parameters` (N(h−1) → Nh, σh,
 * the bias column or none, Nh·(N(h−1) + 1) weights), then the total, in aligned columns.
 */
function layerLines(net: Network): string[] {
  const { architecture: n, bias, activationSpecs } = net;
  const counts = activationSpecs.map((_, i) => n[i + 1]! * (n[i]! + (bias ? 1 : 0)));
  const total = counts.reduce((a, b) => a + b, 0);
  const inputs = aligned(n.slice(0, -1).map(String), true);
  const outputs = aligned(n.slice(1).map(String));
  const numbers = aligned([...counts, total].map(count), true);
  const columns = [
    aligned([...counts.map((_, i) => `layer ${i + 1}`), 'total']),
    aligned([...inputs.map((a, i) => `${a} → ${outputs[i]}`), '']),
    aligned([...activationSpecs.map(showActivation), '']),
    aligned([...counts.map(() => (bias ? 'bias' : 'no bias')), '']),
    [...counts, total].map((c, i) => `${numbers[i]} parameter${c === 1 ? '' : 's'}`),
  ];
  return columns[0]!.map((_, row) => columns.map((column) => column[row]).join('  '));
}

/** `path` as one word of a shell command line. */
const word = (path: string) =>
  /^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;

/** A command that uses the model at `path`: evaluate for an MNIST model, else trace. */
function nextStep(net: Network, path: string): string {
  const [inputs, outputs] = [net.architecture[0]!, net.architecture.at(-1)!];
  return inputs === MNIST_PIXELS && outputs === MNIST_CLASSES.length
    ? `twostep evaluate --model ${word(path)}`
    : `twostep trace --model ${word(path)} --input <${inputs} numbers> --target <${outputs} numbers>`;
}

/** `twostep import <file> [--out <path>] [--force]`. */
export async function runImport(argv: readonly string[], io: Io): Promise<void> {
  const options = { out: { type: 'string' }, force: { type: 'boolean' } } as const;
  const parsed = commandArgs('import', argv, options, IMPORT_USAGE, io);
  if (!parsed) return;
  const { values: flags, positionals } = parsed;
  if (positionals.length !== 1) {
    throw new ConfigError(
      positionals.length === 0
        ? 'import: give the model to import: twostep import <file> [--out <path>], such as models/mnist.onnx.'
        : `import: ${shown(positionals[1])} is one file too many; import one model at a time.`,
    );
  }
  if (positionals[0] === '') {
    throw new ConfigError(
      'import: "" is not a file path; give a model, such as models/mnist.onnx.',
    );
  }
  if (flags.out === '') {
    throw new ConfigError(
      'import: --out: "" is not a file path; give one such as models/mnist.json.',
    );
  }
  const model = resolve(io.cwd, positionals[0]!);
  const net = await readModel(model, 'import', '');
  const { format, files } = await modelSource(model);
  const out = flags.out === undefined ? besideInput(format, files[0]!) : resolve(io.cwd, flags.out);
  await checkOut(out, files, format, flags.force);
  try {
    await writeFileAtomic(out, `${serialize(net)}\n`);
  } catch (error) {
    throw cannotWrite(error, out, 'import', 'the model');
  }
  io.stdout(
    `read ${shownPath(io.cwd, model)}, ${FORMAT_NAMES[format]}: ${formatArchitecture(net.architecture)}`,
  );
  for (const line of layerLines(net)) io.stdout(`  ${line}`);
  io.stdout(`wrote ${shownPath(io.cwd, out)}`);
  io.stdout(`try it: ${nextStep(net, shownPath(io.cwd, out))}`);
}
