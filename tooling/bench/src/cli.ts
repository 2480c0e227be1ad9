/**
 * `pnpm bench [--quick] [--browser] [--trainers a,b] [--workloads W1,W2] [--repeat n] [--out file]`:
 * runs every (trainer, workload) in its own worker process (`--browser`: its own page of the
 * bench page in Chromium, browser-run.ts), interleaved across trainers and repeated, each Node
 * repetition after a measurement of the matMul ceiling; prints the ceiling (or the browser and
 * its adapters), a table per workload and the targets, and writes every run and the medians as
 * JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  BROWSER_TRAINER_NAMES,
  BROWSER_WORKLOADS,
  type BrowserEnvironment,
  type BrowserTrainer,
} from './browser.js';
import { bestCeilings } from './flops.js';
import { PEERS } from './peers/index.js';
import { type Exit, lastLine, runProcess } from './process.js';
import {
  type Ceiling,
  EXIT_NOT_INSTALLED,
  EXIT_SKIPPED,
  type Result,
  type WorkloadName,
} from './protocol.js';
import {
  ACCURACY_FLOOR,
  BROWSER_COLUMNS,
  browserReport,
  ceilingReport,
  GRADIENT_TOLERANCE,
  NODE_COLUMNS,
  quickFailures,
  type Run,
  type Status,
  summarize,
  workloadReport,
} from './report.js';
import { BROWSER_TARGETS, targetReport } from './targets.js';
import { applies, TRAINERS } from './trainers.js';
import { isWorkloadName, workload as scaled, WORKLOAD_NAMES, WORKLOADS } from './workloads.js';

const HELP = `Usage: pnpm bench [options]
  --quick            small workloads, one repetition; fails when a trainer does not run (PyTorch
                     missing, or a browser without WebGPU, is skipped, not failed), a W1
                     accuracy@1 is below ${ACCURACY_FLOOR} or W4's gradients differ by more than ${GRADIENT_TOLERANCE}
  --browser          the bench page in Chromium: twostep on ${BROWSER_TRAINER_NAMES.join(', ')},
                     against each other on the same adapter (default workloads ${BROWSER_WORKLOADS.join(', ')})
  --trainers a,b     trainers to run (default: all): ${Object.keys(TRAINERS).join(', ')}
  --workloads W1,W2  workloads to run (default: all): ${WORKLOAD_NAMES.join(', ')}
  --repeat n         repetitions of each run (default 3, --quick 1)
  --out file         where to write the JSON (default tooling/bench/results/bench-<date>.json,
                     --browser bench-browser-<date>.json)`;

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

/** Runs `node dist/worker.js …args` to its end. */
async function spawnWorker(args: readonly string[], quick: boolean): Promise<Exit> {
  const argv = [WORKER, ...args, ...(quick ? ['--quick'] : [])];
  // Node is there: it is running this.
  return (await runProcess(process.execPath, argv, (quick ? 2 : 15) * 60_000))!;
}

const STATUS_BY_CODE: Readonly<Record<number, Status>> = {
  [EXIT_NOT_INSTALLED]: 'not installed',
  [EXIT_SKIPPED]: 'skipped',
};

/** Runs one trainer's worker process and reads its Result from the last line of its stdout. */
async function runWorker(
  trainer: string,
  workload: WorkloadName,
  repetition: number,
  quick: boolean,
): Promise<Run> {
  const { code, signal, stdout, stderr, seconds } = await spawnWorker([trainer, workload], quick);
  const run = { trainer, workload, repetition, seconds };
  const fail = (status: Status, error: string): Run => ({ ...run, status, error });
  if (code !== 0) {
    const why = signal ? `killed by ${signal}` : `exit code ${code}`;
    return fail(STATUS_BY_CODE[code ?? -1] ?? 'failed', stderr.trim() || why);
  }
  try {
    const result = JSON.parse(lastLine(stdout)) as Result;
    if (result.trainer !== trainer || result.workload !== workload) throw new Error();
    return { ...run, status: 'ok', result };
  } catch {
    return fail('failed', `no Result on the last line of stdout:\n${stdout.slice(-500)}`);
  }
}

/** One measurement of the ceilings (ceiling.ts) in its own worker; none when it failed. */
async function runCeiling(quick: boolean, repetition: number): Promise<Ceiling[]> {
  const { code, stdout, stderr, seconds } = await spawnWorker(['ceiling'], quick);
  try {
    if (code !== 0) throw new Error();
    const ceilings = JSON.parse(lastLine(stdout)) as Ceiling[];
    const gflops = ceilings.map((c) => `${c.threads}: ${c.gflops.toFixed(1)}`).join(', ');
    console.error(`[ceiling #${repetition}] GFLOP/s by threads ${gflops}: ${seconds.toFixed(1)} s`);
    return ceilings;
  } catch {
    console.error(`The matMul ceiling was not measured (exit code ${code}):\n${stderr.trim()}`);
    return [];
  }
}

