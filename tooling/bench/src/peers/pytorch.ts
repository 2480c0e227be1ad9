/**
 * The PyTorch peer: `pytorch.py` (next to this file's source) run by a Python that has torch,
 * on one thread (`pytorch`) or all cores (`pytorch-threads`). Not an npm package: it runs where
 * the machine has PyTorch and is skipped elsewhere (CI), with how to get it.
 *
 * The interpreter: the first of $TWOSTEP_BENCH_PYTHON, `python3`, `/usr/bin/python3` in which
 * torch is found. It gets what the tfjs-layers peer gets in-process: twostep's initial weights
 * (`initialWeights`) and the workload's rows in training order (`workloadData`), written once
 * to a temporary file as float32 (8,000 × 784 digits are 25 MB; JSON would be 4 times that and
 * slow to parse), with a JSON spec beside it. Training time, accuracies, the thread count and
 * the peak RSS are the Python process's own.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workloadData } from '../data.js';
import { twoStepGradient } from '../gradient.js';
import { lastLine, runProcess } from '../process.js';
import type { Workload } from '../protocol.js';
import { maxRelativeDifference } from '../stats.js';
import { close, tsBackend } from '../threads.js';
import { initialWeights } from '../workloads.js';
import { type PeerResult, PeerUnavailableError, speed } from './common.js';

/**
 * The script, read from src/ both when this module runs from src/ (tests) and from dist/
 * (`pnpm bench`): both are two folders below the package, and tsc copies no .py to dist.
 */
export const SCRIPT = fileURLToPath(new URL('../../src/peers/pytorch.py', import.meta.url));

/** pytorch.py's exit code when `import torch` fails. */
export const EXIT_NO_TORCH = 3;

export const INSTALL_HINT =
  'install it with `apt-get install python3-torch` (Debian, Ubuntu) or `pip install torch`, or set TWOSTEP_BENCH_PYTHON to a Python that has it';

/** Where to look for a Python with torch, in order (the `python3` on PATH may be a pyenv one without it). */
export const PYTHON_CANDIDATES = ['python3', '/usr/bin/python3'] as const;

/** The interpreters tried, in order: $TWOSTEP_BENCH_PYTHON first when set, then PYTHON_CANDIDATES. */
export const interpreters = (env: NodeJS.ProcessEnv = process.env): string[] => [
  ...new Set([
    ...(env.TWOSTEP_BENCH_PYTHON ? [env.TWOSTEP_BENCH_PYTHON] : []),
    ...PYTHON_CANDIDATES,
  ]),
];

export type TorchThreads = 1 | 'all';

/** What pytorch.py prints on its last line. */
interface TorchOutput {
  readonly torch: string;
  readonly threads: number;
  readonly interopThreads: number;
  readonly blas: string;
  readonly peakRss: number;
  readonly seconds?: number;
  readonly accuracy1?: number | null;
  readonly accuracyLast?: number | null;
  readonly gradientMs?: number;
}

/** Finds torch without importing it (tens of milliseconds, against seconds for the import). */
const PROBE = `import importlib.util, sys
if importlib.util.find_spec('torch') is None:
    sys.exit("No module named 'torch'")`;

/**
 * The first of `candidates` that has torch, found before any data is prepared, so that a
 * machine without it (CI) skips in a moment. None has it: a PeerUnavailableError naming each
 * one tried and why, and how to get torch.
 */
export async function findTorch(candidates: readonly string[] = interpreters()): Promise<string> {
  const tried: string[] = [];
  for (const python of candidates) {
    const exit = await runProcess(python, ['-c', PROBE]);
    if (exit?.code === 0) return python;
    tried.push(`${python}: ${exit ? lastLine(exit.stderr) : 'not found'}`);
  }
  throw unavailable(tried);
}

const unavailable = (tried: readonly string[]) =>
  new PeerUnavailableError(`PyTorch not found (tried ${tried.join('; ')}): ${INSTALL_HINT}.`);

