/**
 * `@twostep/core`: what an app calls to build, train, inspect and save a network with the
 * two-step rule. Backend authors import the contract and its checks from `@twostep/core/backend`;
 * the float64 reference and the rule's independent checks are in `@twostep/core/reference`.
 */
export {
  ACTIVATION_NAMES,
  type Activation,
  type ActivationName,
  type ActivationSpec,
  activations,
  type LayerActivation,
} from './activations.js';
export { formatArchitecture, parseArchitecture } from './architecture.js';
export { type Backend, type BackendOptions, DTYPES, type DType, type Matrix } from './contract.js';
export {
  checkDataset,
  type Dataset,
  oneHot,
  type Rows,
  Samples,
  toColumns,
} from './data.js';
export {
  ArchitectureError,
  BackendNotInstalledError,
  BackendUnavailableError,
  ConfigError,
  DisposedMatrixError,
  DivergenceError,
  DTypeError,
  ForeignMatrixError,
  ModelFormatError,
  NonFiniteError,
  ResourceLimitError,
  ShapeError,
  TwoStepError,
  UnknownBackendError,
} from './errors.js';
export {
  type EvaluateOptions,
  type Evaluation,
  evaluate,
  type InferenceOptions,
  predict,
} from './inference.js';
export {
  DEFAULT_MAX_ENTRIES,
  DEFAULT_MAX_PARAMETERS,
  type Limits,
} from './limits.js';
export {
  type BackendConfig,
  type BackendDescriptor,
  type BackendLoaders,
  type BackendModule,
  type Backends,
  defineBackends,
  loadBackend,
} from './load.js';
export { LOSS_NAMES, type Loss, type LossName, losses, type Reduction } from './losses.js';
export {
  type Initializer,
  type Layer,
  Network,
  type NetworkOptions,
  type Weights,
} from './network.js';
export {
  adam,
  momentum,
  OPTIMIZER_NAMES,
  type Optimizer,
  type OptimizerConfig,
  type OptimizerState,
  resolveOptimizer,
  type SavedOptimizerState,
  sgd,
} from './optimizers.js';
export { checkSeed, MAX_SEED, Random } from './random.js';
export {
  type FAdjoint,
  type FAdjointOptions,
  type FPropagation,
  fAdjoint,
  fPropagate,
} from './rule.js';
export {
  classic,
  type GradientInput,
  type GradientRule,
  RULE_NAMES,
  type RuleGradients,
  type RuleName,
  type RuleOption,
  type RuleQuantity,
} from './rules.js';
export { dispose, keep, tidy, tracked } from './scope.js';
export {
  deserialize,
  MODEL_FORMAT,
  MODEL_VERSION,
  type ModelFile,
  serialize,
  toModelFile,
} from './serialize.js';
export { LEARNING_MODES, type LearningMode } from './step.js';
export { type SampleTrace, traceSample } from './trace.js';
export { type EpochEvent, type TrainOptions, type TrainResult, train } from './train.js';
export {
  type BatchEvent,
  type EpochOptions,
  type StepOptions,
  type StepQuantity,
  type StepResult,
  Trainer,
  type TrainerOptions,
} from './trainer.js';