function list<T extends string>(value: string | undefined, all: readonly T[], what: string): T[] {
  if (value === undefined) return [...all];
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !all.includes(n as T));
  if (unknown.length > 0) {
    throw new Error(`unknown ${what}: ${unknown.join(', ')}; choose from ${all.join(', ')}.`);
  }
  return names as T[];
}

/** W4 (milliseconds per gradient) has no GFLOP/s column to read against the ceiling. */
const needsCeiling = (workloads: readonly WorkloadName[]) => workloads.some((w) => w !== 'W4');

/** The Node bench's runs: a worker process each, after a ceiling per repetition. */
async function nodeBench(
  trainers: readonly string[],
  workloads: readonly WorkloadName[],
  repeat: number,
  quick: boolean,
): Promise<{ runs: Run[]; measured: Ceiling[] }> {
  // Interleaved: each repetition runs every trainer once, one workload after the other.
  const plan = workloads.flatMap((w) =>
    trainers.filter((t) => applies(t, w)).map((t) => [t, w] as const),
  );
  const runs: Run[] = [];
  const measured: Ceiling[] = [];
  const total = repeat * plan.length;
  for (let repetition = 1; repetition <= repeat; repetition++) {
    if (needsCeiling(workloads)) measured.push(...(await runCeiling(quick, repetition)));
    for (const [trainer, workload] of plan) {
      const run = await runWorker(trainer, workload, repetition, quick);
      runs.push(run);
      logRun(run, runs.length, total);
    }
  }
  return { runs, measured };
}

function logRun(run: Run, done: number, total: number): void {
  const status = run.status === 'ok' ? '' : `  ${run.status.toUpperCase()}`;
  console.error(
    `[${done}/${total}] ${run.workload} ${run.trainer} #${run.repetition}: ${run.seconds.toFixed(1)} s${status}`,
  );
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      browser: { type: 'boolean', default: false },
      trainers: { type: 'string' },
      workloads: { type: 'string' },
      repeat: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const { quick, browser } = values;
  const repeat = Number(values.repeat ?? (quick ? 1 : 3));
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new Error('--repeat takes a positive integer.');
  // The page runs the workloads that train (W4 times gradients through Node-only code).
  const trainers = list(
    values.trainers,
    browser ? BROWSER_TRAINER_NAMES : Object.keys(TRAINERS),
    browser ? 'trainer for --browser' : 'trainer',
  );
  const workloads = browser
    ? list(
        values.workloads ?? BROWSER_WORKLOADS.join(','),
        ['W1', 'W2', 'W3', 'W5'] as const,
        'workload for --browser',
      )
    : list(values.workloads, WORKLOAD_NAMES, 'workload').filter(isWorkloadName);

  let runs: Run[];
  let measured: Ceiling[] = [];
  let page: BrowserEnvironment | undefined;
  if (browser) {
    const { runBrowserBench } = await import('./browser-run.js');
    const bench = await runBrowserBench({
      quick,
      trainers: trainers as BrowserTrainer[],
      workloads,
      repeat,
      progress: logRun,
    });
    ({ runs } = bench);
    page = bench.environment;
  } else {
    ({ runs, measured } = await nodeBench(trainers, workloads, repeat, quick));
  }

  const summaries = summarize(runs);
  const ceilings = bestCeilings(measured);
  if (page) console.log(`\n${browserReport(page)}`);
  else if (needsCeiling(workloads)) console.log(`\n${ceilingReport(ceilings, quick)}`);
  const columns = page ? BROWSER_COLUMNS : NODE_COLUMNS;
  for (const workload of workloads) {
    console.log(`\n${workload}: ${WORKLOADS[workload].title}${quick ? ' (--quick)' : ''}\n`);
    console.log(workloadReport(scaled(workload, quick), summaries, ceilings, columns));
  }

  const targets = targetReport(summaries, {
    peers: page ? [] : Object.keys(PEERS),
    ceilings,
    quick,
    ...(page && { targets: BROWSER_TARGETS }),
  });
  if (targets) console.log(`\nTargets\n\n${targets}`);

  const date = new Date();
  const stamp = date.toISOString().slice(0, 19).replaceAll(':', '-');
  const out = values.out
    ? resolve(process.env.INIT_CWD ?? process.cwd(), values.out)
    : fileURLToPath(
        new URL(`../results/bench-${page ? 'browser-' : ''}${stamp}.json`, import.meta.url),
      );
  mkdirSync(dirname(out), { recursive: true });
  const environment = {
    node: process.version,
    platform: process.platform,
    cpu: cpus()[0]?.model,
    cpus: cpus().length,
    ...page,
  };
  const options = { quick, browser, repeat, trainers, workloads };
  writeFileSync(
    out,
    `${JSON.stringify({ date, environment, options, ceilings, summaries, runs, ceilingRuns: measured }, null, 2)}\n`,
  );
  console.log(`\nRaw results and medians: ${out}`);

  if (!quick) return 0;
  const failures = quickFailures(summaries);
  for (const f of failures) console.error(`FAIL ${f}`);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    process.exitCode = 2;
  },
);
