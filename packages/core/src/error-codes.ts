/**
 * Core's error codes (beyond the kit's shared ones): formats, tables, paths, checkpoints, query
 * waits. Raise them with {@link coreError}.
 * @packageDocumentation
 */
import { type CodedErrorOptions, type MacrometaSparkError, defineErrorCodes, errorFromTable } from "@macrometa-spark/kit";

export const CORE_ERROR_CODES = defineErrorCodes({
  /** No provider for the format name (or not the one expected). */
  UNKNOWN_FORMAT: { retryable: false, message: "format '{format}' {problem}" },
  /** A read of a path that does not exist. */
  PATH_NOT_FOUND: { retryable: false, message: "path does not exist: {path}" },
  /** A write to a path that exists, under save mode errorifexists. */
  PATH_EXISTS: { retryable: false, message: "path {path} already exists (save mode errorifexists)" },
  /** A read of a table that does not exist. */
  TABLE_NOT_FOUND: { retryable: false, message: "{format} table '{table}' does not exist" },
  /** A write to a table that exists, under save mode errorifexists. */
  TABLE_EXISTS: { retryable: false, message: "{format} table '{table}' already exists (save mode errorifexists)" },
  /** A checkpoint file that cannot be read back. */
  CHECKPOINT_CORRUPT: { retryable: false, message: "checkpoint file {file} is unreadable: {reason}" },
  /** The query's schema widened and the sink cannot add columns. */
  SINK_CANNOT_EVOLVE: { retryable: false, message: "sink {sink} cannot add the new column(s) {fields} (schema evolution); use a sink with StreamingWrite.evolveSchema or schemaEvolutionMode rescue" },
  /** A wait that ran out of time; the work may still finish. */
  TIMEOUT: { retryable: true, message: "{operation} timed out after {timeoutMs} ms" },
});

export type CoreErrorCode = keyof typeof CORE_ERROR_CODES;

/** An error of one of core's codes. */
export function coreError(code: CoreErrorCode, values: Readonly<Record<string, unknown>>, options?: CodedErrorOptions): MacrometaSparkError {
  return errorFromTable(CORE_ERROR_CODES, code, values, options);
}
