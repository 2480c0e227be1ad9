/**
 * `@twostep/study`: studies of learning rules over a grid of datasets, networks, optimizers and
 * seeds, on every core or through BullMQ on Redis. `parseSpec` checks a spec, `expand` lists
 * its runs with their ids, `runStudy` runs those a store has no record of, `executeRun` runs
 * one; `enqueue`, `serve` and `follow` do it through a queue; `cells` and `compareRules` are
 * the statistics, `htmlReport` and `markdownReport` the reports.
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
  defaultPrefix,
  enqueue,
  type FollowOptions,
  follow,
  openQueue,
  type QueueOptions,
  RedisStore,
  type ServeOptions,
  serve,
} from './queue.js';
export { htmlReport, markdownReport, type ReportOptions } from './report.js';
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
export {
  type Bounds,
  type Cell,
  type Comparison,
  cells,
  compareRules,
  type Estimate,
  estimate,
  FRACTION,
  holm,
  NONNEGATIVE,
  rankBiserial,
  timeToTarget,
  variantOf,
} from './stats.js';
export { FileStore, type RecordStore } from './store.js';
