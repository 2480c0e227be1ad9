/**
 * One measurement in its own process. `node dist/worker.js <trainer> <workload> [--quick]`
 * prints the Result as JSON on its last stdout line and exits 0; on failure, it prints the
 * error to stderr and exits 1, or 2 when a package the trainer needs is not installed, or 3
 * when an optional peer outside npm (PyTorch) is not on this machine (one line: how to get it).
 * `node dist/worker.js ceiling [--quick]` prints the matMul ceilings (ceiling.ts) as a JSON
 * array of `Ceiling` on its last stdout line.
 */
import { EXIT_FAILED, EXIT_NOT_INSTALLED, EXIT_SKIPPED } from './protocol.js';
import { isWorkloadName, workload } from './workloads.js';

const notInstalled = (error: unknown) => {
  const e = error as { code?: string; name?: string };
  return e?.code === 'ERR_MODULE_NOT_FOUND' || e?.name === 'BackendNotInstalledError';
};

/** A peer's PeerUnavailableError (peers/common.ts), matched by name as the one above. */
const unavailable = (error: unknown) =>
  (error as { name?: string })?.name === 'PeerUnavailableError';

async function main(args: string[]): Promise<void> {
  const [trainer = '', name = ''] = args.filter((a) => !a.startsWith('--'));
  const quick = args.includes('--quick');
  if (trainer === 'ceiling') {
    const { measureCeilings } = await import('./ceiling.js');
    process.stdout.write(`\n${JSON.stringify(await measureCeilings(quick))}\n`);
    return;
  }
  if (!isWorkloadName(name)) throw new Error(`unknown workload ${JSON.stringify(name)}`);
  // Imported here, so that a peer module that fails to load is that run's failure.
  const { TRAINERS } = await import('./trainers.js');
  const run = TRAINERS[trainer];
  if (!run) throw new Error(`unknown trainer ${JSON.stringify(trainer)}`);
  const result = await run(workload(name, quick), quick);
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

main(process.argv.slice(2)).then(
  // tfjs may keep handles open; the result is out.
  () => process.exit(0),
  (error: unknown) => {
    if (unavailable(error)) {
      console.error((error as Error).message);
      process.exit(EXIT_SKIPPED);
    }
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(notInstalled(error) ? EXIT_NOT_INSTALLED : EXIT_FAILED);
  },
);
