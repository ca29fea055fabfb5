/**
 * Options of `com.macrometa.spark.collection`: the official connector's names and meaning, plus
 * ours. Everything is validated before any data moves; each error names the option (never the
 * value of a credential).
 * @packageDocumentation
 */
import { CaseInsensitiveOptions, PARSE_MODES, isOptionError, type ParseMode } from "@macrometa-spark/core";
import { isGdnError, parseApiKey, resolveGdnUrl } from "@macrometa-spark/macrometa-client";

export const FORMAT_NAMES = ["com.macrometa.spark.collection.MacrometaTableProvider", "com.macrometa.spark.collection"] as const;

/** Every option this format accepts (compared case-insensitively). */
export const KNOWN_OPTIONS = [
  "regionUrl",
  "apiKey",
  "jwt",
  "token",
  "fabric",
  "collection",
  "batchSize",
  "query",
  "primaryKey",
  "tenant",
  "bindVars",
  "schemaSampleSize",
  "schemaInference",
  "mode",
  "columnNameOfCorruptRecord",
  "rescuedDataColumn",
  "parallelism",
  "maxRetries",
  "requestTimeoutMs",
  "onDocumentError",
  "rejectsPath",
  "replace",
  "maxRejectedFraction",
] as const;

/** Typed, validated options. */
export interface CollectionOptions {
  /** HTTP origin from `regionUrl` (a host → `https://api-<host>`; a URL with a scheme is kept). */
  origin: string;
  /** Bare API key (from `apiKey`, `apikey <key>` accepted). Secret. */
  apiKey: string | undefined;
  /** JWT (from `jwt` or `token`), sent as `bearer`. Secret. */
  jwt: string | undefined;
  /** Default: "_system". */
  fabric: string;
  collection: string;
  /** Cursor page size on read, documents per import call on write (1..10000). Default: 1000. */
  batchSize: number;
  /** The user's C8QL, or undefined for the default full-collection read. */
  query: string | undefined;
  bindVars: Record<string, unknown>;
  /** Attribute whose value becomes `_key` on write. */
  primaryKey: string | undefined;
  /** With `primaryKey` (or `_key` in the rows): replace existing documents (upsert). Default: false. */
  replace: boolean;
  /** Documents sampled for inference. Default: 50. */
  schemaSampleSize: number;
  /** Default: "mostCommon". */
  schemaInference: "mostCommon" | "merge";
  /**
   * Default: "DROPMALFORMED" here; a read with a user's schema and no `mode` option reads
   * "PERMISSIVE" (Spark's default), see the provider's `getTable`.
   */
  mode: ParseMode;
  /** Default: "_corrupt_record". */
  columnNameOfCorruptRecord: string;
  /**
   * Read: a string column (added to the schema, inferred or given) that receives, as one JSON
   * object with the document's `_key`, every field the schema lacks and every value that does not
   * fit its column (Auto Loader's rescued data column, usually `_rescued_data`); such documents are
   * then kept, not rejected. Default: none (the parse mode decides).
   */
  rescuedDataColumn: string | undefined;
  /**
   * Read: key-range partitions of the default full-collection query (a user query is one
   * partition). Write: import requests in flight per writer. Default: 1 for reads, 4 for writes
   * (measured on local-gdn: see the README's benchmark notes).
   */
  parallelism: number;
  /** Retries after the first attempt. Default: 4. */
  maxRetries: number;
  /** Per-request time limit. Default: 60000 (ms). */
  requestTimeoutMs: number;
  /** Default: "fail". */
  onDocumentError: "fail" | "skip";
  /** JSON-lines file for documents the server rejected, with `onDocumentError: skip`. */
  rejectsPath: string | undefined;
  /**
   * Read: the share of documents (0..1) that may be rejected before `mmspark run` fails the job
   * (exit 1). A job whose every document was rejected fails whatever this is. Default: 1.
   */
  maxRejectedFraction: number;
}

/** The connector's default read query for a collection. */
export function defaultQuery(collection: string): string {
  return `FOR doc IN ${collection} RETURN doc`;
}

