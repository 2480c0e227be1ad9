/**
 * A feed-forward network A[N0, …, NL] (eq. 17): per layer h a weight matrix Wh and an
 * activation σh. With bias on, Wh is Nh × (N(h−1) + 1): its last column is the bias, the
 * weight of the formal neuron fixed at 1 (Remark 1). Weights live on the host in float64;
 * each backend gets a device copy on first use.
 */
import {
  type Activation,
  type ActivationSpec,
  type LayerActivation,
  resolveActivation,
} from './activations.js';
import { formatArchitecture, parseArchitecture } from './architecture.js';
import type { Backend, Matrix } from './contract.js';
import { firstOverflow, overflowError } from './data.js';
import { ConfigError, NonFiniteError, ShapeError } from './errors.js';
import { shown } from './json.js';
import { checkLimit, type Limits, resolveLimits } from './limits.js';
import { checkSeed, Random } from './random.js';
import { untracked } from './scope.js';
import type { Trainer } from './trainer.js';

/** Weight initialisers: Xavier/Glorot uniform (sigmoid, tanh) and He normal (relu family). */
export type Initializer = 'xavier' | 'he';

/** `maxParameters` and `maxEntries` bound the network and every matrix it is trained and run with. */
export interface NetworkOptions extends Limits {
  /** `'A[784,128,10]'` or `[784, 128, 10]`. */
  readonly architecture: string | readonly number[];
  /** σ of every hidden layer (default `'sigmoid'`, the paper's σ). */
  readonly activation?: ActivationSpec;
  /** σ of the output layer (default: the hidden `activation`, as in eq. 20). */
  readonly outputActivation?: ActivationSpec;
  /** One per layer h = 1…L, each a spec or a family of Nh specs; overrides the two above. */
  readonly activations?: readonly LayerActivation[];
  /** Formal bias neuron in every layer (Remark 1); default true. */
  readonly bias?: boolean;
  /**
   * Default `'he'` when every hidden layer's σ (from `activations` when given, else
   * `activation`) is relu or leaky relu, else `'xavier'`.
   */
  readonly init?: Initializer;
  /** Seed of the initial weights, an integer from 0 to 2³² − 1; default 0. */
  readonly seed?: number;
}

/** One layer h: N(h−1) inputs, Nh neurons, σh. */
export interface Layer {
  readonly inputs: number;
  readonly outputs: number;
  readonly activation: Activation;
}

/** Weights of every layer in the paper's layout: Wh[i][j], bias in the last column. */
export type Weights = number[][][];

/**
 * The open Trainer of each network (at most one): it trains copies of the network's weights
 * and hands them back, so until it closes nothing else may change them.
 */
const trainers = new WeakMap<Network, Trainer>();

/** Makes `trainer` the open Trainer of `net`, or a ConfigError when another one is. */
export function startTraining(net: Network, trainer: Trainer): void {
  if (trainers.has(net)) {
    throw new ConfigError(
      `${net} is already being trained by another Trainer (or train call) that has not closed: two at once would train from the same weights and one run's weights would be lost. ` +
        "Await the first train call (or its Trainer's close()) before starting another, or train a copy: deserialize(serialize(net)).",
    );
  }
  trainers.set(net, trainer);
}

/** `trainer` has closed: the weights of `net` are free to change. */
export function endTraining(net: Network, trainer: Trainer): void {
  if (trainers.get(net) === trainer) trainers.delete(net);
}

export class Network {
  /** [N0, …, NL]. */
  readonly architecture: readonly number[];
  readonly bias: boolean;
  readonly layers: readonly Layer[];
  /** The limits it was created with (defaults filled in). */
  readonly limits: Required<Limits>;
  /** Row-major Wh, h = 1…L, each Nh × (N(h−1) + bias). */
  private weights: Float64Array[];
  private version = 0;
  private readonly device = new WeakMap<Backend, { version: number; weights: Matrix[] }>();

  private constructor(
    architecture: number[],
    bias: boolean,
    activations: LayerActivation[],
    limits: Required<Limits>,
  ) {
    this.architecture = architecture;
    this.bias = bias;
    this.limits = limits;
    this.layers = activations.map((spec, i) => ({
      inputs: architecture[i]!,
      outputs: architecture[i + 1]!,
      activation: resolveActivation(spec, architecture[i + 1]!, `layer ${i + 1}`),
    }));
    this.weights = this.layers.map((l) => new Float64Array(l.outputs * this.columns(l)));
  }

