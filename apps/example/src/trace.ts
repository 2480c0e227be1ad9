/**
 * `twostep trace`: the F-propagation and the F-adjoint of one sample through a small network,
 * step by step, in the paper's notation.
 *
 * Forward (eq. 1, 20):   X0 = x,   Yh = Wh · X(h−1),   Xh = σh(Yh),   h = 1…L.
 * Backward (eq. 5, 21, 22, 25):   δup_L = ∂J/∂XL,   δdown_h = δup_h ⊙ σh'(Yh),
 *     ∂J/∂Wh = δdown_h · X(h−1)ᵀ,   δup_(h−1) = W♯hᵀ · δdown_h,   h = L…1.
 * With bias on (Remark 1), X0 … X(L−1) end with the formal neuron 1, the last column of Wh is
 * its bias, and W♯h is Wh without that column (eq. 13). δup_0 = ∂J/∂x is the input gradient.
 *
 * `--paper` traces the Section 4.2 example A[1,2,1] and checks δW1, δW2 against the paper's
 * closed forms and against central finite differences.
 *
 * `--json` prints one line, a {@link TraceJson}: vectors are arrays (a column, top to bottom),
 * matrices are arrays of rows, `layers[h − 1]` is layer h. Everything is computed on
 * @twostep/backend-ts in float64 by the core's `fPropagate` and `fAdjoint`.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createBackend } from '@twostep/backend-ts';
import {
  type Backend,
  ConfigError,
  deserialize,
  fPropagate,
  type LayerActivation,
  LOSS_NAMES,
  type LossName,
  losses,
  ModelFormatError,
  Network,
  TwoStepError,
  tidy,
  toModelFile,
  traceSample,
  tracked,
} from '@twostep/core';
import type { Io } from './main.js';

/** What to trace: a network, one input x (N0 numbers), its target y (NL numbers), a loss. */
export interface TraceSetup {
  readonly network: Network;
  readonly input: readonly number[];
  readonly target: readonly number[];
  readonly loss: LossName;
}

/** Layer h of a trace. Vectors are columns; with bias on, matrices end with the bias column. */
export interface LayerTrace {
  readonly h: number;
  /** σh: one activation, or a family with one per neuron (eq. 7). */
  readonly activation: LayerActivation;
  /** Wh, Nh × (N(h−1) + 1 with bias). */
  readonly W: number[][];
  /** Yh = Wh · X(h−1). */
  readonly Y: number[];
  /** Xh = σh(Yh), then the formal neuron 1 when h < L and bias is on. */
  readonly X: number[];
  /** δup_h = ∂J/∂Xh (genuine neurons only). */
  readonly deltaUp: number[];
  /** δdown_h = δup_h ⊙ σh'(Yh) = ∂J/∂Yh (eq. 5). */
  readonly deltaDown: number[];
  /** ∂J/∂Wh = δdown_h · X(h−1)ᵀ (eq. 22), in the layout of Wh. */
  readonly gradient: number[][];
}

export interface Trace {
  /** [N0, …, NL]. */
  readonly architecture: number[];
  readonly bias: boolean;
  readonly loss: LossName;
  /** x. */
  readonly input: number[];
  /** y. */
  readonly target: number[];
  /** X0: x, then the formal neuron 1 when bias is on. */
  readonly X0: number[];
  /** Layers h = 1…L. */
  readonly layers: LayerTrace[];
  /** J(f(x), y), f(x) = XL. */
  readonly J: number;
  /** δup_0 = W♯1ᵀ · δdown_1 = ∂J/∂x, the input gradient. */
  readonly deltaUp0: number[];
}

/** One entry of ∂J/∂Wh from the two-step rule against a reference value. */
export interface Comparison {
  /** For example `δW1[2,1]`, 1-based like the paper's α1_21. */
  readonly entry: string;
  readonly against: 'closed form' | 'finite differences';
  readonly twoStep: number;
  readonly reference: number;
  readonly absolute: number;
  /** |Δ| / max(|two-step|, |reference|), 0 when both are 0. */
  readonly relative: number;
  readonly agree: boolean;
}

/** The line `--json` prints: the {@link Trace}, tagged, plus the checks under `--paper`. */
export interface TraceJson extends Trace {
  readonly format: 'twostep-trace';
  readonly version: 1;
  readonly paper?: { readonly checks: Comparison[]; readonly agree: boolean };
}