export function parseCollectionOptions(input: CaseInsensitiveOptions, purpose: "read" | "write"): CollectionOptions {
  const o = new CaseInsensitiveOptions(input, input.format ?? FORMAT_NAMES[1]);
  o.rejectUnknown(KNOWN_OPTIONS);

  const regionUrl = o.requireString("regionUrl");
  let origin: string;
  try {
    origin = resolveGdnUrl(regionUrl);
  } catch (err) {
    throw o.error("regionUrl", isGdnError(err) ? err.message : "is not a host name or URL");
  }

  let apiKey: string | undefined;
  let jwt: string | undefined;
  const jwtName = o.firstOf("jwt", "token");
  if (jwtName !== undefined) {
    const v = o.requireString(jwtName).trim().replace(/^bearer\s+/i, "");
    if (v === "" || /\s/.test(v)) throw o.error(jwtName, "is not a token (value not shown)");
    jwt = v;
  }
  if (o.has("apiKey")) {
    try {
      apiKey = parseApiKey(o.requireString("apiKey")).key;
    } catch (err) {
      if (isOptionError(err)) throw err;
      throw o.error("apiKey", "expected '<tenant>.<keyid>.<secret>' or 'apikey <tenant>.<keyid>.<secret>' (value not shown)");
    }
  }
  if (apiKey === undefined && jwt === undefined) throw o.error("apiKey", "is required (or give 'jwt')");

  const fabric = o.getString("fabric", "_system").trim();
  if (fabric === "") throw o.error("fabric", "must not be empty");
  const collection = o.requireString("collection").trim();
  if (!/^[A-Za-z0-9_\-.:@()+,=;$!*'%]+$/.test(collection)) throw o.error("collection", `'${collection}' is not a collection name`);

  const query = o.getString("query");
  if (query !== undefined && query.trim() === "") throw o.error("query", "must not be empty");
  if (query !== undefined && purpose === "write") throw o.error("query", "applies to reads only");

  const mode = o.getEnum("mode", PARSE_MODES, "DROPMALFORMED");
  const onDocumentError = o.getEnum("onDocumentError", ["fail", "skip"] as const, "fail");
  const rejectsPath = o.getString("rejectsPath");
  if (onDocumentError === "skip" && (rejectsPath === undefined || rejectsPath.trim() === "")) {
    throw o.error("rejectsPath", "is required when onDocumentError is 'skip' (rejected documents are written there, never dropped)");
  }
  const primaryKey = o.getString("primaryKey");
  if (primaryKey !== undefined && primaryKey.trim() === "") throw o.error("primaryKey", "must not be empty");
  const replace = o.getBoolean("replace", false);

  return {
    origin,
    apiKey,
    jwt,
    fabric,
    collection,
    batchSize: o.getInt("batchSize", 1000, { min: 1, max: 10_000 }),
    query,
    bindVars: o.getObject("bindVars") ?? {},
    primaryKey,
    replace,
    schemaSampleSize: o.getInt("schemaSampleSize", 50, { min: 1, max: 100_000 }),
    schemaInference: o.getEnum("schemaInference", ["mostCommon", "merge"] as const, "mostCommon"),
    mode,
    columnNameOfCorruptRecord: o.getString("columnNameOfCorruptRecord", "_corrupt_record"),
    rescuedDataColumn: rescuedColumn(o, purpose),
    parallelism: o.getInt("parallelism", purpose === "read" ? 1 : 4, { min: 1, max: 64 }),
    maxRetries: o.getInt("maxRetries", 4, { min: 0, max: 20 }),
    requestTimeoutMs: o.getInt("requestTimeoutMs", 60_000, { min: 100, max: 3_600_000 }),
    onDocumentError,
    rejectsPath,
    maxRejectedFraction: fraction(o, "maxRejectedFraction", 1),
  };
}

/** A number from 0 to 1, given as a number or its text. */
function fraction(o: CaseInsensitiveOptions, name: string, defaultValue: number): number {
  const raw = o.get(name);
  if (raw === undefined || raw === null) return defaultValue;
  const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  if (!(n >= 0 && n <= 1)) throw o.error(name, `expected a number from 0 to 1, got ${JSON.stringify(raw)}`);
  return n;
}

/** `rescuedDataColumn`: a column name, for reads. */
function rescuedColumn(o: CaseInsensitiveOptions, purpose: "read" | "write"): string | undefined {
  const name = o.getString("rescuedDataColumn");
  if (name === undefined) return undefined;
  if (purpose === "write") throw o.error("rescuedDataColumn", "applies to reads only");
  if (name.trim() === "") throw o.error("rescuedDataColumn", "must name a column");
  return name;
}
