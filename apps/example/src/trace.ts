/**
 * `twostep trace`: the F-propagation and the F-adjoint of one sample through a small network,
 * step by step, in the paper's notation (computed in trace-computation.ts, written out in
 * trace-text.ts).
 *
 * `--paper` traces the Section 4.2 example A[1,2,1] and checks δW1, δW2 against the paper's
 * closed forms and against central finite differences.
 *
 * `--json` prints one line, a {@link TraceJson}: vectors are arrays (a column, top to bottom),
 * matrices are arrays of rows, `layers[h − 1]` is layer h. Everything is computed on
 * @twostep/backend-ts in float64 by the core's `fPropagate` and `fAdjoint`.
 */
import { resolve } from 'node:path';
import { createBackend } from '@twostep/backend-ts';
import { type Backend, ConfigError, LOSS_NAMES, type LossName, TwoStepError } from '@twostep/core';
import { shown } from '@twostep/core/check';
import { closeBackend } from './backends.js';
import { readModel } from './files.js';
import { commandFlags } from './flags.js';
import type { Io } from './io.js';
import {
  builtInExample,
  compareGradients,
  finiteDifferences,
  paperClosedForms,
  paperExample,
  type TraceJson,
  type TraceSetup,
  traceNetwork,
} from './trace-computation.js';
import { CLOSED_FORMS, formatChecks, formatTrace } from './trace-text.js';

export const TRACE_USAGE = `Usage: twostep trace [options]

Prints the F-propagation and the F-adjoint of one sample through a small network, step by step.

Options:
  --model <file>     a model file (as 'twostep train' writes, an .onnx file or a TensorFlow.js
                     Layers model.json); default: a built-in A[2,3,1]
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
        `--${flag}: ${shown(part)} is not a finite number; give ${width} comma-separated numbers (${what}).`,
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

/** The setup the flags describe: the built-in network, or `--model` with `--input`, `--target`. */
async function setupOf(flags: Flags, cwd: string): Promise<TraceSetup> {
  const loss = flags.loss ?? 'difference';
  if (!(LOSS_NAMES as readonly string[]).includes(loss)) {
    throw new ConfigError(
      `--loss: ${shown(loss)} is not a loss; use one of ${LOSS_NAMES.join(', ')}.`,
    );
  }
  const builtIn = flags.model === undefined ? builtInExample() : undefined;
  const network = builtIn?.network ?? (await readModel(resolve(cwd, flags.model!), 'trace'));
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
  const flags: Flags | undefined = commandFlags('trace', argv, FLAGS, TRACE_USAGE, io);
  if (!flags) return;
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
  try {
    await traceOn(backend, setup, flags, io);
  } finally {
    closeBackend(backend);
  }
}

/** Traces `setup` on `backend`, and with --paper checks it against Section 4.2. */
async function traceOn(backend: Backend, setup: TraceSetup, flags: Flags, io: Io): Promise<void> {
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
