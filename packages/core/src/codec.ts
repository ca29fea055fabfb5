/**
 * Document ⇄ row codecs with Spark's parse modes. STUB: signatures fixed, implementation pending.
 * @packageDocumentation
 */
import type { Row } from "./contracts.js";
import type { JobMetrics } from "./metrics.js";
import type { StructType } from "./types.js";

export type ParseMode = "PERMISSIVE" | "DROPMALFORMED" | "FAILFAST";
export const PARSE_MODES: readonly ParseMode[] = ["PERMISSIVE", "DROPMALFORMED", "FAILFAST"];

export interface DocumentDecoderOptions {
  /** Default: "PERMISSIVE" (Spark's); collection and stream readers pass their own default. */
  mode?: ParseMode;
  /** Default: "_corrupt_record" (used only when the schema has that column). */
  columnNameOfCorruptRecord?: string;
  /** Where rejected documents are counted, with a few examples (`_key`, reason). */
  metrics?: JobMetrics;
  /** Counter name for rejected documents. Default: "rejectedRecords". */
  rejectedMetric?: string;
}

export interface DocumentDecoder {
  /**
   * A positional row for one document (JSON text, lossless value or plain object), or
   * `undefined` when DROPMALFORMED dropped it (counted in metrics). FAILFAST throws
   * MalformedRecordError naming the document's `_key` and the field.
   */
  decode(input: unknown): Row | undefined;
}

export function createDocumentDecoder(_schema: StructType, _options: DocumentDecoderOptions = {}): DocumentDecoder {
  throw new Error("createDocumentDecoder: not implemented yet");
}

/** A plain object for a row (nested structs as objects, arrays kept, bigint kept). */
export function rowToObject(_schema: StructType, _row: Row): Record<string, unknown> {
  throw new Error("rowToObject: not implemented yet");
}

/** One JSON document for a row; integers beyond 2^53 are written exactly. */
export function rowToJson(_schema: StructType, _row: Row): string {
  throw new Error("rowToJson: not implemented yet");
}

/** A row from a plain object (createDataFrame); values converted to the field types, missing → null. */
export function objectToRow(_schema: StructType, _object: Record<string, unknown>): Row {
  throw new Error("objectToRow: not implemented yet");
}
