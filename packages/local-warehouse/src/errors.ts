/**
 * @packageDocumentation
 * Errors in the shape Databricks reports them: an error class in brackets, a message, and a SQLSTATE,
 * so a client's error handling written against a real warehouse behaves the same here.
 */

import { checkViolation } from "./delta/rules.js";
import { WAREHOUSE_ERROR_CLASSES, type WarehouseErrorClass } from "./error-classes.js";

const brand = Symbol.for("macrometa-spark.local-warehouse.SqlError");

/** A statement failure as the warehouse reports it (ERROR_STATE with sqlState and displayMessage). */
export class SqlError extends Error {
  readonly [brand] = true;
  override readonly name = "SqlError";
  constructor(
    /** Databricks error class, e.g. `TABLE_OR_VIEW_NOT_FOUND`. */
    readonly errorClass: string,
    /** Five-character SQLSTATE, e.g. `42P01`. */
    readonly sqlState: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`[${errorClass}] ${detail}`, options);
  }

  /** The text Databricks puts in `displayMessage`, which the driver uses as the error's message. */
  get displayMessage(): string {
    return `${this.message} SQLSTATE: ${this.sqlState}`;
  }
}

/** An error of a class from the table, with the class's SQLSTATE. */
export function sqlError(errorClass: WarehouseErrorClass, detail: string, options?: { cause?: unknown }): SqlError {
  return new SqlError(errorClass, WAREHOUSE_ERROR_CLASSES[errorClass].sqlState, detail, options);
}

export function isSqlError(value: unknown): value is SqlError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

export const unsupported = (what: string): SqlError =>
  sqlError("UNSUPPORTED_FEATURE", `${what} is not supported by the local warehouse.`);

export const syntaxError = (detail: string): SqlError =>
  sqlError("PARSE_SYNTAX_ERROR", `Syntax error: ${detail}.`);

/**
 * Maps a DuckDB failure onto the Databricks error class a client would see for the same mistake.
 * DuckDB's message is kept as the detail because it names the object involved.
 */
export function fromDuckDbError(error: unknown): SqlError {
  if (isSqlError(error)) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const detail = raw.split("\n")[0]!.trim();
  // A Spark macro's error('[CLASS] message SQLSTATE: xxxxx') carries the Databricks error itself.
  const raised = /^Invalid Input Error: \[([A-Z_.]+)\] (.*) SQLSTATE: ([0-9A-Z]{5})$/.exec(detail);
  if (raised) return new SqlError(raised[1]!, raised[3]!, raised[2]!, { cause: error });
  const check = checkViolation(detail);
  if (check) return check;
  const rules: [RegExp, WarehouseErrorClass][] = [
    [/^Catalog Error: Table with name .* does not exist/i, "TABLE_OR_VIEW_NOT_FOUND"],
    [/^Catalog Error: Table .* does not exist/i, "TABLE_OR_VIEW_NOT_FOUND"],
    [/^Catalog Error: Schema with name .* does not exist/i, "SCHEMA_NOT_FOUND"],
    [/^Catalog Error: .*Catalog .* does not exist/i, "NO_SUCH_CATALOG_EXCEPTION"],
    [/^Catalog Error: Schema with name .* already exists/i, "SCHEMA_ALREADY_EXISTS"],
    [/^Catalog Error: Column with name .* already exists/i, "FIELDS_ALREADY_EXISTS"],
    [/^Catalog Error: .* with name .* already exists/i, "TABLE_OR_VIEW_ALREADY_EXISTS"],
    [/^Catalog Error: Scalar Function with name .* does not exist/i, "UNRESOLVED_ROUTINE"],
    [/^Parser Error/i, "PARSE_SYNTAX_ERROR"],
    [/^Binder Error: Referenced column .* not found/i, "UNRESOLVED_COLUMN.WITH_SUGGESTION"],
    [/^Binder Error: .*does not have a column named/i, "UNRESOLVED_COLUMN.WITH_SUGGESTION"],
    [/^Binder Error: .*(table|insert).*columns? but .*values/i, "INSERT_COLUMN_ARITY_MISMATCH"],
    [/^Binder Error: No function matches/i, "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE"],
    [/^Binder Error: column .* must appear in the GROUP BY clause or must be part of an aggregate function/i, "MISSING_AGGREGATION"],
    // A CTE that reads itself or a later one: Spark resolves CTE names only from earlier ones.
    [/^Binder Error: Circular reference to CTE/i, "TABLE_OR_VIEW_NOT_FOUND"],
    [/^Conversion Error: .*out of range for the destination type/i, "CAST_OVERFLOW"],
    [/^Conversion Error: .*value is out of range/i, "NUMERIC_VALUE_OUT_OF_RANGE"],
    // Spark refuses a cast between types it cannot convert (INT to BINARY) while analysing the query.
    [/^Conversion Error: Unimplemented type for cast/i, "DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION"],
    // A well-formed number that does not fit the decimal is out of range, not malformed.
    [/^Conversion Error: Could not convert string ['"]\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*['"] to DECIMAL/i, "NUMERIC_VALUE_OUT_OF_RANGE"],
    [/^Conversion Error/i, "CAST_INVALID_INPUT"],
    [/^Constraint Error: NOT NULL/i, "DELTA_NOT_NULL_CONSTRAINT_VIOLATED"],
    [/^Constraint Error/i, "DELTA_VIOLATE_CONSTRAINT_WITH_VALUES"],
    [/^Out of Range Error: Overflow in/i, "ARITHMETIC_OVERFLOW"],
    [/^Out of Range Error/i, "NUMERIC_VALUE_OUT_OF_RANGE"],
    [/^Invalid Input Error/i, "INVALID_PARAMETER_VALUE"],
    [/^Binder Error/i, "INVALID_SQL_SYNTAX"],
    [/^Catalog Error/i, "TABLE_OR_VIEW_NOT_FOUND"],
    [/^TransactionContext Error/i, "DELTA_CONCURRENT_TRANSACTION"],
  ];
  for (const [pattern, errorClass] of rules) {
    if (pattern.test(detail)) return sqlError(errorClass, detail, { cause: error });
  }
  return sqlError("INTERNAL_ERROR", detail, { cause: error });
}
