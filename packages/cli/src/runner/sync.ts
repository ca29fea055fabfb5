/**
 * `kind: "sync"`: a collection's snapshot followed by its change stream, merged by `_key` into a
 * Delta table, with no gap and no duplicate at the seam.
 *
 * The order is what makes the seam safe:
 *
 * 1. Make sure the durable subscription exists on the collection's change stream (open and close a
 *    consumer with the subscription name, starting at Latest). From here on the GDN keeps every change
 *    for us until we acknowledge it.
 * 2. Read the snapshot (any consistent or inconsistent view taken AFTER step 1) and write it to the
 *    Delta table as a full refresh (save mode overwrite). Record "snapshot done" in the checkpoint
 *    folder so a restart goes straight to step 3.
 * 3. Stream the subscription into the same table: MERGE on `_key`, rows with `_delete` true delete.
 *
 * Why replaying changes that the snapshot already saw is harmless: every change event is the full
 * new document (or a delete of a key), and they are applied in commit order per key. After step 3
 * has applied all events, a key's row is whatever its LAST event says — which is the collection's
 * current state — and a key with no event since step 1 has not changed since before the snapshot
 * read it, so the snapshot's copy is current. An event that predates the snapshot therefore only
 * rewrites a row with a value that a later event (or the snapshot itself) also holds; nothing is
 * missed because the subscription existed before the snapshot began.
 *
 * Schema drift: the snapshot is read with the rescued-data column `_rescued_data` (a document of
 * another shape is kept, what does not fit goes there) and the change stream with
 * `schemaEvolutionMode` (default addNewColumns: an update with a new field adds a column to the Delta
 * table between micro-batches; rescue: the field goes to `_rescued_data`). Each change event is the
 * whole document and the MERGE sets every column, so a field the document lost becomes null.
 *
 * Exported for job scripts (`import { startSync } from "@macrometa-spark/cli"`).
 * @packageDocumentation
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseCollectionOptions } from "@macrometa-spark/collection";
import "@macrometa-spark/databricks";
import "@macrometa-spark/stream";
import {
  CaseInsensitiveOptions,
  OptionError,
  RESCUED_DATA_COLUMN,
  createSession,
  parseJsonSchema,
  writeAtomic,
  type JobMetrics,
  type OptionValue,
  type QueryProgress,
  type SchemaEvolutionMode,
  type SparkSession,
  type StreamingQuery,
  type StructType,
  type Trigger,
} from "@macrometa-spark/core";
import { StreamConsumer, gdnClientFor } from "@macrometa-spark/macrometa-client";
import { parseStreamOptions } from "@macrometa-spark/stream";
import type { CollectionOptions, DatabricksOptions } from "../generated/job-types.js";
import { rejections, type RejectionReport } from "./report.js";
import { cliError } from "../error-codes.js";

export const COLLECTION_FORMAT = "com.macrometa.spark.collection";
export const STREAM_FORMAT = "com.macrometa.spark.stream";
export const DELTA_FORMAT = "databricks";
/** File in the checkpoint folder that marks the snapshot as applied. */
export const SNAPSHOT_MARKER = "sync-snapshot.json";

export interface SyncHooks {
  /** After the subscription exists, before the snapshot is read (tests and the demo change documents here). */
  afterSubscribe?(): Promise<void> | void;
  /**
   * Started (not awaited) as soon as the snapshot's first rows have been read; awaited after the
   * snapshot write, so its failures surface. Lets tests and the demo change documents mid-snapshot.
   */
  duringSnapshot?(): Promise<void> | void;
}

export interface SyncOptions {
  /** Job name: default subscription `mmspark-sync-<name>`. */
  name: string;
  collection: CollectionOptions | Record<string, OptionValue>;
  delta: DatabricksOptions | Record<string, OptionValue>;
  subscriptionName?: string;
  /**
   * Fields of changed documents that the table lacks. Default: "addNewColumns" (new columns in the
   * Delta table); "rescue" puts them in `_rescued_data`; "failOnNewColumns" stops the sync; "none"
   * drops them (counted as droppedFields).
   */
  schemaEvolutionMode?: SchemaEvolutionMode;
  /** Holds the snapshot marker and the change stream's checkpoint (`stream/`). */
  checkpointLocation: string;
  /** Trigger of the change-stream phase. Default: every 500 ms until stopped. */
  trigger?: Trigger;
  session?: SparkSession;
  hooks?: SyncHooks;
  /**
   * Ctrl-C during the snapshot: its overwrite is aborted (the table keeps its rows, no snapshot
   * marker is written, so the next run takes the snapshot again) and startSync rejects with an
   * AbortedError. Default: none.
   */
  signal?: AbortSignal;
}

