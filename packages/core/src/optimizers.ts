/**
 * Optimizers turn ∂J/∂Wh into an update of Wh. An optimizer is a description (name and
 * hyper-parameters, serializable); `start` makes the per-training state (moments), whose
 * matrices the state owns and `dispose` frees.
 */
import type { Backend, DType, Matrix } from './contract.js';
import { firstOverflow, overflowError } from './data.js';
import { ConfigError, NonFiniteError } from './errors.js';
import { shown } from './json.js';
import { checkKeys, closest } from './options.js';
import { keep } from './scope.js';

export interface OptimizerState {
  /** The updated Wh from Wh and ∂J/∂Wh at learning rate `lr`; moments of layer h advance. */
  update(k: Backend, h: number, w: Matrix, gradient: Matrix, lr: number): Matrix;
  /** A copy of the state (moments and step counts), for replaying steps. */
  clone(k: Backend): OptimizerState;
  /** The state on the host, as plain JSON-ready data (for checkpoints). */
  save(): Promise<SavedOptimizerState>;
  dispose(): void;
}

/**
 * An optimizer's state on the host: per layer h = 1…L, the step count and the moment
 * matrices (none for sgd; the velocity for momentum; m and v for adam), row-major.
 */
export interface SavedOptimizerState {
  readonly optimizer: 'sgd' | 'momentum' | 'adam';
  readonly layers: readonly {
    readonly steps: number;
    readonly slots: readonly (readonly number[])[];
  }[];
}

export interface Optimizer {
  readonly name: 'sgd' | 'momentum' | 'adam';
  readonly learningRate: number;
  /** State for the given weights: fresh (zero moments), or `saved` from an earlier run. */
  start(backend: Backend, weights: readonly Matrix[], saved?: SavedOptimizerState): OptimizerState;
}

function positive(
  name: string,
  key: string,
  value: number,
  max = Number.POSITIVE_INFINITY,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value >= max) {
    throw new ConfigError(
      `${name}: ${key} must be a finite number in (0, ${max === Number.POSITIVE_INFINITY ? '∞' : max}), got ${shown(value)}.`,
    );
  }
  return value;
}

/**
 * State holding `slots` matrices per layer (zero-initialised, like Wh) and a step count per
 * layer; `advance` computes the new Wh and the new slots.
 */
class SlotState implements OptimizerState {
  constructor(
    private readonly name: Optimizer['name'],
    private readonly backend: Backend,
    private slots: Matrix[][],
    private readonly steps: number[],
    private readonly advance: (
      k: Backend,
      w: Matrix,
      g: Matrix,
      slots: Matrix[],
      lr: number,
      t: number,
    ) => Matrix[],
  ) {}

  /**
   * An optimizer whose state is `count` slots per layer (moments), zero at the start or those
   * of `saved` (checked), and whose step is `advance`: [next W, ...next slots].
   */
  static optimizer(
    name: Optimizer['name'],
    learningRate: number,
    count: number,
    advance: SlotState['advance'],
  ): Optimizer {
    const start = (backend: Backend, weights: readonly Matrix[], saved?: SavedOptimizerState) => {
      if (saved !== undefined) checkSaved(name, saved, weights, count, backend.dtype);
      const slots = weights.map(({ rows, cols }, h) =>
        saved
          ? saved.layers[h]!.slots.map((data) => backend.fromArray(data, rows, cols))
          : Array.from({ length: count }, () => backend.fill(rows, cols, 0)),
      );
      const steps = weights.map((_, h) => (saved ? saved.layers[h]!.steps : 0));
      return new SlotState(name, backend, slots, steps, advance);
    };
    return { name, learningRate, start };
  }

  update(k: Backend, h: number, w: Matrix, gradient: Matrix, lr: number): Matrix {
    const t = ++this.steps[h - 1]!;
    const [next, ...slots] = this.advance(k, w, gradient, this.slots[h - 1]!, lr, t);
    for (const old of this.slots[h - 1]!) this.backend.dispose(old);
    this.slots[h - 1] = keep(k, slots);
    return next!;
  }

