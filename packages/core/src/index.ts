export * from './activations.js';
export * from './architecture.js';
export * from './backend.js';
export * from './data.js';
export * from './errors.js';
export * from './inference.js';
export * from './load.js';
export * from './losses.js';
export * from './network.js';
export * from './optimizers.js';
export { Random } from './random.js';
export {
  type FAdjoint,
  type FAdjointOptions,
  type FPropagation,
  fAdjoint,
  fPropagate,
} from './rule.js';
export { dispose, isMatrix, keep, tidy, tracked } from './scope.js';
export * from './serialize.js';
export { LEARNING_MODES, type LearningMode } from './step.js';
export * from './trace.js';
export * from './train.js';
export {
  type BatchEvent,
  type EpochOptions,
  type StepOptions,
  type StepQuantity,
  type StepResult,
  Trainer,
  type TrainerOptions,
} from './trainer.js';
export * from './validate.js';
