/**
 * `@twostep/study`: studies of learning rules over a grid of datasets, networks, optimizers and
 * seeds, on every core. `parseSpec` checks a spec, `expand` lists its runs with their ids,
 * `runStudy` runs those a store has no record of, `executeRun` runs one.
 */
export { main as studyMain } from './cli.js';
export {
  canonical,
  type DatasetSettings,
  DEFAULT_NOISE,
  DEFAULT_SIZE,
  expand,
  type Run,
  type RunSettings,
  runId,
  seedsOf,
} from './grid.js';
export {
  type Progress,
  pendingRuns,
  runStudy,
  type StudyOptions,
  type StudySummary,
} from './pool.js';
export {
  type EpochResult,
  executeRun,
  type RunData,
  type RunRecord,
  runData,
  runNetwork,
} from './run.js';
export {
  DATASET_NAMES,
  type DatasetName,
  parseSpec,
  type Spec,
  type SpecInput,
  SpecSchema,
  STUDY_BACKENDS,
  STUDY_RULES,
  type StudyBackend,
  type StudyRule,
} from './spec.js';
export { FileStore, type RecordStore } from './store.js';
