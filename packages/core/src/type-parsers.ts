/**
 * Parsers for Spark's printed type forms: simpleString/catalogString, JSON schema, and DDL.
 * STUB: signatures fixed, implementation pending.
 * @packageDocumentation
 */
import type { DataType, StructType } from "./types.js";

/** `struct<a:bigint,b:array<string>>` or `bigint` → DataType. */
export function parseSimpleString(_text: string): DataType {
  throw new Error("parseSimpleString: not implemented yet");
}
/** Spark's JSON schema (text or parsed) → DataType. */
export function parseJsonSchema(_json: string | unknown): DataType {
  throw new Error("parseJsonSchema: not implemented yet");
}
/** Spark DDL `a BIGINT, b ARRAY<STRING>, c STRUCT<d: DOUBLE>` → StructType. */
export function parseDDL(_ddl: string): StructType {
  throw new Error("parseDDL: not implemented yet");
}
/** A user's schema given as StructType, DDL text, simpleString or Spark JSON → StructType. */
export function toStructType(_schema: StructType | string): StructType {
  throw new Error("toStructType: not implemented yet");
}