/** pytorch.py on `spec` by `python`; its output, or why it failed (torch that does not import: skipped). */
async function runTorch(python: string, spec: string): Promise<TorchOutput> {
  const exit = await runProcess(python, [SCRIPT, spec]);
  if (exit?.code === EXIT_NO_TORCH) throw unavailable([`${python}: ${lastLine(exit.stderr)}`]);
  if (exit?.code !== 0) {
    const why = exit ? `exited with ${exit.code}:\n${exit.stderr.trim()}` : 'vanished';
    throw new Error(`${python} ${SCRIPT} ${why}`);
  }
  return JSON.parse(lastLine(exit.stdout)) as TorchOutput;
}

/** Row-major float32 arrays, one after the other, and their names and shapes for the spec. */
function pack(arrays: readonly [string, readonly ArrayLike<number>[]][]) {
  const total = arrays.reduce((n, [, rows]) => n + rows.length * (rows[0]?.length ?? 0), 0);
  const data = new Float32Array(total);
  let offset = 0;
  const shapes = arrays.map(([name, rows]) => {
    const width = rows[0]?.length ?? 0;
    rows.forEach((row, i) => {
      data.set(row, offset + i * width);
    });
    offset += rows.length * width;
    return { name, shape: [rows.length, width] };
  });
  return { data, shapes };
}

/** Labels as a column of float32 (pytorch.py makes them int64 class indices). */
const column = (labels: Uint8Array): number[][] => Array.from(labels, (l) => [l]);

/**
 * W1–W5 on PyTorch: trains (W1–W3, W5: one warm-up epoch, `epochs` timed) or times W4's
 * gradient by autograd against the two-step rule's on backend-ts float32.
 */
export async function trainTorch(
  trainer: string,
  threads: TorchThreads,
  w: Workload,
  candidates?: readonly string[],
): Promise<PeerResult> {
  const python = await findTorch(candidates);
  const dir = mkdtempSync(join(tmpdir(), 'twostep-bench-torch-'));
  try {
    const { train, test } = workloadData(w);
    const gradient = w.name === 'W4';
    const arrays: [string, readonly ArrayLike<number>[]][] = [
      ...initialWeights(w).map((wh, h) => [`W${h + 1}`, wh] as [string, number[][]]),
      ['x', train.inputs],
      ['y', column(train.labels)],
    ];
    if (!gradient && test.inputs.length > 0) {
      arrays.push(['xTest', test.inputs], ['yTest', column(test.labels)]);
    }
    const { data, shapes } = pack(arrays);
    const spec = {
      mode: gradient ? 'gradient' : 'train',
      threads,
      architecture: w.architecture,
      activation: w.activation,
      batchSize: w.batchSize,
      learningRate: w.learningRate,
      epochs: w.epochs,
      repeats: w.repeats ?? 1,
      data: join(dir, 'arrays.f32'),
      arrays: shapes,
      gradientOut: join(dir, 'gradient.f32'),
    };
    writeFileSync(spec.data, data);
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const out = await runTorch(python, join(dir, 'spec.json'));
    const note = `PyTorch ${out.torch} (${python}), ${out.threads} thread${out.threads === 1 ? '' : 's'} (${out.interopThreads} inter-op), BLAS ${out.blas}: nn.Sequential of Linear, CrossEntropyLoss (batch mean), optim.SGD, eager, from twostep's weights and batches.`;
    const base = { trainer, workload: w.name, threads: out.threads, peakRss: out.peakRss };
    if (gradient) {
      const k = tsBackend('float32', 1);
      const reference = await twoStepGradient(k, w).finally(() => close(k));
      return {
        ...base,
        gradientMs: { autograd: out.gradientMs! },
        maxRelativeDifference: maxRelativeDifference(
          reference,
          split(readFileSync(spec.gradientOut), reference),
        ),
        note: `${note} maxRelativeDifference: autograd against the two-step rule on backend-ts float32.`,
      };
    }
    return {
      ...base,
      ...(w.epochs > 0 && out.seconds !== undefined ? speed(w, out.seconds) : {}),
      ...(out.accuracy1 == null ? {} : { accuracy1: out.accuracy1 }),
      ...(out.accuracyLast == null ? {} : { accuracyLast: out.accuracyLast }),
      note,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The gradient file (float32, layer after layer) cut into layers the sizes of `like`'s. */
function split(bytes: Buffer, like: readonly Float64Array[]): Float64Array[] {
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  let offset = 0;
  return like.map((g) => {
    const layer = Float64Array.from(all.subarray(offset, offset + g.length));
    offset += g.length;
    return layer;
  });
}
