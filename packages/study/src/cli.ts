/**
 * `twostep-study run <spec.json>`: runs a study's missing runs on every core, recording each
 * in a JSON-lines file (default: the spec's name + `.jsonl` beside the spec), with progress
 * and an estimate of the time left; `--json` prints one JSON line per event for programs.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, TwoStepError } from '@twostep/core';
import { expand } from './grid.js';
import { type Progress, runStudy, type StudySummary } from './pool.js';
import { defaultPrefix, enqueue, follow, openQueue, serve } from './queue.js';
import { htmlReport, markdownReport } from './report.js';
import type { RunRecord } from './run.js';
import { parseSpec, type Spec } from './spec.js';
import { FileStore } from './store.js';

export const USAGE = `Usage:
  twostep-study run <spec.json> [--out <records.jsonl>] [--workers <n>] [--json]
  twostep-study run <spec.json> --queue <redis://…> [--prefix <p>] [--json]
  twostep-study worker --queue <redis://…> --prefix <p> [--workers <n>] [--lock-seconds <s>] [--json]
  twostep-study report <spec.json> [--out <records.jsonl> | --queue <redis://…> [--prefix <p>]]

run: runs every run of the spec that is not recorded yet, one per worker thread; stop it at any
time (Ctrl-C) and run it again: it goes on where it stopped. With --queue, it puts those runs on
a BullMQ queue in Redis instead and follows them while workers (on any machines) run them.
worker: takes runs from the queue until stopped, and stores their records in Redis.
report: writes <spec name>.html (charts, tables) and <spec name>.md (tables) beside the spec,
from the spec's records so far (the file, or Redis with --queue).

  --out <file>        the records, one JSON line per run (default: <spec name>.jsonl beside the spec)
  --workers <n>       runs at a time, one per worker thread (default: every core)
  --queue <url>       Redis: redis://host:port, redis://:password@host:port
  --prefix <p>        the study's Redis keys (run's default: twostep-study:<spec name>)
  --lock-seconds <s>  how long a killed worker's run waits before another takes it (default 30)
  --json              one JSON line per event on stdout, for programs
  -h, --help          this text`;

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

/** A flag that must be a positive integer, or undefined when not given. */
function count(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new ConfigError(`--${flag} takes a positive integer, got ${value}.`);
  }
  return n;
}

type Flags = {
  out?: string;
  workers?: string;
  queue?: string;
  prefix?: string;
  'lock-seconds'?: string;
  json?: boolean;
};

/** The study's records file: `--out`, else `<spec name>.jsonl` beside the spec. */
const recordsFile = (specPath: string, spec: Spec, flags: Flags) =>
  flags.out ?? join(dirname(specPath), `${spec.name}.jsonl`);

/** The study's Redis keys: `--prefix`, else the spec's default. */
const prefixOf = (spec: Spec, flags: Flags) => flags.prefix ?? defaultPrefix(spec);

/** `run <spec.json>`: on the local pool, or through a queue. */
async function run(specPath: string, flags: Flags, io: Io, signal?: AbortSignal) {
  const spec = readSpec(specPath);
  const workers = count('workers', flags.workers);
  const onProgress = (p: Progress) =>
    io.stdout(flags.json ? JSON.stringify({ event: 'run', ...p }) : progressLine(p));
  let where: string;
  let summary: StudySummary;
  if (flags.queue) {
    if (flags.out)
      throw new ConfigError('--out is for local studies; with --queue the records are in Redis.');
    const prefix = prefixOf(spec, flags);
    const queue = { url: flags.queue, prefix };
    const queued = await enqueue(spec, queue);
    const hint = `twostep-study worker --queue ${flags.queue} --prefix ${prefix}`;
    io.stdout(
      flags.json
        ? JSON.stringify({ event: 'queued', runs: queued, prefix })
        : `${queued} runs queued; start workers with: ${hint}`,
    );
    summary = await follow(spec, { ...queue, onProgress, ...(signal && { signal }) });
    where = `Redis (${prefix})`;
  } else {
    where = recordsFile(specPath, spec, flags);
    summary = await runStudy(spec, {
      store: new FileStore(where),
      ...(workers !== undefined && { workers }),
      ...(signal && { signal }),
      onProgress,
    });
  }
  io.stdout(
    flags.json
      ? JSON.stringify({ event: 'done', ...summary, records: where })
      : `${summary.recorded} runs recorded, ${summary.skipped} already there, of ${summary.runs} in ${basename(specPath)}; records in ${where} (${duration(summary.seconds)}).`,
  );
}