/** Tolerances of `--paper`: closed forms in float64, and five-point central differences. */
export const CLOSED_FORM_TOLERANCE = 1e-12;
export const FINITE_DIFFERENCE_TOLERANCE = 1e-7;
const FD_STEP = 1e-3;

// ───────────────────────────── the computation ─────────────────────────────

/**
 * The F-propagation and F-adjoint of `setup` on `backend`, read back to the host. Frees every
 * matrix it creates, and the network's copy of its weights on `backend`.
 */
export async function traceNetwork(backend: Backend, setup: TraceSetup): Promise<Trace> {
  const { network: net, loss } = setup;
  try {
    const t = await traceSample(backend, net, setup.input, setup.target, loss);
    const specs = net.activationSpecs;
    return {
      architecture: [...net.architecture],
      bias: net.bias,
      loss,
      input: [...setup.input],
      target: [...setup.target],
      X0: t.X[0]!,
      layers: net.getWeights().map((w, i) => ({
        h: i + 1,
        activation: specs[i]!,
        W: w,
        Y: t.Y[i]!,
        X: t.X[i + 1]!,
        deltaUp: t.deltaUp[i + 1]!,
        deltaDown: t.deltaDown[i]!,
        gradient: t.gradients[i]!,
      })),
      J: t.J,
      deltaUp0: t.deltaUp[0]!,
    };
  } finally {
    net.release(backend);
  }
}

/** J(f(x), y) of `setup` on `backend` (the F-propagation only). */
async function lossOf(backend: Backend, setup: TraceSetup): Promise<number> {
  const k = tracked(backend);
  const J = tidy(backend, () => {
    const F = fPropagate(k, setup.network, k.fromArray(setup.input, setup.input.length, 1));
    const y = k.fromArray(setup.target, setup.target.length, 1);
    return losses[setup.loss].forward(k, F.X.at(-1)!, y, 'sum').J;
  });
  try {
    return (await backend.read(J))[0]!;
  } finally {
    backend.dispose(J);
  }
}

/**
 * ∂J/∂Wh by central differences of J on the five-point stencil, (−J(w+2s) + 8J(w+s) −
 * 8J(w−s) + J(w−2s)) / 12s with s = 1e-3: truncation O(s⁴) and rounding ≈ ε/s are both near
 * 1e-13 in float64. Independent of the F-adjoint: only the F-propagation is used.
 */
export async function finiteDifferences(
  backend: Backend,
  setup: TraceSetup,
): Promise<number[][][]> {
  const probe = deserialize(toModelFile(setup.network)); // a copy whose weights we move
  const weights = probe.getWeights();
  const at = (row: number[], j: number, w: number) => {
    row[j] = w;
    probe.setWeights(weights);
    return lossOf(backend, { ...setup, network: probe });
  };
  try {
    const result: number[][][] = [];
    for (const W of weights) {
      const dW: number[][] = [];
      for (const row of W) {
        const dRow: number[] = [];
        for (const [j, w] of row.entries()) {
          const [p2, p1, m1, m2] = [
            await at(row, j, w + 2 * FD_STEP),
            await at(row, j, w + FD_STEP),
            await at(row, j, w - FD_STEP),
            await at(row, j, w - 2 * FD_STEP),
          ];
          row[j] = w;
          dRow.push((-p2 + 8 * p1 - 8 * m1 + m2) / (12 * FD_STEP));
        }
        dW.push(dRow);
      }
      result.push(dW);
    }
    return result;
  } finally {
    probe.release(backend);
  }
}

// ───────────────────────────── the examples ─────────────────────────────

/**
 * The paper's Section 4.2: A[1,2,1], σ = sigmoid in both layers, J = f(x) − y. The weights,
 * x and y are ours (the paper keeps them symbolic): W1 = (α1_ij), W2 = (α2_i).
 */
export function paperExample(): TraceSetup {
  const network = Network.create({ architecture: [1, 2, 1], activation: 'sigmoid' });
  network.setWeights([
    [
      [0.8, -0.3],
      [-0.6, 0.2],
    ],
    [[1.5, -0.7, 0.1]],
  ]);
  return { network, input: [0.5], target: [1], loss: 'difference' };
}

