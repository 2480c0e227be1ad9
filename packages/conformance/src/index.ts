export { referenceBackend } from '@twostep/core/reference';
export { type Check, ConformanceError, expectClose, TOLERANCES } from './check.js';
export { checks } from './checks.js';
export { type ConformanceOptions, runConformance } from './run.js';
