/**
 * Spark-exact JSON schema inference (JsonInferSchema) and the connector's most-common-schema rule.
 * STUB: signatures fixed, implementation pending.
 * @packageDocumentation
 */
import type { DataType, StructType } from "./types.js";

export type InferenceStrategy = "mostCommon" | "merge";

export interface InferSchemaOptions {
  /** `mostCommon` (the connector's rule) or `merge` (spark.read.json). Default: "mostCommon". */
  strategy?: InferenceStrategy;
  /** Documents looked at. Default: 50. */
  sampleSize?: number;
  /** Name of the column malformed or non-object documents add. Default: "_corrupt_record". */
  columnNameOfCorruptRecord?: string;
}

/** Infers a schema from JSON texts (lexemes kept) or already-parsed values. */
export function inferSchema(_input: Iterable<unknown>, _options: InferSchemaOptions = {}): StructType {
  throw new Error("inferSchema: not implemented yet");
}

/** Spark's per-record `inferField` for one parsed value. */
export function inferValueType(_value: unknown): DataType {
  throw new Error("inferValueType: not implemented yet");
}

/** Spark's `compatibleType`. */
export function compatibleType(_a: DataType, _b: DataType): DataType {
  throw new Error("compatibleType: not implemented yet");
}
