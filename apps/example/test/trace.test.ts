import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConfigError,
  deserialize,
  LOSS_NAMES,
  ModelFormatError,
  Network,
  serialize,
} from '@twostep/core';
import { describe, expect, it, vi } from 'vitest';
import type { Io } from '../src/io.js';
import { runTrace, TRACE_USAGE } from '../src/trace.js';
import { builtInExample, type Trace } from '../src/trace-computation.js';
import { tempDir } from './helpers.js';
import { traced } from './trace-helpers.js';

/** Runs `twostep trace …args`: the lines it printed. */
async function run(args: string[], cwd = process.cwd(), trace = runTrace): Promise<string[]> {
  const stdout: string[] = [];
  const io: Io = { env: {}, cwd, stdout: (line) => stdout.push(line), stderr: () => {} };
  await trace(args, io);
  return stdout;
}

describe('twostep trace --json', () => {
  it('prints one stable object with every quantity of every layer', async () => {
    const lines = await run(['--json']);
    expect(lines).toHaveLength(1);
    const json = JSON.parse(lines[0]!);
    expect(Object.keys(json)).toEqual([
      'format',
      'version',
      'architecture',
      'bias',
      'loss',
      'input',
      'target',
      'X0',
      'layers',
      'J',
      'deltaUp0',
    ]);
    expect(json).toMatchObject({
      format: 'twostep-trace',
      version: 1,
      architecture: [2, 3, 1],
      bias: true,
      loss: 'difference',
      input: [0.5, -1],
      target: [1],
    });
    const [n0, n1, n2] = json.architecture as [number, number, number];
    expect(json.X0).toEqual([0.5, -1, 1]);
    expect(json.deltaUp0).toHaveLength(n0);
    const shapes = json.layers.map((l: Trace['layers'][0]) => ({
      keys: Object.keys(l),
      h: l.h,
      W: [l.W.length, l.W[0]!.length],
      gradient: [l.gradient.length, l.gradient[0]!.length],
      lengths: [l.Y.length, l.X.length, l.deltaUp.length, l.deltaDown.length],
    }));
    const keys = ['h', 'activation', 'W', 'Y', 'X', 'deltaUp', 'deltaDown', 'gradient'];
    expect(shapes).toEqual([
      { keys, h: 1, W: [n1, n0 + 1], gradient: [n1, n0 + 1], lengths: [n1, n1 + 1, n1, n1] },
      { keys, h: 2, W: [n2, n1 + 1], gradient: [n2, n1 + 1], lengths: [n2, n2, n2, n2] },
    ]);
    expect(json.layers[0].activation).toEqual(['tanh', 'sigmoid', 'softplus']);
    // The same numbers as the pure function.
    const { format: _f, version: _v, ...trace } = json;
    expect(trace).toEqual(await traced(builtInExample()));
  });

  it('--paper --json adds the 14 checks, all agreeing', async () => {
    const json = JSON.parse((await run(['--paper', '--json']))[0]!);
    expect(json.architecture).toEqual([1, 2, 1]);
    expect(json.paper.agree).toBe(true);
    expect(json.paper.checks).toHaveLength(14);
    expect(Object.keys(json.paper.checks[0])).toEqual([
      'entry',
      'against',
      'twoStep',
      'reference',
      'absolute',
      'relative',
      'agree',
    ]);
    expect(json.paper.checks.map((c: { against: string }) => c.against)).toEqual([
      ...Array(7).fill('closed form'),
      ...Array(7).fill('finite differences'),
    ]);
  });

  it('reads --model, --input, --target and --loss', async () => {
    const dir = await tempDir();
    const network = Network.create({
      architecture: 'A[3,2,2,2]',
      activations: [['tanh', 'softplus'], 'sigmoid', ['identity', 'tanh']],
      seed: 3,
    });
    await writeFile(join(dir, 'm.json'), serialize(network));
    const args = ['--model', 'm.json', '--input=-0.1,0.2,0.3', '--target', '0,1', '--loss', 'mse'];
    const json = JSON.parse((await run([...args, '--json'], dir))[0]!);
    const { format: _f, version: _v, ...trace } = json;
    const copy = deserialize(serialize(network));
    const setup = { network: copy, input: [-0.1, 0.2, 0.3], target: [0, 1], loss: 'mse' as const };
    expect(trace).toEqual(await traced(setup));
    const text = await run(args, dir);
    expect(text[0]).toBe('Trace of m.json');
    expect(text[1]).toMatch(/^A\[3,2,2,2\] with bias: X0 … X2 end with the formal neuron 1/);
  });
});

