/**
 * The decoder's option object and the two choices it is made of (parse mode, field matching).
 * @packageDocumentation
 */
import type { JobMetrics } from "../metrics.js";

export type ParseMode = "PERMISSIVE" | "DROPMALFORMED" | "FAILFAST";
export const PARSE_MODES: readonly ParseMode[] = ["PERMISSIVE", "DROPMALFORMED", "FAILFAST"];

/** Which documents match a schema: see the documentation of `codec/decode`. */
export type FieldMatching = "shape" | "spark";

export interface DocumentDecoderOptions {
  /** Default: "PERMISSIVE" (Spark's); collection and stream readers pass their own default. */
  mode?: ParseMode;
  /** Default: "_corrupt_record" (used only when the schema has that column). */
  columnNameOfCorruptRecord?: string;
  /** Where rejected documents are counted, with a few examples (`_key`, reason). */
  metrics?: JobMetrics;
  /** Counter name for rejected documents. Default: "rejectedRecords". */
  rejectedMetric?: string;
  /** Counter for documents PERMISSIVE kept with nulls / the corrupt column. Default: "malformedRecords". */
  malformedMetric?: string;
  /** Counter for blank texts (no document, no row). Default: "emptyRecords". */
  emptyMetric?: string;
  /**
   * `"shape"` (default): the connector's rule, missing or unknown fields do not match.
   * `"spark"`: Spark's reader, missing → null, unknown ignored, strings take any value's text.
   */
  matching?: FieldMatching;
}
