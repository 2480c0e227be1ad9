/**
 * Model files: versioned JSON, portable across backends (weights are written as decimal
 * numbers that read back to the same float64). Loading checks every field with the JSON
 * checker (`json.ts`) and names the first bad one, its value as written and what is allowed.
 */
import { type LayerActivation, resolveActivation } from './activations.js';
import { ConfigError, ModelFormatError } from './errors.js';
import { checker, parseJsonAsWritten } from './json.js';
import type { Limits } from './limits.js';
import { Network } from './network.js';

export const MODEL_FORMAT = 'twostep-network';
export const MODEL_VERSION = 1;

export interface ModelFile {
  readonly format: typeof MODEL_FORMAT;
  readonly version: typeof MODEL_VERSION;
  /** [N0, …, NL]. */
  readonly architecture: number[];
  readonly bias: boolean;
  /** σh per layer h = 1…L: a spec, or a family with one spec per neuron. */
  readonly activations: LayerActivation[];
  /** Wh per layer, Wh[i][j], bias in the last column. */
  readonly weights: number[][][];
}

/** The network as a model-file object (`JSON.stringify` it, or use `serialize`). */
export function toModelFile(net: Network): ModelFile {
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    architecture: [...net.architecture],
    bias: net.bias,
    activations: net.activationSpecs,
    weights: net.getWeights(),
  };
}

/** The network as versioned JSON text. */
export function serialize(net: Network): string {
  return JSON.stringify(toModelFile(net));
}

/**
 * The model file's checker: `Model file: weights[0][2][1] must be a finite number; it is 1e400.`,
 * with `advice` after the value.
 */
const modelChecker = (advice = '') => {
  const problem = (text: string, path: string) => {
    // The checker's text is `<path> <reason>`.
    const reason = `${text.slice(path.length + 1)}${advice}`;
    return new ModelFormatError(`Model file: ${path} ${reason}.`, path, reason);
  };
  const c = checker(problem);
  /** `v` as an array of `length` entries, each of them `what` (`rows (N1)`). */
  const entries = (v: unknown, path: string, length: number, what: string): unknown[] => {
    const allowed = `an array of ${length} ${what}`;
    if (!Array.isArray(v)) return c.fail(path, allowed, v);
    if (v.length !== length) throw problem(`${path} must be ${allowed}; it has ${v.length}`, path);
    return v;
  };
  return { ...c, entries };
};

const NEWER = ', written by a newer @twostep/core: upgrade @twostep/core';

/**
 * A network from JSON text or a parsed model-file object (numbers too large for a double may be
 * `Overflow`s, as `parseJsonAsWritten` leaves them); errors name the first bad field, its value
 * as written and what is allowed. `limits` (`maxParameters`, `maxEntries`) are the network's,
 * as in `Network.create`.
 */
export function deserialize(json: string | unknown, limits: Limits = {}): Network {
  const c = modelChecker();
  const value =
    typeof json === 'string'
      ? parseJsonAsWritten(json, (reason) => {
          const why = `is not valid JSON (${reason}); the file is damaged or not a model file`;
          return new ModelFormatError(`Model file: $ ${why}.`, '$', why);
        })
      : json;
  const file = modelChecker('; expected a twostep model file').object(value, '$');
  c.equal(file.format, 'format', MODEL_FORMAT);
  const newer = typeof file.version === 'number' && file.version > MODEL_VERSION;
  (newer ? modelChecker(NEWER) : c).equal(file.version, 'version', MODEL_VERSION);
  const widths =
    Array.isArray(file.architecture) && file.architecture.length >= 2
      ? Array.from(file.architecture, (n, h) => c.integer(n, `architecture[${h}]`, 1))
      : c.fail('architecture', 'an array [N0, …, NL] of at least two widths', file.architecture);
  const depth = widths.length - 1;
  const bias = c.boolean(file.bias, 'bias');
  const activations = c.entries(
    file.activations,
    'activations',
    depth,
    'activations, one per layer',
  );
  for (let h = 0; h < depth; h++) {
    try {
      resolveActivation(activations[h] as LayerActivation, widths[h + 1]!, `layer ${h + 1}`);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const why = error.message.replace(/\.$/, '');
      c.fail(`activations[${h}]`, `a valid activation (${why})`, activations[h]);
    }
  }
  const weights = c.entries(file.weights, 'weights', depth, 'matrices, one per layer');
  for (let h = 0; h < depth; h++) {
    const rows = c.entries(weights[h], `weights[${h}]`, widths[h + 1]!, `rows (N${h + 1})`);
    const columns = `columns (N${h}${bias ? ' + 1 for the bias' : ''})`;
    for (let r = 0; r < rows.length; r++) {
      const at = `weights[${h}][${r}]`;
      const row = c.entries(rows[r], at, widths[h]! + (bias ? 1 : 0), columns);
      for (let j = 0; j < row.length; j++) c.number(row[j], `${at}[${j}]`);
    }
  }
  const net = Network.create({
    architecture: widths,
    activations: activations as LayerActivation[],
    bias,
    ...(limits.maxParameters !== undefined && { maxParameters: limits.maxParameters }),
    ...(limits.maxEntries !== undefined && { maxEntries: limits.maxEntries }),
  });
  net.setWeights(weights as number[][][]);
  return net;
}
