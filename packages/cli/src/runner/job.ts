/**
 * Runs a validated job spec in this process: `batch` (read once, write with the save mode),
 * `stream` (micro-batches until stopped or the trigger ends), `sync` (see sync.ts) and `reverse`
 * (a Delta table's change data feed applied to a collection by key). Used by
 * `mmspark run` and usable from job scripts (`runJob(loadJobSpec("job.json"))`).
 * @packageDocumentation
 */
import { parseCollectionOptions } from "@macrometa-spark/collection";
import "@macrometa-spark/databricks";
import "@macrometa-spark/stream";
import { CaseInsensitiveOptions, OptionError, createSession, type DataFrame, type OptionValue, type SparkSession, type StreamingQuery, type Trigger } from "@macrometa-spark/core";
import { gdnClientFor } from "@macrometa-spark/macrometa-client";
import type { MmsparkJob, Source } from "../generated/job-types.js";
import type { Progress } from "../progress.js";
import { NOT_A_ROW_COUNTER, rejections, type RejectionReport } from "./report.js";
import { COLLECTION_FORMAT, DELTA_FORMAT, startSync } from "./sync.js";
import { defaultCheckpointLocation } from "./state-dir.js";
import { watchStream, withRowProgress } from "./watch.js";

export interface RunJobOptions {
  session?: SparkSession;
  /** Feedback; without it the job runs silently. */
  progress?: Progress;
  /**
   * Ctrl-C. A stream or sync stops once its current micro-batch commits (no half epoch). A batch
   * job's write stops at the next row batch and is aborted (`runJob` rejects with an AbortedError):
   * a Delta sink's table gets no row and its staging is removed; a collection sink keeps the
   * documents already imported and says how many.
   */
  signal?: AbortSignal;
  /** Environment for the default checkpoint location (see state-dir.ts). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Called once a streaming query (stream or sync) is running. */
  onQuery?: (query: StreamingQuery) => void;
}

export interface JobResult {
  kind: "batch" | "stream" | "sync" | "reverse";
  /** Rows written (batch), rows read by all micro-batches (stream; sync, reverse: change rows). */
  rows: number;
  /** Micro-batches run (stream and sync). */
  batches?: number;
  /** Snapshot rows (sync; 0 when an earlier run did it). */
  snapshotRows?: number;
  rejected: RejectionReport[];
  /** True when the query stopped because of the signal (Ctrl-C). */
  stoppedBySignal?: boolean;
}

function opts(o: object | undefined): Record<string, OptionValue> {
  return (o ?? {}) as Record<string, OptionValue>;
}

/** The collection's document count when the source reads a whole collection (for the ETA). */
async function knownTotal(source: Source): Promise<number | undefined> {
  if (!source.format.startsWith(COLLECTION_FORMAT)) return undefined;
  let options: ReturnType<typeof parseCollectionOptions>;
  try {
    options = parseCollectionOptions(new CaseInsensitiveOptions(opts(source.options), source.format), "read");
  } catch {
    return undefined; // the read itself reports the options' errors
  }
  if (options.query !== undefined) return undefined;
  const http = gdnClientFor({ ...options, maxRetries: 0 });
  try {
    return await http.collectionCount(options.collection);
  } catch {
    return undefined; // only the ETA is lost; the read itself reports real errors
  } finally {
    await http.close();
  }
}

function trigger(spec: MmsparkJob): Trigger | undefined {
  const t = spec.trigger;
  if (!t) return undefined;
  if (t.once) return { once: true };
  if (t.availableNow) return { availableNow: true };
  if (t.processingTime !== undefined) return { processingTime: t.processingTime };
  return undefined;
}