describe('twostep trace (text)', () => {
  /** The line of `symbol` in a table: `  symbol = formula = value`. */
  const lineOf = (lines: string[], symbol: string) => {
    const found = lines.filter((l) => l.startsWith(`  ${symbol} `));
    expect(found, symbol).toHaveLength(1);
    return found[0]!;
  };

  it('shows every layer in the paper’s symbols, with the formal neuron', async () => {
    const lines = await run([]);
    expect(lines.slice(0, 4)).toEqual([
      'Trace of the built-in network',
      'A[2,3,1] with bias: X0 and X1 end with the formal neuron 1 (after ┆), and the last column of Wh is its bias (Remark 1)',
      'σ1 = (tanh, sigmoid, softplus), σ2 = sigmoid (eq. 7); loss difference, f(x) = X2',
      'x = (0.5, -1)ᵀ, y = (1)ᵀ',
    ]);
    expect(lineOf(lines, 'X0')).toMatch(/= x ┆ 1 +=.* \(0\.5, -1 ┆ 1\)ᵀ$/);
    expect(lineOf(lines, 'W1')).toMatch(/= weights ┆ bias = │ +0\.6 +-0\.4 ┆ +0\.1 │$/);
    expect(lineOf(lines, 'Y1')).toMatch(/= W1 · X0 +=.* \(0\.8, -1\.15, 0\.1\)ᵀ$/);
    expect(lineOf(lines, 'X1')).toMatch(/= σ1\(Y1\) ┆ 1 += \([^┆]+ ┆ 1\)ᵀ$/);
    expect(lineOf(lines, 'Y2')).toMatch(/= W2 · X1 +=/);
    expect(lineOf(lines, 'X2')).toMatch(/= σ2\(Y2\) +=/);
    expect(lineOf(lines, 'J')).toMatch(/= Σ \(X2 − y\) +=/);
    expect(lineOf(lines, 'δup_2')).toMatch(/= ∂J\/∂X2 += \(1\)ᵀ$/);
    for (const h of [2, 1]) {
      expect(lineOf(lines, `δdown_${h}`)).toContain(`= δup_${h} ⊙ σ${h}'(Y${h})`);
      expect(lineOf(lines, `∂J/∂W${h}`)).toMatch(new RegExp(`= δdown_${h} · X${h - 1}ᵀ .*┆`));
      expect(lineOf(lines, `δup_${h - 1}`)).toContain(`= W♯${h}ᵀ · δdown_${h}`);
    }
    // W1 and ∂J/∂W1 take one line per neuron.
    const w1 = lines.indexOf(lineOf(lines, 'W1'));
    expect(lines.slice(w1 + 1, w1 + 3).every((l) => /^ +│.*┆.*│$/.test(l))).toBe(true);
    expect(lines).toContain('F-propagation (eq. 1, 20): X0 = x, Yh = Wh · X(h−1), Xh = σh(Yh)');
  });

  it('without bias there is no formal neuron and no W♯', async () => {
    const dir = await tempDir();
    const network = Network.create({ architecture: 'A[2,2,1]', bias: false, seed: 1 });
    await writeFile(join(dir, 'm.json'), serialize(network));
    const lines = await run(['--model', 'm.json', '--input', '1,2', '--target', '0'], dir);
    expect(lines[1]).toBe('A[2,2,1] without bias');
    expect(lines.join('\n')).not.toMatch(/[┆♯]/);
    expect(lineOf(lines, 'δup_0')).toContain('= W1ᵀ · δdown_1');
  });

  it('--paper states its setup, traces it, and checks δW1, δW2 two ways', async () => {
    const lines = await run(['--paper']);
    expect(lines.slice(0, 2)).toEqual([
      "The paper's Section 4.2: A[1,2,1], σ = sigmoid in both layers, J = f(x) − y, with",
      'W1 = [[0.8,-0.3],[-0.6,0.2]] (α1_ij), W2 = [[1.5,-0.7,0.1]] (α2_i), x = 0.5, y = 1 (our choice)',
    ]);
    for (const symbol of ['X0', 'Y1', 'X1', 'Y2', 'X2', 'δdown_1', '∂J/∂W1', 'δup_0']) {
      lineOf(lines, symbol);
    }
    const checks = lines.filter((l) => /^ {2}δW\d\[/.test(l));
    expect(checks).toHaveLength(14);
    expect(checks.every((l) => l.endsWith(' ok'))).toBe(true);
    expect(lines.at(-1)).toBe(
      "all 14 comparisons agree: the two-step rule gives Section 4.2's δW1 and δW2.",
    );
  });

  it('--help prints the options', async () => {
    expect(await run(['--help'])).toEqual([TRACE_USAGE]);
    expect(TRACE_USAGE).toContain('--paper');
  });
});

describe('twostep trace errors', () => {
  const fails = (args: string[], cwd?: string) => expect(run(args, cwd)).rejects;

  it('an unknown flag or argument is a ConfigError naming it', async () => {
    await fails(['--bogus']).toThrow(ConfigError);
    await fails(['--bogus']).toThrow(/trace: Unknown option '--bogus'/);
    await fails(['extra']).toThrow(/trace: Unexpected argument 'extra'/);
    await fails(['--input']).toThrow(/'--input <value>' argument missing/);
    // A first number below zero must be attached with '='.
    await fails(['--input', '-1,2']).toThrow(/--input=-XYZ/);
  });

  it('--input and --target of the wrong width name the flag and the width expected', async () => {
    await fails(['--input', '1,2,3']).toThrow(
      '--input: 3 numbers given, but the network has N0 = 2 inputs; give 2.',
    );
    await fails(['--target', '1,0']).toThrow(
      '--target: 2 numbers given, but the network has N2 = 1 outputs; give 1.',
    );
  });

  it('a value that is not a number names the flag and the value', async () => {
    await fails(['--input', '0.5,abc']).toThrow(ConfigError);
    await fails(['--input', '0.5,abc']).toThrow(
      '--input: "abc" is not a finite number; give 2 comma-separated numbers (N0 = 2 inputs).',
    );
    await fails(['--input', '0.5,']).toThrow('--input: "" is not a finite number');
    await fails(['--target', '1e999']).toThrow('--target: "1e999" is not a finite number');
    await fails(['--input', '0x1,2']).toThrow('--input: "0x1" is not a finite number');
  });

  it('an unknown --loss lists the losses', async () => {
    await fails(['--loss', 'hinge']).toThrow(
      `--loss: "hinge" is not a loss; use one of ${LOSS_NAMES.join(', ')}.`,
    );
  });

  it('an unreadable or invalid --model names the file and the problem', async () => {
    const dir = await tempDir();
    await fails(['--model', 'missing.json', '--input', '1', '--target', '1'], dir).toThrow(
      new RegExp(`trace: cannot read the model ${join(dir, 'missing.json')} \\(ENOENT\\)`),
    );
    await writeFile(
      join(dir, '.m.json.123.0123abcd.tmp'),
      serialize(Network.create({ architecture: 'A[2,2,1]' })),
    );
    await fails(['--model', '.m.json.123.0123abcd.tmp'], dir).toThrow(
      'is the temporary file of a save, not a model',
    );
    await writeFile(join(dir, 'bad.json'), '{ not json');
    await fails(['--model', 'bad.json'], dir).toThrow(ModelFormatError);
    await fails(['--model', 'bad.json'], dir).toThrow(
      /trace: the model .*bad\.json is not valid: the file is not valid JSON/,
    );
    const file = JSON.parse(serialize(Network.create({ architecture: 'A[2,2,1]' })));
    file.weights[0][1].pop();
    await writeFile(join(dir, 'short.json'), JSON.stringify(file));
    const error = await run(['--model', 'short.json'], dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as ModelFormatError).path).toBe('weights[0][1]');
    expect((error as Error).message).toContain(
      'short.json is not valid: weights[0][1] must be an array of 3 columns (N0 + 1 for the bias); it has 2. Train it again, or pass another --model.',
    );
  });

  it('--model needs --input and --target of its widths', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'm.json'), serialize(Network.create({ architecture: 'A[3,2,4]' })));
    await fails(['--model', 'm.json'], dir).toThrow(
      '--input: required with --model (A[3,2,4] has N0 = 3 inputs); give 3 comma-separated numbers.',
    );
    await fails(['--model', 'm.json', '--input', '1,2,3'], dir).toThrow(
      '--target: required with --model (A[3,2,4] has N2 = 4 outputs)',
    );
    await fails(['--model', 'm.json', '--input', '1,2'], dir).toThrow('N0 = 3 inputs; give 3.');
  });

  it('--paper takes no network, input, target or loss', async () => {
    await fails(['--paper', '--loss', 'mse']).toThrow(
      '--paper: the Section 4.2 example fixes the network, input, target and loss; drop --loss.',
    );
  });

  it('--paper fails with a TwoStepError when the F-adjoint disagrees with Section 4.2', async () => {
    // A core whose F-adjoint is off by 0.1% in ∂J/∂W1: both checks must catch it.
    vi.resetModules();
    vi.doMock('@twostep/core', async (importOriginal) => {
      const core = await importOriginal<typeof import('@twostep/core')>();
      const traceSample: typeof core.traceSample = async (...args) => {
        const t = await core.traceSample(...args);
        const [dW1, ...rest] = t.gradients;
        return { ...t, gradients: [dW1!.map((row) => row.map((g) => g * 1.001)), ...rest] };
      };
      return { ...core, traceSample };
    });
    try {
      const sabotaged = (await import('../src/trace.js')).runTrace;
      const error = await run(['--paper'], process.cwd(), sabotaged).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'TwoStepError' });
      expect((error as Error).message).toMatch(
        /^trace --paper: the two-step rule disagrees with Section 4.2 at δW1\[1,1\] \(closed form\), .*δW1\[2,2\] \(finite differences\)/,
      );
    } finally {
      vi.doUnmock('@twostep/core');
      vi.resetModules();
    }
  });
});
