/**
 * A model the user imports replaces the network, and the settings follow its architecture:
 * only when the form can show them (the task's shape, the playground's limits) and the backend
 * can hold its weights. Anything else is refused with the reason, before the current network
 * is touched. The files are twostep's own JSON, an ONNX model or a TensorFlow.js Layers
 * model.json with its weights; `@twostep/io`, which reads the other formats, is loaded on first
 * use, so that the page does not load protobufjs before then.
 */
import {
  type Backend,
  ConfigError,
  deserialize,
  formatArchitecture,
  type LossName,
  ModelFormatError,
  type Network,
} from '@twostep/core';
import { checker, type Fields } from '@twostep/core/check';
import type { ModelFile } from './protocol.js';
import {
  type Checked,
  checkSettings,
  DEFAULTS,
  MNIST_PIXELS,
  type Settings,
  type Task,
  toForm,
} from './settings.js';

/** When the current loss does not fit the model's output layer: the first of these that does. */
const FITTING_LOSSES: readonly LossName[] = ['softmaxCrossEntropy', 'binaryCrossEntropy', 'mse'];

/**
 * The settings that train `net`: its task's current settings (the task's defaults when
 * `current` is another task's, or none), with its architecture and activations, and the
 * current loss if it fits the output layer, else one that does. A ConfigError when the form
 * cannot show the model.
 */
export function modelSettings(net: Network, current: Settings | undefined): Settings {
  const [inputs] = net.architecture;
  const task: Task | undefined =
    inputs === 2 ? 'toy' : inputs === MNIST_PIXELS ? 'mnist' : undefined;
  if (!task) {
    throw new ConfigError(
      `This model takes ${inputs} inputs: the playground trains on points (2) or MNIST digits (${MNIST_PIXELS}).`,
    );
  }
  const activations = net.activationSpecs.map((s) => (typeof s === 'string' ? s : undefined));
  if (activations.some((a) => a === undefined)) {
    throw new ConfigError(
      'This model has per-neuron or parametrised activations, which the form cannot show; it can still be used from Node.',
    );
  }
  const base: Settings = {
    ...(current?.task === task ? current : DEFAULTS[task]),
    architecture: [...net.architecture],
    activations: activations as Settings['activations'],
  };
  const losses = [base.loss, ...FITTING_LOSSES.filter((l) => l !== base.loss)];
  const checks = losses.map((loss) => checkSettings(toForm({ ...base, loss })));
  for (const checked of checks) if (checked.ok) return checked.settings;
  // mse fits every output layer: what fails with every loss is another field (architecture).
  const { loss: _, ...errors } = (checks[0] as Extract<Checked, { ok: false }>).errors;
  throw new ConfigError(
    `This model, ${formatArchitecture(net.architecture)}, does not fit the playground: ${Object.values(errors).join(' ')} It can still be used from Node.`,
  );
}

/**
 * The settings that train `net` (as `modelSettings`), its weights already on `k`: a weight that
 * `k`'s dtype cannot hold is the core's DTypeError here, not after the current network was
 * replaced.
 */
export function fitModel(
  net: Network,
  current: Settings | undefined,
  k: Backend,
): { net: Network; settings: Settings } {
  const settings = modelSettings(net, current);
  net.weightsOn(k);
  return { net, settings };
}

/** The network of the files the user selected, and the settings that train it (`fitModel`). */
export async function readModel(
  files: readonly ModelFile[],
  current: Settings | undefined,
  k: Backend,
): Promise<{ net: Network; settings: Settings }> {
  return fitModel(await networkOf(files), current, k);
}

const names = (files: readonly ModelFile[]) => files.map((f) => f.name).join(', ');
const textOf = (f: ModelFile) => ('text' in f ? f.text : new TextDecoder().decode(f.bytes));
const bytesOf = (f: ModelFile) => ('bytes' in f ? f.bytes : new TextEncoder().encode(f.text));

/**
 * The network of the selected files: one model file, a `.json` (twostep's own, or a Layers
 * model.json) or an `.onnx`, and the weights files a Layers model.json names; any other file
 * is refused. A damaged file is a ModelFormatError that names it.
 */
async function networkOf(files: readonly ModelFile[]): Promise<Network> {
  const models = files.filter((f) => /\.(json|onnx)$/i.test(f.name));
  if (models.length !== 1) {
    throw new ConfigError(
      models.length === 0
        ? `Select a model file: a .json (twostep's own, or a TensorFlow.js Layers model.json with its weights files) or an .onnx; you selected ${names(files) || 'none'}.`
        : `Select one model at a time; you selected ${names(models)}.`,
    );
  }
  const model = models[0]!;
  try {
    const { net, used } = await decode(model, files);
    const unused = files.filter((f) => !used.includes(f));
    if (unused.length > 0) {
      throw new ConfigError(
        `${model.name} does not use ${names(unused)}: select only the model file, and for a Layers model.json the weights files its manifest names.`,
      );
    }
    return net;
  } catch (error) {
    if (!(error instanceof ModelFormatError)) throw error;
    const named = new ModelFormatError(`${model.name}: ${error.message}`, error.path, error.reason);
    named.cause = error;
    throw named;
  }
}

/** The network of `model`, and the files it was read from (`files` holds Layers weights). */
async function decode(
  model: ModelFile,
  files: readonly ModelFile[],
): Promise<{ net: Network; used: readonly ModelFile[] }> {
  if (/\.onnx$/i.test(model.name)) {
    const { fromOnnx } = await import('@twostep/io');
    return { net: fromOnnx(bytesOf(model)), used: [model] };
  }
  const text = textOf(model);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: deserialize says so, in the core's words.
  }
  if ((json as Fields | null)?.format !== 'layers-model') {
    return { net: deserialize(text), used: [model] };
  }
  const weights = weightsFiles(json as Fields).map((name) => {
    const file = files.find((f) => f.name === name);
    if (file) return file;
    throw new ConfigError(
      `${model.name} needs its weights file ${name}, which was not selected: select ${model.name} and ${name} together (Ctrl- or ⌘-click the files).`,
    );
  });
  const { fromLayers } = await import('@twostep/io');
  const data = weights.map((f) => bytesOf(f).slice().buffer);
  return { net: fromLayers(json, data), used: [model, ...weights] };
}

/**
 * The weights files a Layers model.json names, in manifest order, by their file name (a page
 * selects files, not paths: `./model.weights.bin` is `model.weights.bin`).
 */
function weightsFiles(json: Fields): string[] {
  const c = checker(
    (text, path) =>
      new ModelFormatError(
        `TensorFlow.js Layers model: ${text}.`,
        path,
        text.slice(path.length + 1),
      ),
  );
  return c.array(json.weightsManifest, 'weightsManifest').flatMap((group, i) => {
    const at = `weightsManifest[${i}].paths`;
    const paths = c.array(c.object(group, `weightsManifest[${i}]`).paths, at);
    return paths.map((p, k) => c.string(p, `${at}[${k}]`).split('/').at(-1)!);
  });
}
