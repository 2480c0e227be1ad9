/**
 * Using a saved model: `twostep evaluate` (accuracy and confusion matrix on the held-out
 * digits) and `twostep predict` (test digits by index, or your own images from a JSON file).
 */
import { resolve } from 'node:path';
import {
  type Backend,
  ConfigError,
  DTypeError,
  type Network,
  predict,
  TwoStepError,
} from '@twostep/core';
import { checker, parseJsonAsWritten, shown } from '@twostep/core/check';
import { argmax } from '@twostep/datasets';
import { MNIST_CLASSES, MNIST_PIXELS, MNIST_WIDTH } from '@twostep/datasets/mnist';
import { backendConfig, closeBackend, openBackend, threadCount } from './backends.js';
import { type Config, checkConfig, checkText } from './config.js';
import { resolveConfig } from './config-sources.js';
import { accuracyOf, confusionMatrix, splitDigits } from './data.js';
import { readModel, readText } from './files.js';
import { commandFlags } from './flags.js';
import type { Io } from './io.js';
import { confusionTable, threadsText } from './progress.js';

const SHARED = {
  config: { type: 'string' },
  model: { type: 'string' },
  backend: { type: 'string' },
  dtype: { type: 'string' },
  threads: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const SHARED_USAGE = `  --model <path>     the saved model (default: the config's, models/mnist.json); also an
                     .onnx file or a TensorFlow.js Layers model.json
  --config <path>    config file, for the test split and the backend
  --backend <name>   the backend to run on (env TWOSTEP_BACKEND)
  --dtype <dtype>    its dtype (env TWOSTEP_DTYPE)
  --threads <n>      threads of the ts backend, counting the main one, or default: the
                     machine's cores, at most 8 (env TWOSTEP_THREADS)
  --json             print JSON instead of text
  -h, --help         show this help`;

export const EVALUATE_USAGE = `Usage: twostep evaluate [options]

Accuracy and confusion matrix of a saved model on the held-out test digits.

Options:
${SHARED_USAGE}`;

export const PREDICT_USAGE = `Usage: twostep predict (--index <i,j,…> | --input <file.json>) [options]

Classifies test digits by index, or your own 784-pixel images (one array, or an array of them).

Options:
  --index <i,j,…>    test digits by index
  --input <file>     a JSON file of images, 784 numbers in [0, 1] each
${SHARED_USAGE}`;

type Flags = Record<string, string | boolean | undefined>;

/** The config (for the split and the backend) and the saved model it names, on its backend. */
async function open(
  command: string,
  flags: Flags,
  io: Io,
): Promise<{ config: Config; backend: Backend; network: Network }> {
  if (flags.config === '') {
    throw new ConfigError(`${command}: --config: "" is not a file path; give a config file.`);
  }
  const overrides = {
    ...checkConfig(
      Object.fromEntries(
        (['backend', 'dtype', 'model'] as const).flatMap((k) =>
          flags[k] === undefined ? [] : [[k, flags[k]]],
        ),
      ),
      command,
    ),
    ...(typeof flags.threads === 'string' && {
      threads: checkText('threads', flags.threads, `${command}: --threads`),
    }),
  };
  const { config } = await resolveConfig({
    configPath: typeof flags.config === 'string' ? resolve(io.cwd, flags.config) : undefined,
    env: io.env,
    overrides: overrides.model
      ? { ...overrides, model: resolve(io.cwd, overrides.model) }
      : overrides,
    cwd: io.cwd,
  });
  const network = await readModel(config.model, command, '--model', {
    maxParameters: config.maxParameters,
    maxEntries: config.maxEntries,
  });
  const [inputs, outputs] = [network.architecture[0], network.architecture.at(-1)];
  if (inputs !== MNIST_PIXELS || outputs !== MNIST_CLASSES.length) {
    throw new TwoStepError(
      `${command}: ${config.model} is an A[${network.architecture}] network; it must take ${MNIST_PIXELS} pixels and give ${MNIST_CLASSES.length} outputs.`,
    );
  }
  const backend = await openBackend(backendConfig(config), io.backends);
  return { config, backend, network };
}

export async function runEvaluate(args: readonly string[], io: Io): Promise<void> {
  const flags: Flags | undefined = commandFlags('evaluate', args, SHARED, EVALUATE_USAGE, io);
  if (!flags) return;
  const { config, backend, network } = await open('evaluate', flags, io);
  try {
    const { test } = splitDigits(config);
    const outputs = await outputsOf('evaluate', config.model, backend, network, test.inputs);
    const confusion = confusionMatrix(outputs, test.labels);
    const accuracy = accuracyOf(confusion);
    if (flags.json) {
      io.stdout(
        JSON.stringify({ model: config.model, samples: test.labels.length, accuracy, confusion }),
      );
      return;
    }
    const threads = threadCount(backend).threads;
    io.stdout(
      `${config.model} on ${test.labels.length} test digits (${backend.name}, ${backend.dtype}${threads === undefined ? '' : `, ${threadsText(threads)}`})`,
    );
    io.stdout(`test accuracy ${(100 * accuracy).toFixed(2)}%`);
    for (const row of confusionTable(confusion, MNIST_CLASSES)) io.stdout(row);
  } finally {
    network.release(backend);
    closeBackend(backend);
  }
}

/**
 * The outputs of `network` on `images`, with the model named in an error about its weights
 * (the core refuses weights that the backend's dtype cannot hold when they reach it).
 */
async function outputsOf(
  command: string,
  model: string,
  backend: Backend,
  network: Network,
  images: readonly ArrayLike<number>[],
): Promise<number[][]> {
  try {
    return await predict(backend, network, images);
  } catch (error) {
    if (!(error instanceof DTypeError)) throw error;
    throw new DTypeError(`${command}: ${model}: ${error.message}`, { cause: error });
  }
}

const IMAGE = `${MNIST_PIXELS} numbers in [0, 1] (28 × 28, row-major, 0 = background)`;

/** Rows of 784 pixels from the JSON file `path`: one image, or an array of them. */
async function readImages(path: string): Promise<number[][]> {
  const text = await readText(
    path,
    (reason) =>
      new TwoStepError(
        `predict: cannot read images from ${path} (${reason}); pass --input <file.json>, a JSON file of images.`,
      ),
  );
  return parseImages(text, path);
}

/**
 * The images of the text of `path`: one image (an array of numbers), or an array of images.
 * A bad pixel is named by its path (`images[3][17]`; `image[17]` in a file of one image) with
 * its value as written (`1e400`, `"0.5"`).
 */
export function parseImages(text: string, path: string): number[][] {
  const problem = (detail: string) =>
    new TwoStepError(`predict: ${path}: ${detail}; an image is ${IMAGE}.`);
  const json = parseJsonAsWritten(text, (reason) => problem(`it is not JSON (${reason})`));
  const c = checker(problem);
  const one = Array.isArray(json) && json.length > 0 && !Array.isArray(json[0]);
  const rows = one ? [json] : json;
  if (!Array.isArray(rows) || rows.length === 0) {
    c.fail('the file', 'one image or an array of images', json);
  }
  return (rows as unknown[]).map((row, i) => {
    const at = one ? 'image' : `images[${i}]`;
    const pixels = c.array(row, at);
    if (pixels.length !== MNIST_PIXELS) {
      throw problem(`image ${i} has ${pixels.length} number${pixels.length === 1 ? '' : 's'}`);
    }
    return pixels.map((v, p) => c.number(v, `${at}[${p}]`, 0, 1));
  });
}

/** A digit as text, two characters per pixel so that it keeps its shape. */
export function drawDigit(pixels: ArrayLike<number>): string[] {
  const shades = ['  ', '░░', '▒▒', '▓▓', '██'];
  const lines: string[] = [];
  for (let y = 0; y < MNIST_PIXELS / MNIST_WIDTH; y++) {
    let line = '';
    for (let x = 0; x < MNIST_WIDTH; x++)
      line += shades[Math.min(4, Math.floor(pixels[y * MNIST_WIDTH + x]! * 5))];
    lines.push(line.trimEnd());
  }
  return lines;
}

export async function runPredict(args: readonly string[], io: Io): Promise<void> {
  const options = { ...SHARED, index: { type: 'string' }, input: { type: 'string' } } as const;
  const flags: Flags | undefined = commandFlags('predict', args, options, PREDICT_USAGE, io);
  if (!flags) return;
  if ((flags.index === undefined) === (flags.input === undefined)) {
    throw new ConfigError(
      'predict: give --index <i,j,…> (test digits) or --input <file.json> (your images), one of them.',
    );
  }
  if (flags.input === '') {
    throw new ConfigError('predict: --input: "" is not a file path; give a JSON file of images.');
  }
  const { config, backend, network } = await open('predict', flags, io);
  try {
    let images: ArrayLike<number>[];
    let labels: (number | undefined)[];
    if (typeof flags.input === 'string') {
      images = await readImages(resolve(io.cwd, flags.input));
      labels = images.map(() => undefined);
    } else {
      const { test } = splitDigits(config);
      const indices = String(flags.index)
        .split(',')
        .map((text) => {
          const i = Number(text);
          if (!/^\d+$/.test(text.trim()) || i >= test.labels.length) {
            throw new ConfigError(
              `predict: --index ${shown(text)} is not a test digit; use 0 … ${test.labels.length - 1}.`,
            );
          }
          return i;
        });
      images = indices.map((i) => test.inputs[i]!);
      labels = indices.map((i) => test.labels[i]!);
    }
    const outputs = await outputsOf('predict', config.model, backend, network, images);
    outputs.forEach((scores, i) => {
      const predicted = argmax(scores);
      if (flags.json) {
        io.stdout(JSON.stringify({ predicted, label: labels[i] ?? null, scores }));
        return;
      }
      for (const line of drawDigit(images[i]!)) io.stdout(line);
      const truth =
        labels[i] === undefined
          ? ''
          : ` (true ${labels[i]}${labels[i] === predicted ? '' : ', wrong'})`;
      io.stdout(
        `predicted ${predicted}${truth}; outputs ${scores.map((s) => s.toFixed(2)).join(' ')}`,
      );
    });
  } finally {
    network.release(backend);
    closeBackend(backend);
  }
}
