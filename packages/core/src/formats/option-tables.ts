/**
 * The options of the built-in formats (`json`, `memory`, `console`, `rate`), one table each: the
 * providers accept and read them from here, and `npm run options` writes them into cli's
 * job.schema.json and the README tables. Adding an option is adding a row here.
 * @packageDocumentation
 */
import { PARSE_MODES } from "../codec/options.js";
import { SESSION_STRING_OPTION, SESSION_INT_OPTION, type OptionTable } from "../option-table.js";

export const JSON_OPTIONS = {
  path: {
    kind: "string",
    required: "runtime",
    doc: "File or folder (`load(path)` / `save(path)`); names starting with `_` or `.` are skipped.",
  },
  schemaSampleSize: { kind: "int", default: 1000, min: 1, doc: "Lines read to infer the schema." },
  schemaInference: {
    kind: "enum",
    values: ["merge", "mostCommon"],
    default: "merge",
    doc: "`merge` = Spark's `spark.read.json` (every sampled line folded); `mostCommon` = the connector's rule (most frequent per-document schema; non-matching documents are malformed).",
  },
  mode: { kind: "enum", values: PARSE_MODES, default: "PERMISSIVE", doc: "Parse mode (see *Parse modes*)." },
  columnNameOfCorruptRecord: {
    kind: "string",
    default: "_corrupt_record",
    doc: "Receives malformed lines under PERMISSIVE (inference adds it when it sees one).",
  },
  batchSize: { kind: "int", default: 1000, min: 1, doc: "Rows per batch." },
  ignoreNullFields: { kind: "boolean", default: true, doc: "Write: null fields are left out of documents, as Spark." },
  queryName: SESSION_STRING_OPTION,
  parallelism: SESSION_INT_OPTION,
} as const satisfies OptionTable;

export const MEMORY_OPTIONS = {
  name: {
    kind: "string",
    aliases: ["queryName"],
    required: "runtime",
    doc: "The table (or `load(name)` / `save(name)`).",
  },
  numPartitions: { kind: "int", default: 1, min: 1, doc: "Batch read partitions." },
  batchSize: { kind: "int", default: 1000, min: 1, doc: "Rows per batch." },
  maxMessagesPerTrigger: { kind: "int", min: 1, defaultText: "unbounded", doc: "As a streaming source: rows per micro-batch." },
  path: SESSION_STRING_OPTION,
  checkpointLocation: SESSION_STRING_OPTION,
  parallelism: SESSION_INT_OPTION,
} as const satisfies OptionTable;

export const CONSOLE_OPTIONS = {
  numRows: { kind: "int", default: 20, min: 0, doc: "Rows printed per batch." },
  truncate: { kind: "boolean", default: true, doc: "Cut cells to 20 characters (`false`: never; a number: that many)." },
  queryName: SESSION_STRING_OPTION,
  path: SESSION_STRING_OPTION,
} as const satisfies OptionTable;

export const RATE_OPTIONS = {
  rowsPerSecond: { kind: "int", default: 1, min: 1, doc: "Streaming rate." },
  numPartitions: { kind: "int", default: 1, min: 1, doc: "Row `v` goes to partition `v % numPartitions`." },
  maxMessagesPerTrigger: { kind: "int", min: 1, defaultText: "unbounded", doc: "Rows per micro-batch." },
  numRows: { kind: "int", min: 0, defaultText: "`rowsPerSecond`", doc: "Batch read: rows generated." },
  startTimestampMs: { kind: "int", default: 0, unit: "ms", doc: "Batch read: timestamp of row 0 (ms since the epoch)." },
  batchSize: { kind: "int", default: 1000, min: 1, doc: "Rows per batch." },
  path: SESSION_STRING_OPTION,
  parallelism: SESSION_INT_OPTION,
} as const satisfies OptionTable;
