/**
 * The in-process job runner, for job scripts: `runJob(spec)` for batch/stream/sync specs and
 * `startSync(...)` for a collection → Delta CDC sync with a handle on its change-stream query.
 * @packageDocumentation
 */
export { runJob, type RunJobOptions, type JobResult } from "./job.js";
export { startSync, defaultSyncSubscription, changeStreamOptions, SNAPSHOT_MARKER, type SyncOptions, type SyncHooks, type SyncHandle, type SnapshotInfo } from "./sync.js";
export { rejections, formatRejections, totalRejected, type RejectionReport } from "./report.js";
export { streamStatus, waitFor } from "./watch.js";