  clone(k: Backend): OptimizerState {
    const slots = this.slots.map((layer) => layer.map((m) => k.copy(m)));
    return new SlotState(this.name, this.backend, keep(k, slots), [...this.steps], this.advance);
  }

  async save(): Promise<SavedOptimizerState> {
    const layers = [];
    for (const [h, layer] of this.slots.entries()) {
      const slots = [];
      for (const m of layer) slots.push(Array.from(await this.backend.read(m)));
      layers.push({ steps: this.steps[h]!, slots });
    }
    return { optimizer: this.name, layers };
  }

  dispose(): void {
    for (const layer of this.slots) for (const m of layer) this.backend.dispose(m);
    this.slots = [];
  }
}

/**
 * A saved state fits this optimizer and these weights (a ConfigError names what differs), and
 * every value is a finite number that the backend's `dtype` holds: checked whole before any
 * of it is uploaded.
 */
function checkSaved(
  name: Optimizer['name'],
  saved: SavedOptimizerState,
  weights: readonly Matrix[],
  count: number,
  dtype: DType,
): void {
  function fail(problem: string): never {
    throw new ConfigError(`optimizer state: ${problem}`);
  }
  if (saved === null || typeof saved !== 'object') {
    fail(
      `expected { optimizer, layers } as saveOptimizer gives it, got ${shown(saved)}; leave optimizerState out to start fresh.`,
    );
  }
  if (saved.optimizer !== name) {
    fail(`it was saved by ${shown(saved.optimizer)}, not ${name}; resume with the same optimizer.`);
  }
  if (!Array.isArray(saved.layers)) {
    fail(`layers must be an array, one entry per layer, got ${shown(saved.layers)}.`);
  }
  if (saved.layers.length !== weights.length) {
    fail(`it has ${saved.layers.length} layers, the network ${weights.length}.`);
  }
  saved.layers.forEach((layer, i) => {
    if (layer === null || typeof layer !== 'object') {
      fail(`layer ${i + 1}: expected { steps, slots }, got ${shown(layer)}.`);
    }
    const { steps, slots } = layer;
    const { rows, cols } = weights[i]!;
    if (!Number.isSafeInteger(steps) || steps < 0) {
      fail(`layer ${i + 1}: steps ${shown(steps)} is not a non-negative integer.`);
    }
    if (!Array.isArray(slots) || slots.length !== count) {
      fail(
        `layer ${i + 1}: ${name} keeps ${count} moment matrices, found ${Array.isArray(slots) ? slots.length : shown(slots)}.`,
      );
    }
    for (const [j, data] of slots.entries()) {
      if (!Array.isArray(data) || data.length !== rows * cols) {
        fail(
          `layer ${i + 1}, moment ${j + 1}: expected ${rows}×${cols} = ${rows * cols} finite numbers.`,
        );
      }
      const entry = (e: number) =>
        `optimizer state: layer ${i + 1}, moment ${j + 1}, entry ${e} (row ${Math.floor(e / cols)}, column ${e % cols})`;
      const bad = data.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
      if (bad >= 0) {
        throw new NonFiniteError(
          `${entry(bad)} is ${shown(data[bad])}; every value must be a finite number. Resume from an earlier checkpoint, or leave optimizerState out to start the moments fresh.`,
        );
      }
      if (dtype !== 'float32') continue;
      const over = firstOverflow(data);
      if (over < data.length) throw overflowError(entry(over), data[over]!);
    }
  });
}

/** α·x + y: the backend's fused kernel when it has one, else `scale` then `add`. */
function axpy(k: Backend, alpha: number, x: Matrix, y: Matrix): Matrix {
  return k.supports.fusedAxpy && k.axpy ? k.axpy(alpha, x, y) : k.add(k.scale(x, alpha), y);
}

/** Plain gradient descent: Wh ← Wh − lr · ∂J/∂Wh. */
export function sgd(settings: { learningRate?: number } = {}): Optimizer {
  checkKeys('sgd', settings, ['learningRate']);
  const { learningRate = 0.1 } = settings;
  positive('sgd', 'learningRate', learningRate);
  return SlotState.optimizer('sgd', learningRate, 0, (k, w, g, _slots, lr) => [axpy(k, -lr, g, w)]);
}

