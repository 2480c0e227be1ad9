/**
 * Model files: versioned JSON, portable across backends (weights are written as decimal
 * numbers that read back to the same float64). Loading checks every field and names the
 * first bad one.
 */
import { type LayerActivation, resolveActivation } from './activations.js';
import { ModelFormatError, type TwoStepError } from './errors.js';
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

const fail = (path: string, problem: string): never => {
  throw new ModelFormatError(`Model file: ${path} ${problem}`, path);
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A network from JSON text or a parsed model-file object; errors name the bad field. `limits`
 * (`maxParameters`, `maxEntries`) are the network's, as in `Network.create`.
 */
export function deserialize(json: string | unknown, limits: Limits = {}): Network {
  let file: unknown = json;
  if (typeof json === 'string') {
    try {
      file = JSON.parse(json);
    } catch (error) {
      fail(
        '$',
        `is not valid JSON (${(error as Error).message}); the file is damaged or not a model file.`,
      );
    }
  }
  if (!isRecord(file)) return fail('$', 'is not a JSON object; expected a twostep model file.');
  if (file.format !== MODEL_FORMAT)
    fail('format', `is ${JSON.stringify(file.format)}, expected "${MODEL_FORMAT}".`);
  if (file.version !== MODEL_VERSION) {
    fail(
      'version',
      `is ${JSON.stringify(file.version)}; this version of @twostep/core reads version ${MODEL_VERSION}` +
        (typeof file.version === 'number' && file.version > MODEL_VERSION
          ? ': upgrade @twostep/core.'
          : '.'),
    );
  }
  const { architecture, bias, activations, weights } = file;
  if (!Array.isArray(architecture) || architecture.length < 2) {
    fail('architecture', 'must be an array [N0, …, NL] of at least two widths.');
  }
  const widths = architecture as unknown[];
  widths.forEach((n, h) => {
    if (!Number.isInteger(n) || (n as number) < 1)
      fail(`architecture[${h}]`, `is ${JSON.stringify(n)}, not a positive integer.`);
  });
  const depth = widths.length - 1;
  if (typeof bias !== 'boolean') fail('bias', `is ${JSON.stringify(bias)}, not true or false.`);
  if (!Array.isArray(activations) || activations.length !== depth) {
    fail('activations', `must be an array of ${depth} activations, one per layer.`);
  }
  (activations as LayerActivation[]).forEach((spec, i) => {
    try {
      resolveActivation(spec, widths[i + 1] as number, `layer ${i + 1}`);
    } catch (error) {
      fail(`activations[${i}]`, `is invalid: ${(error as TwoStepError).message}`);
    }
  });
  if (!Array.isArray(weights) || weights.length !== depth)
    fail('weights', `must be an array of ${depth} matrices.`);
  (weights as unknown[]).forEach((w, i) => {
    const rows = widths[i + 1] as number;
    const cols = (widths[i] as number) + (bias ? 1 : 0);
    if (!Array.isArray(w) || w.length !== rows)
      fail(`weights[${i}]`, `must have ${rows} rows (N${i + 1}).`);
    (w as unknown[]).forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== cols) {
        fail(
          `weights[${i}][${r}]`,
          `must have ${cols} columns (N${i}${bias ? ' + 1 for the bias' : ''}).`,
        );
      }
      (row as unknown[]).forEach((v, c) => {
        if (typeof v !== 'number' || !Number.isFinite(v))
          fail(`weights[${i}][${r}][${c}]`, `is ${JSON.stringify(v)}, not a finite number.`);
      });
    });
  });
  const net = Network.create({
    architecture: widths as number[],
    activations: activations as LayerActivation[],
    bias: bias as boolean,
    ...(limits.maxParameters !== undefined && { maxParameters: limits.maxParameters }),
    ...(limits.maxEntries !== undefined && { maxEntries: limits.maxEntries }),
  });
  net.setWeights(weights as number[][][]);
  return net;
}
