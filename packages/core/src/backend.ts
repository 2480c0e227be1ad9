/**
 * `@twostep/core/backend`: what a backend author needs and an app does not. The contract
 * (`Backend`, the types of its ops and the activation kinds it may fuse), the descriptor a
 * backend entry exports, the checks that word every operand error the same way on every
 * backend, and the errors those checks throw.
 */
export { ACTIVATION_NAMES } from './activations.js';
export * from './contract.js';
export {
  BackendUnavailableError,
  ConfigError,
  DisposedMatrixError,
  DTypeError,
  ForeignMatrixError,
  ResourceLimitError,
  ShapeError,
  TwoStepError,
} from './errors.js';
export type { BackendDescriptor, BackendModule } from './load.js';
export {
  type AffineKernel,
  affineShape,
  broadcastKind,
  checkConcatRows,
  checkData,
  checkDType,
  checkOneOf,
  checkOperands,
  checkSameShape,
  checkShape,
  checkSlice,
  matMulShape,
} from './validate.js';