/** The network traced without `--model`: A[2,3,1] with bias and a per-neuron family (eq. 7). */
export function builtInExample(): TraceSetup {
  const network = Network.create({
    architecture: [2, 3, 1],
    activations: [['tanh', 'sigmoid', 'softplus'], 'sigmoid'],
  });
  network.setWeights([
    [
      [0.6, -0.4, 0.1],
      [-0.3, 0.8, -0.2],
      [0.5, 0.2, 0.05],
    ],
    [[0.7, -1.1, 0.4, 0.3]],
  ]);
  return { network, input: [0.5, -1], target: [1], loss: 'difference' };
}

/**
 * δW1 and δW2 of Section 4.2 by the differential calculus rules, for A[1,2,1] with
 * σ = sigmoid and J = f(x) − y (the setup of {@link paperExample}):
 *
 *     y1_11 = α1_11 x + α1_12,   y1_21 = α1_21 x + α1_22,
 *     y2 = α2_1 σ(y1_11) + α2_2 σ(y1_21) + α2_3,
 *     δW2 = (σ'(y2)σ(y1_11), σ'(y2)σ(y1_21), σ'(y2)),
 *     δW1 = (α2_i x σ'(y1_i1)σ'(y2), α2_i σ'(y1_i1)σ'(y2)),  i = 1, 2.
 */
export function paperClosedForms(setup: TraceSetup): number[][][] {
  const [W1, W2] = setup.network.getWeights() as [number[][], number[][]];
  const x = setup.input[0]!;
  const a = W2[0]!; // α2_1, α2_2, α2_3
  const s = (t: number) => 1 / (1 + Math.exp(-t));
  const ds = (t: number) => s(t) * (1 - s(t));
  const y1 = W1.map((row) => row[0]! * x + row[1]!); // y1_11, y1_21
  const y2 = a[0]! * s(y1[0]!) + a[1]! * s(y1[1]!) + a[2]!;
  return [
    y1.map((v, i) => [a[i]! * x * ds(v) * ds(y2), a[i]! * ds(v) * ds(y2)]),
    [[ds(y2) * s(y1[0]!), ds(y2) * s(y1[1]!), ds(y2)]],
  ];
}

/** Each entry of the gradients against `reference`, with its tolerance. */
export function compareGradients(
  twoStep: readonly number[][][],
  reference: readonly number[][][],
  against: Comparison['against'],
): Comparison[] {
  return twoStep.flatMap((W, h) =>
    W.flatMap((row, i) =>
      row.map((a, j) => {
        const b = reference[h]?.[i]?.[j] ?? Number.NaN;
        const absolute = Math.abs(a - b);
        const scale = Math.max(Math.abs(a), Math.abs(b));
        const relative = scale === 0 ? absolute : absolute / scale;
        const agree =
          against === 'closed form'
            ? absolute <= CLOSED_FORM_TOLERANCE
            : relative <= FINITE_DIFFERENCE_TOLERANCE;
        const entry = `δW${h + 1}[${i + 1},${j + 1}]`;
        return { entry, against, twoStep: a, reference: b, absolute, relative, agree };
      }),
    ),
  );
}

// ───────────────────────────── the text ─────────────────────────────

/** Six significant digits: enough to follow the numbers by hand. */
const num = (v: number) => {
  const s = String(Number(v.toPrecision(6)));
  return s === '-0' ? '0' : s;
};

/** A column as (a, b ┆ 1)ᵀ: after ┆, the formal neuron (Remark 1). */
const vector = (v: readonly number[], formal = false) =>
  formal
    ? `(${v.slice(0, -1).map(num).join(', ')} ┆ ${num(v.at(-1)!)})ᵀ`
    : `(${v.map(num).join(', ')})ᵀ`;

/** A matrix, one line per row, columns aligned; after ┆, the bias column. */
function matrix(m: readonly number[][], formal: boolean): string[] {
  const cells = m.map((row) => row.map(num));
  const widths = cells[0]!.map((_, j) => Math.max(...cells.map((row) => row[j]!.length)));
  return cells.map((row) => {
    const padded = row.map((c, j) => c.padStart(widths[j]!));
    const body = formal
      ? `${padded.slice(0, -1).join('  ')} ┆ ${padded.at(-1)}`
      : padded.join('  ');
    return `│ ${body} │`;
  });
}

