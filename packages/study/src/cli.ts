/**
 * `twostep-study run <spec.json>`: runs a study's missing runs on every core, recording each
 * in a JSON-lines file (default: the spec's name + `.jsonl` beside the spec), with progress
 * and an estimate of the time left; `--json` prints one JSON line per event for programs.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, TwoStepError } from '@twostep/core';
import { type Progress, runStudy } from './pool.js';
import { parseSpec } from './spec.js';
import { FileStore } from './store.js';

export const USAGE = `Usage: twostep-study run <spec.json> [--out <records.jsonl>] [--workers <n>] [--json]

Runs every run of the spec that the records file does not hold yet, one per worker thread.
Stop it at any time (Ctrl-C) and run it again: it goes on where it stopped.

  --out <file>     the records, one JSON line per run (default: <spec name>.jsonl beside the spec)
  --workers <n>    worker threads (default: every core)
  --json           one JSON line per event on stdout, for programs
  -h, --help       this text`;

/** Where the CLI writes: stdout and stderr, replaceable in tests. */
export interface Io {
  stdout(line: string): void;
  stderr(line: string): void;
}

const NODE_IO: Io = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

/** Seconds as `1h02m`, `3m05s` or `12s`. */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h${pad(m)}m`;
  if (m > 0) return `${m}m${pad(s % 60)}s`;
  return `${s}s`;
}

/** One line of progress for a terminal. */
export function progressLine(p: Progress): string {
  const { settings, epochs, diverged } = p.record;
  const last = epochs.at(-1);
  const mode = settings.rule === 'twoStep' ? ` ${settings.mode}` : '';
  const what = `${settings.dataset.name} ${settings.rule}${mode} ${settings.optimizer} lr ${settings.learningRate} seed ${settings.seed}`;
  const result = diverged
    ? `diverged in epoch ${diverged.epoch}`
    : `test accuracy ${((last?.testAccuracy ?? 0) * 100).toFixed(1)}%`;
  return `[${p.done}/${p.total}] ${what}: ${result} · ${duration(p.elapsed)} elapsed, about ${duration(p.remaining)} left`;
}

function readSpec(path: string) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the spec ${path}: ${(error as Error).message}.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not JSON: ${(error as Error).message}.`);
  }
  return parseSpec(value, path);
}

/** Runs the command line `args` (without node and the script); resolves to the exit code. */
export async function main(
  args: readonly string[],
  io: Io = NODE_IO,
  signal?: AbortSignal,
): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        out: { type: 'string' },
        workers: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const [command, specPath, ...extra] = positionals;
    if (command !== 'run' || !specPath || extra.length > 0) {
      throw new ConfigError(`expected 'run <spec.json>'.\n${USAGE}`);
    }
    const spec = readSpec(specPath);
    const out = values.out ?? join(dirname(specPath), `${spec.name}.jsonl`);
    const workers = values.workers === undefined ? undefined : Number(values.workers);
    const store = new FileStore(out);
    const summary = await runStudy(spec, {
      store,
      ...(workers !== undefined && { workers }),
      ...(signal && { signal }),
      onProgress: (p) =>
        values.json
          ? io.stdout(JSON.stringify({ event: 'run', ...p }))
          : io.stdout(progressLine(p)),
    });
    const line = `${summary.recorded} runs recorded, ${summary.skipped} already there, of ${summary.runs} in ${basename(specPath)}; records in ${out} (${duration(summary.seconds)}).`;
    if (values.json) io.stdout(JSON.stringify({ event: 'done', ...summary, out }));
    else io.stdout(line);
    return 0;
  } catch (error) {
    if (signal?.aborted) {
      io.stderr('twostep-study: stopped; what was recorded stays. Run the same command to go on.');
      return 130;
    }
    if (
      error instanceof TwoStepError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.stderr(`twostep-study: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}
