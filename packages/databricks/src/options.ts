/**
 * Options of the `databricks` format, read once and validated up front. Each failure names the
 * option. Names follow the Databricks connectors users already know (`host`, `httpPath`,
 * `token`, `catalog`, `schema`, `table`).
 * @packageDocumentation
 */
import { accessSync, constants, statSync } from "node:fs";
import { OptionError, TableOptions, acceptedOptionNames, type CaseInsensitiveOptions, type OptionTable } from "@macrometa-spark/core";
import { resolveTableName, validateObjectName, type ColumnNameMode, type TableName } from "./identifiers.js";
import { parseStagingVolume, type StagingVolume } from "./volumes/location.js";
import { DATABRICKS_OPTIONS } from "./option-table.js";
import { parseChangeFeedOptions, type ChangeFeedOptions } from "./change-feed/options.js";

export type InsertStrategy = "auto" | "parameters" | "literals";

/**
 * How rows reach the Delta table: `volume` stages Parquet files in a Unity Catalog volume and loads
 * them with one COPY INTO / MERGE / INSERT OVERWRITE; `insert` sends them as SQL INSERTs into staging
 * tables (for workspaces without a volume).
 */
export type WriteMethod = "volume" | "insert";

/** How to reach a Databricks SQL warehouse. */
export interface ConnectionOptions {
  /**
   * Workspace host, no scheme or path (`adb-….azuredatabricks.net`, `dbc-….cloud.databricks.com`).
   * A job spec submitted to Databricks may leave `host` and `httpPath` out: it runs there.
   * Required.
   */
  host: string;
  /** The warehouse's HTTP path (`/sql/1.0/warehouses/<id>`; *Connection details* tab). Required. */
  httpPath: string;
  /** The warehouse's HTTPS port. Range: 1..65535. Default: `443`. */
  port: number;
  /**
   * Personal access token or any bearer token. Exclusive with `clientId`/`clientSecret`. Never
   * logged or echoed in errors.
   */
  token?: string;
  /**
   * OAuth M2M service principal (client-credentials flow; the driver's `databricks-oauth`), instead
   * of `token`; needs `clientSecret`.
   */
  clientId?: string;
  /** The OAuth M2M secret of `clientId`. Never logged or echoed in errors. */
  clientSecret?: string;
  /**
   * `false` = plain HTTP, accepted only for `localhost`/`127.0.0.1`/`::1` (the local warehouse);
   * any other host is refused, since the token would travel in clear. Default: `true`.
   */
  useTls: boolean;
  /**
   * A PEM file holding a certificate authority to trust on top of the system's, for a warehouse
   * whose certificate a private CA signed: e.g. the CA file `mmspark local up` writes for the local
   * warehouse. Passed to the driver as its `customCaCert` and used by the Files API client; checked
   * readable when the options are read. Needs `useTls`. Default: the system's roots and
   * `NODE_EXTRA_CA_CERTS` only.
   */
  caCertFile?: string;
  /**
   * Server-side statement timeout, rounded up to seconds; `0` = none. At least 0. Default: `0`
   * (ms).
   */
  queryTimeoutMs: number;
  /** The session's catalog, and the default catalog of `table`. Default: session default. */
  catalog?: string;
  /** The session's schema, and the default schema of `table`. Default: session default. */
  schema?: string;
}

