/**
 * `pnpm bench [--quick] [--trainers a,b] [--workloads W1,W2] [--repeat n] [--out file]`:
 * runs every (trainer, workload) in its own worker process, interleaved across trainers and
 * repeated, each repetition after a measurement of the matMul ceiling; prints the ceiling, a
 * table per workload and the targets, and writes every run and the medians as JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
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
  ceilingReport,
  GRADIENT_TOLERANCE,
  quickFailures,
  type Run,
  type Status,
  summarize,
  workloadReport,
} from './report.js';
import { targetReport } from './targets.js';
import { applies, TRAINERS } from './trainers.js';
import { isWorkloadName, workload as scaled, WORKLOAD_NAMES, WORKLOADS } from './workloads.js';

const HELP = `Usage: pnpm bench [options]
  --quick            small workloads, one repetition; fails when a trainer does not run (PyTorch
                     missing is skipped, not failed), a W1 accuracy@1 is below ${ACCURACY_FLOOR} or
                     W4's gradients differ by more than ${GRADIENT_TOLERANCE}
  --trainers a,b     trainers to run (default: all): ${Object.keys(TRAINERS).join(', ')}
  --workloads W1,W2  workloads to run (default: all): ${WORKLOAD_NAMES.join(', ')}
  --repeat n         repetitions of each run (default 3, --quick 1)
  --out file         where to write the JSON (default tooling/bench/results/bench-<date>.json)`;

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
    throw new Error(`unknown ${what} ${unknown.join(', ')}; choose from ${all.join(', ')}.`);
  }
  return names as T[];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
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
  const quick = values.quick;
  const trainers = list(values.trainers, Object.keys(TRAINERS), 'trainer');
  const workloads = list(values.workloads, WORKLOAD_NAMES, 'workload').filter(isWorkloadName);
  const repeat = Number(values.repeat ?? (quick ? 1 : 3));
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new Error('--repeat takes a positive integer.');

  // Interleaved: each repetition runs every trainer once, one workload after the other.
  const plan = workloads.flatMap((w) =>
    trainers.filter((t) => applies(t, w)).map((t) => [t, w] as const),
  );
  const runs: Run[] = [];
  const measured: Ceiling[] = [];
  // W4 (milliseconds per gradient) has no GFLOP/s column to read against the ceiling.
  const needsCeiling = workloads.some((w) => w !== 'W4');
  const total = repeat * plan.length;
  for (let repetition = 1; repetition <= repeat; repetition++) {
    if (needsCeiling) measured.push(...(await runCeiling(quick, repetition)));
    for (const [trainer, workload] of plan) {
      const run = await runWorker(trainer, workload, repetition, quick);
      runs.push(run);
      const status = run.status === 'ok' ? '' : `  ${run.status.toUpperCase()}`;
      console.error(
        `[${runs.length}/${total}] ${workload} ${trainer} #${repetition}: ${run.seconds.toFixed(1)} s${status}`,
      );
    }
  }

  const summaries = summarize(runs);
  const ceilings = bestCeilings(measured);
  if (needsCeiling) console.log(`\n${ceilingReport(ceilings, quick)}`);
  for (const workload of workloads) {
    console.log(`\n${workload}: ${WORKLOADS[workload].title}${quick ? ' (--quick)' : ''}\n`);
    console.log(workloadReport(scaled(workload, quick), summaries, ceilings));
  }

  const targets = targetReport(summaries, { peers: Object.keys(PEERS), ceilings, quick });
  if (targets) console.log(`\nTargets\n\n${targets}`);

  const date = new Date();
  const stamp = date.toISOString().slice(0, 19).replaceAll(':', '-');
  const out = values.out
    ? resolve(process.env.INIT_CWD ?? process.cwd(), values.out)
    : fileURLToPath(new URL(`../results/bench-${stamp}.json`, import.meta.url));
  mkdirSync(dirname(out), { recursive: true });
  const environment = {
    node: process.version,
    platform: process.platform,
    cpu: cpus()[0]?.model,
    cpus: cpus().length,
  };
  const options = { quick, repeat, trainers, workloads };
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
