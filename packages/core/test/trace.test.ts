import {
  dispose,
  fAdjoint,
  fPropagate,
  losses,
  Network,
  ShapeError,
  tidy,
  traceSample,
} from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { f64, rowsOf } from './helpers.js';

const net = () =>
  Network.create({
    architecture: 'A[3,4,2]',
    activations: ['tanh', 'sigmoid'],
    seed: 5,
  });
const x = [0.3, -0.7, 1.1];
const y = [1, 0];

describe('traceSample', () => {
  it('reads back the F-propagation and the F-adjoint of one sample, the formal neuron included', async () => {
    const n = net();
    const t = await traceSample(f64, n, x, y, 'mse');
    const m = tidy(f64, () => {
      const F = fPropagate(f64, n, f64.fromArray(x, 3, 1));
      const { J, deltaUp } = losses.mse.forward(f64, F.X[2]!, f64.fromArray(y, 2, 1), 'sum');
      return { F, J, A: fAdjoint(f64, n, F, deltaUp) };
    });
    const column = (rows: number[][]) => rows.map((r) => r[0]!);
    expect(t.X).toEqual(m.F.X.map((v) => column(rowsOf(f64, v))));
    expect(t.X[0]).toEqual([...x, 1]);
    expect(t.X[1]).toHaveLength(5);
    expect(t.X[1]!.at(-1)).toBe(1);
    expect(t.Y).toEqual(m.F.Y.map((v) => column(rowsOf(f64, v))));
    expect(t.deltaUp).toEqual(m.A.deltaUp.map((v) => column(rowsOf(f64, v))));
    expect(t.deltaDown).toEqual(m.A.deltaDown.map((v) => column(rowsOf(f64, v))));
    expect(t.gradients).toEqual(m.A.gradients.map((g) => rowsOf(f64, g)));
    expect(t.gradients.map((g) => [g.length, g[0]!.length])).toEqual([
      [4, 4],
      [2, 5],
    ]);
    expect(t.J).toBe(rowsOf(f64, m.J)[0]![0]);
    dispose(f64, m);
  });

  it('gives the gradients and δup_0 that central differences of J give', async () => {
    const n = net();
    const t = await traceSample(f64, n, x, y, 'binaryCrossEntropy');
    const J = async (network: Network, input: number[]) =>
      (await traceSample(f64, network, input, y, 'binaryCrossEntropy')).J;
    const s = 1e-5;
    for (const [h, i, j] of [
      [1, 0, 0],
      [1, 3, 3],
      [2, 1, 2],
      [2, 0, 4],
    ] as const) {
      const probe = (delta: number) => {
        const w = n.getWeights();
        w[h - 1]![i]![j]! += delta;
        const copy = net();
        copy.setWeights(w);
        return J(copy, x);
      };
      const fd = ((await probe(s)) - (await probe(-s))) / (2 * s);
      expect(t.gradients[h - 1]![i]![j]).toBeCloseTo(fd, 8);
    }
    for (let i = 0; i < 3; i++) {
      const moved = (delta: number) => x.map((v, k) => (k === i ? v + delta : v));
      const fd = ((await J(n, moved(s))) - (await J(n, moved(-s)))) / (2 * s);
      expect(t.deltaUp[0]![i]).toBeCloseTo(fd, 8);
    }
  });

  it('frees what it makes, and names a wrong input or target size', async () => {
    const n = net();
    n.weightsOn(f64);
    const before = f64.memory().matrices;
    await traceSample(f64, n, x, y);
    expect(f64.memory().matrices).toBe(before);
    await expect(traceSample(f64, n, [1, 2], y)).rejects.toThrow(
      new ShapeError(
        'traceSample: Network A[3,4,2] with bias takes 3 inputs and gives 2 outputs; got an input of 2 and a target of 2.',
      ),
    );
    await expect(traceSample(f64, n, x, [1])).rejects.toThrow(ShapeError);
    n.release(f64);
  });
});
