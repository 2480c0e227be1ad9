/** Every trainer by name: ours, and the peers' (tfjs-layers, brain.js) from ./peers. */
import { PEER_WORKLOADS, PEERS } from './peers/index.js';
import type { WorkloadName } from './protocol.js';
import { type Trainer, TWOSTEP_TRAINERS } from './twostep.js';

export type { Trainer };

export const TRAINERS: Record<string, Trainer> = { ...TWOSTEP_TRAINERS, ...PEERS };

/** Whether `trainer` measures anything on `workload` (ours: all; a peer: as it declares). */
export const applies = (trainer: string, workload: WorkloadName): boolean =>
  PEER_WORKLOADS[trainer]?.includes(workload) ?? true;
