/**
 * @packageDocumentation
 * Errors in the shape Databricks reports them: an error class in brackets, a message, and a SQLSTATE,
 * so a client's error handling written against a real warehouse behaves the same here.
 */

import { checkViolation } from "./delta/rules.js";

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

export function isSqlError(value: unknown): value is SqlError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

export const unsupported = (what: string): SqlError =>
  new SqlError("UNSUPPORTED_FEATURE", "0A000", `${what} is not supported by the local warehouse.`);

export const syntaxError = (detail: string): SqlError =>
  new SqlError("PARSE_SYNTAX_ERROR", "42601", `Syntax error: ${detail}.`);

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
  const rules: [RegExp, string, string][] = [
    [/^Catalog Error: Table with name .* does not exist/i, "TABLE_OR_VIEW_NOT_FOUND", "42P01"],
    [/^Catalog Error: Table .* does not exist/i, "TABLE_OR_VIEW_NOT_FOUND", "42P01"],
    [/^Catalog Error: Schema with name .* does not exist/i, "SCHEMA_NOT_FOUND", "42704"],
    [/^Catalog Error: .*Catalog .* does not exist/i, "NO_SUCH_CATALOG_EXCEPTION", "42704"],
    [/^Catalog Error: Schema with name .* already exists/i, "SCHEMA_ALREADY_EXISTS", "42P06"],
    [/^Catalog Error: Column with name .* already exists/i, "FIELDS_ALREADY_EXISTS", "42710"],
    [/^Catalog Error: .* with name .* already exists/i, "TABLE_OR_VIEW_ALREADY_EXISTS", "42P07"],
    [/^Catalog Error: Scalar Function with name .* does not exist/i, "UNRESOLVED_ROUTINE", "42883"],
    [/^Parser Error/i, "PARSE_SYNTAX_ERROR", "42601"],
    [/^Binder Error: Referenced column .* not found/i, "UNRESOLVED_COLUMN.WITH_SUGGESTION", "42703"],
    [/^Binder Error: .*does not have a column named/i, "UNRESOLVED_COLUMN.WITH_SUGGESTION", "42703"],
    [/^Binder Error: .*(table|insert).*columns? but .*values/i, "INSERT_COLUMN_ARITY_MISMATCH", "21S01"],
    [/^Binder Error: No function matches/i, "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "42K09"],
    [/^Conversion Error: .*out of range for the destination type/i, "CAST_OVERFLOW", "22003"],
    [/^Conversion Error: .*value is out of range/i, "NUMERIC_VALUE_OUT_OF_RANGE", "22003"],
    [/^Conversion Error/i, "CAST_INVALID_INPUT", "22018"],
    [/^Constraint Error: NOT NULL/i, "DELTA_NOT_NULL_CONSTRAINT_VIOLATED", "23502"],
    [/^Constraint Error/i, "DELTA_VIOLATE_CONSTRAINT_WITH_VALUES", "23001"],
    [/^Out of Range Error: Overflow in/i, "ARITHMETIC_OVERFLOW", "22003"],
    [/^Out of Range Error/i, "NUMERIC_VALUE_OUT_OF_RANGE", "22003"],
    [/^Invalid Input Error/i, "INVALID_PARAMETER_VALUE", "22023"],
    [/^Binder Error/i, "INVALID_SQL_SYNTAX", "42000"],
    [/^Catalog Error/i, "TABLE_OR_VIEW_NOT_FOUND", "42P01"],
    [/^TransactionContext Error/i, "DELTA_CONCURRENT_TRANSACTION", "2D521"],
  ];
  for (const [pattern, errorClass, sqlState] of rules) {
    if (pattern.test(detail)) return new SqlError(errorClass, sqlState, detail, { cause: error });
  }
  return new SqlError("INTERNAL_ERROR", "XX000", detail, { cause: error });
}
