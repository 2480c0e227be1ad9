/**
 * One (trainer, workload) in its own process: `node dist/worker.js <trainer> <workload>
 * [--quick]`. Prints the Result as JSON on its last stdout line and exits 0; on failure, prints
 * the error to stderr and exits 1, or 2 when a package the trainer needs is not installed.
 */
import { EXIT_FAILED, EXIT_NOT_INSTALLED } from './protocol.js';
import { isWorkloadName, workload } from './workloads.js';

const notInstalled = (error: unknown) => {
  const e = error as { code?: string; name?: string };
  return e?.code === 'ERR_MODULE_NOT_FOUND' || e?.name === 'BackendNotInstalledError';
};

async function main(args: string[]): Promise<void> {
  const [trainer = '', name = ''] = args.filter((a) => !a.startsWith('--'));
  if (!isWorkloadName(name)) throw new Error(`unknown workload ${JSON.stringify(name)}`);
  // Imported here, so that a peer module that fails to load is that run's failure.
  const { TRAINERS } = await import('./trainers.js');
  const run = TRAINERS[trainer];
  if (!run) throw new Error(`unknown trainer ${JSON.stringify(trainer)}`);
  const quick = args.includes('--quick');
  const result = await run(workload(name, quick), quick);
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

main(process.argv.slice(2)).then(
  // tfjs may keep handles open; the result is out.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(notInstalled(error) ? EXIT_NOT_INSTALLED : EXIT_FAILED);
  },
);
