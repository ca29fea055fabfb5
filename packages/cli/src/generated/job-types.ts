/* Generated from schema/job.schema.json by codegen/generate-types.mjs. Do not edit. */

/**
 * A macrometa-spark job: a source read into a sink (batch or streaming), a collection-to-Delta CDC sync, or a Delta-to-collection reverse sync. The single source of truth for job specs and the generated option types.
 */
export type MmsparkJob = {
  $schema?: string;
  /**
   * Job name; also the Databricks run name.
   */
  name: string;
  /**
   * batch: read once and write; stream: micro-batches until stopped; sync: a collection's snapshot then its change stream merged into a Delta table; reverse: a Delta table's change data feed applied to a collection by key.
   */
  kind?: "batch" | "stream" | "sync" | "reverse";
  source?: Source;
  sink?: Sink;
  sync?: SyncSpec;
  reverse?: ReverseSpec;
  trigger?: Trigger;
  /**
   * Folder of the streaming checkpoint (offsets/N, commits/N) of kind=stream, kind=sync and kind=reverse. Default under mmspark run: <state dir>/checkpoints/<name>, the state dir being $MMSPARK_STATE_DIR, else $XDG_STATE_HOME/mmspark, else ~/.local/state/mmspark. Required by mmspark submit.
   */
  checkpointLocation?: string;
};
/**
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "Source".
 */
export type Source = Source1;
/**
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "Sink".
 */
export type Sink = Sink1;

export interface Source1 {
  format: string;
  options?: {};
  /**
   * A user schema as Spark DDL ("a BIGINT, b ARRAY<STRING>").
   */
  schema?: string;
}
export interface Sink1 {
  format: string;
  options?: {};
  /**
   * Save mode of a batch write (Spark's default: errorifexists).
   */
  mode?: "append" | "overwrite" | "errorifexists" | "ignore";
}
/**
 * Collection snapshot + change stream merged into a Delta table by _key (subscribe first, then snapshot, then reconcile).
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "SyncSpec".
 */
export interface SyncSpec {
  collection: CollectionOptions;
  delta: DatabricksOptions;
  /**
   * Subscription used for the change stream. Default: mmspark-sync-<name>.
   */
  subscriptionName?: string;
}
/**
 * Options of format com.macrometa.spark.collection (names as the official connector's, plus ours).
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "CollectionOptions".
 */
export interface CollectionOptions {
  /**
   * GDN region host (becomes https://api-<host>) or a URL with a scheme used as is. Connector: regionUrl.
   */
  regionUrl: string;
  /**
   * API key, bare or as `apikey <key>`. Connector: apiKey. Use {{secrets/<scope>/<key>}} in specs submitted to Databricks.
   */
  apiKey?: string;
  /**
   * A JWT sent as `bearer` instead of an API key.
   */
  jwt?: string;
  /**
   * Alias of jwt.
   */
  token?: string;
  /**
   * GDN fabric (database). Default: _system.
   */
  fabric?: string;
  /**
   * Retries of calls safe to repeat (429, 503, 5xx but 501, resets). Default: 4.
   */
  maxRetries?: number;
  /**
   * Per-request timeout in ms. Default: 60000.
   */
  requestTimeoutMs?: number;
  /**
   * Collection name. Connector: collection.
   */
  collection: string;
  /**
   * Read: cursor page size; write: documents per import call. Connector: batchSize. Default: 1000.
   */
  batchSize?: number;
  /**
   * C8QL query. Default: FOR doc IN <collection> RETURN doc. Connector: query.
   */
  query?: string;
  /**
   * Bind parameters of query (@name; @@name for collections).
   */
  bindVars?: {};
  /**
   * Write: attribute whose value becomes _key. Connector: primaryKey.
   */
  primaryKey?: string;
  /**
   * Write: replace documents whose key exists (upsert). Default: false.
   */
  replace?: boolean;
  /**
   * Documents sampled for schema inference. Default: 50.
   */
  schemaSampleSize?: number;
  /**
   * mostCommon (the connector's rule) or merge (spark.read.json). Default: mostCommon.
   */
  schemaInference?: "mostCommon" | "merge";
  /**
   * What to do with documents that do not match the schema. Default: DROPMALFORMED (counted) for an inferred schema; PERMISSIVE (Spark's default: nulls, the document in the corrupt-record column when the schema has one) with the source's schema.
   */
  mode?: "DROPMALFORMED" | "PERMISSIVE" | "FAILFAST";
  /**
   * Column holding the raw text of a mismatching document under PERMISSIVE. Default: _corrupt_record.
   */
  columnNameOfCorruptRecord?: string;
  /**
   * Read: share of documents that may be rejected before mmspark run fails (exit 1); a run that rejects every document fails anyway. Default: 1.
   */
  maxRejectedFraction?: number;
  /**
   * Read: key-range partitions of the default query (a user query is one partition). Write: import calls in flight. Default: read 1, write 4.
   */
  parallelism?: number;
  /**
   * Write: fail on per-document import errors, or skip them into rejectsPath. Default: fail.
   */
  onDocumentError?: "fail" | "skip";
  /**
   * Write: JSON-lines file receiving rejected documents when onDocumentError=skip.
   */
  rejectsPath?: string;
  /**
   * Accepted for connector jobs; the tenant comes from the API key.
   */
  tenant?: string;
}
/**
 * Options of format databricks (Delta tables over Databricks SQL).
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "DatabricksOptions".
 */
