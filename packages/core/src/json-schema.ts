/**
 * The JSON Schema (draft 2020-12) form of a Spark type, for code generation.
 * STUB: signatures fixed, implementation pending.
 * @packageDocumentation
 */
import type { DataType } from "./types.js";

export function toJsonSchema(_type: DataType, _title?: string): Record<string, unknown> {
  throw new Error("toJsonSchema: not implemented yet");
}