  /** A network with seeded initial weights: the same seed gives the same weights everywhere. */
  static create(options: NetworkOptions): Network {
    const architecture = parseArchitecture(options.architecture);
    const seed = checkSeed('Network.create', options.seed ?? 0);
    const bias = options.bias ?? true;
    const limits = resolveLimits('Network.create', options);
    checkSize(architecture, bias, limits);
    const depth = architecture.length - 1;
    const hidden = options.activation ?? 'sigmoid';
    const activations =
      options.activations ??
      architecture
        .slice(1)
        .map((_, i) => (i === depth - 1 ? (options.outputActivation ?? hidden) : hidden));
    if (activations.length !== depth) {
      throw new ConfigError(
        `activations: ${activations.length} given for the ${depth} layers of ${formatArchitecture(architecture)}; give one per layer h = 1…${depth}.`,
      );
    }
    const net = new Network(architecture, bias, [...activations], limits);
    // He when every hidden σ is in the relu family (given per layer: the σ of every layer
    // below L, or of the one layer of A[N0,N1]).
    const hiddenSpecs = !options.activations
      ? [hidden]
      : depth > 1
        ? activations.slice(0, -1)
        : activations;
    const reluFamily = hiddenSpecs
      .flat()
      .every((a) => ['relu', 'leakyRelu'].includes(typeof a === 'string' ? a : a.name));
    const init = options.init ?? (reluFamily ? 'he' : 'xavier');
    if (init !== 'xavier' && init !== 'he') {
      throw new ConfigError(`init: unknown initializer ${shown(init)}; use 'xavier' or 'he'.`);
    }
    net.initialize(init, seed);
    return net;
  }

  /** Depth L. */
  get depth(): number {
    return this.layers.length;
  }

  /** Columns of Wh: N(h−1) inputs, plus the bias column. */
  private columns(layer: Layer): number {
    return layer.inputs + (this.bias ? 1 : 0);
  }

  private initialize(init: Initializer, seed: number): void {
    const random = new Random(seed);
    this.layers.forEach((layer, i) => {
      const w = this.weights[i]!;
      const cols = this.columns(layer);
      const limit = Math.sqrt(6 / (layer.inputs + layer.outputs));
      const std = Math.sqrt(2 / layer.inputs);
      for (let r = 0; r < layer.outputs; r++) {
        // Genuine weights are random; the bias column starts at 0.
        for (let c = 0; c < layer.inputs; c++) {
          w[r * cols + c] =
            init === 'xavier' ? random.uniform(-limit, limit) : std * random.normal();
        }
      }
    });
    this.version++;
  }

  /** W1 … WL as nested arrays, Wh[i][j], with the bias as the last column. */
  getWeights(): Weights {
    return this.layers.map((layer, i) =>
      Array.from({ length: layer.outputs }, (_, r) => {
        const cols = this.columns(layer);
        return Array.from(this.weights[i]!.subarray(r * cols, (r + 1) * cols));
      }),
    );
  }

  /**
   * Sets W1 … WL from nested arrays in the layout of `getWeights`; checks shapes and finiteness.
   * Refused while a Trainer is open on the network.
   */
  setWeights(weights: Weights): void {
    this.#checkNotTraining('setWeights');
    if (!Array.isArray(weights) || weights.length !== this.depth) {
      throw new ShapeError(
        `setWeights: expected ${this.depth} matrices W1…W${this.depth} for ${formatArchitecture(this.architecture)}, got ${Array.isArray(weights) ? weights.length : typeof weights}.`,
      );
    }
    const next = this.layers.map((layer, i) => {
      const cols = this.columns(layer);
      const w = weights[i];
      const expected = `${layer.outputs}×${cols}${this.bias ? ' (bias in the last column)' : ''}`;
      if (
        !Array.isArray(w) ||
        w.length !== layer.outputs ||
        w.some((row) => !Array.isArray(row) || row.length !== cols)
      ) {
        throw new ShapeError(`setWeights: W${i + 1} must be ${expected}.`);
      }
      const flat = new Float64Array(layer.outputs * cols);
      w.forEach((row, r) => {
        row.forEach((value, c) => {
          if (typeof value !== 'number' || !Number.isFinite(value)) {
            throw new NonFiniteError(
              `setWeights: W${i + 1}[${r}][${c}] is ${value}; weights must be finite numbers.`,
            );
          }
          flat[r * cols + c] = value;
        });
      });
      return flat;
    });
    this.weights = next;
    this.version++;
  }