export interface DatabricksOptions {
  /**
   * Workspace host, e.g. dbc-xxxx.cloud.databricks.com.
   */
  host?: string;
  /**
   * SQL warehouse HTTP path, e.g. /sql/1.0/warehouses/<id>.
   */
  httpPath?: string;
  /**
   * Default: 443.
   */
  port?: number;
  /**
   * Personal access token (never logged).
   */
  token?: string;
  /**
   * OAuth M2M service principal client id.
   */
  clientId?: string;
  /**
   * OAuth M2M secret (never logged).
   */
  clientSecret?: string;
  /**
   * TLS to the warehouse. Default: true (false only for a local warehouse).
   */
  useTls?: boolean | string;
  /**
   * PEM file of a CA to trust on top of the system's (e.g. the one mmspark local up writes). Needs useTls.
   */
  caCertFile?: string;
  catalog?: string;
  schema?: string;
  /**
   * Table name, 1-, 2- or 3-part.
   */
  table?: string;
  /**
   * Read: a SELECT with :named parameters.
   */
  query?: string;
  /**
   * Read: named parameters of query.
   */
  params?: {};
  /**
   * Upsert by these columns with MERGE (last occurrence in a batch wins).
   */
  mergeKeys?: string | string[];
  /**
   * Rows with this boolean column true delete the matching target row (e.g. _delete).
   */
  deleteFlagColumn?: string;
  /**
   * Create the table from the schema when missing. Default: true.
   */
  createTable?: boolean | string;
  /**
   * Add new columns (never drop or retype). Default: false.
   */
  schemaEvolution?: boolean | string;
  /**
   * Column names Delta rejects: refuse (default) or rename to _.
   */
  columnNameMode?: "refuse" | "rename";
  /**
   * Statement batching. Default: auto (the measured faster one).
   */
  insertStrategy?: "auto" | "parameters" | "literals";
  /**
   * Byte budget of one literal INSERT. Default: 1048576.
   */
  maxStatementBytes?: number;
  queryTimeoutMs?: number;
  /**
   * Add an _mm_ingested_at TIMESTAMP column set by the applying statement. Default: false.
   */
  ingestedAtColumn?: boolean | string;
  /**
   * Add an _mm_source STRING column holding this text (e.g. the collection or stream name).
   */
  sourceTag?: string;
  /**
   * Parameter cap per statement (insertStrategy parameters). Default: 256.
   */
  maxParameters?: number;
  /**
   * Streaming appends: a column holding the epoch id, guarded by NOT EXISTS so a replayed epoch adds nothing.
   */
  batchIdColumn?: string;
  /**
   * Table recording applied (queryId, epochId) pairs. Default: _mm_commits beside the target.
   */
  commitsTable?: string;
  /**
   * TBLPROPERTIES of a created table.
   */
  tableProperties?: {};
  /**
   * volume: Parquet files in stagingVolume, loaded with one COPY INTO / MERGE / INSERT OVERWRITE (needs READ VOLUME + WRITE VOLUME); insert: SQL INSERTs into staging tables (needs CREATE TABLE). Default: volume when stagingVolume is set, else insert.
   */
  writeMethod?: "volume" | "insert";
  /**
   * Unity Catalog volume (and optional folder) for staged Parquet files: /Volumes/<catalog>/<schema>/<volume>[/<dir>] or <catalog>.<schema>.<volume>.
   */
  stagingVolume?: string;
  /**
   * volume method: rows per staged Parquet file. Default: 1000000.
   */
  maxRecordsPerFile?: number;
  /**
   * volume method: approximate value bytes per staged Parquet file. Default: 8388608 (8 MiB).
   */
  maxBytesPerFile?: number;
  /**
   * volume method, batch writes: staged run folders older than this (left by killed writes) are removed at start. Default: 3600000 (1 hour).
   */
  staleStagingAfterMs?: number;
  /**
   * How long statements safe to repeat and Files API calls are retried (through a warehouse restart or a lost reply). Default: 120000.
   */
  retryBudgetMs?: number;
  /**
   * Read: rows per fetch. Default: 10000.
   */
  fetchSize?: number;
  /**
   * Read: the table's change data feed (rows plus _change_type, _commit_version, _commit_timestamp). Default: false (a stream reads appended rows only).
   */
  readChangeFeed?: boolean | string;
  /**
   * Delta's legacy name of readChangeFeed.
   */
  readChangeData?: boolean | string;
  /**
   * Read: first table version (inclusive), or latest (only commits after the current one). A stream without it reads the table as of its latest version first, then its commits.
   */
  startingVersion?: number | string;
  /**
   * Read: start at the first commit at or after this time (yyyy-MM-dd[ HH:mm:ss[.SSS]], UTC).
   */
  startingTimestamp?: string;
  /**
   * Read: last table version (inclusive). Default: the latest.
   */
  endingVersion?: number;
  /**
   * Read: end at the last commit at or before this time.
   */
  endingTimestamp?: string;
  /**
   * Stream: data files per micro-batch (from each commit's operationMetrics); commits are never split and the first is always admitted. Default: 1000.
   */
  maxFilesPerTrigger?: number;
  /**
   * Stream: bytes per micro-batch, same rules. Default: unset.
   */
  maxBytesPerTrigger?: number;
  /**
   * Stream without readChangeFeed: skip commits that update or delete rows instead of failing (DELTA_SOURCE_TABLE_IGNORE_CHANGES). Default: false.
   */
  skipChangeCommits?: boolean | string;
}
/**
 * A Delta table's change data feed into a collection (created when missing): delta names the table (readChangeFeed is implied; startingVersion, maxFilesPerTrigger... apply), inserts and post-images upsert by _key (or the collection's primaryKey), deletes remove, pre-images are skipped; a replayed micro-batch is harmless. Offsets are table versions kept in checkpointLocation.
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "ReverseSpec".
 */
