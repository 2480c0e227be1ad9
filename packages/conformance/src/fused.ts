/**
 * The optional fused kernels, when the backend declares them in `supports`: each entry by
 * entry against the float64 reference and against the composition of basic ops the core falls
 * back to, on shapes across block boundaries, at the edges of the dtype and with
 * non-default parameters. Each kernel's scale (see `EntryTolerance`) is the magnitude of the
 * terms its formula adds, so any correct rounding passes and nothing else does.
 */

import { type ActivationSpec, adam as adamOptimizer, Network } from '@twostep/core';
import {
  ACTIVATION_NAMES,
  type ActivationKind,
  type AdamStep,
  type Backend,
  FUSED_KERNELS,
  type FusedActivation,
  type FusedKernelFlag,
  ShapeError,
} from '@twostep/core/backend';
import * as ref from '@twostep/core/reference';
import {
  type Check,
  ConformanceError,
  expectEntries,
  expectThrows,
  fail,
  OP_ULPS,
} from './check.js';
import { edgeValues, held, wideHost } from './shapes.js';
import { check, download, expectMatrix, randomHost, scoped } from './util.js';

const AREA = 'fused kernels';

/**
 * The fused result and the core's composition of basic ops are each within OP_ULPS of the
 * exact value, so within twice that of each other.
 */
const BOTH_ULPS = 2 * OP_ULPS;

/** Leaky relu with a slope other than the default 0.01, so a kernel ignoring `alpha` fails. */
const KINDS: FusedActivation[] = ACTIVATION_NAMES.map((kind) => ({
  kind,
  alpha: kind === 'leakyRelu' ? 0.15 : 0,
}));

/**
 * Element-wise shapes with each of 1, 7, 8, 9, 63, 64, 65 and 1025 on each dimension: both
 * sides of SIMD lanes and blocks of 8 and 64, and a long run of 1025.
 */
const SHAPES: [number, number][] = [
  [1, 1],
  [1, 1025],
  [1025, 1],
  [7, 8],
  [8, 9],
  [9, 7],
  [63, 65],
  [65, 64],
  [64, 63],
];

/** σ' jumps at 0: which side NaN falls on the contract does not say, so NaN is left out. */
const KINKED = new Set<ActivationKind>(['relu', 'leakyRelu']);

/**
 * Pre-activations: the dtype's edges (±0 at the kink, subnormals, ±∞, the largest finite
 * numbers, NaN where σ is smooth), ±40 and ±1000 where σ saturates, then uniform in [−6, 6);
 * the edges at both ends, so they meet a kernel's main loop and its remainder.
 */
function preActivations(
  k: Backend,
  kind: ActivationKind,
  seed: number,
  rows: number,
  cols: number,
) {
  const edges = [...edgeValues(k), 40, -40, 1000, -1000].filter(
    (v) => !(KINKED.has(kind) && Number.isNaN(v)),
  );
  const h = randomHost(seed, rows, cols, -6, 6);
  const n = h.data.length;
  edges.forEach((v, i) => {
    if (i < n) h.data[i] = v;
    if (n - 1 - i >= i) h.data[n - 1 - i] = v;
  });
  return h;
}

/**
 * δdown = δup ⊙ σ'(Y) (eq. 5) is measured against |δup| times the terms of σ': s·(1 − s) has
 * terms s and s², 1 − tanh² has 1 and tanh²; the other σ' are one term (1, step, α, sigmoid).
 */
export function deltaDownScale(kind: ActivationKind, alpha: number, up: number, y: number): number {
  if (kind === 'sigmoid') {
    const s = ref.activationRules.sigmoid.sigma(y, 0);
    return Math.abs(up) * s * (1 + s);
  }
  if (kind === 'tanh') return Math.abs(up) * (1 + Math.tanh(y) ** 2);
  return Math.abs(up * ref.activationRules[kind].derivative(y, alpha));
}

/**
 * σ(Y) is measured against |σ(y)| + |y·σ'(y)|: a library function rounds its result and may
 * round its argument once (as `unary` is held in the ops area).
 */
export function activateScale({ kind, alpha }: FusedActivation, y: number, sigma: number): number {
  const term = Math.abs(y * ref.activationRules[kind].derivative(y, alpha));
  return Math.abs(sigma) + (Number.isFinite(term) ? term : 0);
}

/** The core's activation of this kind and slope, as a network layer holds it. */
const coreActivation = ({ kind, alpha }: FusedActivation) => {
  const spec: ActivationSpec = kind === 'leakyRelu' ? { name: kind, alpha } : kind;
  return Network.create({ architecture: [1, 1], activations: [spec] }).layers[0]!.activation;
};