/** `report <spec.json>`: the HTML and Markdown reports of the spec's records so far. */
async function report(specPath: string, flags: Flags, io: Io) {
  const spec = readSpec(specPath);
  // The spec's runs by id, in its order.
  const order = new Map(expand(spec).map((run, i) => [run.id, i]));
  let all: RunRecord[];
  if (flags.queue) {
    const { redis, store } = await openQueue({
      url: flags.queue,
      prefix: prefixOf(spec, flags),
    });
    try {
      all = await store.records();
    } finally {
      redis.disconnect();
    }
  } else {
    const path = recordsFile(specPath, spec, flags);
    if (!existsSync(path))
      throw new ConfigError(
        `${path} holds no records yet: run the study first (twostep-study run ${specPath}).`,
      );
    all = await new FileStore(path).records();
  }
  const records = all
    .filter((r) => order.has(r.id))
    .sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  if (records.length === 0)
    throw new ConfigError(`no run of ${specPath} is recorded yet: run the study first.`);
  const options = { name: spec.name, target: spec.target };
  const base = join(dirname(specPath), spec.name);
  writeFileSync(`${base}.html`, await htmlReport(records, options));
  writeFileSync(`${base}.md`, markdownReport(records, options));
  io.stdout(
    flags.json
      ? JSON.stringify({
          event: 'report',
          runs: records.length,
          of: order.size,
          html: `${base}.html`,
          markdown: `${base}.md`,
        })
      : `${records.length} of ${order.size} runs reported: ${base}.html, ${base}.md`,
  );
}

/** `worker`: serves a queued study until stopped. */
async function worker(flags: Flags, io: Io, signal?: AbortSignal) {
  if (!flags.queue || !flags.prefix) {
    throw new ConfigError(
      `worker needs --queue and --prefix (as 'run --queue' prints them).\n${USAGE}`,
    );
  }
  const workers = count('workers', flags.workers);
  const lockSeconds = count('lock-seconds', flags['lock-seconds']);
  const say = (event: 'started' | 'recorded', id: string) =>
    io.stdout(flags.json ? JSON.stringify({ event, id }) : `${event} ${id}`);
  io.stdout(
    flags.json
      ? JSON.stringify({ event: 'serving', prefix: flags.prefix })
      : `taking runs of ${flags.prefix}; Ctrl-C stops`,
  );
  await serve({
    url: flags.queue,
    prefix: flags.prefix,
    ...(workers !== undefined && { workers }),
    ...(lockSeconds !== undefined && { lockSeconds }),
    ...(signal && { signal }),
    onStart: (run) => say('started', run.id),
    onRecord: (record) => say('recorded', record.id),
  });
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
        queue: { type: 'string' },
        prefix: { type: 'string' },
        'lock-seconds': { type: 'string' },
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
    const [command, ...rest] = positionals;
    if (command === 'run' && rest.length === 1) await run(rest[0]!, values, io, signal);
    else if (command === 'worker' && rest.length === 0) await worker(values, io, signal);
    else if (command === 'report' && rest.length === 1) await report(rest[0]!, values, io);
    else
      throw new ConfigError(
        `expected 'run <spec.json>', 'worker' or 'report <spec.json>'.\n${USAGE}`,
      );
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
