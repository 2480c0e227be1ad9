import { createBackend } from '@twostep/backend-ts';
import { expect } from 'vitest';
import { type Trace, type TraceSetup, traceNetwork } from '../src/trace-computation.js';

/** The backend `twostep trace` runs on: backend-ts in float64. */
export const traceBackend = createBackend({ dtype: 'float64' });

/** A trace on a fresh count of live matrices: nothing may be left behind. */
export async function traced(setup: TraceSetup): Promise<Trace> {
  const before = traceBackend.memory();
  const trace = await traceNetwork(traceBackend, setup);
  expect(traceBackend.memory()).toEqual(before);
  return trace;
}
