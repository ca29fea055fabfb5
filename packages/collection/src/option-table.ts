/**
 * The options of `com.macrometa.spark.collection`, one row each: the parser reads them, and
 * `npm run options` writes them into cli's job.schema.json, the README tables and the TSDoc of
 * {@link CollectionOptions}. Adding an option is adding a row here (see the package README).
 * @packageDocumentation
 */
import { PARSE_MODES, type OptionTable } from "@macrometa-spark/core";

/** The names a job or a session gives this format by. */
export const FORMAT_NAMES = ["com.macrometa.spark.collection.MacrometaTableProvider", "com.macrometa.spark.collection"] as const;

export const COLLECTION_OPTIONS = {
  regionUrl: {
    kind: "string",
    required: true,
    group: "connection",
    field: "origin",
    doc: "A host becomes `https://api-<host>` (TLS); a value with a scheme (`http://127.0.0.1:8529`) is used as is; plain `http` only for localhost (the key would travel in clear), anything else is refused.",
    connector: "`regionUrl` (host only, `https://api-` prepended)",
  },
  apiKey: {
    kind: "string",
    secret: true,
    group: "connection",
    defaultText: "required unless `jwt`",
    doc: "`<tenant>.<keyid>.<secret>`, bare or as `apikey <key>`; sent as `Authorization: apikey <key>`. In specs submitted to Databricks, give `{{secrets/<scope>/<key>}}`.",
    connector: "`apiKey` (the full `apikey <key>` value)",
  },
  jwt: {
    kind: "string",
    secret: true,
    aliases: ["token"],
    group: "connection",
    doc: "A JWT, sent as `Authorization: bearer <jwt>` (the key-permission pre-flight is skipped: it needs a key id).",
  },
  fabric: { kind: "string", default: "_system", group: "connection", doc: "Fabric (database).", connector: "`fabric`" },
  collection: {
    kind: "string",
    required: true,
    doc: "Collection to read (must exist) or write (created when missing).",
    connector: "`collection`",
  },
  batchSize: {
    kind: "int",
    default: 1000,
    min: 1,
    max: 10_000,
    doc: "Read: documents per cursor page. Write: documents per import call.",
    connector: "`batchSize` (default 100, 1..10000)",
  },
  query: {
    kind: "string",
    defaultText: "`FOR doc IN <collection> RETURN doc`",
    doc: "C8QL to read (reads only).",
    connector: "`query`",
  },
  bindVars: { kind: "object", defaultText: "`{}`", doc: "Bind parameters of `query` (object or JSON text; `@name`, `@@name` for collections)." },
  primaryKey: {
    kind: "string",
    doc: "Write: attribute whose value becomes `_key` (the server moves an existing `_key` to `old_key`).",
    connector: "`primaryKey`",
  },
  replace: {
    kind: "boolean",
    default: false,
    doc: "Write: replace documents whose key exists; with keys (`_key` column or `primaryKey`) this is an upsert.",
    connector: "— (always `false`)",
  },
  schemaSampleSize: {
    kind: "int",
    default: 50,
    min: 1,
    max: 100_000,
    doc: "Documents of the query sampled for inference (when no `.schema(...)` is given).",
    connector: "fixed 50",
  },
  schemaInference: {
    kind: "enum",
    values: ["mostCommon", "merge"],
    default: "mostCommon",
    doc: "`mostCommon`: infer each sampled document, keep the most frequent schema (the connector's rule). `merge`: Spark's `spark.read.json` inference over the sample.",
    connector: "`mostCommon` only",
  },
  mode: {
    kind: "enum",
    values: PARSE_MODES,
    default: "DROPMALFORMED",
    defaultText: "inferred schema: `DROPMALFORMED`; with `.schema(…)`: `PERMISSIVE` (Spark's default)",
    doc: "`DROPMALFORMED`: documents that do not match are not returned, and are counted. `PERMISSIVE`: returned, with null for each value that does not fit and the whole document in the corrupt-record column when the schema has one (inference adds it to an inferred schema; give it in your own schema to get it). `FAILFAST`: the read fails naming the `_key` and field.",
    connector: "drops silently",
  },
  columnNameOfCorruptRecord: { kind: "string", default: "_corrupt_record", doc: "Column PERMISSIVE adds to the schema." },
  rescuedDataColumn: {
    kind: "string",
    defaultText: "none (the parse mode decides)",
    doc: "Read: a string column (added to the schema, inferred or given) that receives, as one JSON object with the document's `_key`, every field the schema lacks and every value that does not fit its column (Auto Loader's rescued data column, usually `_rescued_data`); such documents are then kept, not rejected, and counted as `rescuedRecords`. Refused on writes. See *Schema drift* in the root README.",
  },
  maxRejectedFraction: {
    kind: "number",
    default: 1,
    min: 0,
    max: 1,
    doc: "Read: share of documents (0..1) that may be rejected before `mmspark run` fails (exit 1); a run that rejects every document fails whatever this is. Rejections are always counted in `df.metrics` and warned about with the first keys.",
  },
  parallelism: {
    kind: "int",
    min: 1,
    max: 64,
    defaultText: "read `1`, write `4`",
    doc: "Read: key-range partitions of the default query (a user `query` is one partition). Write: import calls in flight per writer. Through the session the engine also reads that many partitions at once. The write default was measured on local-gdn (see the README's benchmarks).",
    connector: "one partition, one call at a time",
  },
  maxRetries: {
    kind: "int",
    default: 4,
    min: 0,
    max: 20,
    group: "connection",
    doc: "Retries after the first attempt (429, 503, other 5xx but 501, resets), with exponential backoff, Retry-After honoured, 60 s total budget.",
    connector: "none",
  },
  requestTimeoutMs: {
    kind: "int",
    default: 60_000,
    min: 100,
    max: 3_600_000,
    unit: "ms",
    group: "connection",
    doc: "Time limit of one HTTP request, answer included.",
  },
  onDocumentError: {
    kind: "enum",
    values: ["fail", "skip"],
    default: "fail",
    doc: "Write: `fail` stops with counts per errorNum and example keys; `skip` appends rejected documents to `rejectsPath` and counts them.",
    connector: "errors ignored",
  },
  rejectsPath: {
    kind: "string",
    defaultText: "required with `skip`",
    doc: 'JSON-lines file: `{"collection","errorNum","errorMessage","document"}` per rejected document.',
  },
  tenant: {
    kind: "string",
    field: false,
    doc: "Accepted for compatibility with connector jobs; the tenant comes from the API key.",
    connector: "`tenant` (stream options)",
  },
} as const satisfies OptionTable;