/** Resolves when the query ends by itself, or stops it (committing the current batch) on abort. */
async function untilDone(query: StreamingQuery, signal: AbortSignal | undefined): Promise<boolean> {
  let bySignal = false;
  const onAbort = () => {
    bySignal = true;
    void query.stop();
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await query.awaitTermination();
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  return bySignal;
}

async function runBatch(spec: MmsparkJob, session: SparkSession, o: RunJobOptions): Promise<JobResult> {
  const { source, sink } = spec;
  if (!source || !sink) throw new OptionError(!source ? "source" : "sink", "is required for a batch job");
  let reader = session.read.format(source.format).options(opts(source.options));
  if (source.schema) reader = reader.schema(source.schema);
  const df: DataFrame = await reader.load();
  const write = () => df.write.format(sink.format).mode(sink.mode ?? "errorifexists").options(opts(sink.options)).save(o.signal ? { signal: o.signal } : {});
  const rows = o.progress ? await withRowProgress(df, o.progress, `${spec.name}`, await knownTotal(source), write) : await write();
  return { kind: "batch", rows, rejected: rejections(df.metrics) };
}

async function runStream(spec: MmsparkJob, session: SparkSession, o: RunJobOptions): Promise<JobResult> {
  const { source, sink } = spec;
  if (!source || !sink) throw new OptionError(!source ? "source" : "sink", "is required for a stream job");
  const checkpointLocation = checkpointOf(spec, o);
  // A stream appends each micro-batch; a save mode here would be silently ignored, so refuse it.
  if (sink.mode !== undefined && sink.mode !== "append") {
    throw new OptionError("sink.mode", `a stream job writes in outputMode append (use mergeKeys to upsert); got "${sink.mode}"`);
  }
  let reader = session.readStream.format(source.format).options(opts(source.options));
  if (source.schema) reader = reader.schema(source.schema);
  const df = await reader.load();
  let writer = df.writeStream.format(sink.format).options(opts(sink.options)).option("checkpointLocation", checkpointLocation);
  const t = trigger(spec);
  if (t) writer = writer.trigger(t);
  const query = await writer.start();
  return follow("stream", query, o);
}

/** The spec's checkpointLocation, else one under the user's state directory. */
export function checkpointOf(spec: MmsparkJob, o: Pick<RunJobOptions, "env"> = {}): string {
  return spec.checkpointLocation ?? defaultCheckpointLocation(spec.name, o.env ?? process.env);
}

async function follow(kind: "stream" | "sync" | "reverse", query: StreamingQuery, o: RunJobOptions, extra: Partial<JobResult> = {}): Promise<JobResult> {
  o.onQuery?.(query);
  const unwatch = o.progress ? watchStream(query, o.progress) : () => {};
  let stoppedBySignal: boolean;
  try {
    stoppedBySignal = await untilDone(query, o.signal);
  } finally {
    unwatch();
    o.progress?.done();
  }
  const all = query.recentProgress;
  const rows = all.reduce((n, p) => n + p.numInputRows, 0);
  // Source rejection totals travel in the progress metrics (the last report holds the running totals).
  const last = all.at(-1);
  const rejected: RejectionReport[] = [];
  for (const s of last?.sources ?? []) {
    for (const [counter, count] of Object.entries(s.metrics)) {
      if (count > 0 && NOT_A_ROW_COUNTER.test(counter)) rejected.push({ counter, count, keys: [] });
    }
  }
  return { kind, rows, batches: all.filter((p) => p.numInputRows > 0).length, rejected, stoppedBySignal, ...extra };
}

async function runSyncJob(spec: MmsparkJob, session: SparkSession, o: RunJobOptions): Promise<JobResult> {
  if (!spec.sync) throw new OptionError("sync", "is required for a sync job");
  const t = trigger(spec);
  const handle = await startSync({
    name: spec.name,
    collection: spec.sync.collection,
    delta: spec.sync.delta,
    ...(spec.sync.subscriptionName ? { subscriptionName: spec.sync.subscriptionName } : {}),
    ...(spec.sync.schemaEvolutionMode ? { schemaEvolutionMode: spec.sync.schemaEvolutionMode } : {}),
    checkpointLocation: checkpointOf(spec, o),
    ...(t ? { trigger: t } : {}),
    session,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  o.progress?.event("snapshot", { rows: handle.snapshot.rows, resumed: handle.snapshot.resumed, rejections: handle.snapshot.rejected });
  const r = await follow("sync", handle.query, o, { snapshotRows: handle.snapshot.rows });
  return { ...r, rejected: [...handle.snapshot.rejected, ...r.rejected] };
}

/**
 * `kind: "reverse"`: the table's change feed (offsets = table versions) into the collection's
 * streaming sink, which upserts and deletes by key; a batch replayed after a crash is harmless.
 */
async function runReverse(spec: MmsparkJob, session: SparkSession, o: RunJobOptions): Promise<JobResult> {
  if (!spec.reverse) throw new OptionError("reverse", "is required for a reverse job");
  const delta = opts(spec.reverse.delta);
  if (Object.keys(delta).some((k) => k.toLowerCase() === "query")) throw new OptionError("reverse.delta.query", "a reverse sync follows a table ('table'), not a query");
  const df = await session.readStream.format(DELTA_FORMAT).options(delta).option("readChangeFeed", true).load();
  let writer = df.writeStream.format(COLLECTION_FORMAT).options(opts(spec.reverse.collection)).option("checkpointLocation", checkpointOf(spec, o));
  const t = trigger(spec);
  if (t) writer = writer.trigger(t);
  return follow("reverse", await writer.start(), o);
}

/** Runs a job spec (already validated, e.g. by `loadJobSpec`). Throws on failure. */
export async function runJob(spec: MmsparkJob, o: RunJobOptions = {}): Promise<JobResult> {
  const session = o.session ?? createSession();
  try {
    const kind = spec.kind ?? "batch";
    if (kind === "sync") return await runSyncJob(spec, session, o);
    if (kind === "reverse") return await runReverse(spec, session, o);
    if (kind === "stream") return await runStream(spec, session, o);
    return await runBatch(spec, session, o);
  } finally {
    if (!o.session) await session.stop();
  }
}