const showActivation = (spec: LayerActivation): string => {
  if (Array.isArray(spec)) return `(${(spec as LayerActivation[]).map(showActivation).join(', ')})`;
  if (typeof spec === 'string') return spec;
  const { name, alpha } = spec as { name: string; alpha?: number };
  return name === 'leakyRelu' ? `leakyRelu(α = ${alpha ?? 0.01})` : name;
};

/** J of each loss (as the core defines it), with XL spelled for depth L. */
const LOSS_FORMULAS: Record<LossName, (xL: string) => string> = {
  difference: (xL) => `Σ (${xL} − y)`, // the paper's J = f(x) − y (Section 4)
  mse: (xL) => `½ ‖${xL} − y‖²`,
  binaryCrossEntropy: (xL) => `−Σ [y log ${xL} + (1 − y) log(1 − ${xL})]`,
  softmaxCrossEntropy: (xL) => `−Σ y log softmax(${xL})`,
};

/** Rows of (symbol, formula, value lines) as aligned text: `symbol = formula = value`. */
function table(entries: readonly [string, string, string[]][]): string[] {
  const w1 = Math.max(...entries.map((e) => e[0].length));
  const w2 = Math.max(...entries.map((e) => e[1].length));
  return entries.flatMap(([symbol, formula, [first, ...rest]]) => [
    `  ${symbol.padEnd(w1)} = ${formula.padEnd(w2)} = ${first}`,
    ...rest.map((line) => `  ${' '.repeat(w1 + w2 + 6)}${line}`),
  ]);
}

/** The trace as text: a header, the F-propagation, then the F-adjoint. */
export function formatTrace(t: Trace): string[] {
  const L = t.layers.length;
  const b = t.bias;
  const hidden = L === 1 ? 'X0' : L === 2 ? 'X0 and X1' : `X0 … X${L - 1}`;
  const forward: [string, string, string[]][] = [['X0', b ? 'x ┆ 1' : 'x', [vector(t.X0, b)]]];
  const backward: [string, string, string[]][] = [
    [`δup_${L}`, `∂J/∂X${L}`, [vector(t.layers[L - 1]!.deltaUp)]],
  ];
  for (const l of t.layers) {
    const { h } = l;
    const formal = b && h < L;
    forward.push(
      [`W${h}`, b ? 'weights ┆ bias' : 'weights', matrix(l.W, b)],
      [`Y${h}`, `W${h} · X${h - 1}`, [vector(l.Y)]],
      [`X${h}`, formal ? `σ${h}(Y${h}) ┆ 1` : `σ${h}(Y${h})`, [vector(l.X, formal)]],
    );
  }
  forward.push(['J', LOSS_FORMULAS[t.loss](`X${L}`), [num(t.J)]]);
  for (const l of [...t.layers].reverse()) {
    const { h } = l;
    const below = h === 1 ? t.deltaUp0 : t.layers[h - 2]!.deltaUp;
    backward.push(
      [`δdown_${h}`, `δup_${h} ⊙ σ${h}'(Y${h})`, [vector(l.deltaDown)]],
      [`∂J/∂W${h}`, `δdown_${h} · X${h - 1}ᵀ`, matrix(l.gradient, b)],
      [`δup_${h - 1}`, `W${b ? '♯' : ''}${h}ᵀ · δdown_${h}`, [vector(below)]],
    );
  }
  return [
    `A[${t.architecture}] ${b ? `with bias: ${hidden} end with the formal neuron 1 (after ┆), and the last column of Wh is its bias (Remark 1)` : 'without bias'}`,
    `${t.layers.map((l) => `σ${l.h} = ${showActivation(l.activation)}`).join(', ')} (eq. 7); loss ${t.loss}, f(x) = X${L}`,
    `x = ${vector(t.input)}, y = ${vector(t.target)}`,
    '',
    `F-propagation (eq. 1, 20): X0 = x, Yh = Wh · X(h−1), Xh = σh(Yh)`,
    ...table(forward),
    '',
    `F-adjoint (eq. 5, 21, 22, 25): δdown_h = δup_h ⊙ σh'(Yh), ∂J/∂Wh = δdown_h · X(h−1)ᵀ, δup_(h−1) = W${b ? '♯' : ''}hᵀ · δdown_h${b ? ' (W♯h: Wh without its bias column, eq. 13)' : ''}`,
    ...table(backward),
    `  where δup_0 = ∂J/∂x is the gradient with respect to the input.`,
  ];
}

