/**
 * Options of `com.macrometa.spark.collection`: the official connector's names and meaning, plus
 * ours. Everything is validated before any data moves; each error names the option (never the
 * value of a credential).
 * @packageDocumentation
 */
import { CaseInsensitiveOptions, TableOptions, acceptedOptionNames, isOptionError, type ParseMode } from "@macrometa-spark/core";
import { isGdnError, parseApiKey, resolveGdnUrl } from "@macrometa-spark/macrometa-client";
import { COLLECTION_OPTIONS, FORMAT_NAMES } from "./option-table.js";

export { FORMAT_NAMES };

/** Every spelling this format accepts (compared case-insensitively): its table's names and aliases. */
export const KNOWN_OPTIONS: readonly string[] = acceptedOptionNames(COLLECTION_OPTIONS);

/** Typed, validated options. */
export interface CollectionOptions {
  /**
   * From option `regionUrl`: A host becomes `https://api-<host>` (TLS); a value with a scheme
   * (`http://127.0.0.1:8529`) is used as is; plain `http` only for localhost (the key would travel
   * in clear), anything else is refused. Required.
   */
  origin: string;
  /**
   * `<tenant>.<keyid>.<secret>`, bare or as `apikey <key>`; sent as `Authorization: apikey <key>`.
   * In specs submitted to Databricks, give `{{secrets/<scope>/<key>}}`. Never logged or echoed in
   * errors. Required unless `jwt`.
   */
  apiKey: string | undefined;
  /**
   * A JWT, sent as `Authorization: bearer <jwt>` (the key-permission pre-flight is skipped: it
   * needs a key id). Never logged or echoed in errors.
   */
  jwt: string | undefined;
  /** Fabric (database). Default: `_system`. */
  fabric: string;
  /** Collection to read (must exist) or write (created when missing). Required. */
  collection: string;
  /**
   * Read: documents per cursor page. Write: documents per import call. Range: 1..10000. Default:
   * `1000`.
   */
  batchSize: number;
  /** C8QL to read (reads only). Default: `FOR doc IN <collection> RETURN doc`. */
  query: string | undefined;
  /**
   * Bind parameters of `query` (object or JSON text; `@name`, `@@name` for collections). Default:
   * `{}`.
   */
  bindVars: Record<string, unknown>;
  /**
   * Write: attribute whose value becomes `_key` (the server moves an existing `_key` to `old_key`).
   */
  primaryKey: string | undefined;
  /**
   * Write: replace documents whose key exists; with keys (`_key` column or `primaryKey`) this is an
   * upsert. Default: `false`.
   */
  replace: boolean;
  /**
   * Documents of the query sampled for inference (when no `.schema(...)` is given). Range:
   * 1..100000. Default: `50`.
   */
  schemaSampleSize: number;
  /**
   * `mostCommon`: infer each sampled document, keep the most frequent schema (the connector's
   * rule). `merge`: Spark's `spark.read.json` inference over the sample. Default: `mostCommon`.
   */
  schemaInference: "mostCommon" | "merge";
  /**
   * `DROPMALFORMED`: documents that do not match are not returned, and are counted. `PERMISSIVE`:
   * returned, with null for each value that does not fit and the whole document in the
   * corrupt-record column when the schema has one (inference adds it to an inferred schema; give it
   * in your own schema to get it). `FAILFAST`: the read fails naming the `_key` and field. Default:
   * inferred schema: `DROPMALFORMED`; with `.schema(…)`: `PERMISSIVE` (Spark's default).
   */
  mode: ParseMode;
  /** Column PERMISSIVE adds to the schema. Default: `_corrupt_record`. */
  columnNameOfCorruptRecord: string;
  /**
   * Read: a string column (added to the schema, inferred or given) that receives, as one JSON
   * object with the document's `_key`, every field the schema lacks and every value that does not
   * fit its column (Auto Loader's rescued data column, usually `_rescued_data`); such documents are
   * then kept, not rejected, and counted as `rescuedRecords`. Refused on writes. See *Schema drift*
   * in the root README. Default: none (the parse mode decides).
   */
  rescuedDataColumn: string | undefined;
  /**
   * Read: key-range partitions of the default query (a user `query` is one partition). Write:
   * import calls in flight per writer. Through the session the engine also reads that many
   * partitions at once. The write default was measured on local-gdn (see the README's benchmarks).
   * Range: 1..64. Default: read `1`, write `4`.
   */
  parallelism: number;
  /**
   * Retries after the first attempt (429, 503, other 5xx but 501, resets), with exponential
   * backoff, Retry-After honoured, 60 s total budget. Range: 0..20. Default: `4`.
   */
  maxRetries: number;
  /**
   * Time limit of one HTTP request, answer included. Range: 100..3600000. Default: `60000` (ms).
   */
  requestTimeoutMs: number;
  /**
   * Write: `fail` stops with counts per errorNum and example keys; `skip` appends rejected
   * documents to `rejectsPath` and counts them. Default: `fail`.
   */
  onDocumentError: "fail" | "skip";
  /**
   * JSON-lines file: `{"collection","errorNum","errorMessage","document"}` per rejected document.
   * Required with `skip`.
   */
  rejectsPath: string | undefined;
  /**
   * Read: share of documents (0..1) that may be rejected before `mmspark run` fails (exit 1); a run
   * that rejects every document fails whatever this is. Rejections are always counted in
   * `df.metrics` and warned about with the first keys. Range: 0..1. Default: `1`.
   */
  maxRejectedFraction: number;
}

