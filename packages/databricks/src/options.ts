/**
 * Options of the `databricks` format, read once and validated up front. Each failure names the
 * option. Names follow the Databricks connectors users already know (`host`, `httpPath`,
 * `token`, `catalog`, `schema`, `table`).
 * @packageDocumentation
 */
import { accessSync, constants, statSync } from "node:fs";
import { OptionError, type CaseInsensitiveOptions } from "@macrometa-spark/core";
import { resolveTableName, validateObjectName, type ColumnNameMode, type TableName } from "./identifiers.js";
import { parseStagingVolume, type StagingVolume } from "./volumes/location.js";
import { CHANGE_FEED_OPTION_NAMES, parseChangeFeedOptions, type ChangeFeedOptions } from "./change-feed/options.js";

export type InsertStrategy = "auto" | "parameters" | "literals";

/**
 * How rows reach the Delta table: `volume` stages Parquet files in a Unity Catalog volume and loads
 * them with one COPY INTO / MERGE / INSERT OVERWRITE; `insert` sends them as SQL INSERTs into staging
 * tables (for workspaces without a volume).
 */
export type WriteMethod = "volume" | "insert";

/** How to reach a Databricks SQL warehouse. */
export interface ConnectionOptions {
  /** Workspace host name, e.g. `adb-123.4.azuredatabricks.net` (no scheme, no path). */
  host: string;
  /** The warehouse's HTTP path, e.g. `/sql/1.0/warehouses/abc123`. */
  httpPath: string;
  /** Default: 443. */
  port: number;
  /** A personal access token (or any bearer token). Exclusive with `clientId`/`clientSecret`. */
  token?: string;
  /** OAuth M2M service principal (client credentials flow); needs `clientSecret`. */
  clientId?: string;
  clientSecret?: string;
  /**
   * TLS on the Thrift connection. Default: true. `false` speaks plain HTTP and is meant only for
   * a local endpoint (local-warehouse): it is refused for any host but localhost/127.0.0.1/::1,
   * because the token would cross the network in clear.
   */
  useTls: boolean;
  /**
   * A PEM file holding a certificate authority to trust on top of the system's, for a warehouse
   * whose certificate a private CA signed: e.g. the CA file `mmspark local up` writes for the local
   * warehouse. Passed to the driver as its `customCaCert` and used by the Files API client. Needs
   * `useTls`. Default: unset (the system's roots and `NODE_EXTRA_CA_CERTS` only).
   */
  caCertFile?: string;
  /** Server-side statement timeout in ms (rounded up to seconds). Default: 0 (none). */
  queryTimeoutMs: number;
  /** Catalog of the session and of 1- and 2-part table names. */
  catalog?: string;
  /** Schema of the session and of 1-part table names. */
  schema?: string;
}

/** Options of a write, on top of the connection. */
export interface WriteOptions {
  connection: ConnectionOptions;
  target: TableName;
  /** Create the table from the DataFrame's schema when missing. Default: true. */
  createTable: boolean;
  /** Add columns the table lacks (ALTER TABLE ADD COLUMNS); never drops or retypes. Default: false. */
  schemaEvolution: boolean;
  /** Upsert (MERGE) on these columns instead of INSERT; the batch is deduplicated, last row wins. */
  mergeKeys?: string[];
  /** A boolean column: true deletes the matching row (MERGE); the column itself is not stored. */
  deleteFlagColumn?: string;
  /** Column names Delta refuses: `refuse` (default) fails, `rename` replaces those characters with `_`. */
  columnNameMode: ColumnNameMode;
  /** How INSERT statements carry values. Default: `auto` (= the faster measured strategy, `literals`). */
  insertStrategy: InsertStrategy;
  /** Byte budget of one statement under the `literals` strategy. Default: 1048576 (1 MiB). */
  maxStatementBytes: number;
  /** Named-parameter cap of one statement (Databricks allows 256). Default: 256. */
  maxParameters: number;
  /** Add a `_mm_ingested_at TIMESTAMP` column set to the statement's time. Default: false. */
  ingestedAtColumn: boolean;
  /** Add a `_mm_source STRING` column holding this value (e.g. the collection name). Default: unset. */
  sourceValue?: string;
  /**
   * A STRING column stamped with `<queryId>/<epochId>` (streaming) or `<queryId>` (batch). With
   * it, a streaming append checks and writes in one statement, closing the replay window.
   * Default: unset (no column).
   */
  batchIdColumn?: string;
  /** Table recording applied streaming epochs. Default: `_mm_commits` in the target's schema. */
  commitsTable: TableName;
  /** Extra Delta table properties for CREATE TABLE, e.g. `{"delta.appendOnly": "false"}`. */
  tableProperties?: Record<string, string>;
  /** Default: `volume` when `stagingVolume` is set, else `insert`. */
  writeMethod: WriteMethod;
  /** The Unity Catalog volume (and optional folder) the `volume` method stages files in. */
  stagingVolume?: StagingVolume;
  /** A staged Parquet file is closed after this many rows (Spark's option name). Default: 1000000. */
  maxRecordsPerFile: number;
  /**
   * ...or after about this many bytes of values. Staging files are loaded once and rewritten by the
   * load, so they are kept small: memory stays low and encoding overlaps reading. Default: 8388608 (8 MiB).
   */
  maxBytesPerFile: number;
  /**
   * A batch write removes staged folders that earlier, killed writes into the same table left
   * behind once they are this old (a younger one may belong to a write still running). Streaming
   * queries remove their own leftovers at start, whatever their age. Default: 3600000 (ms, 1 hour).
   */
  staleStagingAfterMs: number;
  /**
   * How long statements that are safe to repeat (COPY INTO, MERGE, INSERT OVERWRITE, guarded
   * appends, DDL with IF NOT EXISTS, reads) and Files API calls keep being retried through a
   * warehouse restart or a lost reply, reopening the session as needed. Default: 120000 (ms).
   */
  retryBudgetMs: number;
}

