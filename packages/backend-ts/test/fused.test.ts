import { ACTIVATION_NAMES, type ActivationKind, type FusedActivation } from '@twostep/core/backend';
import { describe, expect, it } from 'vitest';
import type { TsBackend, TsMatrix } from '../src/index.js';
import { backends, type Dense, dense, expectMatrix, poisonPool, upload } from './reference.js';

const EDGES = [0, 1, -1, 1000, -1000, 30, -30, 1e-8, -1e-8, 0.5, -2.5];

/** σ and σ' in doubles, written independently of the kernels. */
const REFERENCE: Record<
  ActivationKind,
  { sigma: (y: number, alpha: number) => number; derivative: (y: number, alpha: number) => number }
> = {
  identity: { sigma: (y) => y, derivative: () => 1 },
  sigmoid: { sigma: (y) => 1 / (1 + Math.exp(-y)), derivative: (y) => 1 / (2 + 2 * Math.cosh(y)) },
  tanh: { sigma: Math.tanh, derivative: (y) => 1 / Math.cosh(y) ** 2 },
  relu: { sigma: (y) => Math.max(y, 0), derivative: (y) => (y > 0 ? 1 : 0) },
  leakyRelu: {
    sigma: (y, alpha) => (y > 0 ? y : alpha * y),
    derivative: (y, alpha) => (y > 0 ? 1 : alpha),
  },
  softplus: {
    sigma: (y) => (y > 0 ? y + Math.log1p(Math.exp(-y)) : Math.log1p(Math.exp(y))),
    derivative: (y) => 1 / (1 + Math.exp(-y)),
  },
};

/** σ and σ' composed from basic ops, as the core does without fused kernels. */
function unfused(k: TsBackend, kind: ActivationKind, alpha: number) {
  const sigmoid = (y: TsMatrix) => k.unary('sigmoid', y);
  const compositions: Record<
    ActivationKind,
    { sigma: (y: TsMatrix) => TsMatrix; derivative: (y: TsMatrix) => TsMatrix }
  > = {
    identity: { sigma: (y) => y, derivative: (y) => k.fill(y.rows, y.cols, 1) },
    sigmoid: { sigma: sigmoid, derivative: (y) => k.mul(sigmoid(y), k.scale(sigmoid(y), -1, 1)) },
    tanh: {
      sigma: (y) => k.unary('tanh', y),
      derivative: (y) => k.scale(k.unary('square', k.unary('tanh', y)), -1, 1),
    },
    relu: { sigma: (y) => k.unary('relu', y), derivative: (y) => k.unary('step', y) },
    leakyRelu: {
      sigma: (y) => k.add(k.scale(k.unary('relu', y), 1 - alpha), k.scale(y, alpha)),
      derivative: (y) => k.scale(k.unary('step', y), 1 - alpha, alpha),
    },
    softplus: { sigma: (y) => k.unary('softplus', y), derivative: sigmoid },
  };
  return compositions[kind];
}

const mapped = (m: Dense, f: (x: number, i: number) => number): Dense => ({
  ...m,
  data: m.data.map(f),
});

