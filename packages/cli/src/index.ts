/**
 * @packageDocumentation The `mmspark` command and its library: job specs (JSON Schema + generated
 * option types), the Databricks Jobs client, PySpark generation, and the job runner.
 */
export type {
  MmsparkJob,
  Source,
  Sink,
  SyncSpec,
  CollectionOptions,
  DatabricksOptions,
  Trigger,
  GdnConnectionOptions,
  StreamOptions,
  JsonOptions,
  MemoryOptions,
  RateOptions,
} from "./generated/job-types.js";
export {
  DatabricksJobsClient,
  TERMINAL_STATES,
  JobsApiError,
  generatePySpark,
  JobSpecError,
  submitJob,
  buildSubmitRequest,
  DEFAULT_CONNECTOR_JAR,
  type JobsClientOptions,
  type Run,
  type RunState,
  type LifeCycleState,
  type SubmitRunRequest,
  type WaitOptions,
  type PySparkOptions,
  type SubmitOptions,
} from "./jobs/index.js";
export { CLI_ERROR_CODES, type CliErrorCode } from "./error-codes.js";
export { validateJobSpec, loadJobSpec, jobSchema, JobSpecValidationError, type LoadJobSpecOptions } from "./spec/validate.js";
export { resolveReferences, secretVariable, type ResolveOptions } from "./spec/references.js";
export { stateDir, defaultCheckpointLocation } from "./runner/state-dir.js";
export {
  runJob,
  startSync,
  defaultSyncSubscription,
  changeStreamOptions,
  SNAPSHOT_MARKER,
  rejections,
  formatRejections,
  totalRejected,
  streamStatus,
  waitFor,
  type RunJobOptions,
  type JobResult,
  type SyncOptions,
  type SyncHooks,
  type SyncHandle,
  type SnapshotInfo,
  type RejectionReport,
} from "./runner/index.js";
