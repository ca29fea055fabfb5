/* Generated from schema/job.schema.json by codegen/generate-types.mjs. Do not edit. */

/**
 * A macrometa-spark job: a source read into a sink (batch or streaming), a collection-to-Delta CDC sync, or a Delta-to-collection reverse sync. Generated from the option tables by `npm run options`.
 */
export type MmsparkJob = {
  /**
   * The schema this spec is written against (for editors).
   */
  $schema?: string;
  /**
   * Job name; also the Databricks run name. Required.
   */
  name: string;
  /**
   * batch: read once and write; stream: micro-batches until stopped; sync: a collection's snapshot then its change stream merged into a Delta table; reverse: a Delta table's change data feed applied to a collection by key. Default: `batch`.
   */
  kind?: "batch" | "stream" | "sync" | "reverse";
  source?: Source;
  sink?: Sink;
  sync?: SyncSpec;
  reverse?: ReverseSpec;
  trigger?: Trigger;
  /**
   * Folder of the streaming checkpoint (offsets/N, commits/N) of kind stream, kind sync and kind reverse. Required by `mmspark submit`. Default: under `mmspark run`: `<state dir>/checkpoints/<name>`, the state dir being `$MMSPARK_STATE_DIR`, else `$XDG_STATE_HOME/mmspark`, else `~/.local/state/mmspark`.
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
   * Subscription used for the change stream. Default: `mmspark-sync-<name>`.
   */
  subscriptionName?: string;
  /**
   * What a changed document's fields outside the table do: `addNewColumns` adds them as columns of the Delta table between micro-batches, `rescue` puts them in the rescued-data column, `failOnNewColumns` stops the sync naming them, `none` drops them (counted). Default: `addNewColumns` (the snapshot's schema is inferred).
   */
  schemaEvolutionMode?: "addNewColumns" | "rescue" | "failOnNewColumns" | "none";
}
/**
 * Options of format com.macrometa.spark.collection (names as the official connector's, plus ours).
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "CollectionOptions".
 */