/** Options of a write, on top of the connection. */
export interface WriteOptions {
  connection: ConnectionOptions;
  /**
   * From option `table`: `t`, `schema.t` or `catalog.schema.t`; parts may be backtick-quoted (``
   * `my``odd`.t ``); each part ≤ 255 chars, no `.`, space, `/` or control characters (Unity Catalog
   * rules); a part given both here and in `catalog`/`schema` must agree. Reads take `table` or
   * `query`; writes need it.
   */
  target: TableName;
  /**
   * Create the table from the DataFrame's schema when it is missing (`USING DELTA`), and its schema
   * first when that is missing too (`CREATE SCHEMA IF NOT EXISTS`; a missing catalog still fails).
   * Default: `true`.
   */
  createTable: boolean;
  /**
   * Add columns the table lacks (`ALTER TABLE … ADD COLUMNS`); columns are never dropped or retyped
   * — a retype fails naming the column. A streaming query whose source widens its schema
   * (`schemaEvolutionMode: addNewColumns`) gets its new columns added before the epoch's apply
   * statement whatever this says: the source's mode asked for them. Default: `false`.
   */
  schemaEvolution: boolean;
  /**
   * `id` or `a,b`: MERGE upsert on these columns instead of INSERT; the batch is deduplicated
   * first, **last occurrence wins**; a NULL key is refused.
   */
  mergeKeys?: string[];
  /**
   * With `mergeKeys`: a boolean column; `true` deletes the matching row, and such a row is never
   * inserted when unmatched; NULL counts as false; the column is not stored.
   */
  deleteFlagColumn?: string;
  /**
   * Names with `` ,;{}()\n\t=`` (refused by Delta without column mapping): `refuse` fails naming
   * the column, `rename` replaces each such character with `_` (at any depth; a collision after
   * renaming fails). Default: `refuse`.
   */
  columnNameMode: ColumnNameMode;
  /**
   * How INSERTs carry values: `literals` (escaped, batched under `maxStatementBytes`) or
   * `parameters` (named `:p_r_c` markers, batched under `maxParameters`); `auto` is the faster one
   * measured. Default: `auto` (= `literals`).
   */
  insertStrategy: InsertStrategy;
  /**
   * Byte budget of one INSERT statement under `literals` (1 MiB). At least 1024. Default: `1048576`
   * (bytes).
   */
  maxStatementBytes: number;
  /**
   * Named parameters per statement under `parameters` (Databricks' cap is 256). Range: 1..256.
   * Default: `256`.
   */
  maxParameters: number;
  /**
   * Add `_mm_ingested_at TIMESTAMP` = `current_timestamp()` of the applying statement. Default:
   * `false`.
   */
  ingestedAtColumn: boolean;
  /**
   * From option `sourceTag`: Add `_mm_source STRING` holding this text (e.g. the collection or
   * stream name).
   */
  sourceValue?: string;
  /**
   * A STRING column stamped with `<queryId>/<epoch>` (streaming) or `<queryId>` (batch); makes a
   * replayed streaming append a no-op in the same statement (see below); must not name a column of
   * the data (or `_mm_seq`/`_mm_ingested_at`/`_mm_source`) — that is an `INVALID_OPTION` error
   * before anything is written.
   */
  batchIdColumn?: string;
  /**
   * Streaming only: the table recording applied `(queryId, epochId)` pairs. Default: `_mm_commits`
   * in the target's schema.
   */
  commitsTable: TableName;
  /** `{ "delta.enableChangeDataFeed": "true" }` → `TBLPROPERTIES` on CREATE. */
  tableProperties?: Record<string, string>;
  /**
   * `volume`: Parquet files in `stagingVolume`, loaded with one COPY INTO / MERGE / INSERT
   * OVERWRITE (needs READ VOLUME + WRITE VOLUME); `insert`: SQL INSERTs into staging tables (needs
   * CREATE TABLE). See above. Default: `volume` with `stagingVolume`, else `insert`.
   */
  writeMethod: WriteMethod;
  /**
   * `/Volumes/<catalog>/<schema>/<volume>[/<dir>]` or `<catalog>.<schema>.<volume>`: where the
   * `volume` method stages Parquet files (the volume must exist: `CREATE VOLUME …`).
   */
  stagingVolume?: StagingVolume;
  /**
   * Volume method: rows per staged Parquet file (Spark's option name). At least 1. Default:
   * `1000000`.
   */
  maxRecordsPerFile: number;
  /**
   * Volume method: approximate value bytes per staged file (8 MiB); a partition holds at most one
   * file being filled and one uploading (measured on 60k docs of ~1 KB: 64 MiB files → 435 MB peak
   * RSS, 16 MiB → 280 MB, 4 MiB → 243 MB, and smaller files were faster, as encoding overlaps
   * reading). At least 1024. Default: `8388608` (bytes).
   */
  maxBytesPerFile: number;
  /**
   * Batch writes: staging that earlier, killed writes left behind (volume: run folders of the same
   * table; insert: `__mm_stage_*` tables in the target's schema) older than this (1 hour) is
   * removed at start (a younger one may belong to a write still running); streaming queries remove
   * all of their own leftovers at start, whatever their age. At least 0. Default: `3600000` (ms).
   */
  staleStagingAfterMs: number;
  /**
   * How long statements and calls that are safe to repeat (COPY INTO, MERGE, INSERT OVERWRITE,
   * guarded appends, DDL with IF NOT EXISTS, reads, Files API calls) are retried through a
   * warehouse restart or a lost reply, with backoff capped at 5 s. At least 0. Default: `120000`
   * (ms).
   */
  retryBudgetMs: number;
}

