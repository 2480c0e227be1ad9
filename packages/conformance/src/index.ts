export { referenceBackend } from '@twostep/core/reference';
export {
  type Check,
  ConformanceError,
  type EntryTolerance,
  EPSILON,
  expectClose,
  expectEntries,
  MIN_NORMAL,
  OP_ULPS,
  TOLERANCES,
} from './check.js';
export { checks } from './checks.js';
export { type ConformanceOptions, runConformance } from './run.js';