export interface CollectionOptions {
  /**
   * A host becomes `https://api-<host>` (TLS); a value with a scheme (`http://127.0.0.1:8529`) is used as is; plain `http` only for localhost (the key would travel in clear), anything else is refused. Required.
   */
  regionUrl: string;
  /**
   * `<tenant>.<keyid>.<secret>`, bare or as `apikey <key>`; sent as `Authorization: apikey <key>`. In specs submitted to Databricks, give `{{secrets/<scope>/<key>}}`. Never logged or echoed in errors. Required unless `jwt`.
   */
  apiKey?: string;
  /**
   * A JWT, sent as `Authorization: bearer <jwt>` (the key-permission pre-flight is skipped: it needs a key id). Never logged or echoed in errors.
   */
  jwt?: string;
  /**
   * Alias of `jwt`.
   */
  token?: string;
  /**
   * Fabric (database). Default: `_system`.
   */
  fabric?: string;
  /**
   * Collection to read (must exist) or write (created when missing). Required.
   */
  collection: string;
  /**
   * Read: documents per cursor page. Write: documents per import call. Range: 1..10000. Default: `1000`.
   */
  batchSize?: number;
  /**
   * C8QL to read (reads only). Default: `FOR doc IN <collection> RETURN doc`.
   */
  query?: string;
  /**
   * Bind parameters of `query` (object or JSON text; `@name`, `@@name` for collections). Default: `{}`.
   */
  bindVars?: {};
  /**
   * Write: attribute whose value becomes `_key` (the server moves an existing `_key` to `old_key`).
   */
  primaryKey?: string;
  /**
   * Write: replace documents whose key exists; with keys (`_key` column or `primaryKey`) this is an upsert. Default: `false`.
   */
  replace?: boolean | string;
  /**
   * Documents of the query sampled for inference (when no `.schema(...)` is given). Range: 1..100000. Default: `50`.
   */
  schemaSampleSize?: number;
  /**
   * `mostCommon`: infer each sampled document, keep the most frequent schema (the connector's rule). `merge`: Spark's `spark.read.json` inference over the sample. Default: `mostCommon`.
   */
  schemaInference?: "mostCommon" | "merge";
  /**
   * `DROPMALFORMED`: documents that do not match are not returned, and are counted. `PERMISSIVE`: returned, with null for each value that does not fit and the whole document in the corrupt-record column when the schema has one (inference adds it to an inferred schema; give it in your own schema to get it). `FAILFAST`: the read fails naming the `_key` and field. Default: inferred schema: `DROPMALFORMED`; with `.schema(…)`: `PERMISSIVE` (Spark's default).
   */
  mode?: "PERMISSIVE" | "DROPMALFORMED" | "FAILFAST";
  /**
   * Column PERMISSIVE adds to the schema. Default: `_corrupt_record`.
   */
  columnNameOfCorruptRecord?: string;
  /**
   * Read: a string column (added to the schema, inferred or given) that receives, as one JSON object with the document's `_key`, every field the schema lacks and every value that does not fit its column (Auto Loader's rescued data column, usually `_rescued_data`); such documents are then kept, not rejected, and counted as `rescuedRecords`. Refused on writes. See *Schema drift* in the root README. Default: none (the parse mode decides).
   */
  rescuedDataColumn?: string;
  /**
   * Read: share of documents (0..1) that may be rejected before `mmspark run` fails (exit 1); a run that rejects every document fails whatever this is. Rejections are always counted in `df.metrics` and warned about with the first keys. Range: 0..1. Default: `1`.
   */
  maxRejectedFraction?: number;
  /**
   * Read: key-range partitions of the default query (a user `query` is one partition). Write: import calls in flight per writer. Through the session the engine also reads that many partitions at once. The write default was measured on local-gdn (see the README's benchmarks). Range: 1..64. Default: read `1`, write `4`.
   */
  parallelism?: number;
  /**
   * Retries after the first attempt (429, 503, other 5xx but 501, resets), with exponential backoff, Retry-After honoured, 60 s total budget. Range: 0..20. Default: `4`.
   */
  maxRetries?: number;
  /**
   * Time limit of one HTTP request, answer included. Range: 100..3600000. Default: `60000` (ms).
   */
  requestTimeoutMs?: number;
  /**
   * Write: `fail` stops with counts per errorNum and example keys; `skip` appends rejected documents to `rejectsPath` and counts them. Default: `fail`.
   */
  onDocumentError?: "fail" | "skip";
  /**
   * JSON-lines file: `{"collection","errorNum","errorMessage","document"}` per rejected document. Required with `skip`.
   */
  rejectsPath?: string;
  /**
   * Accepted for compatibility with connector jobs; the tenant comes from the API key.
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
   * Workspace host, no scheme or path (`adb-….azuredatabricks.net`, `dbc-….cloud.databricks.com`). A job spec submitted to Databricks may leave `host` and `httpPath` out: it runs there. Required.
   */
  host?: string;
  /**
   * The warehouse's HTTP path (`/sql/1.0/warehouses/<id>`; *Connection details* tab). Required.
   */
  httpPath?: string;
  /**
   * The warehouse's HTTPS port. Range: 1..65535. Default: `443`.
   */
  port?: number;
  /**
   * Personal access token or any bearer token. Exclusive with `clientId`/`clientSecret`. Never logged or echoed in errors.
   */
  token?: string;
  /**
   * OAuth M2M service principal (client-credentials flow; the driver's `databricks-oauth`), instead of `token`; needs `clientSecret`.
   */
  clientId?: string;
  /**
   * The OAuth M2M secret of `clientId`. Never logged or echoed in errors.
   */
  clientSecret?: string;
  /**
   * `false` = plain HTTP, accepted only for `localhost`/`127.0.0.1`/`::1` (the local warehouse); any other host is refused, since the token would travel in clear. Default: `true`.
   */
  useTls?: boolean | string;
  /**
   * A PEM file holding a certificate authority to trust on top of the system's, for a warehouse whose certificate a private CA signed: e.g. the CA file `mmspark local up` writes for the local warehouse. Passed to the driver as its `customCaCert` and used by the Files API client; checked readable when the options are read. Needs `useTls`. Default: the system's roots and `NODE_EXTRA_CA_CERTS` only.
   */
  caCertFile?: string;
  /**
   * Server-side statement timeout, rounded up to seconds; `0` = none. At least 0. Default: `0` (ms).
   */
  queryTimeoutMs?: number;
  /**
   * The session's catalog, and the default catalog of `table`. Default: session default.
   */
  catalog?: string;
  /**
   * The session's schema, and the default schema of `table`. Default: session default.
   */
  schema?: string;
  /**
   * `t`, `schema.t` or `catalog.schema.t`; parts may be backtick-quoted (`` `my``odd`.t ``); each part ≤ 255 chars, no `.`, space, `/` or control characters (Unity Catalog rules); a part given both here and in `catalog`/`schema` must agree. Reads take `table` or `query`; writes need it.
   */
  table?: string;
  /**
   * `/Volumes/<catalog>/<schema>/<volume>[/<dir>]` or `<catalog>.<schema>.<volume>`: where the `volume` method stages Parquet files (the volume must exist: `CREATE VOLUME …`).
   */
  stagingVolume?: string;
  /**
   * `volume`: Parquet files in `stagingVolume`, loaded with one COPY INTO / MERGE / INSERT OVERWRITE (needs READ VOLUME + WRITE VOLUME); `insert`: SQL INSERTs into staging tables (needs CREATE TABLE). See above. Default: `volume` with `stagingVolume`, else `insert`.
   */
  writeMethod?: "volume" | "insert";
  /**
   * Volume method: rows per staged Parquet file (Spark's option name). At least 1. Default: `1000000`.
   */
  maxRecordsPerFile?: number;
  /**
   * Volume method: approximate value bytes per staged file (8 MiB); a partition holds at most one file being filled and one uploading (measured on 60k docs of ~1 KB: 64 MiB files → 435 MB peak RSS, 16 MiB → 280 MB, 4 MiB → 243 MB, and smaller files were faster, as encoding overlaps reading). At least 1024. Default: `8388608` (bytes).
   */
  maxBytesPerFile?: number;
  /**
   * Batch writes: staging that earlier, killed writes left behind (volume: run folders of the same table; insert: `__mm_stage_*` tables in the target's schema) older than this (1 hour) is removed at start (a younger one may belong to a write still running); streaming queries remove all of their own leftovers at start, whatever their age. At least 0. Default: `3600000` (ms).
   */
  staleStagingAfterMs?: number;
  /**
   * How long statements and calls that are safe to repeat (COPY INTO, MERGE, INSERT OVERWRITE, guarded appends, DDL with IF NOT EXISTS, reads, Files API calls) are retried through a warehouse restart or a lost reply, with backoff capped at 5 s. At least 0. Default: `120000` (ms).
   */
  retryBudgetMs?: number;
  /**
   * `id` or `a,b`: MERGE upsert on these columns instead of INSERT; the batch is deduplicated first, **last occurrence wins**; a NULL key is refused.
   */
  mergeKeys?: string | string[];
  /**
   * With `mergeKeys`: a boolean column; `true` deletes the matching row, and such a row is never inserted when unmatched; NULL counts as false; the column is not stored.
   */
  deleteFlagColumn?: string;
  /**
   * Create the table from the DataFrame's schema when it is missing (`USING DELTA`), and its schema first when that is missing too (`CREATE SCHEMA IF NOT EXISTS`; a missing catalog still fails). Default: `true`.
   */
  createTable?: boolean | string;
  /**
   * Add columns the table lacks (`ALTER TABLE … ADD COLUMNS`); columns are never dropped or retyped — a retype fails naming the column. A streaming query whose source widens its schema (`schemaEvolutionMode: addNewColumns`) gets its new columns added before the epoch's apply statement whatever this says: the source's mode asked for them. Default: `false`.
   */
  schemaEvolution?: boolean | string;
  /**
   * Names with `` ,;{}()\n\t=`` (refused by Delta without column mapping): `refuse` fails naming the column, `rename` replaces each such character with `_` (at any depth; a collision after renaming fails). Default: `refuse`.
   */
  columnNameMode?: "refuse" | "rename";
  /**
   * How INSERTs carry values: `literals` (escaped, batched under `maxStatementBytes`) or `parameters` (named `:p_r_c` markers, batched under `maxParameters`); `auto` is the faster one measured. Default: `auto` (= `literals`).
   */
  insertStrategy?: "auto" | "parameters" | "literals";
  /**
   * Byte budget of one INSERT statement under `literals` (1 MiB). At least 1024. Default: `1048576` (bytes).
   */
  maxStatementBytes?: number;
  /**
   * Named parameters per statement under `parameters` (Databricks' cap is 256). Range: 1..256. Default: `256`.
   */
  maxParameters?: number;
  /**
   * Add `_mm_ingested_at TIMESTAMP` = `current_timestamp()` of the applying statement. Default: `false`.
   */
  ingestedAtColumn?: boolean | string;
  /**
   * Add `_mm_source STRING` holding this text (e.g. the collection or stream name).
   */
  sourceTag?: string;
  /**
   * Streaming only: the table recording applied `(queryId, epochId)` pairs. Default: `_mm_commits` in the target's schema.
   */
  commitsTable?: string;
  /**
   * A STRING column stamped with `<queryId>/<epoch>` (streaming) or `<queryId>` (batch); makes a replayed streaming append a no-op in the same statement (see below); must not name a column of the data (or `_mm_seq`/`_mm_ingested_at`/`_mm_source`) — that is an `INVALID_OPTION` error before anything is written.
   */
  batchIdColumn?: string;
  /**
   * `{ "delta.enableChangeDataFeed": "true" }` → `TBLPROPERTIES` on CREATE.
   */
  tableProperties?: {};
  /**
   * A SELECT instead of `table`; values come from `params` as named `:markers`, never pasted in.
   */
  query?: string;
  /**
   * Named parameters of `query`: `{ "since": "2024-01-01" }` for `:since`.
   */
  params?: {};
  /**
   * Rows per fetch; a reader holds one chunk at a time. Range: 1..1000000. Default: `10000`.
   */
  fetchSize?: number;
  /**
   * Rows are the table's changes (`_change_type`, `_commit_version`, `_commit_timestamp` added); without it a stream reads appended rows only (a batch read reads the table). `readChangeData` is Delta's legacy name. Default: `false`.
   */
  readChangeFeed?: boolean | string;
  /**
   * Alias of `readChangeFeed`.
   */
  readChangeData?: boolean | string;
  /**
   * First version read (inclusive); `latest` = only commits after the current one. At least 0. Default: stream: the table as of its latest version first (as `insert` rows of that version), then its commits; batch change read: required (or `startingTimestamp`).
   */
  startingVersion?: number | string;
  /**
   * Instead of `startingVersion`: the first commit at or after this time (`yyyy-MM-dd[ HH:mm:ss[.SSS]]`, UTC); a batch read fails with `DELTA_TIMESTAMP_GREATER_THAN_COMMIT` past the last commit.
   */
  startingTimestamp?: string;
  /**
   * Last version read (inclusive); a stream plans nothing past it. At least 0. Default: the latest.
   */
  endingVersion?: number;
  /**
   * Instead of `endingVersion`: the last commit at or before this time (as `startingTimestamp`). Default: the latest.
   */
  endingTimestamp?: string;
  /**
   * Stream: data files per micro-batch, counted from each commit's `operationMetrics` in `DESCRIBE HISTORY` (a commit without file counts counts as one); a commit is never split, and the first commit of a batch is admitted whatever its size (Delta's rules and default). At least 1. Default: `1000`.
   */
  maxFilesPerTrigger?: number;
  /**
   * Stream: bytes per micro-batch from the same metrics (commits without byte counts count 0), same rules. At least 1.
   */
  maxBytesPerTrigger?: number;
  /**
   * Stream without `readChangeFeed`: commits that update, delete or overwrite rows are skipped (their rows are not read) instead of failing with `DELTA_SOURCE_TABLE_IGNORE_CHANGES`. Default: `false`.
   */
  skipChangeCommits?: boolean | string;
}
/**
 * A Delta table's change data feed into a collection (created when missing): inserts and post-images upsert by _key (or the collection's primaryKey), deletes remove, pre-images are skipped; a replayed micro-batch is harmless. Offsets are table versions kept in checkpointLocation.
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
  /**
   * One micro-batch of what is there, then stop.
   */
  once?: boolean;
  /**
   * Micro-batches until what was there at the start is read, then stop.
   */
  availableNow?: boolean;
}
/**
 * How a job reaches the GDN (the connection rows of the collection format).
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "GdnConnectionOptions".
 */