/** Options of a read. */
export interface ReadOptions {
  connection: ConnectionOptions;
  /**
   * From option `table`: `t`, `schema.t` or `catalog.schema.t`; parts may be backtick-quoted (``
   * `my``odd`.t ``); each part ≤ 255 chars, no `.`, space, `/` or control characters (Unity Catalog
   * rules); a part given both here and in `catalog`/`schema` must agree. Reads take `table` or
   * `query`; writes need it.
   */
  target?: TableName;
  /**
   * A SELECT instead of `table`; values come from `params` as named `:markers`, never pasted in.
   */
  query?: string;
  /** Named parameters of `query`: `{ "since": "2024-01-01" }` for `:since`. */
  params?: Record<string, unknown>;
  /** Rows per fetch; a reader holds one chunk at a time. Range: 1..1000000. Default: `10000`. */
  fetchSize: number;
  /** A table's change data feed and streaming reads (Delta's option names). */
  changeFeed: ChangeFeedOptions;
}

/** The connection's options (`table` aside, which names what is read or written). */
export const CONNECTION_OPTION_NAMES: readonly string[] = Object.entries(DATABRICKS_OPTIONS as OptionTable)
  .filter(([name, row]) => row.group === "connection" && name !== "table")
  .map(([name]) => name);
/** Every spelling a write accepts: its table's connection, write and engine rows. */
export const WRITE_OPTION_NAMES: readonly string[] = acceptedOptionNames(DATABRICKS_OPTIONS, "write");
/** Every spelling a read accepts. */
export const READ_OPTION_NAMES: readonly string[] = acceptedOptionNames(DATABRICKS_OPTIONS, "read");

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/** The connection options of `o` (the caller checks the whole set: a write's or a read's). */
export function parseConnectionOptions(o: CaseInsensitiveOptions): ConnectionOptions {
  return readConnection(new TableOptions(o, DATABRICKS_OPTIONS, false));
}

