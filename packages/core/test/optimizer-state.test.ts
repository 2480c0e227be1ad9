/**
 * A saved optimizer state given back to a Trainer is checked whole before any of it is
 * uploaded: its shape against the optimizer and the network, every value finite and, on a
 * float32 backend, within float32's range.
 */
import {
  adam,
  type Backend,
  ConfigError,
  DTypeError,
  Network,
  NonFiniteError,
  type SavedOptimizerState,
  Trainer,
} from '@twostep/core';
import { referenceBackend } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';

const f64 = referenceBackend();
/** Says float32 (the reference computes in float64 only): the state is checked before any op. */
const f32: Backend = { ...referenceBackend(), dtype: 'float32', dtypes: ['float32'] };

/** W1 is 3×3 and W2 1×4. */
const small = () => Network.create({ architecture: 'A[2,3,1]', seed: 1 });

/** A valid adam state of `small()`: m and v per layer. */
const state = () => ({
  optimizer: 'adam' as const,
  layers: [
    { steps: 4, slots: [Array(9).fill(0.5), Array(9).fill(0.25)] },
    { steps: 4, slots: [Array(4).fill(-0.5), Array(4).fill(0.125)] },
  ],
});

/** Starts a Trainer from `saved` on `backend` and reads its state back; frees everything. */
async function resume(backend: Backend, saved: unknown): Promise<SavedOptimizerState> {
  const net = small();
  const trainer = new Trainer(backend, net, {
    optimizer: adam(),
    optimizerState: saved as SavedOptimizerState,
  });
  try {
    return await trainer.saveOptimizer();
  } finally {
    await trainer.close();
    net.release(backend);
  }
}

describe('a saved optimizer state given back', () => {
  it('is taken as saved when it fits', async () => {
    await expect(resume(f64, state())).resolves.toEqual(state());
    await expect(resume(f32, state())).resolves.toEqual(state());
  });

  it('on a float32 backend, with a value beyond float32, is a DTypeError naming the value and where', async () => {
    const before = f64.memory();
    const saved = state();
    saved.layers[1]!.slots[1]![2] = 1e39;
    await expect(resume(f32, saved)).rejects.toThrow(
      new DTypeError(
        'optimizer state: layer 2, moment 2, entry 2 (row 0, column 2) is 1e+39, beyond the float32 range (±3.4028234663852886e+38) of this float32 backend: it would become Infinity. ' +
          'Scale the values into range, or use a float64 backend.',
      ),
    );
    saved.layers[1]!.slots[1]![2] = -1e39;
    await expect(resume(f32, saved)).rejects.toThrow(
      'entry 2 (row 0, column 2) is -1e+39, beyond the float32 range',
    );
    // Nothing of layer 1 was uploaded before layer 2 was found bad.
    expect(f64.memory()).toEqual(before);
    // float64 holds it; the largest float32 fits.
    await expect(resume(f64, saved)).resolves.toEqual(saved);
    saved.layers[1]!.slots[1]![2] = 3.4028234663852886e38;
    await expect(resume(f32, saved)).resolves.toEqual(saved);
  });

  it('with a value that is not a finite number is a NonFiniteError, on any backend', async () => {
    const before = f64.memory();
    for (const [value, written] of [
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      ['0.5', '"0.5"'],
      [null, 'null'],
    ] as const) {
      const saved = state();
      (saved.layers[0]!.slots[0]! as unknown[])[4] = value;
      const message =
        `optimizer state: layer 1, moment 1, entry 4 (row 1, column 1) is ${written}; every value must be a finite number. ` +
        'Resume from an earlier checkpoint, or leave optimizerState out to start the moments fresh.';
      for (const backend of [f64, f32]) {
        await expect(resume(backend, saved)).rejects.toThrow(new NonFiniteError(message));
      }
    }
    expect(f64.memory()).toEqual(before);
  });

  it('that does not have the shape of one is a ConfigError saying what differs', async () => {
    const before = f64.memory();
    const layers = state().layers;
    const cases: [unknown, string][] = [
      [
        null,
        'expected { optimizer, layers } as saveOptimizer gives it, got null; leave optimizerState out to start fresh.',
      ],
      ['adam', 'expected { optimizer, layers } as saveOptimizer gives it, got "adam";'],
      [{ optimizer: 'adam', layers: {} }, 'layers must be an array, one entry per layer, got {}.'],
      [{ optimizer: 10n, layers }, 'it was saved by 10, not adam; resume with the same optimizer.'],
      [{ optimizer: 'adam', layers: [layers[0]] }, 'it has 1 layers, the network 2.'],
      [
        { optimizer: 'adam', layers: [layers[0], null] },
        'layer 2: expected { steps, slots }, got null.',
      ],
      ...[1.5, -1, '4', 2 ** 53].map((steps): [unknown, string] => [
        { optimizer: 'adam', layers: [{ ...layers[0]!, steps }, layers[1]] },
        `layer 1: steps ${typeof steps === 'string' ? `"${steps}"` : steps} is not a non-negative integer.`,
      ]),
      [
        { optimizer: 'adam', layers: [layers[0], { steps: 4, slots: 'm, v' }] },
        'layer 2: adam keeps 2 moment matrices, found "m, v".',
      ],
      [
        { optimizer: 'adam', layers: [layers[0], { steps: 4, slots: [layers[1]!.slots[0], {}] }] },
        'layer 2, moment 2: expected 1×4 = 4 finite numbers.',
      ],
      [
        { optimizer: 'adam', layers: [{ steps: 4, slots: [layers[0]!.slots[0], [1]] }, layers[1]] },
        'layer 1, moment 2: expected 3×3 = 9 finite numbers.',
      ],
    ];
    for (const [saved, problem] of cases) {
      const run = resume(f64, saved);
      await expect(run).rejects.toThrow(ConfigError);
      await expect(run).rejects.toThrow(`optimizer state: ${problem}`);
    }
    expect(f64.memory()).toEqual(before);
  });
});