export interface ReverseSpec {
  delta: DatabricksOptions;
  collection: CollectionOptions;
}
/**
 * Spark trigger: exactly one of processingTime, once, availableNow.
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "Trigger".
 */
export interface Trigger {
  /**
   * Interval between batch starts (ms, or text such as "250 ms", "10 seconds").
   */
  processingTime?: number | string;
  once?: boolean;
  availableNow?: boolean;
}
/**
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "GdnConnectionOptions".
 */
export interface GdnConnectionOptions {
  /**
   * GDN region host (becomes https://api-<host>) or a URL with a scheme used as is. Connector: regionUrl.
   */
  regionUrl?: string;
  /**
   * API key, bare or as `apikey <key>`. Connector: apiKey. Use {{secrets/<scope>/<key>}} in specs submitted to Databricks.
   */
  apiKey?: string;
  /**
   * A JWT sent as `bearer` instead of an API key.
   */
  jwt?: string;
  /**
   * Alias of jwt.
   */
  token?: string;
  /**
   * GDN fabric (database). Default: _system.
   */
  fabric?: string;
  /**
   * Retries of calls safe to repeat (429, 503, 5xx but 501, resets). Default: 4.
   */
  maxRetries?: number;
  /**
   * Per-request timeout in ms. Default: 60000.
   */
  requestTimeoutMs?: number;
}
/**
 * Options of format com.macrometa.spark.stream (names as the official connector's, plus ours).
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "StreamOptions".
 */
