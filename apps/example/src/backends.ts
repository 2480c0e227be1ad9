/** `twostep backends`: every built-in backend, and whether it is installed and can run here. */
import { parseArgs } from 'node:util';
import {
  BACKENDS,
  type BackendName,
  BackendNotInstalledError,
  ConfigError,
  loadBackend,
  TwoStepError,
} from '@twostep/core';
import type { Io } from './main.js';

export interface BackendStatus {
  readonly name: BackendName;
  readonly status: 'usable' | 'not installed' | 'unavailable';
  /** The dtypes it computes in, when usable. */
  readonly dtypes?: readonly string[];
  /** Why not, and what to do, when it is not usable. */
  readonly reason?: string;
}

/** Tries to create each built-in backend. */
export async function backendStatuses(
  importModule: Io['importModule'] = (s) => import(/* @vite-ignore */ s),
): Promise<BackendStatus[]> {
  const statuses: BackendStatus[] = [];
  for (const name of Object.keys(BACKENDS) as BackendName[]) {
    try {
      const backend = await loadBackend(name, { importModule });
      statuses.push({ name, status: 'usable', dtypes: backend.dtypes });
    } catch (error) {
      if (!(error instanceof TwoStepError)) throw error;
      const status = error instanceof BackendNotInstalledError ? 'not installed' : 'unavailable';
      statuses.push({ name, status, reason: error.message });
    }
  }
  return statuses;
}

export async function listBackends(args: readonly string[], io: Io): Promise<void> {
  let json = false;
  try {
    json =
      parseArgs({ args: [...args], options: { json: { type: 'boolean' } }, strict: true }).values
        .json === true;
  } catch (error) {
    throw new ConfigError(`backends: ${(error as Error).message}`);
  }
  const statuses = await backendStatuses(io.importModule);
  if (json) {
    io.stdout(JSON.stringify(statuses));
    return;
  }
  const width = Math.max(...statuses.map((s) => s.name.length));
  for (const s of statuses) {
    const what =
      s.status === 'usable' ? `usable (${s.dtypes!.join(', ')})` : `${s.status}: ${s.reason}`;
    io.stdout(`${s.name.padEnd(width)}  ${what}`);
  }
}
