import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createBackend } from '@twostep/backend-ts';
import { predict } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { workloadData } from '../src/data.js';
import { trainBrain } from '../src/peers/brain-js.js';
import type { PeerResult } from '../src/peers/common.js';
import { PEER_WORKLOADS, PEERS } from '../src/peers/index.js';
import { interpreters, trainTorch } from '../src/peers/pytorch.js';
import { twostepLayout, useBackend } from '../src/peers/tfjs.js';
import { autodiffGradient, twoStepGradient } from '../src/peers/tfjs-autodiff.js';
import { buildModel } from '../src/peers/tfjs-layers.js';
import type { Workload, WorkloadName } from '../src/protocol.js';
import { maxRelativeDifference } from '../src/stats.js';
import { TWOSTEP_TRAINERS } from '../src/twostep.js';
import { createNetwork, WORKLOAD_NAMES, WORKLOADS } from '../src/workloads.js';

/** A workload cut down to a tiny slice: one warm-up epoch and one timed one. */
const tiny = (name: WorkloadName, changes: Partial<Workload> = {}): Workload => ({
  ...WORKLOADS[name],
  epochs: 1,
  trainSize: 1000,
  testSize: 300,
  ...changes,
});

function expectWellFormed(result: PeerResult, trainer: string, w: Workload): void {
  expect(result.trainer).toBe(trainer);
  expect(result.workload).toBe(w.name);
  expect(result.peakRss).toBeGreaterThan(10 * 2 ** 20);
  // It crosses the process boundary as JSON.
  expect(JSON.parse(JSON.stringify(result))).toEqual(result);
}

describe('tfjs-layers starts from twostep’s initial weights', () => {
  it.each(['W1', 'W2'] as const)(
    '%s: the same initial outputs as @twostep/core predict',
    async (name) => {
      const w = tiny(name, { trainSize: 50, testSize: 0 });
      const inputs = workloadData(w).train.inputs;
      const expected = await predict(createBackend({ dtype: 'float64' }), createNetwork(w), inputs);
      for (const backend of ['cpu', 'wasm'] as const) {
        await useBackend(backend);
        const model = buildModel(w);
        const x = tf.tensor2d(
          inputs.flatMap((row) => Array.from(row)),
          [inputs.length, w.architecture[0]!],
        );
        const logits = model.predict(x) as tf.Tensor2D;
        const actual = (await logits.array()) as number[][];
        tf.dispose([x, logits]);
        model.dispose();
        let worst = 0;
        actual.forEach((row, i) => {
          row.forEach((v, j) => {
            worst = Math.max(worst, Math.abs(v - expected[i]![j]!));
          });
        });
        expect(worst, backend).toBeLessThan(1e-5);
        // Not trivially: the outputs vary.
        expect(new Set(actual.map((row) => row[0]!.toFixed(4))).size).toBeGreaterThan(10);
      }
    },
    // The first loads the digits and starts tfjs's cpu and wasm backends: 38 s in a CI run
    // where every package's tests share two cores (and Chromium runs WebGPU in software).
    300_000,
  );

  it('converts Dense gradients back to twostep’s layout', () => {
    // Kernel 2 inputs × 3 units, bias 3: W is 3 × 3, row i = [k[0][i], k[1][i], b[i]].
    const w = twostepLayout(Float32Array.of(1, 2, 3, 4, 5, 6), Float32Array.of(7, 8, 9));
    expect(Array.from(w)).toEqual([1, 4, 7, 2, 5, 8, 3, 6, 9]);
  });
});

