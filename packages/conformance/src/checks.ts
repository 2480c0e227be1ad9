/** Every check of the suite, in the order the areas are reported. */
import type { Check } from './check.js';
import { opChecks } from './ops.js';

export const checks: readonly Check[] = [...opChecks];