export interface StreamOptions {
  /**
   * GDN region host (becomes https://api-<host>) or a URL with a scheme used as is. Connector: regionUrl.
   */
  regionUrl: string;
  /**
   * API key, bare or as `apikey <key>`. Connector: apiKey. Use {{secrets/<scope>/<key>}} in specs submitted to Databricks.
   */
  apiKey?: string;
  /**
   * API key, bare or as `apikey <key>`. Connector: apiKey. Use {{secrets/<scope>/<key>}} in specs submitted to Databricks.
   */
  apikey?: string;
  /**
   * GDN fabric (database). Default: _system.
   */
  fabric?: string;
  /**
   * Tenant; derived from the API key when absent. Connector: tenant.
   */
  tenant?: string;
  /**
   * Stream name (without c8globals./c8locals.), or the collection name for a collection stream. Connector: stream.
   */
  stream: string;
  /**
   * Stream replication. Default: global. Connector: replication.
   */
  replication?: "global" | "local";
  /**
   * Subscription name (honoured). Connector: subscriptionName.
   */
  subscriptionName?: string;
  /**
   * Read a collection's change stream (must be local). Connector: isCollectionStream.
   */
  isCollectionStream?: boolean | string;
  /**
   * Accepted for the connector's Pulsar port; unused over WebSockets.
   */
  port?: number | string;
  /**
   * Default: Exclusive (keeps order).
   */
  subscriptionType?: "Exclusive" | "Shared" | "Failover" | "Key_Shared";
  /**
   * Where a new subscription starts. Default: earliest.
   */
  startingPosition?: "earliest" | "latest";
  /**
   * Upper bound of messages per micro-batch. Default: no bound.
   */
  maxMessagesPerTrigger?: number;
  /**
   * Messages peeked (not consumed) for inference. Default: 1.
   */
  schemaSampleSize?: number;
  /**
   * Handling of payloads that do not match. Default: PERMISSIVE.
   */
  mode?: "DROPMALFORMED" | "PERMISSIVE" | "FAILFAST";
  columnNameOfCorruptRecord?: string;
  /**
   * Add _messageId, _publishTime, _key, _properties columns. Default: false.
   */
  includeMetadata?: boolean | string;
  /**
   * How long inference waits for messages to peek, in ms. Default: 10000.
   */
  schemaInferenceTimeoutMs?: number;
  /**
   * spark: missing fields are null, unknown ones ignored (default); shape: the collection reader's strict rule.
   */
  matching?: "spark" | "shape";
  /**
   * Unacked deliveries the server may push. Default: max(1000, 2 x maxMessagesPerTrigger).
   */
  receiverQueueSize?: number;
  /**
   * WebSocket auth: apikey header (default) or a one-time token from /apid/otp.
   */
  auth?: "header" | "otp";
  /**
   * Reconnect after this long without frames, in ms (0 = off). Default: 30000.
   */
  idleTimeoutMs?: number;
  /**
   * How long a replayed batch waits for its messages to be redelivered, in ms. Default: 30000.
   */
  batchReplayTimeoutMs?: number;
  /**
   * Sink: sends in flight before send() waits. Default: 1000.
   */
  maxPendingMessages?: number;
  /**
   * Sink: column whose value becomes the message key.
   */
  keyColumn?: string;
}
/**
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "JsonOptions".
 */
export interface JsonOptions {
  /**
   * JSON-lines file or folder.
   */
  path?: string;
  schemaSampleSize?: number;
  schemaInference?: "mostCommon" | "merge";
  mode?: "DROPMALFORMED" | "PERMISSIVE" | "FAILFAST";
  columnNameOfCorruptRecord?: string;
}
/**
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "MemoryOptions".
 */
export interface MemoryOptions {
  name?: string;
  queryName?: string;
}
/**
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "RateOptions".
 */
export interface RateOptions {
  rowsPerSecond?: number;
  numPartitions?: number;
}
