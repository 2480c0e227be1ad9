/**
 * A model file the user imports replaces the network, and the settings follow its
 * architecture: only when the form can show them (the task's shape, the playground's limits)
 * and the backend can hold its weights. Anything else is refused with the reason, before the
 * current network is touched.
 */
import {
  type Backend,
  ConfigError,
  deserialize,
  formatArchitecture,
  type LossName,
  type Network,
} from '@twostep/core';
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
 * The network of a model file's text and the settings that train it, its weights already on
 * `k`: a weight that `k`'s dtype cannot hold is the core's DTypeError here, not after the
 * current network was replaced.
 */
export function readModel(
  json: string,
  current: Settings | undefined,
  k: Backend,
): { net: Network; settings: Settings } {
  const net = deserialize(json);
  const settings = modelSettings(net, current);
  net.weightsOn(k);
  return { net, settings };
}