describe('peers on a tiny slice', () => {
  it.each(['tfjs-layers-cpu', 'tfjs-layers-wasm', 'brain-js'])(
    '%s trains W1 to a sane accuracy and returns a well-formed Result',
    async (trainer) => {
      const w = tiny('W1');
      const before = tf.memory().numTensors;
      const result = (await PEERS[trainer]!(w, true)) as PeerResult;
      expectWellFormed(result, trainer, w);
      expect(result.samplesPerSecond).toBeGreaterThan(0);
      expect(result.stepMs).toBeGreaterThan(0);
      // Chance is 0.1; a few hundred steps from either start get well past it.
      expect(result.accuracy1).toBeGreaterThan(0.5);
      expect(result.accuracy1).toBeLessThanOrEqual(1);
      // After the last epoch (1 + epochs = 2), from the same start: not worse than after one.
      expect(result.accuracyLast).toBeGreaterThan(0.5);
      expect(result.gradientMs).toBeUndefined();
      // Every tensor it made is disposed.
      expect(tf.memory().numTensors).toBe(before);
    },
    // brain.js on W1 takes 2 s alone; 60 s was seen while the whole test suite ran on two cores.
    180_000,
  );

  it('tfjs-layers on cpu and wasm reach the same accuracy from the same start', async () => {
    const w = tiny('W1', { trainSize: 500 });
    const [cpu, wasm] = [
      await PEERS['tfjs-layers-cpu']!(w, true),
      await PEERS['tfjs-layers-wasm']!(w, true),
    ];
    expect(Math.abs(cpu.accuracy1! - wasm.accuracy1!)).toBeLessThanOrEqual(0.01);
  });

  it('W1 with four timed epochs reports the accuracy after the fifth', async () => {
    const w = tiny('W1', { epochs: 4, trainSize: 400, testSize: 200 });
    const result = await trainBrain('brain-js', w);
    expect(result.accuracyLast).toBeGreaterThan(0.5);
  });

  it.each(['tfjs-layers-cpu', 'brain-js'])(
    '%s runs W2 (64 inputs, tanh) and W3 (batch 1) without accuracy',
    async (trainer) => {
      for (const w of [
        tiny('W2', { trainSize: 200, testSize: 0 }),
        tiny('W3', { trainSize: 100, testSize: 0 }),
      ]) {
        const result = (await PEERS[trainer]!(w, true)) as PeerResult;
        expectWellFormed(result, trainer, w);
        expect(result.samplesPerSecond).toBeGreaterThan(0);
        expect(result.stepMs).toBeGreaterThan(0);
        expect(result.accuracy1).toBeUndefined();
      }
    },
  );

  it.each(['tfjs-autodiff-cpu', 'tfjs-autodiff-wasm'])(
    '%s times W4’s gradient, which matches the two-step rule’s',
    async (trainer) => {
      const w = { ...WORKLOADS.W4, repeats: 2 };
      const result = (await PEERS[trainer]!(w, true)) as PeerResult;
      expectWellFormed(result, trainer, w);
      expect(result.gradientMs?.autodiff).toBeGreaterThan(0);
      expect(result.maxRelativeDifference).toBeLessThan(1e-5);
      expect(result.samplesPerSecond).toBeUndefined();
    },
  );

  it('the autodiff gradient is not zero and has twostep’s shapes', async () => {
    const w = { ...WORKLOADS.W4, repeats: 1 };
    const { gradients } = await autodiffGradient('cpu', w);
    const reference = await twoStepGradient('cpu', w);
    expect(gradients.map((g) => g.length)).toEqual([128 * 785, 10 * 129]);
    expect(gradients.every((g) => g.some((v) => v !== 0))).toBe(true);
    expect(maxRelativeDifference(reference, gradients)).toBeLessThan(1e-5);
  });

  it('each peer says why a workload it does not measure does not apply', async () => {
    for (const [trainer, measured] of Object.entries(PEER_WORKLOADS)) {
      const other = WORKLOAD_NAMES.find((n) => !measured.includes(n));
      if (other === undefined) continue; // pytorch: all five
      const w = tiny(other, { trainSize: 64, testSize: 0 });
      const result = (await PEERS[trainer]!(w, true)) as PeerResult;
      expectWellFormed(result, trainer, w);
      expect(result.note).toMatch(/W4|autodiff|tfjs-layers/);
      expect(result.samplesPerSecond ?? result.gradientMs).toBeUndefined();
    }
  });
});