/** Heavy-ball momentum: v ← μ·v + ∂J/∂Wh, Wh ← Wh − lr · v. */
export function momentum(settings: { learningRate?: number; momentum?: number } = {}): Optimizer {
  checkKeys('momentum', settings, ['learningRate', 'momentum']);
  const { learningRate = 0.1, momentum: mu = 0.9 } = settings;
  positive('momentum', 'learningRate', learningRate);
  positive('momentum', 'momentum', mu, 1);
  return SlotState.optimizer('momentum', learningRate, 1, (k, w, g, [v], lr) => {
    const velocity = axpy(k, mu, v!, g);
    return [axpy(k, -lr, velocity, w), velocity];
  });
}

/**
 * Adam (Kingma & Ba): m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²,
 * Wh ← Wh − lr · m̂ / (√v̂ + ε) with bias-corrected m̂, v̂; fused when the backend can.
 */
export function adam(
  settings: { learningRate?: number; beta1?: number; beta2?: number; epsilon?: number } = {},
): Optimizer {
  checkKeys('adam', settings, ['learningRate', 'beta1', 'beta2', 'epsilon']);
  const { learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = settings;
  positive('adam', 'learningRate', learningRate);
  positive('adam', 'beta1', beta1, 1);
  positive('adam', 'beta2', beta2, 1);
  positive('adam', 'epsilon', epsilon);
  return SlotState.optimizer('adam', learningRate, 2, (k, w, g, [m, v], lr, t) => {
    // lr·m̂/(√v̂ + ε) = stepSize·m/(√v + ε·√(1−β2ᵗ)) with stepSize = lr·√(1−β2ᵗ)/(1−β1ᵗ).
    const c2 = Math.sqrt(1 - beta2 ** t);
    const step = {
      stepSize: (lr * c2) / (1 - beta1 ** t),
      beta1,
      beta2,
      epsilon: epsilon * c2,
    };
    if (k.supports.fusedAdam && k.adam) {
      const next = k.adam(w, g, m!, v!, step);
      return [next.w, next.m, next.v];
    }
    const m2 = k.add(k.scale(m!, beta1), k.scale(g, 1 - beta1));
    const v2 = k.add(k.scale(v!, beta2), k.scale(k.unary('square', g), 1 - beta2));
    const direction = k.div(m2, k.scale(k.unary('sqrt', v2), 1, step.epsilon));
    return [k.sub(w, k.scale(direction, step.stepSize)), m2, v2];
  });
}

/** Optimizer descriptions as written in configs and model files. */
export type OptimizerConfig =
  | { readonly name: 'sgd'; readonly learningRate?: number }
  | { readonly name: 'momentum'; readonly learningRate?: number; readonly momentum?: number }
  | {
      readonly name: 'adam';
      readonly learningRate?: number;
      readonly beta1?: number;
      readonly beta2?: number;
      readonly epsilon?: number;
    };

const factories = { sgd, momentum, adam } as const;

/** The optimizers' names, for apps that offer a choice. */
export const OPTIMIZER_NAMES = Object.keys(factories) as Optimizer['name'][];

/** An optimizer from an object or a config `{ name, …hyper-parameters }`. */
export function resolveOptimizer(
  optimizer: Optimizer | OptimizerConfig | OptimizerConfig['name'],
): Optimizer {
  if (typeof optimizer === 'object' && optimizer !== null && 'start' in optimizer) return optimizer;
  const config = typeof optimizer === 'string' ? { name: optimizer } : optimizer;
  const name = config?.name;
  if (typeof name !== 'string' || !Object.hasOwn(factories, name)) {
    const near = typeof name === 'string' ? closest(name, OPTIMIZER_NAMES) : undefined;
    throw new ConfigError(
      `optimizer: unknown optimizer ${shown(name)}${near ? `; did you mean '${near}'?` : ';'} use one of ${OPTIMIZER_NAMES.join(', ')}.`,
    );
  }
  const { name: _, ...hyper } = config;
  return (factories[name] as (h: object) => Optimizer)(hyper);
}