/** Runs `body`; a failure at entry (r, c) also names the operands' values there. */
async function withOperands(operands: Record<string, ref.Host>, body: () => Promise<void>) {
  try {
    await body();
  } catch (error) {
    const entry = error instanceof ConformanceError && /entry \((\d+), (\d+)\)/.exec(error.message);
    if (!entry) throw error;
    const [r, c] = [Number(entry[1]), Number(entry[2])];
    const values = Object.entries(operands).map(([n, h]) => `${n} = ${h.data[r * h.cols + c]}`);
    fail(`${(error as Error).message} There, ${values.join(', ')}.`);
  }
}

async function checkActivation(backend: Backend, act: FusedActivation): Promise<void> {
  const core = coreActivation(act);
  const named = act.kind === 'leakyRelu' ? `leakyRelu, α = ${act.alpha}` : act.kind;
  await scoped(backend, async (k) => {
    const basic = ref.withoutFusedKernels(k);
    for (const [s, [rows, cols]] of SHAPES.entries()) {
      const shape = `${rows}×${cols}`;
      const y = await held(k, preActivations(k, act.kind, 200 + s, rows, cols));
      // δup of magnitudes 2⁻²⁴…2²⁴, both signs.
      const up = await held(k, wideHost(201 + s, rows, cols));
      await withOperands({ Y: y.h, δup: up.h }, async () => {
        const sigma = ref.activate(y.h, act);
        const xScale = y.h.data.map((v, i) => activateScale(act, v, sigma.data[i]!));
        const dScale = y.h.data.map((v, i) =>
          deltaDownScale(act.kind, act.alpha, up.h.data[i]!, v),
        );
        const activate = `activate(Y ${shape}, ${named})`;
        const deltaDown = `deltaDown(δup ${shape}, Y ${shape}, ${named})`;
        const X = k.activate!(y.m, act);
        const D = k.deltaDown!(up.m, y.m, act);
        await expectMatrix(k, activate, X, sigma, { scale: xScale });
        await expectMatrix(k, deltaDown, D, ref.deltaDown(up.h, y.h, act), { scale: dScale });
        // The same as the core's composition of basic ops (its path without fused kernels).
        await expectMatrix(
          k,
          `${activate} against σ(Y) from basic ops`,
          X,
          await download(k, core.sigma(basic, y.m)),
          { ulps: BOTH_ULPS, scale: xScale },
        );
        await expectMatrix(
          k,
          `${deltaDown} against δup ⊙ σ'(Y) from basic ops`,
          D,
          await download(k, core.deltaDown(basic, up.m, y.m)),
          { ulps: BOTH_ULPS, scale: dScale },
        );
      });
    }
  });
}

/** Adam's hyper-parameters, none the default, and ε large enough to matter. */
const ADAM = { learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-3 };

/** The step the core passes at step t (`AdamStep`): lr·√(1−β2ᵗ)/(1−β1ᵗ) and ε·√(1−β2ᵗ). */
const adamStep = (t: number): AdamStep => {
  const c2 = Math.sqrt(1 - ADAM.beta2 ** t);
  return {
    stepSize: (ADAM.learningRate * c2) / (1 - ADAM.beta1 ** t),
    beta1: ADAM.beta1,
    beta2: ADAM.beta2,
    epsilon: ADAM.epsilon * c2,
  };
};

/**
 * Scales of Adam's m', v' and w' from their terms: |β1·m| + |(1−β1)·g|, |β2·v| + |(1−β2)·g²|,
 * and |w| + stepSize·(the terms of m')/(√v' + ε), since m' carries its terms' rounding into w'.
 */
function adamScales(w: ref.Host, g: ref.Host, m: ref.Host, v: ref.Host, s: AdamStep) {
  const mTerms = m.data.map((x, i) => Math.abs(s.beta1 * x) + Math.abs((1 - s.beta1) * g.data[i]!));
  const vTerms = v.data.map((x, i) => Math.abs(s.beta2 * x) + (1 - s.beta2) * g.data[i]! ** 2);
  const wTerms = w.data.map(
    (x, i) => Math.abs(x) + (s.stepSize * mTerms[i]!) / (Math.sqrt(vTerms[i]!) + s.epsilon),
  );
  return { m: mTerms, v: vTerms, w: wTerms };
}