export interface SnapshotInfo {
  /** Rows written to the Delta table by the snapshot (0 when it was done by an earlier run). */
  rows: number;
  /** True when this run skipped the snapshot because the checkpoint says it is done. */
  resumed: boolean;
  schema: StructType;
  rejected: RejectionReport[];
  subscriptionName: string;
}

export interface SyncHandle {
  snapshot: SnapshotInfo;
  /** The change-stream query (Spark-shaped progress events; `stop()` commits the current batch). */
  query: StreamingQuery;
  /** Change events applied so far by this run (sum of numInputRows). */
  readonly changesApplied: number;
  stop(): Promise<void>;
}

/** Case-insensitive lookup in a plain options object (options are case-insensitive everywhere). */
function opt(o: object, name: string): unknown {
  const k = Object.keys(o).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : (o as Record<string, unknown>)[k];
}

function without(o: object, names: string[]): Record<string, OptionValue> {
  const drop = new Set(names.map((n) => n.toLowerCase()));
  return Object.fromEntries(Object.entries(o).filter(([k]) => !drop.has(k.toLowerCase()))) as Record<string, OptionValue>;
}

export function defaultSyncSubscription(name: string): string {
  return `mmspark-sync-${name.replace(/[^A-Za-z0-9._\-:]/g, "-")}`;
}

/** The stream format's options for the collection's change stream, from the collection options. */
export function changeStreamOptions(collection: object, subscriptionName: string): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {
    regionUrl: opt(collection, "regionUrl") as string,
    stream: opt(collection, "collection") as string,
    isCollectionStream: true,
    replication: "local",
    subscriptionName,
    // A subscription that is new at this point starts at the earliest retained event; ours was
    // created in step 1, so it keeps its own position and this only matters if it was deleted.
    startingPosition: "earliest",
    // A change that does not fit the table stops the sync, naming the key: dropping it (even
    // counted) would leave that row stale for good, since "each key ends as its last event" is
    // what makes the seam safe. Give `mode` explicitly to choose otherwise.
    mode: (opt(collection, "mode") as string | undefined) ?? "FAILFAST",
  };
  // The stream format authenticates with an API key only (a JWT is not accepted over WebSockets).
  for (const name of ["apiKey", "fabric", "tenant"]) {
    const v = opt(collection, name);
    if (v !== undefined) out[name] = v as OptionValue;
  }
  return out;
}

/** The sync's rescued-data column: the collection options' `rescuedDataColumn`, else `_rescued_data`. */
function rescuedColumnOf(collection: object): string {
  return (opt(collection, "rescuedDataColumn") as string | undefined) ?? RESCUED_DATA_COLUMN;
}

/** The snapshot read's options: the collection's, with the rescued-data column on (documents of another shape are kept). */
function snapshotOptions(collection: object): Record<string, OptionValue> {
  return { ...(collection as Record<string, OptionValue>), rescuedDataColumn: rescuedColumnOf(collection) };
}

interface Marker {
  version: 1;
  rows: number;
  schema: unknown;
  subscriptionName: string;
  at: string;
}

async function readMarker(dir: string): Promise<Marker | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, SNAPSHOT_MARKER), "utf8")) as Marker;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * Step 1: the collection must have a change stream, and our subscription must exist on it before
 * the snapshot is read. Opening an Exclusive consumer creates the durable subscription (at Latest
 * when it is new; an existing one keeps its position); closing it leaves the subscription in place.
 */
async function ensureSubscription(collection: object, subscriptionName: string): Promise<void> {
  const options = parseCollectionOptions(new CaseInsensitiveOptions(collection as Record<string, OptionValue>, COLLECTION_FORMAT), "read");
  const http = gdnClientFor(options);
  try {
    const info = await http.collectionInfo(options.collection);
    // Without a change stream there is nothing to follow; turning it on is what the GDN console does.
    if (!info.hasStream) await http.setCollectionProperties(options.collection, { hasStream: true });
  } finally {
    await http.close();
  }
  const so = parseStreamOptions(new CaseInsensitiveOptions(changeStreamOptions(collection, subscriptionName), STREAM_FORMAT));
  const consumer = await StreamConsumer.subscribe({
    wsBase: so.wsBase,
    apiKey: so.apiKey,
    auth: so.auth,
    topic: so.topic,
    subscription: subscriptionName,
    subscriptionType: "Exclusive",
    subscriptionInitialPosition: "Latest",
    idleTimeoutMs: 0,
  });
  await consumer.close();
}

