/** A worker thread of the local pool: one run at a time (`pool.ts` sends them). */
import type { Run } from './grid.js';
import { executeRun, type RunRecord } from './run.js';

export default function runInWorker(run: Run): Promise<RunRecord> {
  return executeRun(run);
}