export interface GdnConnectionOptions {
  /**
   * A host becomes `https://api-<host>` (TLS); a value with a scheme (`http://127.0.0.1:8529`) is used as is; plain `http` only for localhost (the key would travel in clear), anything else is refused. Required.
   */
  regionUrl?: string;
  /**
   * `<tenant>.<keyid>.<secret>`, bare or as `apikey <key>`; sent as `Authorization: apikey <key>`. In specs submitted to Databricks, give `{{secrets/<scope>/<key>}}`. Never logged or echoed in errors. Required unless `jwt`.
   */
  apiKey?: string;
  /**
   * A JWT, sent as `Authorization: bearer <jwt>` (the key-permission pre-flight is skipped: it needs a key id). Never logged or echoed in errors.
   */
  jwt?: string;
  /**
   * Alias of `jwt`.
   */
  token?: string;
  /**
   * Fabric (database). Default: `_system`.
   */
  fabric?: string;
  /**
   * Retries after the first attempt (429, 503, other 5xx but 501, resets), with exponential backoff, Retry-After honoured, 60 s total budget. Range: 0..20. Default: `4`.
   */
  maxRetries?: number;
  /**
   * Time limit of one HTTP request, answer included. Range: 100..3600000. Default: `60000` (ms).
   */
  requestTimeoutMs?: number;
}
/**
 * Options of format com.macrometa.spark.stream (names as the Scala connector's, plus ours).
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "StreamOptions".
 */