/** The Section 4.2 closed forms, as the paper writes them. */
const CLOSED_FORMS = [
  "Section 4.2 by the differential calculus rules (σ = sigmoid, σ' = σ(1 − σ), α1_ij = W1[i,j], α2_i = W2[1,i]):",
  '  y1_11 = α1_11·x + α1_12,  y1_21 = α1_21·x + α1_22,  y2 = α2_1·σ(y1_11) + α2_2·σ(y1_21) + α2_3',
  "  δW2 = (σ'(y2)σ(y1_11), σ'(y2)σ(y1_21), σ'(y2))",
  "  δW1 = │ α2_1·x·σ'(y1_11)σ'(y2)  α2_1·σ'(y1_11)σ'(y2) │",
  "        │ α2_2·x·σ'(y1_21)σ'(y2)  α2_2·σ'(y1_21)σ'(y2) │",
];

/** The comparisons as a table, and a last line saying whether all agree. */
export function formatChecks(checks: readonly Comparison[]): string[] {
  const e = (v: number) => (v === 0 ? '0' : v.toExponential(1));
  const head = ['entry', 'two-step rule', 'reference', '|Δ|', 'relative', 'against', ''];
  const cells = checks.map((c) => [
    c.entry,
    String(c.twoStep),
    String(c.reference),
    e(c.absolute),
    e(c.relative),
    c.against,
    c.agree ? 'ok' : 'DISAGREE',
  ]);
  const widths = head.map((h, j) => Math.max(h.length, ...cells.map((row) => row[j]!.length)));
  const line = (row: string[]) =>
    `  ${row.map((c, j) => c.padEnd(widths[j]!)).join('  ')}`.trimEnd();
  const off = checks.filter((c) => !c.agree);
  return [
    `Checks: closed form within |Δ| ≤ ${CLOSED_FORM_TOLERANCE}; five-point central differences (step ${FD_STEP}) within relative ${FINITE_DIFFERENCE_TOLERANCE}`,
    line(head),
    ...cells.map(line),
    off.length === 0
      ? `all ${checks.length} comparisons agree: the two-step rule gives Section 4.2's δW1 and δW2.`
      : `${off.length} of ${checks.length} comparisons disagree: ${off.map((c) => `${c.entry} (${c.against})`).join(', ')}.`,
  ];
}

// ───────────────────────────── the command ─────────────────────────────

export const TRACE_USAGE = `Usage: twostep trace [options]

Prints the F-propagation and the F-adjoint of one sample through a small network, step by step.

Options:
  --model <file>     a model file (as 'twostep train' writes); default: a built-in A[2,3,1]
  --input <x1,…>     the input x, N0 comma-separated numbers (built-in default 0.5,-1;
                     a first number below zero needs '=': --input=-1,2)
  --target <y1,…>    the target y, NL numbers (built-in default 1)
  --loss <name>      ${LOSS_NAMES.join(', ')} (default difference)
  --paper            the paper's Section 4.2 example A[1,2,1], checked against its closed forms
                     and against finite differences
  --json             print the trace as one JSON object
  -h, --help         show this help`;

const FLAGS = {
  model: { type: 'string' },
  input: { type: 'string' },
  target: { type: 'string' },
  loss: { type: 'string' },
  paper: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = {
  [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]['type'] extends 'string' ? string : boolean;
};

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** `--flag a,b,…` as `width` finite numbers; errors name the flag and the width expected. */
function numbers(flag: string, text: string, width: number, what: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  for (const part of parts) {
    if (!NUMBER.test(part) || !Number.isFinite(Number(part))) {
      throw new ConfigError(
        `--${flag}: ${JSON.stringify(part)} is not a finite number; give ${width} comma-separated numbers (${what}).`,
      );
    }
  }
  if (parts.length !== width) {
    throw new ConfigError(
      `--${flag}: ${parts.length} number${parts.length === 1 ? '' : 's'} given, but the network has ${what}; give ${width}.`,
    );
  }
  return parts.map(Number);
}

/** The network of `--model`; errors name the flag and the file. */
async function readModel(file: string, cwd: string): Promise<Network> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `--model: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); pass a model file as 'twostep train' writes.`,
    );
  }
  try {
    return deserialize(text);
  } catch (error) {
    if (error instanceof ModelFormatError) {
      throw new ModelFormatError(`--model ${path}: ${error.message}`, error.path);
    }
    throw error;
  }
}

