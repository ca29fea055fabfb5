/**
 * The Databricks error classes the local warehouse answers with, each once: its SQLSTATE (what a
 * real warehouse sends beside the class) and whether repeating the statement may succeed. The
 * message is the raising site's text in Databricks' words (a class's wording depends on the object
 * involved, and DuckDB's own text is kept where it names it), so there is no template beyond
 * `[CLASS] detail SQLSTATE: state`. Raising sites name a class; `sqlError` looks up the rest, so
 * a class always carries the same SQLSTATE.
 * @packageDocumentation
 */

interface ErrorClassEntry {
  readonly sqlState: string;
  /** Whether running the statement again may succeed (`null`: unknown). */
  readonly retryable: boolean | null;
}

const entry = (sqlState: string, retryable: boolean | null = false): ErrorClassEntry => ({ sqlState, retryable });

export const WAREHOUSE_ERROR_CLASSES = Object.freeze({
  ARITHMETIC_OVERFLOW: entry("22003"),
  CAST_INVALID_INPUT: entry("22018"),
  CAST_OVERFLOW: entry("22003"),
  CATALOG_ALREADY_EXISTS: entry("42P04"),
  CF_UNABLE_TO_INFER_FORMAT: entry("42000"),
  CF_UNKNOWN_OPTION_KEYS_ERROR: entry("42000"),
  COLUMN_ALREADY_EXISTS: entry("42711"),
  CONFIG_NOT_AVAILABLE: entry("42K0I"),
  COPY_INTO_FILES_LIMIT_EXCEEDED: entry("54000"),
  "DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION": entry("42K09"),
  "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE": entry("42K09"),
  DELTA_CANNOT_MODIFY_APPEND_ONLY: entry("42809"),
  /** Another writer committed first: the statement may succeed when run again. */
  DELTA_CONCURRENT_TRANSACTION: entry("2D521", true),
  DELTA_EXCEED_CHAR_VARCHAR_LIMIT: entry("22001"),
  DELTA_INVALID_CHARACTERS_IN_COLUMN_NAMES: entry("42K05"),
  DELTA_MERGE_UNRESOLVED_EXPRESSION: entry("42601"),
  DELTA_METADATA_MISMATCH: entry("42KDG"),
  DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE: entry("21506"),
  DELTA_NOT_NULL_CONSTRAINT_VIOLATED: entry("23502"),
  DELTA_UNKNOWN_CONFIGURATION: entry("F0000"),
  DELTA_VIOLATE_CONSTRAINT_WITH_VALUES: entry("23001"),
  DELTA_VIOLATE_TABLE_PROPERTY_VALIDATION_FAILED: entry("0A000"),
  DIVIDE_BY_ZERO: entry("22012"),
  DUPLICATE_SQL_PARAMETER: entry("42K0E"),
  "EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE": entry("42809"),
  FIELDS_ALREADY_EXISTS: entry("42710"),
  "INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_SAFELY_CAST": entry("KD000"),
  INSERT_COLUMN_ARITY_MISMATCH: entry("21S01"),
  /** Nothing says whether it would happen again. */
  INTERNAL_ERROR: entry("XX000", null),
  INVALID_ARRAY_INDEX: entry("22003"),
  INVALID_ARRAY_INDEX_IN_ELEMENT_AT: entry("22003"),
  /** Spark's error-conditions.json: ESCAPE must be one character. */
  INVALID_ESCAPE_CHAR: entry("42604"),
  "INVALID_FORMAT.ESC_AT_THE_END": entry("42601"),
  "INVALID_FORMAT.ESC_IN_THE_MIDDLE": entry("42601"),
  INVALID_IDENTIFIER: entry("42602"),
  "INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH": entry("42000"),
  INVALID_NUMERIC_LITERAL_RANGE: entry("22003"),
  INVALID_INDEX_OF_ZERO: entry("22003"),
  "INVALID_LAMBDA_FUNCTION_CALL.NON_HIGHER_ORDER_FUNCTION": entry("42K0D"),
  "INVALID_LAMBDA_FUNCTION_CALL.NUM_ARGS_MISMATCH": entry("42K0D"),
  INVALID_PARAMETER_VALUE: entry("22023"),
  "INVALID_PARAMETER_VALUE.PATTERN": entry("22023"),
  INVALID_SQL_SYNTAX: entry("42000"),
  /** Spark's error-conditions.json: a column neither grouped nor aggregated. */
  MISSING_AGGREGATION: entry("42803"),
  NO_SUCH_CATALOG_EXCEPTION: entry("42704"),
  NUMERIC_VALUE_OUT_OF_RANGE: entry("22003"),
  PARQUET_TYPE_ILLEGAL: entry("42846"),
  PARSE_EMPTY_STATEMENT: entry("42617"),
  PARSE_SYNTAX_ERROR: entry("42601"),
  PATH_NOT_FOUND: entry("42K03"),
  QUERY_EXECUTION_TIMEOUT_EXCEEDED: entry("57KD0"),
  REQUIRED_PARAMETER_NOT_FOUND: entry("4274K"),
  SCHEMA_ALREADY_EXISTS: entry("42P06"),
  SCHEMA_NOT_EMPTY: entry("2BP01"),
  SCHEMA_NOT_FOUND: entry("42704"),
  TABLE_OR_VIEW_ALREADY_EXISTS: entry("42P07"),
  TABLE_OR_VIEW_NOT_FOUND: entry("42P01"),
  UNBOUND_SQL_PARAMETER: entry("42P02"),
  "UNRESOLVED_COLUMN.WITH_SUGGESTION": entry("42703"),
  UNRESOLVED_ROUTINE: entry("42883"),
  UNSUPPORTED_FEATURE: entry("0A000"),
  VOLUME_ALREADY_EXISTS: entry("42000"),
  /** UNCONFIRMED: the class Databricks uses for a missing volume was not found in its docs. */
  VOLUME_NOT_FOUND: entry("42704"),
  WRONG_COMMAND_FOR_OBJECT_TYPE: entry("42809"),
  "WRONG_NUM_ARGS.WITHOUT_SUGGESTION": entry("42605"),
} satisfies Record<string, ErrorClassEntry>);

export type WarehouseErrorClass = keyof typeof WAREHOUSE_ERROR_CLASSES;
