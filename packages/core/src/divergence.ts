/**
 * Divergence, found without slowing training: an epoch reads its loss once, with the weights
 * folded in (one read-back); only when that is not finite is the epoch replayed step by step
 * to name the first quantity that turned non-finite.
 */
import type { Backend, Matrix } from './contract.js';
import { DivergenceError } from './errors.js';
import { dispose, tidy, tracked } from './scope.js';
import type { Quantities } from './step.js';

/**
 * The loss sum plus 0·Σ sum(Wh): NaN when the loss or any weight is non-finite, the loss
 * sum otherwise. One read-back.
 */
export async function readChecked(
  backend: Backend,
  lossSum: Matrix,
  weights: readonly Matrix[],
): Promise<number> {
  const k = tracked(backend);
  const check = tidy(backend, () =>
    weights.reduce((acc, w) => k.add(acc, k.scale(k.sum(w), 0)), k.copy(lossSum)),
  );
  const [value] = await backend.read(check);
  backend.dispose(check);
  return value!;
}

/** What replaying one batch gives: its quantities in the rule's order and its J as a per-sample sum. */
export interface Replayed {
  readonly quantities: Quantities;
  readonly perSample: Matrix;
}

/**
 * Replays an epoch that turned non-finite, step by step, reading every quantity in the
 * order of the rule, and throws a DivergenceError naming the first non-finite one; `replay`
 * leaves the weights at their values before that step until `advance` takes the step. Returns
 * the epoch's loss sum when every step was finite after all.
 */
export async function replayChecked<Out extends Replayed>(
  backend: Backend,
  epoch: number,
  batches: number,
  replay: (b: number) => Out,
  advance: (out: Out) => void,
): Promise<number> {
  let lossSum = 0;
  for (let b = 0; b < batches; b++) {
    const out = replay(b);
    for (const [name, layer, value] of out.quantities) {
      const data = await backend.read(value);
      const bad = data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        dispose(backend, out);
        throw new DivergenceError(
          `Training diverged in epoch ${epoch}, batch ${b + 1}: ${name} (layer ${layer}) turned non-finite ` +
            `(${data[bad]} at row ${Math.floor(bad / value.cols)}, column ${bad % value.cols}). ` +
            'The network keeps the weights from before this step. Lower the learning rate, scale the inputs, or use a loss that fits the output activation.',
          epoch,
          b + 1,
          layer,
          name,
        );
      }
    }
    lossSum += (await backend.read(out.perSample))[0]!;
    advance(out);
  }
  return lossSum;
}