/** Options of a read. */
export interface ReadOptions {
  connection: ConnectionOptions;
  /** The table to read, or undefined with `query`. */
  target?: TableName;
  /** A SELECT; values come from `params` as named `:markers`, never pasted in. */
  query?: string;
  /** Named parameters of `query`: `{ "since": "2024-01-01" }` for `:since`. */
  params?: Record<string, unknown>;
  /** Rows per fetch (bounds the reader's memory). Default: 10000. */
  fetchSize: number;
  /** A table's change data feed and streaming reads (Delta's option names). */
  changeFeed: ChangeFeedOptions;
}

export const CONNECTION_OPTION_NAMES = ["host", "httpPath", "port", "token", "clientId", "clientSecret", "useTls", "caCertFile", "queryTimeoutMs", "catalog", "schema"] as const;
export const WRITE_OPTION_NAMES = [
  ...CONNECTION_OPTION_NAMES,
  "table",
  "createTable",
  "schemaEvolution",
  "mergeKeys",
  "deleteFlagColumn",
  "columnNameMode",
  "insertStrategy",
  "maxStatementBytes",
  "maxParameters",
  "ingestedAtColumn",
  "sourceTag",
  "batchIdColumn",
  "commitsTable",
  "tableProperties",
  "writeMethod",
  "stagingVolume",
  "maxRecordsPerFile",
  "maxBytesPerFile",
  "staleStagingAfterMs",
  "retryBudgetMs",
  // options the session passes to every format
  "checkpointLocation",
  "path",
  "parallelism",
] as const;
export const READ_OPTION_NAMES = [...CONNECTION_OPTION_NAMES, "table", "query", "params", "fetchSize", ...CHANGE_FEED_OPTION_NAMES, "path", "parallelism"] as const;

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function parseConnectionOptions(o: CaseInsensitiveOptions): ConnectionOptions {
  const host = o.requireString("host").trim();
  if (/^[a-z]+:\/\//i.test(host) || /[/\s]/.test(host)) throw o.error("host", "expected a host name without scheme or path, e.g. adb-123.4.azuredatabricks.net");
  let httpPath = o.requireString("httpPath").trim();
  if (!httpPath.startsWith("/")) httpPath = "/" + httpPath;
  const port = o.getInt("port", 443, { min: 1, max: 65535 });
  const useTls = o.getBoolean("useTls", true);
  if (!useTls && !LOCAL_HOSTS.has(host.toLowerCase())) {
    throw o.error("useTls", `false is only allowed for a local endpoint (localhost); ${host} must be reached over TLS`);
  }
  const caCertFile = o.getString("caCertFile");
  if (caCertFile !== undefined) {
    if (!useTls) throw o.error("caCertFile", "only applies with useTls=true (a CA is what TLS checks the server against)");
    if (!isReadableFile(caCertFile)) throw o.error("caCertFile", `cannot read ${caCertFile} (expected a PEM file with a CA certificate)`);
  }
  const token = o.getString("token");
  const clientId = o.getString("clientId");
  const clientSecret = o.getString("clientSecret");
  if (token !== undefined && (clientId !== undefined || clientSecret !== undefined)) {
    throw o.error("token", "give either 'token' or 'clientId'+'clientSecret' (OAuth M2M), not both");
  }
  if ((clientId === undefined) !== (clientSecret === undefined)) {
    throw o.error(clientId === undefined ? "clientId" : "clientSecret", "OAuth M2M needs both 'clientId' and 'clientSecret'");
  }
  if (token === undefined && clientId === undefined) throw o.error("token", "is required (or 'clientId'+'clientSecret' for OAuth M2M)");
  if (token !== undefined && token.trim() === "") throw o.error("token", "is empty");
  const catalog = o.getString("catalog");
  const schema = o.getString("schema");
  if (catalog !== undefined) validateObjectName(catalog, "catalog");
  if (schema !== undefined) validateObjectName(schema, "schema");
  const out: ConnectionOptions = { host, httpPath, port, useTls, queryTimeoutMs: o.getInt("queryTimeoutMs", 0, { min: 0 }) };
  if (caCertFile !== undefined) out.caCertFile = caCertFile;
  if (token !== undefined) out.token = token;
  if (clientId !== undefined) out.clientId = clientId;
  if (clientSecret !== undefined) out.clientSecret = clientSecret;
  if (catalog !== undefined) out.catalog = catalog;
  if (schema !== undefined) out.schema = schema;
  return out;
}

export function parseWriteOptions(o: CaseInsensitiveOptions): WriteOptions {
  o.rejectUnknown(WRITE_OPTION_NAMES);
  const connection = parseConnectionOptions(o);
  const target = resolveTableName(o.requireString("table"), connection.catalog, connection.schema);
  const mergeKeys = o.getList("mergeKeys");
  const deleteFlagColumn = o.getString("deleteFlagColumn");
  if (deleteFlagColumn !== undefined && !mergeKeys?.length) throw o.error("deleteFlagColumn", "needs 'mergeKeys' (deletes are applied by MERGE on those keys)");
  const commits = o.getString("commitsTable");
  const commitsTable = commits
    ? resolveTableName(commits, target.catalog, target.schema)
    : { ...(target.catalog ? { catalog: target.catalog } : {}), ...(target.schema ? { schema: target.schema } : {}), table: "_mm_commits" };
  const props = o.getObject("tableProperties");
  const out: WriteOptions = {
    connection,
    target,
    createTable: o.getBoolean("createTable", true),
    schemaEvolution: o.getBoolean("schemaEvolution", false),
    columnNameMode: o.getEnum("columnNameMode", ["refuse", "rename"] as const, "refuse"),
    insertStrategy: o.getEnum("insertStrategy", ["auto", "parameters", "literals"] as const, "auto"),
    maxStatementBytes: o.getInt("maxStatementBytes", 1_048_576, { min: 1024 }),
    maxParameters: o.getInt("maxParameters", 256, { min: 1 }),
    ingestedAtColumn: o.getBoolean("ingestedAtColumn", false),
    commitsTable,
    writeMethod: "insert",
    maxRecordsPerFile: o.getInt("maxRecordsPerFile", 1_000_000, { min: 1 }),
    maxBytesPerFile: o.getInt("maxBytesPerFile", 8 * 1024 * 1024, { min: 1024 }),
    staleStagingAfterMs: o.getInt("staleStagingAfterMs", 3_600_000, { min: 0 }),
    retryBudgetMs: o.getInt("retryBudgetMs", 120_000, { min: 0 }),
  };
  const volume = o.getString("stagingVolume");
  if (volume !== undefined) out.stagingVolume = parseStagingVolume(volume);
  out.writeMethod = o.getEnum("writeMethod", ["volume", "insert"] as const, out.stagingVolume ? "volume" : "insert");
  if (out.writeMethod === "volume") {
    if (!out.stagingVolume) throw o.error("writeMethod", "'volume' needs 'stagingVolume' (/Volumes/<catalog>/<schema>/<volume>)");
    if (connection.token === undefined) throw o.error("stagingVolume", "the volume method uploads through the Files API with 'token'; with OAuth M2M use writeMethod 'insert'");
  }
  if (mergeKeys?.length) out.mergeKeys = mergeKeys;
  if (deleteFlagColumn !== undefined) out.deleteFlagColumn = deleteFlagColumn;
  const batchIdColumn = o.getString("batchIdColumn");
  if (batchIdColumn !== undefined) out.batchIdColumn = batchIdColumn;
  const source = o.getString("sourceTag");
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
  o.rejectUnknown(READ_OPTION_NAMES);
  const connection = parseConnectionOptions(o);
  const table = o.getString("table");
  const query = o.getString("query");
  if ((table === undefined) === (query === undefined)) throw o.error(table === undefined ? "table" : "query", "give exactly one of 'table' or 'query'");
  const changeFeed = parseChangeFeedOptions(o);
  if (query !== undefined && (changeFeed.readChangeFeed || changeFeed.starting !== undefined)) throw o.error(changeFeed.readChangeFeed ? "readChangeFeed" : "startingVersion", "applies to a 'table' read, not a 'query'");
  const out: ReadOptions = { connection, fetchSize: o.getInt("fetchSize", 10_000, { min: 1, max: 1_000_000 }), changeFeed };
  if (table !== undefined) out.target = resolveTableName(table, connection.catalog, connection.schema);
  if (query !== undefined) {
    if (query.trim() === "") throw o.error("query", "is empty");
    out.query = query;
  }
  const params = o.getObject("params");
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
