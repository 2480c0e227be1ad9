/**
 * The optional fused kernels, each against the float64 reference and against its unfused
 * composition of basic ops, when the backend declares it in `supports`.
 */

import { activations } from '@twostep/core';
import {
  ACTIVATION_NAMES,
  type Backend,
  FUSED_KERNELS,
  type FusedActivation,
  ShapeError,
} from '@twostep/core/backend';
import * as ref from '@twostep/core/reference';
import { type Check, expectThrows, fail } from './check.js';
import { check, download, expectMatrix, randomHost, scoped } from './util.js';

const AREA = 'fused kernels';

const KINDS: FusedActivation[] = ACTIVATION_NAMES.map((kind) => ({
  kind,
  alpha: kind === 'leakyRelu' ? 0.15 : 0,
}));

/** Pre-activations with both signs, exact zeros (relu's kink) and saturating values. */
const preActivations = (seed: number) => {
  const h = randomHost(seed, 6, 7, -4, 4);
  h.data[0] = 0;
  h.data[1] = 40;
  h.data[2] = -40;
  return h;
};

const fusedActivation = (b: Backend) => b.supports.fusedActivation;

export const fusedChecks: Check[] = [
  check(AREA, 'declared kernels exist', (backend) => {
    const missing = Object.entries(FUSED_KERNELS)
      .flatMap(([flag, kernels]) =>
        backend.supports[flag as keyof typeof FUSED_KERNELS] ? kernels : [],
      )
      .filter((name) => typeof backend[name] !== 'function');
    if (missing.length)
      fail(`supports declares fused kernels that are missing: ${missing.join(', ')}.`);
  }),
  ...KINDS.map((act) =>
    check(
      AREA,
      `activate and deltaDown for ${act.kind}: σ(Y) and δup ⊙ σ'(Y) at Y (eq. 5)`,
      (backend) =>
        scoped(backend, async (k) => {
          const y = k.fromArray(preActivations(200).data, 6, 7);
          const yh = await download(k, y);
          const up = k.fromArray(randomHost(201, 6, 7).data, 6, 7);
          const uh = await download(k, up);
          await expectMatrix(
            k,
            `activate(Y, ${act.kind})`,
            k.activate!(y, act),
            ref.activate(yh, act),
          );
          await expectMatrix(
            k,
            `deltaDown(δup, Y, ${act.kind})`,
            k.deltaDown!(up, y, act),
            ref.deltaDown(uh, yh, act),
          );
          // The unfused composition the core falls back to gives the same.
          const unfused = act.kind === 'leakyRelu' ? null : activations[act.kind];
          if (unfused) {
            const composed = k.mul(up, unfused.derivative(k, y));
            await expectMatrix(
              k,
              `deltaDown(δup, Y, ${act.kind}) against δup ⊙ σ'(Y) from basic ops`,
              k.deltaDown!(up, y, act),
              await download(k, composed),
            );
          }
        }),
      fusedActivation,
    ),
  ),
  check(
    AREA,
    'adam: one update against the reference and against basic ops',
    (backend) =>
      scoped(backend, async (k) => {
        const shape = [5, 3] as const;
        const [w, g, m] = [300, 301, 302].map((seed) =>
          k.fromArray(randomHost(seed, ...shape).data, ...shape),
        );
        const v = k.fromArray(randomHost(303, ...shape, 0, 1).data, ...shape);
        const step = { stepSize: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
        const out = k.adam!(w!, g!, m!, v, step);
        const [wh, gh, mh, vh] = await Promise.all([w!, g!, m!, v].map((x) => download(k, x)));
        const expected = ref.adam(wh!, gh!, mh!, vh!, step);
        await expectMatrix(k, 'adam: m', out.m, expected.m);
        await expectMatrix(k, 'adam: v', out.v, expected.v);
        await expectMatrix(k, 'adam: w', out.w, expected.w);
        // m' = β1·m + (1−β1)·g with basic ops.
        const m2 = k.add(k.scale(m!, step.beta1), k.scale(g!, 1 - step.beta1));
        await expectMatrix(k, 'adam: m against basic ops', out.m, await download(k, m2));
      }),
    (b) => b.supports.fusedAdam,
  ),
  check(
    AREA,
    'axpy: α·x + y against the reference and against basic ops',
    (backend) =>
      scoped(backend, async (k) => {
        const [x, y] = [310, 311].map((seed) => k.fromArray(randomHost(seed, 4, 6).data, 4, 6));
        const [xh, yh] = await Promise.all([x!, y!].map((m) => download(k, m)));
        for (const alpha of [-0.05, 0.9, 0]) {
          const out = k.axpy!(alpha, x!, y!);
          await expectMatrix(k, `axpy(${alpha}, x, y)`, out, ref.axpy(alpha, xh!, yh!));
          const composed = k.add(k.scale(x!, alpha), y!);
          await expectMatrix(
            k,
            `axpy(${alpha}, x, y) against basic ops`,
            out,
            await download(k, composed),
          );
        }
        const z = k.fill(3, 6, 1);
        expectThrows('axpy(1, 4×6, 3×6)', () => k.axpy!(1, x!, z), ShapeError, /axpy/);
      }),
    (b) => b.supports.fusedAxpy === true,
  ),
];