export interface StreamOptions {
  /**
   * Region host (`play.paas.macrometa.io` → `wss://api-play.paas.macrometa.io`) or a full URL (`http://127.0.0.1:port` for local-gdn → `ws://`). TLS unless the URL says `http`/`ws`, which is accepted for localhost only (the key would travel in clear). Required.
   */
  regionUrl: string;
  /**
   * API key, bare or as `apikey <key>`; sent as `Authorization: apikey` on the WebSocket upgrade (or exchanged for an OTP, see `auth`). Without one, the server must have auth off. Never logged or echoed in errors.
   */
  apiKey?: string;
  /**
   * Alias of `apiKey`.
   */
  apikey?: string;
  /**
   * GDN fabric. Default: `_system`.
   */
  fabric?: string;
  /**
   * Tenant of the topic; derived from `<tenant>.<keyid>.<secret>` (the tenant may contain dots). Required without a key. Default: from the key.
   */
  tenant?: string;
  /**
   * Stream name, with or without `c8globals.`/`c8locals.`; for a change stream, the collection name. Required.
   */
  stream: string;
  /**
   * `global` or `local`. A collection stream is always local: `global` with `isCollectionStream` is an error. Default: `global`.
   */
  replication?: "global" | "local";
  /**
   * Durable subscription the source consumes; honoured as given (letters, digits, `.`, `_`, `-`, `:`). The default is stable per checkpoint, so a restart resumes. Default: `mmspark-<hash of checkpoint>`.
   */
  subscriptionName?: string;
  /**
   * Read a collection's change stream: rows get `_key` and `_delete`. Default: `false`.
   */
  isCollectionStream?: boolean | string;
  /**
   * Accepted for compatibility and unused: WebSockets go over the HTTPS port. Range: 1..65535.
   */
  port?: number | string;
  /**
   * Exclusive/Failover deliver in order; with `Shared`/`Key_Shared` and several consumers, a replayed batch is the same batch only while this query is the sole consumer (a warning says so). Default: `Exclusive`.
   */
  subscriptionType?: "Exclusive" | "Shared" | "Failover" | "Key_Shared";
  /**
   * Where a **new** subscription starts (sent as `subscriptionInitialPosition`); an existing subscription keeps its position. `latest` is anchored when the query's first trigger subscribes. Default: `earliest`.
   */
  startingPosition?: "earliest" | "latest";
  /**
   * Messages per micro-batch (at most `receiverQueueSize`). At least 1. Default: unlimited.
   */
  maxMessagesPerTrigger?: number;
  /**
   * Unacknowledged messages the server may push, and the client buffer bound. A batch stays unacknowledged until its commit, so twice the batch lets the next batch arrive while one is written. A batch replayed after a restart is re-read with a queue at least its recorded size (a warning says when that raises it); a batch that still cannot fill (an offset without a size) fails at once, naming this option. Range: 1..1000000. Default: `max(1000, 2 × maxMessagesPerTrigger)`.
   */
  receiverQueueSize?: number;
  /**
   * Messages peeked to infer the schema (with a *reader*: nothing is consumed or acked). Range: 1..100000. Default: `1`.
   */
  schemaSampleSize?: number;
  /**
   * How long inference waits for a first message before failing with "give a schema". At least 0. Default: `10000` (ms).
   */
  schemaInferenceTimeoutMs?: number;
  /**
   * `PERMISSIVE` (nulls, and the raw text in `columnNameOfCorruptRecord` when the schema has it), `DROPMALFORMED` (row dropped, counted), `FAILFAST` (query fails naming the message id; nothing of the batch is acked). Default: `PERMISSIVE`.
   */
  mode?: "PERMISSIVE" | "DROPMALFORMED" | "FAILFAST";
  /**
   * `spark`: missing fields are null, unknown fields ignored (a change stream's delete carries only `_key`/`_delete`, so the shape rule would make every delete malformed); `shape`: the connector's exact-shape rule. Default: `spark`.
   */
  matching?: "spark" | "shape";
  /**
   * Column for malformed payloads under PERMISSIVE (used when present in the schema). Default: `_corrupt_record`.
   */
  columnNameOfCorruptRecord?: string;
  /**
   * What a payload with fields the schema lacks does (Auto Loader's modes): `addNewColumns` widens the query's schema between micro-batches (recorded in `offsets/N`; the Delta sink adds the columns), `rescue` keeps the schema and puts them in the rescued-data column, `failOnNewColumns` fails the query naming them and the message id (nothing of the batch is acked), `none` drops them (counted as `droppedFields`). See *Schema drift* in the root README. Default: `addNewColumns` for an inferred schema, `rescue` for a given one.
   */
  schemaEvolutionMode?: "addNewColumns" | "rescue" | "failOnNewColumns" | "none";
  /**
   * The rescued-data column (a string column of JSON): fields not in the schema and values that do not fit their column, with `_messageId`; counted as `rescuedMessages`. Default: `_rescued_data` under `addNewColumns` and `rescue`; none otherwise.
   */
  rescuedDataColumn?: string;
  /**
   * Adds `_messageId` (string), `_publishTime` (timestamp), `_key` (message key; omitted for change streams, whose `_key` is the document's), `_properties` (map<string,string>). Default: `false`.
   */
  includeMetadata?: boolean | string;
  /**
   * How long a (re)read batch waits for its last message to be redelivered before failing. Stopping the source ends the wait at once (the batch stays uncommitted). At least 1. Default: `30000` (ms).
   */
  batchReplayTimeoutMs?: number;
  /**
   * No frame (message or pong; pings every half) for this long → the socket is replaced. `0` = off. At least 0. Default: `30000` (ms).
   */
  idleTimeoutMs?: number;
  /**
   * `header`: `Authorization: apikey` on the upgrade; `otp`: a fresh one-time password per socket (the GDN's `apid/otp` route), passed as `?otp=`. Default: `header`.
   */
  auth?: "header" | "otp";
  /**
   * Sink: unacknowledged sends in flight; `send` waits for room. Range: 1..1000000. Default: `1000`.
   */
  maxPendingMessages?: number;
  /**
   * Sink: column whose value becomes the message key (Key_Shared routing, compaction).
   */
  keyColumn?: string;
}
/**
 * Options of the built-in format json (JSON-lines files).
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "JsonOptions".
 */
