/**
 * Activations σh, coordinate-wise (eq. 7): one function per layer, or a family with one
 * function per neuron, σh = (σh1, …, σhNh). Each gives σ and σ' in terms of backend ops.
 */
import type { ActivationKind, Backend, FusedActivation, Matrix } from './contract.js';
import { ConfigError } from './errors.js';
import { shown } from './json.js';

export type ActivationName = ActivationKind;

/** An activation by name; leaky relu takes its slope for x ≤ 0 as `alpha` (default 0.01). */
export type ActivationSpec =
  | ActivationName
  | { readonly name: ActivationName; readonly alpha?: number };

/** One activation for the whole layer, or a family: one per neuron (eq. 7). */
export type LayerActivation = ActivationSpec | readonly ActivationSpec[];

export const ACTIVATION_NAMES: readonly ActivationName[] = [
  'identity',
  'sigmoid',
  'tanh',
  'relu',
  'leakyRelu',
  'softplus',
];

/** The activation of one layer, uniform or a family. */
export interface Activation {
  /** σ(Y), coordinate-wise. */
  sigma(k: Backend, y: Matrix): Matrix;
  /** σ'(Y), coordinate-wise. */
  derivative(k: Backend, y: Matrix): Matrix;
  /** δdown = δup ⊙ σ'(Y) (eq. 5). */
  deltaDown(k: Backend, deltaUp: Matrix, y: Matrix): Matrix;
  /** How it is written in options and model files. */
  readonly spec: LayerActivation;
  /**
   * Each neuron's σ as a kind and leaky relu's slope (0 for the other kinds): one entry when
   * the layer's σ is uniform, one per neuron for a family. For code that computes σ by other
   * means, such as TensorFlow.js's autodiff.
   */
  readonly kinds: readonly FusedActivation[];
}

type Rule = {
  sigma(k: Backend, y: Matrix, alpha: number): Matrix;
  derivative(k: Backend, y: Matrix, alpha: number): Matrix;
};

/** σ and σ' of each kind, composed from basic ops (the reference for fused kernels). */
const rules: Record<ActivationName, Rule> = {
  identity: {
    sigma: (_k, y) => y,
    derivative: (k, y) => k.fill(y.rows, y.cols, 1),
  },
  sigmoid: {
    sigma: (k, y) => k.unary('sigmoid', y),
    // σ' = σ(1 − σ)
    derivative: (k, y) => {
      const s = k.unary('sigmoid', y);
      return k.mul(s, k.scale(s, -1, 1));
    },
  },
  tanh: {
    sigma: (k, y) => k.unary('tanh', y),
    // σ' = 1 − tanh²
    derivative: (k, y) => k.scale(k.unary('square', k.unary('tanh', y)), -1, 1),
  },
  relu: {
    sigma: (k, y) => k.unary('relu', y),
    derivative: (k, y) => k.unary('step', y),
  },
  leakyRelu: {
    // max(y, 0) + α·min(y, 0) = (1 − α)·relu(y) + α·y
    sigma: (k, y, alpha) => k.add(k.scale(k.unary('relu', y), 1 - alpha), k.scale(y, alpha)),
    derivative: (k, y, alpha) => k.scale(k.unary('step', y), 1 - alpha, alpha),
  },
  softplus: {
    sigma: (k, y) => k.unary('softplus', y),
    derivative: (k, y) => k.unary('sigmoid', y),
  },
};

class Uniform implements Activation {
  private readonly fused: FusedActivation;
  constructor(
    readonly kind: ActivationName,
    readonly alpha: number,
  ) {
    this.fused = { kind, alpha };
  }
  get kinds(): readonly FusedActivation[] {
    return [this.fused];
  }
  get spec(): ActivationSpec {
    return this.kind === 'leakyRelu' ? { name: this.kind, alpha: this.alpha } : this.kind;
  }
  sigma(k: Backend, y: Matrix): Matrix {
    // σ = identity is Y itself on every path, fused or not: XL and YL are one matrix.
    if (this.kind === 'identity') return y;
    if (k.supports.fusedActivation && k.activate) return k.activate(y, this.fused);
    return rules[this.kind].sigma(k, y, this.alpha);
  }
  derivative(k: Backend, y: Matrix): Matrix {
    return rules[this.kind].derivative(k, y, this.alpha);
  }
  deltaDown(k: Backend, deltaUp: Matrix, y: Matrix): Matrix {
    if (k.supports.fusedActivation && k.deltaDown) return k.deltaDown(deltaUp, y, this.fused);
    return k.mul(deltaUp, this.derivative(k, y));
  }
  /** Same kind and slope. */
  equals(other: Uniform): boolean {
    return this.kind === other.kind && this.alpha === other.alpha;
  }
}

