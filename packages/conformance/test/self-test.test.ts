/**
 * The suite measured the way a backend author's bugs are: each mutant is backend-ts with one
 * realistic bug behind the unchanged interface (test/mutants), and must fail a check that
 * guards what it broke, not merely training. The intact backend-ts and the core's reference
 * backend must pass every check (no false alarms). The mutation score is in the README.
 *
 * backend-ts is imported from its source by path: it depends on this package for its own
 * conformance run, so a package dependency back would be a cycle.
 */
import type { DType } from '@twostep/core/backend';
import { referenceBackend, withoutFusedKernels } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';
import { TsBackend } from '../../backend-ts/src/index.js';
import type { Check, CreateBackend } from '../src/check.js';
import { checks } from '../src/index.js';
import { formalNeuronMutants } from './mutants/formal-neuron.js';
import { handleMutants } from './mutants/handles.js';
import { kernelMutants } from './mutants/kernels.js';
import type { Mutant } from './mutants/mutant.js';
import { transposeMutants } from './mutants/transpose.js';
import { valueMutants } from './mutants/values.js';

const MUTANTS: readonly Mutant[] = [
  ...valueMutants,
  ...handleMutants,
  ...kernelMutants,
  ...transposeMutants,
  ...formalNeuronMutants,
];

const label = (c: Check) => `${c.area}: ${c.name}`;

/** The checks that fail on backends from `create`, with their messages. */
async function failures(
  create: CreateBackend,
  only: (c: Check) => boolean = () => true,
): Promise<{ name: string; message: string }[]> {
  const failed: { name: string; message: string }[] = [];
  for (const c of checks.filter(only)) {
    const backend = await create();
    if (c.applies && !c.applies(backend)) continue;
    try {
      await c.run(backend, create);
    } catch (error) {
      failed.push({ name: label(c), message: (error as Error).message });
    }
  }
  return failed;
}

const cases = MUTANTS.flatMap((m) =>
  m.dtypes.map((dtype): [string, DType, Mutant] => [m.name, dtype, m]),
);

describe('the suite catches every mutant of backend-ts with the check that guards it', () => {
  it('guards each mutant with at least one check', () => {
    const unguarded = MUTANTS.filter((m) => !checks.some((c) => m.guard.test(label(c))));
    expect(unguarded.map((m) => `${m.name}: ${m.guard}`)).toEqual([]);
    expect(MUTANTS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('%s (%s)', async (_, dtype, m) => {
    const failed = await failures(
      () => m.create(dtype),
      (c) => m.guard.test(label(c)),
    );
    expect(failed, `no check matching ${m.guard} failed`).not.toEqual([]);
  });
});

// Each runs the whole suite (20–40 s alone); while every package's tests share two cores
// (Chromium running GPU backends in software among them) one took past the 60 s default.
const WHOLE_SUITE_TIMEOUT = 300_000;

describe('no false alarms', () => {
  it.each(['float32', 'float64'] as const)(
    'the intact backend-ts (%s) passes every check',
    async (dtype) => {
      expect(await failures((o) => new TsBackend({ dtype, ...o }))).toEqual([]);
    },
    WHOLE_SUITE_TIMEOUT,
  );

  it(
    'the reference passes every check, with and without its fused kernels',
    async () => {
      expect(await failures(referenceBackend)).toEqual([]);
      expect(await failures(() => withoutFusedKernels(referenceBackend()))).toEqual([]);
    },
    WHOLE_SUITE_TIMEOUT,
  );
});

it('names the op, the shapes and the entry in its messages', async () => {
  const m = MUTANTS.find((x) => x.name.startsWith('matMul ignores transposeB'))!;
  const [first] = await failures(
    () => m.create('float64'),
    (c) => /^ops: matMul/.test(label(c)),
  );
  expect(first?.message).toMatch(/matMul/);
  expect(first?.message).toMatch(/\d+×\d+/);
  expect(first?.message).toMatch(/entry \(\d+, \d+\)/);
});