export interface JsonOptions {
  /**
   * File or folder (`load(path)` / `save(path)`); names starting with `_` or `.` are skipped. Required.
   */
  path?: string;
  /**
   * Lines read to infer the schema. At least 1. Default: `1000`.
   */
  schemaSampleSize?: number;
  /**
   * `merge` = Spark's `spark.read.json` (every sampled line folded); `mostCommon` = the connector's rule (most frequent per-document schema; non-matching documents are malformed). Default: `merge`.
   */
  schemaInference?: "merge" | "mostCommon";
  /**
   * Parse mode (see *Parse modes*). Default: `PERMISSIVE`.
   */
  mode?: "PERMISSIVE" | "DROPMALFORMED" | "FAILFAST";
  /**
   * Receives malformed lines under PERMISSIVE (inference adds it when it sees one). Default: `_corrupt_record`.
   */
  columnNameOfCorruptRecord?: string;
  /**
   * Rows per batch. At least 1. Default: `1000`.
   */
  batchSize?: number;
  /**
   * Write: null fields are left out of documents, as Spark. Default: `true`.
   */
  ignoreNullFields?: boolean | string;
}
/**
 * Options of the built-in format memory (named in-process tables).
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "MemoryOptions".
 */
export interface MemoryOptions {
  /**
   * The table (or `load(name)` / `save(name)`). Required.
   */
  name?: string;
  /**
   * Alias of `name`.
   */
  queryName?: string;
  /**
   * Batch read partitions. At least 1. Default: `1`.
   */
  numPartitions?: number;
  /**
   * Rows per batch. At least 1. Default: `1000`.
   */
  batchSize?: number;
  /**
   * As a streaming source: rows per micro-batch. At least 1. Default: unbounded.
   */
  maxMessagesPerTrigger?: number;
}
/**
 * Options of the built-in format rate (generated rows).
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "RateOptions".
 */
export interface RateOptions {
  /**
   * Streaming rate. At least 1. Default: `1`.
   */
  rowsPerSecond?: number;
  /**
   * Row `v` goes to partition `v % numPartitions`. At least 1. Default: `1`.
   */
  numPartitions?: number;
  /**
   * Rows per micro-batch. At least 1. Default: unbounded.
   */
  maxMessagesPerTrigger?: number;
  /**
   * Batch read: rows generated. At least 0. Default: `rowsPerSecond`.
   */
  numRows?: number;
  /**
   * Batch read: timestamp of row 0 (ms since the epoch). Default: `0` (ms).
   */
  startTimestampMs?: number;
  /**
   * Rows per batch. At least 1. Default: `1000`.
   */
  batchSize?: number;
}