/** The setup the flags describe: the built-in network, or `--model` with `--input`, `--target`. */
async function setupOf(flags: Flags, cwd: string): Promise<TraceSetup> {
  const loss = flags.loss ?? 'difference';
  if (!(LOSS_NAMES as readonly string[]).includes(loss)) {
    throw new ConfigError(
      `--loss: ${JSON.stringify(loss)} is not a loss; use one of ${LOSS_NAMES.join(', ')}.`,
    );
  }
  const builtIn = flags.model === undefined ? builtInExample() : undefined;
  const network = builtIn?.network ?? (await readModel(flags.model!, cwd));
  const arch = network.architecture;
  const L = arch.length - 1;
  const value = (flag: 'input' | 'target', fallback?: readonly number[]) => {
    const width = arch[flag === 'input' ? 0 : L]!;
    const what = flag === 'input' ? `N0 = ${width} inputs` : `N${L} = ${width} outputs`;
    const text = flags[flag];
    if (text !== undefined) return numbers(flag, text, width, what);
    if (fallback) return [...fallback];
    throw new ConfigError(
      `--${flag}: required with --model (A[${arch}] has ${what}); give ${width} comma-separated numbers.`,
    );
  };
  return {
    network,
    input: value('input', builtIn?.input),
    target: value('target', builtIn?.target),
    loss: loss as LossName,
  };
}

/** `twostep trace [options]`: `argv` is what follows `trace`. */
export async function runTrace(argv: readonly string[], io: Io): Promise<void> {
  let flags: Flags;
  try {
    flags = parseArgs({ args: [...argv], options: FLAGS, strict: true }).values;
  } catch (error) {
    // Node's ERR_PARSE_ARGS_* messages name the flag.
    throw new ConfigError(`trace: ${(error as Error).message}\nRun 'twostep trace --help'.`);
  }
  if (flags.help) {
    io.stdout(TRACE_USAGE);
    return;
  }
  if (flags.paper) {
    const fixed = (['model', 'input', 'target', 'loss'] as const).find(
      (f) => flags[f] !== undefined,
    );
    if (fixed) {
      throw new ConfigError(
        `--paper: the Section 4.2 example fixes the network, input, target and loss; drop --${fixed}.`,
      );
    }
  }
  const setup = flags.paper ? paperExample() : await setupOf(flags, io.cwd);
  const backend = createBackend({ dtype: 'float64' });
  const trace = await traceNetwork(backend, setup);
  const json = (extra?: TraceJson['paper']) =>
    io.stdout(
      JSON.stringify({
        format: 'twostep-trace',
        version: 1,
        ...trace,
        ...(extra && { paper: extra }),
      }),
    );
  const origin = flags.model === undefined ? 'the built-in network' : flags.model;
  if (!flags.paper) {
    if (flags.json) json();
    else for (const line of [`Trace of ${origin}`, ...formatTrace(trace)]) io.stdout(line);
    return;
  }
  const gradients = trace.layers.map((l) => l.gradient);
  const checks = [
    ...compareGradients(gradients, paperClosedForms(setup), 'closed form'),
    ...compareGradients(gradients, await finiteDifferences(backend, setup), 'finite differences'),
  ];
  const agree = checks.every((c) => c.agree);
  if (flags.json) json({ checks, agree });
  else {
    const [W1, W2] = setup.network.getWeights();
    const lines = [
      "The paper's Section 4.2: A[1,2,1], σ = sigmoid in both layers, J = f(x) − y, with",
      `W1 = ${JSON.stringify(W1)} (α1_ij), W2 = ${JSON.stringify(W2)} (α2_i), x = ${setup.input[0]}, y = ${setup.target[0]} (our choice)`,
      '',
      ...formatTrace(trace),
      '',
      ...CLOSED_FORMS,
      '',
      ...formatChecks(checks),
    ];
    for (const line of lines) io.stdout(line);
  }
  if (!agree) {
    const off = checks.filter((c) => !c.agree).map((c) => `${c.entry} (${c.against})`);
    throw new TwoStepError(
      `trace --paper: the two-step rule disagrees with Section 4.2 at ${off.join(', ')}; the core's F-adjoint is wrong.`,
    );
  }
}