describe.each(backends())('fused kernels, $dtype', (k) => {
  const values = [...EDGES, ...dense(1, 25, 21, 4).data];
  const [y, dy] = upload(k, { rows: 4, cols: 9, data: values });
  const [up, dup] = upload(k, dense(4, 9, 22, 3));

  describe.each(ACTIVATION_NAMES.map((kind) => ({ kind, alpha: kind === 'leakyRelu' ? 0.2 : 0 })))(
    '$kind',
    (activation: FusedActivation) => {
      const { kind, alpha } = activation;

      it('activate is σ(Y), and equals its composition of basic ops', () => {
        poisonPool(k, 4, 9);
        const fused = k.activate(y, activation);
        expect(fused).not.toBe(y);
        expectMatrix(
          k,
          fused,
          mapped(dy, (x) => REFERENCE[kind].sigma(x, alpha)),
        );
        expectMatrix(
          k,
          unfused(k, kind, alpha).sigma(y),
          { ...dy, data: Array.from(k.readSync(fused)) },
          1,
        );
      });

      it("deltaDown is δup ⊙ σ'(Y), and equals its composition of basic ops", () => {
        poisonPool(k, 4, 9);
        const fused = k.deltaDown(up, y, activation);
        const expected = mapped(dy, (x, i) => dup.data[i]! * REFERENCE[kind].derivative(x, alpha));
        expectMatrix(k, fused, expected);
        const composed = k.mul(up, unfused(k, kind, alpha).derivative(y));
        expectMatrix(k, composed, { ...dy, data: Array.from(k.readSync(fused)) }, 1);
      });

      it('is finite at ±1000', () => {
        const edge = k.fromArray([1000, -1000], 1, 2);
        const ones = k.fill(1, 2, 1);
        expect(k.readSync(k.activate(edge, activation)).every(Number.isFinite)).toBe(true);
        expect(k.readSync(k.deltaDown(ones, edge, activation)).every(Number.isFinite)).toBe(true);
      });
    },
  );

  it('adam is one Adam step, and equals its composition of basic ops', () => {
    const step = { stepSize: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    const [w, dw] = upload(k, dense(5, 6, 31));
    const [g, dg] = upload(k, dense(5, 6, 32, 2));
    const [m, dm] = upload(k, dense(5, 6, 33, 0.1));
    const [v, dv] = upload(k, mapped(dense(5, 6, 34, 0.01), Math.abs));
    poisonPool(k, 5, 6);
    const out = k.adam(w, g, m, v, step);
    for (const x of [out.w, out.m, out.v]) expect([w, g, m, v]).not.toContain(x);

    const m1 = dm.data.map((x, i) => step.beta1 * x + (1 - step.beta1) * dg.data[i]!);
    const v1 = dv.data.map((x, i) => step.beta2 * x + (1 - step.beta2) * dg.data[i]! ** 2);
    const w1 = dw.data.map(
      (x, i) => x - (step.stepSize * m1[i]!) / (Math.sqrt(v1[i]!) + step.epsilon),
    );
    expectMatrix(k, out.m, { ...dm, data: m1 });
    expectMatrix(k, out.v, { ...dv, data: v1 });
    expectMatrix(k, out.w, { ...dw, data: w1 });
    // Operands are unchanged.
    for (const [x, dx] of [
      [w, dw],
      [g, dg],
      [m, dm],
      [v, dv],
    ] as const)
      expectMatrix(k, x, dx);

    const mc = k.add(k.scale(m, step.beta1), k.scale(g, 1 - step.beta1));
    const vc = k.add(k.scale(v, step.beta2), k.scale(k.unary('square', g), 1 - step.beta2));
    const update = k.div(k.scale(mc, step.stepSize), k.scale(k.unary('sqrt', vc), 1, step.epsilon));
    const wc = k.sub(w, update);
    for (const [composed, fused] of [
      [mc, out.m],
      [vc, out.v],
      [wc, out.w],
    ] as const) {
      expectMatrix(k, composed, { ...dw, data: Array.from(k.readSync(fused)) }, 1);
    }
  });

  it('axpy is α·x + y in one pass, and equals scale then add', () => {
    const [x, dx] = upload(k, dense(7, 9, 41));
    const [y, dy] = upload(k, dense(7, 9, 42, 3));
    for (const alpha of [-0.05, 0.9, 0, -1]) {
      poisonPool(k, 7, 9);
      const out = k.axpy(alpha, x, y);
      expect([x, y]).not.toContain(out);
      expectMatrix(k, out, { ...dx, data: dx.data.map((v, i) => alpha * v + dy.data[i]!) });
      const composed = k.add(k.scale(x, alpha), y);
      expectMatrix(k, composed, { ...dx, data: Array.from(k.readSync(out)) }, 1);
    }
    expectMatrix(k, x, dx);
    expectMatrix(k, y, dy);
    expect(() => k.axpy(1, x, k.fill(9, 7, 0))).toThrow(/axpy/);
  });
});