/** The connector's default read query for a collection. */
export function defaultQuery(collection: string): string {
  return `FOR doc IN ${collection} RETURN doc`;
}

export function parseCollectionOptions(input: CaseInsensitiveOptions, purpose: "read" | "write"): CollectionOptions {
  const o = new CaseInsensitiveOptions(input, input.format ?? FORMAT_NAMES[1]);
  const t = new TableOptions(o, COLLECTION_OPTIONS);

  const regionUrl = t.string("regionUrl");
  let origin: string;
  try {
    origin = resolveGdnUrl(regionUrl);
  } catch (err) {
    throw o.error("regionUrl", isGdnError(err) ? err.message : "is not a host name or URL");
  }

  let apiKey: string | undefined;
  let jwt: string | undefined;
  const jwtName = t.given("jwt");
  if (jwtName !== undefined) {
    const v = o.requireString(jwtName).trim().replace(/^bearer\s+/i, "");
    if (v === "" || /\s/.test(v)) throw o.error(jwtName, "is not a token (value not shown)");
    jwt = v;
  }
  if (t.has("apiKey")) {
    try {
      apiKey = parseApiKey(o.requireString("apiKey")).key;
    } catch (err) {
      if (isOptionError(err)) throw err;
      throw o.error("apiKey", "expected '<tenant>.<keyid>.<secret>' or 'apikey <tenant>.<keyid>.<secret>' (value not shown)");
    }
  }
  if (apiKey === undefined && jwt === undefined) throw o.error("apiKey", "is required (or give 'jwt')");

  const fabric = t.string("fabric").trim();
  if (fabric === "") throw o.error("fabric", "must not be empty");
  const collection = t.string("collection").trim();
  if (!/^[A-Za-z0-9_\-.:@()+,=;$!*'%]+$/.test(collection)) throw o.error("collection", `'${collection}' is not a collection name`);

  const query = t.string("query");
  if (query !== undefined && query.trim() === "") throw o.error("query", "must not be empty");
  if (query !== undefined && purpose === "write") throw o.error("query", "applies to reads only");

  const mode = t.enum("mode");
  const onDocumentError = t.enum("onDocumentError");
  const rejectsPath = t.string("rejectsPath");
  if (onDocumentError === "skip" && (rejectsPath === undefined || rejectsPath.trim() === "")) {
    throw o.error("rejectsPath", "is required when onDocumentError is 'skip' (rejected documents are written there, never dropped)");
  }
  const primaryKey = t.string("primaryKey");
  if (primaryKey !== undefined && primaryKey.trim() === "") throw o.error("primaryKey", "must not be empty");

  return {
    origin,
    apiKey,
    jwt,
    fabric,
    collection,
    batchSize: t.int("batchSize"),
    query,
    bindVars: t.object("bindVars") ?? {},
    primaryKey,
    replace: t.boolean("replace"),
    schemaSampleSize: t.int("schemaSampleSize"),
    schemaInference: t.enum("schemaInference"),
    mode,
    columnNameOfCorruptRecord: t.string("columnNameOfCorruptRecord"),
    rescuedDataColumn: rescuedColumn(t, purpose),
    parallelism: t.int("parallelism", purpose === "read" ? 1 : 4),
    maxRetries: t.int("maxRetries"),
    requestTimeoutMs: t.int("requestTimeoutMs"),
    onDocumentError,
    rejectsPath,
    maxRejectedFraction: t.number("maxRejectedFraction"),
  };
}

/** `rescuedDataColumn`: a column name, for reads (a write has no schema to rescue from). */
function rescuedColumn(t: TableOptions<typeof COLLECTION_OPTIONS>, purpose: "read" | "write"): string | undefined {
  const name = t.string("rescuedDataColumn");
  if (name === undefined) return undefined;
  if (purpose === "write") throw t.error("rescuedDataColumn", "applies to reads only");
  if (name.trim() === "") throw t.error("rescuedDataColumn", "must name a column");
  return name;
}