/** The first interpreter the peer would use that has torch, if any (CI has none). */
const torchPython = interpreters().find(
  (python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
);
const hasPython3 = spawnSync('python3', ['-c', ''], { stdio: 'ignore' }).status === 0;

describe('the pytorch peer without torch', () => {
  const w = tiny('W1', { trainSize: 64, testSize: 32 });

  it('is skipped, naming what it tried and how to get torch, when no interpreter exists', async () => {
    await expect(trainTorch('pytorch', 1, w, ['/nonexistent/python3'])).rejects.toMatchObject({
      name: 'PeerUnavailableError',
      message: expect.stringMatching(
        /^PyTorch not found \(tried \/nonexistent\/python3: not found\): install it with `apt-get install python3-torch` .*`pip install torch`/,
      ),
    });
  });

  it.runIf(hasPython3)('is skipped when the interpreter has no torch', async () => {
    // python3 without its site-packages (-S) nor the user's (-I): no torch, whatever is installed.
    const dir = mkdtempSync(join(tmpdir(), 'twostep-bench-test-'));
    const python = join(dir, 'python-without-torch');
    writeFileSync(python, '#!/bin/sh\nexec python3 -I -S "$@"\n', { mode: 0o755 });
    try {
      await expect(trainTorch('pytorch', 1, w, [python])).rejects.toMatchObject({
        name: 'PeerUnavailableError',
        message: expect.stringMatching(
          /python-without-torch: No module named 'torch'\): install it with `apt-get install python3-torch`/,
        ),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('looks in $TWOSTEP_BENCH_PYTHON first, then python3 on PATH, then /usr/bin/python3', () => {
    expect(interpreters({})).toEqual(['python3', '/usr/bin/python3']);
    expect(interpreters({ TWOSTEP_BENCH_PYTHON: '/opt/venv/bin/python' })).toEqual([
      '/opt/venv/bin/python',
      'python3',
      '/usr/bin/python3',
    ]);
  });
});

describe.runIf(torchPython)(`the pytorch peer (torch from ${torchPython})`, () => {
  /** Accuracies of the peer and of ts-float32 on the same workload: the same start and batches. */
  async function against(trainer: 'pytorch' | 'pytorch-threads', w: Workload) {
    const torch = (await PEERS[trainer]!(w, true)) as PeerResult;
    const ours = await TWOSTEP_TRAINERS['ts-float32']!(w, true);
    expectWellFormed(torch, trainer, w);
    expect(torch.samplesPerSecond).toBeGreaterThan(0);
    expect(torch.stepMs).toBeGreaterThan(0);
    expect(torch.note).toMatch(/^PyTorch \d/);
    // float32 sums in another order: a test sample or two may flip, no more.
    expect(Math.abs(torch.accuracy1! - ours.accuracy1!)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(torch.accuracyLast! - ours.accuracyLast!)).toBeLessThanOrEqual(0.01);
    return torch;
  }

  it('pytorch trains W1 on one thread to ts-float32’s accuracies', async () => {
    const result = await against('pytorch', tiny('W1', { trainSize: 600, testSize: 300 }));
    expect(result.threads).toBe(1);
    expect(result.accuracy1).toBeGreaterThan(0.5);
  });

  it('pytorch trains W2 (64 inputs, tanh, Xavier) to ts-float32’s accuracies', async () => {
    await against('pytorch', tiny('W2', { trainSize: 400, testSize: 300 }));
  });

  it('pytorch-threads trains W5 on every core to ts-float32’s accuracies', async () => {
    const result = await against('pytorch-threads', tiny('W5', { trainSize: 384, testSize: 200 }));
    expect(result.threads).toBe(cpus().length);
  });

  it('pytorch times W4’s autograd gradient, which matches the two-step rule’s', async () => {
    const w = { ...WORKLOADS.W4, repeats: 2 };
    const result = (await PEERS.pytorch!(w, true)) as PeerResult;
    expectWellFormed(result, 'pytorch', w);
    expect(result.gradientMs?.autograd).toBeGreaterThan(0);
    expect(result.maxRelativeDifference).toBeLessThan(1e-5);
  });
});
