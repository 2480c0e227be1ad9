export { type Check, ConformanceError, expectClose, TOLERANCES } from './check.js';
export { checks } from './checks.js';
export { referenceBackend } from './reference.js';
export { type ConformanceOptions, runConformance } from './run.js';
