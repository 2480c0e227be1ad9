/** Every check of the suite, in the order the areas are reported. */
import type { Check } from './check.js';
import { fusedChecks } from './fused.js';
import { fusedBiasChecks } from './fused-bias.js';
import { fusedTransposeChecks } from './fused-transpose.js';
import { handleChecks } from './handles.js';
import { opErrorChecks } from './op-errors.js';
import { opChecks } from './ops.js';
import { ruleChecks } from './rule.js';
import { trainingChecks } from './training.js';

export const checks: readonly Check[] = [
  ...opChecks,
  ...handleChecks,
  ...opErrorChecks,
  ...fusedChecks,
  ...fusedBiasChecks,
  ...fusedTransposeChecks,
  ...ruleChecks,
  ...trainingChecks,
];