  /**
   * W1 … WL on `backend`, uploaded on first use and after `setWeights`. The network owns
   * these matrices: do not dispose them; `release(backend)` frees them.
   */
  weightsOn(on: Backend): readonly Matrix[] {
    const backend = untracked(on);
    const cached = this.device.get(backend);
    if (cached && cached.version === this.version) return cached.weights;
    if (cached) for (const m of cached.weights) backend.dispose(m);
    if (backend.dtype === 'float32') this.#checkFloat32();
    const weights = this.layers.map((l, i) =>
      backend.fromArray(this.weights[i]!, l.outputs, this.columns(l)),
    );
    this.device.set(backend, { version: this.version, weights });
    return weights;
  }

  /**
   * Takes trained weights from `backend` as the network's own: the host copy is read back
   * and the matrices become the device copy (no upload). Used by `train`. While a Trainer is
   * open on the network, only that Trainer (`from`) may hand over weights.
   */
  async adopt(on: Backend, weights: readonly Matrix[], from?: Trainer): Promise<void> {
    if (trainers.get(this) !== from) this.#checkNotTraining('adopt');
    const backend = untracked(on);
    const host = await Promise.all(weights.map((m) => backend.read(m)));
    const previous = this.device.get(backend);
    if (previous) for (const m of previous.weights) if (!weights.includes(m)) backend.dispose(m);
    this.weights = host.map((data) => Float64Array.from(data));
    this.version++;
    this.device.set(backend, { version: this.version, weights: [...weights] });
  }

  /**
   * Refuses to change the weights under an open Trainer: it trains its own copy on the backend
   * and would overwrite the change when it closes (or its next `sync`).
   */
  #checkNotTraining(method: string): void {
    if (!trainers.has(this)) return;
    throw new ConfigError(
      `${method}: ${this} is being trained by a Trainer (or train call) that has not closed: it trains its own copy of the weights, which would overwrite these when it syncs or closes. ` +
        "Await the Trainer's close() (or the train call) before changing the weights, or change them before creating the Trainer.",
    );
  }

  /**
   * Rejects a weight that float32 cannot hold (finite in the host's float64, infinite once
   * rounded): it would turn every prediction into NaN without a word.
   */
  #checkFloat32(): void {
    this.layers.forEach((layer, i) => {
      const w = this.weights[i]!;
      const at = firstOverflow(w);
      if (at === w.length) return;
      const cols = this.columns(layer);
      const where = `W${i + 1}[${Math.floor(at / cols)}][${at % cols}] (layer ${i + 1}, row ${Math.floor(at / cols)}, column ${at % cols})`;
      throw overflowError(where, w[at]!);
    });
  }

  /**
   * Throws a ResourceLimitError when a batch of `batch` samples (the widest layer, plus the
   * bias row, by `batch` entries) exceeds `maxEntries`. `where` names the caller.
   */
  checkBatch(where: string, batch: number): void {
    const widest = this.architecture.reduce((a, b) => Math.max(a, b)) + (this.bias ? 1 : 0);
    checkLimit(
      `${where}: a batch of ${batch} samples makes ${widest} × ${batch} matrices (the widest layer${this.bias ? ' and the bias row' : ''} by the batch) of`,
      widest * batch,
      this.limits.maxEntries,
      'maxEntries',
      'Lower batchSize',
    );
  }

  /** Frees the device copy of the weights on `backend`. */
  release(on: Backend): void {
    const backend = untracked(on);
    const cached = this.device.get(backend);
    if (cached) for (const m of cached.weights) backend.dispose(m);
    this.device.delete(backend);
  }

  /** Activation specs by layer, as written in model files. */
  get activationSpecs(): LayerActivation[] {
    return this.layers.map((l) => l.activation.spec);
  }

  toString(): string {
    return `Network ${formatArchitecture(this.architecture)}${this.bias ? ' with bias' : ''}`;
  }
}

/** The parameters and the largest weight matrix, held to the limits before anything is allocated. */
function checkSize(architecture: number[], bias: boolean, limits: Required<Limits>): void {
  const sizes = architecture.slice(1).map((n, h) => n * (architecture[h]! + (bias ? 1 : 0)));
  const name = formatArchitecture(architecture);
  const fix = 'Check the widths';
  const total = sizes.reduce((a, b) => a + b, 0);
  checkLimit(`${name} has`, total, limits.maxParameters, 'maxParameters', fix);
  const largest = sizes.reduce((a, b) => Math.max(a, b));
  const h = sizes.indexOf(largest) + 1;
  checkLimit(`${name}: W${h} has`, largest, limits.maxEntries, 'maxEntries', fix);
}