function validate(o: SyncOptions): void {
  for (const name of ["regionUrl", "collection"]) {
    if (typeof opt(o.collection, name) !== "string") throw new OptionError(`sync.collection.${name}`, "is required");
  }
  if (typeof opt(o.delta, "table") !== "string") throw new OptionError("sync.delta.table", "is required");
  if (!o.checkpointLocation) throw new OptionError("checkpointLocation", "is required for a sync (it records the snapshot and the change stream's offsets)");
  const q = opt(o.collection, "query");
  if (q !== undefined) throw new OptionError("sync.collection.query", "a sync copies the whole collection (its change stream covers every document); remove query");
}

/** Runs the snapshot (unless already done) and starts the change stream; returns a handle. */
export async function startSync(o: SyncOptions): Promise<SyncHandle> {
  validate(o);
  const session = o.session ?? createSession();
  const subscriptionName = o.subscriptionName ?? defaultSyncSubscription(o.name);
  await mkdir(o.checkpointLocation, { recursive: true });
  const deltaBase = without(o.delta, ["mergeKeys", "deleteFlagColumn"]);

  let snapshot: SnapshotInfo;
  const marker = await readMarker(o.checkpointLocation);
  if (marker) {
    if (marker.subscriptionName !== subscriptionName) {
      throw cliError("CHECKPOINT_MISMATCH", { checkpoint: o.checkpointLocation, found: marker.subscriptionName, expected: subscriptionName });
    }
    snapshot = { rows: 0, resumed: true, schema: parseJsonSchema(marker.schema) as StructType, rejected: [], subscriptionName };
  } else {
    await ensureSubscription(o.collection, subscriptionName);
    await o.hooks?.afterSubscribe?.();
    const read = await session.read.format(COLLECTION_FORMAT).options(snapshotOptions(o.collection)).load();
    let during: Promise<void> | undefined;
    const hook = o.hooks?.duringSnapshot;
    const df = hook
      ? read.filter(() => {
          during ??= Promise.resolve().then(() => hook());
          return true;
        })
      : read;
    let rows: number;
    try {
      // Overwrite: the table becomes exactly the snapshot (a re-run after a crash mid-snapshot too).
      rows = await df.write.format(DELTA_FORMAT).mode("overwrite").options(deltaBase).save(o.signal ? { signal: o.signal } : {});
    } finally {
      await during;
    }
    const metrics: JobMetrics | undefined = df.metrics;
    await writeAtomic(
      join(o.checkpointLocation, SNAPSHOT_MARKER),
      JSON.stringify({ version: 1, rows, schema: read.schema.jsonValue(), subscriptionName, at: new Date().toISOString() } satisfies Marker) + "\n",
    );
    snapshot = { rows, resumed: false, schema: read.schema, rejected: rejections(metrics), subscriptionName };
  }

  // The snapshot's schema is the stream's payload schema, so change rows line up with the table's
  // columns (the stream format appends `_delete`; the sink turns it into deletes, not a column).
  const stream = await session.readStream
    .format(STREAM_FORMAT)
    .schema(snapshot.schema)
    .options({ ...changeStreamOptions(o.collection, subscriptionName), schemaEvolutionMode: o.schemaEvolutionMode ?? "addNewColumns", rescuedDataColumn: rescuedColumnOf(o.collection) })
    .load();
  const query = await stream.writeStream
    .format(DELTA_FORMAT)
    .options({ ...deltaBase, mergeKeys: "_key", deleteFlagColumn: "_delete" })
    .option("checkpointLocation", join(o.checkpointLocation, "stream"))
    .trigger(o.trigger ?? { processingTime: 500 })
    .start();
  let applied = 0;
  query.on("progress", (p: QueryProgress) => {
    applied += p.numInputRows;
  });
  return {
    snapshot,
    query,
    get changesApplied() {
      return applied;
    },
    stop: () => query.stop(),
  };
}
