/** Prediction and evaluation: the F-propagation over batches, read back once per batch. */
import type { Backend, Matrix } from './contract.js';
import { checkDataset, type Dataset, identityOrder, type Rows, Samples } from './data.js';
import { ConfigError } from './errors.js';
import { shown } from './json.js';
import { type Loss, type LossName, resolveLoss } from './losses.js';
import type { Network } from './network.js';
import { checkKeys } from './options.js';
import { forward } from './rule.js';
import { tidy, tracked } from './scope.js';

export interface InferenceOptions {
  /** Samples per F-propagation; default 256. */
  readonly batchSize?: number;
}

/**
 * Runs the F-propagation over `inputs` batch by batch and hands each batch's XL (NL × B,
 * disposed afterwards) and the index of its first sample to `use`.
 */
async function forEachBatch(
  where: string,
  backend: Backend,
  net: Network,
  inputs: Samples,
  batchSize: number,
  use: (xL: Matrix, start: number) => Promise<void>,
): Promise<void> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ConfigError(`batchSize must be a positive integer, got ${shown(batchSize)}.`);
  }
  net.checkBatch(where, Math.min(batchSize, inputs.count));
  const k = tracked(backend);
  const order = identityOrder(inputs.count);
  for (let start = 0; start < inputs.count; start += batchSize) {
    const end = Math.min(inputs.count, start + batchSize);
    const x0 = new Float64Array(inputs.width * (end - start));
    const xL = tidy(backend, () => {
      const F = forward(k, net, net.weightsOn(backend), inputs.upload(k, order, start, end, x0));
      return F.X[net.depth]!;
    });
    try {
      await use(xL, start);
    } finally {
      backend.dispose(xL);
    }
  }
}

const inputSamples = (backend: Backend, net: Network, rows: Rows) =>
  new Samples(
    rows,
    net.architecture[0]!,
    'inputs',
    ` The network takes N0 = ${net.architecture[0]} inputs.`,
    backend.dtype,
  );

/** The network's outputs f(x), one row per input row. */
export async function predict(
  backend: Backend,
  net: Network,
  inputs: Rows,
  options: InferenceOptions = {},
): Promise<number[][]> {
  checkKeys('predict', options, ['batchSize']);
  const { batchSize = 256 } = options;
  const outputs: number[][] = [];
  const samples = inputSamples(backend, net, inputs);
  await forEachBatch('predict', backend, net, samples, batchSize, async (xL) => {
    const data = await backend.read(xL);
    for (let j = 0; j < xL.cols; j++)
      outputs.push(Array.from({ length: xL.rows }, (_, i) => data[i * xL.cols + j]!));
  });
  return outputs;
}

export interface EvaluateOptions extends InferenceOptions {
  /** Default `'mse'`. */
  readonly loss?: LossName | Loss;
}

export interface Evaluation {
  /** Mean loss per sample. */
  readonly loss: number;
  /**
   * Share of samples classified right: the largest output matches the target's largest
   * entry (one-hot targets), or, with one output, output and target fall on the same side of ½.
   */
  readonly accuracy: number;
}

/** Index of the largest entry of column j of a row-major rows × cols matrix. */
function argmax(data: ArrayLike<number>, j: number, rows: number, cols: number): number {
  let best = 0;
  for (let i = 1; i < rows; i++) if (data[i * cols + j]! > data[best * cols + j]!) best = i;
  return best;
}

/** Loss and accuracy of `net` on `data`. */
export async function evaluate(
  backend: Backend,
  net: Network,
  data: Dataset,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  checkKeys('evaluate', options, ['loss', 'batchSize']);
  const { loss = 'mse', batchSize = 256 } = options;
  const { inputs, targets } = checkDataset(data, net.architecture, backend.dtype);
  const lossFn = resolveLoss(loss);
  const k = tracked(backend);
  const order = identityOrder(inputs.count);
  let lossSum = 0;
  let correct = 0;
  await forEachBatch('evaluate', backend, net, inputs, batchSize, async (xL, start) => {
    const size = xL.cols;
    const t = new Float64Array(xL.rows * size);
    // The sum reduction: J summed over the batch's samples.
    const J = tidy(backend, () => {
      const y = targets.upload(k, order, start, start + size, t);
      return lossFn.forward(k, xL, y, 'sum').J;
    });
    const [outputs, value] = await Promise.all([backend.read(xL), backend.read(J)]);
    backend.dispose(J);
    lossSum += value[0]!;
    for (let j = 0; j < size; j++) {
      const target = data.targets[start + j]!; // a row of the checked data (order is the identity)
      const right =
        xL.rows === 1
          ? outputs[j]! >= 0.5 === target[0]! >= 0.5
          : argmax(outputs, j, xL.rows, size) === argmax(target, 0, xL.rows, 1);
      if (right) correct++;
    }
  });
  return { loss: lossSum / inputs.count, accuracy: correct / inputs.count };
}