/** At t = 1 the moments start at zero; at t = 1000 they hold mixed magnitudes. */
async function checkAdam(backend: Backend, t: number): Promise<void> {
  const step = adamStep(t);
  await scoped(backend, async (k) => {
    const basic = ref.withoutFusedKernels(k);
    for (const [rows, cols] of [
      [1, 1],
      [9, 7],
      [65, 63],
      [1, 1025],
    ] as const) {
      const at = `adam at t = ${t} (${rows}×${cols}, β1 ${ADAM.beta1}, β2 ${ADAM.beta2}, ε ${ADAM.epsilon})`;
      const wide = (seed: number) =>
        t === 1 ? ref.host(rows, cols, () => 0) : wideHost(seed, rows, cols);
      const [w, g, m] = await Promise.all(
        [wideHost(300 + t, rows, cols), wideHost(301 + t, rows, cols), wide(302 + t)].map((h) =>
          held(k, h),
        ),
      );
      const v = await held(
        k,
        ref.map(wide(303 + t), (x) => x * x),
      );
      await withOperands({ w: w!.h, g: g!.h, m: m!.h, v: v.h }, async () => {
        const out = k.adam!(w!.m, g!.m, m!.m, v.m, step);
        const expected = ref.adam(w!.h, g!.h, m!.h, v.h, step);
        const scale = adamScales(w!.h, g!.h, m!.h, v.h, step);
        for (const x of ['m', 'v', 'w'] as const) {
          await expectMatrix(k, `${at}: ${x}'`, out[x], expected[x], { scale: scale[x] });
        }
        // The core's Adam on basic ops, from the same moments at step t − 1.
        const state = adamOptimizer(ADAM).start(basic, [w!.m], {
          optimizer: 'adam',
          layers: [{ steps: t - 1, slots: [Array.from(m!.h.data), Array.from(v.h.data)] }],
        });
        const next = await download(k, state.update(basic, 1, w!.m, g!.m, ADAM.learningRate));
        const [m2, v2] = (await state.save()).layers[0]!.slots;
        const fused = {
          w: await download(k, out.w),
          m: await download(k, out.m),
          v: await download(k, out.v),
        };
        const composed = { w: next.data, m: m2!, v: v2! };
        for (const x of ['m', 'v', 'w'] as const) {
          expectEntries(
            `${at}: ${x}' against the core's Adam on basic ops`,
            k.dtype,
            fused[x].data,
            composed[x],
            {
              ulps: BOTH_ULPS,
              scale: scale[x],
              cols,
              flushesSubnormals: k.supports.flushesSubnormals === true,
            },
          );
        }
        state.dispose();
      });
    }
  });
}

/** α·x + y is measured against |α·x| + |y|, the magnitudes it adds. */
const axpyScale = (alpha: number, x: ref.Host, y: ref.Host) =>
  x.data.map((v, i) => Math.abs(alpha * v) + Math.abs(y.data[i]!));

const fusedActivation = (b: Backend) => b.supports.fusedActivation;

/**
 * `flag` is declared when any of its kernels exists: the core calls them only when `supports`
 * declares them. (A declared flag without its kernels is 'declared kernels exist'.)
 */
export function declaredWhenPresent(flag: FusedKernelFlag): Check {
  const kernels = FUSED_KERNELS[flag];
  const last = kernels[kernels.length - 1];
  const any = kernels.length > 1 ? `${kernels.slice(0, -1).join(', ')} or ${last}` : last;
  return check(AREA, `${flag} is declared when ${any} exists`, (b) => {
    if (b.supports[flag] === true) return;
    const present = kernels.filter((name) => typeof b[name] === 'function');
    if (present.length)
      fail(
        `supports.${flag} is not true, but ${present.join(', ')} ${present.length > 1 ? 'exist: the core calls them' : 'exists: the core calls it'} only when supports declares ${flag}. ` +
          `Declare ${flag} once ${kernels.join(', ')} pass this suite, or delete what is there.`,
      );
  });
}

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
      (backend) => checkActivation(backend, act),
      fusedActivation,
    ),
  ),
  check(
    AREA,
    'adam: one update against the reference and against basic ops',
    async (backend) => {
      for (const t of [1, 1000]) await checkAdam(backend, t);
    },
    (b) => b.supports.fusedAdam,
  ),
  check(
    AREA,
    'axpy: α·x + y against the reference and against basic ops',
    (backend) =>
      scoped(backend, async (k) => {
        for (const [rows, cols] of [
          [1, 1],
          [7, 9],
          [65, 63],
          [1025, 1],
        ] as const) {
          const [x, y] = await Promise.all(
            [310, 311].map((seed) => held(k, wideHost(seed, rows, cols))),
          );
          await withOperands({ x: x!.h, y: y!.h }, async () => {
            for (const alpha of [-1, 2.5, -0.05, 0, 1e-7, -3e5]) {
              const what = `axpy(${alpha}, x ${rows}×${cols}, y ${rows}×${cols})`;
              const scale = axpyScale(alpha, x!.h, y!.h);
              const out = k.axpy!(alpha, x!.m, y!.m);
              await expectMatrix(k, what, out, ref.axpy(alpha, x!.h, y!.h), { scale });
              // `scale` then `add`: what the core does without the kernel.
              const composed = await download(k, k.add(k.scale(x!.m, alpha), y!.m));
              await expectMatrix(k, `${what} against basic ops`, out, composed, {
                ulps: BOTH_ULPS,
                scale,
              });
            }
          });
        }
        const [x, z] = [k.fill(4, 6, 1), k.fill(3, 6, 1)];
        expectThrows('axpy(1, 4×6, 3×6)', () => k.axpy!(1, x, z), ShapeError, /axpy/);
      }),
    (b) => b.supports.fusedAxpy === true,
  ),
];