function readConnection(t: TableOptions<typeof DATABRICKS_OPTIONS>): ConnectionOptions {
  const o = t.options;
  const host = t.string("host").trim();
  if (/^[a-z]+:\/\//i.test(host) || /[/\s]/.test(host)) throw o.error("host", "expected a host name without scheme or path, e.g. adb-123.4.azuredatabricks.net");
  let httpPath = t.string("httpPath").trim();
  if (!httpPath.startsWith("/")) httpPath = "/" + httpPath;
  const port = t.int("port");
  const useTls = t.boolean("useTls");
  if (!useTls && !LOCAL_HOSTS.has(host.toLowerCase())) {
    throw o.error("useTls", `false is only allowed for a local endpoint (localhost); ${host} must be reached over TLS`);
  }
  const caCertFile = t.string("caCertFile");
  if (caCertFile !== undefined) {
    if (!useTls) throw o.error("caCertFile", "only applies with useTls=true (a CA is what TLS checks the server against)");
    if (!isReadableFile(caCertFile)) throw o.error("caCertFile", `cannot read ${caCertFile} (expected a PEM file with a CA certificate)`);
  }
  const token = t.string("token");
  const clientId = t.string("clientId");
  const clientSecret = t.string("clientSecret");
  if (token !== undefined && (clientId !== undefined || clientSecret !== undefined)) {
    throw o.error("token", "give either 'token' or 'clientId'+'clientSecret' (OAuth M2M), not both");
  }
  if ((clientId === undefined) !== (clientSecret === undefined)) {
    throw o.error(clientId === undefined ? "clientId" : "clientSecret", "OAuth M2M needs both 'clientId' and 'clientSecret'");
  }
  if (token === undefined && clientId === undefined) throw o.error("token", "is required (or 'clientId'+'clientSecret' for OAuth M2M)");
  if (token !== undefined && token.trim() === "") throw o.error("token", "is empty");
  const catalog = t.string("catalog");
  const schema = t.string("schema");
  if (catalog !== undefined) validateObjectName(catalog, "catalog");
  if (schema !== undefined) validateObjectName(schema, "schema");
  const out: ConnectionOptions = { host, httpPath, port, useTls, queryTimeoutMs: t.int("queryTimeoutMs") };
  if (caCertFile !== undefined) out.caCertFile = caCertFile;
  if (token !== undefined) out.token = token;
  if (clientId !== undefined) out.clientId = clientId;
  if (clientSecret !== undefined) out.clientSecret = clientSecret;
  if (catalog !== undefined) out.catalog = catalog;
  if (schema !== undefined) out.schema = schema;
  return out;
}

export function parseWriteOptions(o: CaseInsensitiveOptions): WriteOptions {
  const t = new TableOptions(o, DATABRICKS_OPTIONS, { purpose: "write" });
  const connection = readConnection(t);
  const target = resolveTableName(o.requireString("table"), connection.catalog, connection.schema);
  const mergeKeys = t.list("mergeKeys");
  const deleteFlagColumn = t.string("deleteFlagColumn");
  if (deleteFlagColumn !== undefined && !mergeKeys?.length) throw o.error("deleteFlagColumn", "needs 'mergeKeys' (deletes are applied by MERGE on those keys)");
  const commits = t.string("commitsTable");
  const commitsTable = commits
    ? resolveTableName(commits, target.catalog, target.schema)
    : { ...(target.catalog ? { catalog: target.catalog } : {}), ...(target.schema ? { schema: target.schema } : {}), table: "_mm_commits" };
  const props = t.object("tableProperties");
  const out: WriteOptions = {
    connection,
    target,
    createTable: t.boolean("createTable"),
    schemaEvolution: t.boolean("schemaEvolution"),
    columnNameMode: t.enum("columnNameMode"),
    insertStrategy: t.enum("insertStrategy"),
    maxStatementBytes: t.int("maxStatementBytes"),
    maxParameters: t.int("maxParameters"),
    ingestedAtColumn: t.boolean("ingestedAtColumn"),
    commitsTable,
    writeMethod: "insert",
    maxRecordsPerFile: t.int("maxRecordsPerFile"),
    maxBytesPerFile: t.int("maxBytesPerFile"),
    staleStagingAfterMs: t.int("staleStagingAfterMs"),
    retryBudgetMs: t.int("retryBudgetMs"),
  };
  const volume = t.string("stagingVolume");
  if (volume !== undefined) out.stagingVolume = parseStagingVolume(volume);
  out.writeMethod = t.enum("writeMethod", out.stagingVolume ? "volume" : "insert");
  if (out.writeMethod === "volume") {
    if (!out.stagingVolume) throw o.error("writeMethod", "'volume' needs 'stagingVolume' (/Volumes/<catalog>/<schema>/<volume>)");
    if (connection.token === undefined) throw o.error("stagingVolume", "the volume method uploads through the Files API with 'token'; with OAuth M2M use writeMethod 'insert'");
  }
  if (mergeKeys?.length) out.mergeKeys = mergeKeys;
  if (deleteFlagColumn !== undefined) out.deleteFlagColumn = deleteFlagColumn;
  const batchIdColumn = t.string("batchIdColumn");
  if (batchIdColumn !== undefined) out.batchIdColumn = batchIdColumn;
  const source = t.string("sourceTag");
  if (source !== undefined) out.sourceValue = source;
  if (props) {
    const p: Record<string, string> = {};
    for (const [k, v] of Object.entries(props)) {
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") throw o.error("tableProperties", `value of ${JSON.stringify(k)} must be a string`);
      p[k] = String(v);
    }
    out.tableProperties = p;
  }
  return out;
}

export function parseReadOptions(o: CaseInsensitiveOptions): ReadOptions {
  const t = new TableOptions(o, DATABRICKS_OPTIONS, { purpose: "read" });
  const connection = readConnection(t);
  const table = t.string("table");
  const query = t.string("query");
  if ((table === undefined) === (query === undefined)) throw o.error(table === undefined ? "table" : "query", "give exactly one of 'table' or 'query'");
  const changeFeed = parseChangeFeedOptions(o);
  if (query !== undefined && (changeFeed.readChangeFeed || changeFeed.starting !== undefined)) {
    throw t.error(changeFeed.readChangeFeed ? "readChangeFeed" : t.has("startingTimestamp") ? "startingTimestamp" : "startingVersion", "applies to a 'table' read, not a 'query'");
  }
  const out: ReadOptions = { connection, fetchSize: t.int("fetchSize"), changeFeed };
  if (table !== undefined) out.target = resolveTableName(table, connection.catalog, connection.schema);
  if (query !== undefined) {
    if (query.trim() === "") throw o.error("query", "is empty");
    out.query = query;
  }
  const params = t.object("params");
  if (params) {
    if (query === undefined) throw o.error("params", "applies only with 'query'");
    for (const k of Object.keys(params)) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw o.error("params", `parameter name ${JSON.stringify(k)} is not a valid marker name`);
    out.params = params;
  }
  return out;
}

/** Guards against a flag column that is also a merge key, and unknown names. */
export function checkWriteColumns(w: WriteOptions, columns: readonly string[]): void {
  const has = (n: string) => columns.some((c) => c.toLowerCase() === n.toLowerCase());
  for (const k of w.mergeKeys ?? []) if (!has(k)) throw new OptionError("mergeKeys", `column ${JSON.stringify(k)} is not in the data (columns: ${columns.join(", ")})`);
  if (w.deleteFlagColumn !== undefined) {
    if (!has(w.deleteFlagColumn)) throw new OptionError("deleteFlagColumn", `column ${JSON.stringify(w.deleteFlagColumn)} is not in the data`);
    if (w.mergeKeys?.some((k) => k.toLowerCase() === w.deleteFlagColumn!.toLowerCase())) throw new OptionError("deleteFlagColumn", "cannot also be a merge key");
  }
}