/**
 * A family σ = (σ1, …, σN) (eq. 7): neurons are grouped by function, and each group's σ is
 * applied under a 0/1 column mask, σ(Y) = Σg maskg ⊙ σg(Y). Every built-in σ is finite on
 * finite input, so the masked-out entries contribute exact zeros.
 */
class Family implements Activation {
  private readonly groups: { activation: Uniform; mask: number[] }[] = [];
  constructor(readonly members: readonly Uniform[]) {
    members.forEach((member, i) => {
      let group = this.groups.find((g) => g.activation.equals(member));
      if (!group) {
        group = { activation: member, mask: new Array(members.length).fill(0) };
        this.groups.push(group);
      }
      group.mask[i] = 1;
    });
  }
  get spec(): ActivationSpec[] {
    return this.members.map((m) => m.spec);
  }
  get kinds(): readonly FusedActivation[] {
    return this.members.flatMap((m) => m.kinds);
  }
  private masked(k: Backend, f: (a: Uniform) => Matrix): Matrix {
    let total: Matrix | undefined;
    for (const { activation, mask } of this.groups) {
      const term = k.mul(f(activation), k.fromArray(mask, mask.length, 1));
      total = total ? k.add(total, term) : term;
    }
    return total!;
  }
  sigma(k: Backend, y: Matrix): Matrix {
    return this.masked(k, (a) => a.sigma(k, y));
  }
  derivative(k: Backend, y: Matrix): Matrix {
    return this.masked(k, (a) => a.derivative(k, y));
  }
  deltaDown(k: Backend, deltaUp: Matrix, y: Matrix): Matrix {
    return k.mul(deltaUp, this.derivative(k, y));
  }
}

function uniform(spec: ActivationSpec, where: string): Uniform {
  const name = typeof spec === 'string' ? spec : spec?.name;
  if (!ACTIVATION_NAMES.includes(name as ActivationName)) {
    throw new ConfigError(
      `${where}: unknown activation ${shown(name)}; use one of ${ACTIVATION_NAMES.join(', ')}.`,
    );
  }
  const alpha = typeof spec === 'object' && spec.alpha !== undefined ? spec.alpha : 0.01;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
    throw new ConfigError(
      `${where}: leakyRelu's alpha must be a finite number, got ${shown(alpha)}.`,
    );
  }
  return new Uniform(name as ActivationName, name === 'leakyRelu' ? alpha : 0);
}

/**
 * The activation of a layer of `width` neurons from its spec: a name, `{ name, alpha }`, or an
 * array of `width` of them (a family, one per neuron). `where` names the layer in errors.
 */
export function resolveActivation(spec: LayerActivation, width: number, where: string): Activation {
  if (!Array.isArray(spec)) return uniform(spec as ActivationSpec, where);
  if (spec.length !== width) {
    throw new ConfigError(
      `${where}: a family of ${spec.length} activations cannot serve ${width} neurons; give one per neuron (eq. 7).`,
    );
  }
  const members = spec.map((s, i) => uniform(s, `${where}, neuron ${i + 1}`));
  return members.every((m) => m.equals(members[0]!)) ? members[0]! : new Family(members);
}

/** σ and σ' of every built-in activation, by name, for use outside a network. */
export const activations: Record<ActivationName, Activation> = Object.fromEntries(
  ACTIVATION_NAMES.map((name) => [name, uniform(name, 'activations')]),
) as unknown as Record<ActivationName, Activation>;
