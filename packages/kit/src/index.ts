/**
 * @packageDocumentation The shared leaf every package may import: the error root (stable `code`,
 * `retryable`, `cause`, brand checks), retry with backoff, the injected logger and secret
 * redaction, lossless JSON, exact decimal text and calendar days. Knows nothing of Spark, GDN or
 * Databricks and imports nothing of ours.
 */
export {
  MacrometaSparkError,
  isMacrometaSparkError,
  hasErrorCode,
  isOptionError,
  KIT_ERROR_CODES,
  OptionError,
  MalformedRecordError,
  SchemaError,
  UnsupportedOperationError,
  AbortedError,
  errorMessage,
  type ErrorContext,
  type SparkErrorOptions,
} from "./errors.js";
export { defineErrorCodes, fillTemplate, errorFromTable, type ErrorCodeEntry, type ErrorCodeTable, type CodedErrorOptions } from "./error-codes.js";
export { withRetry, backoffDelayMs, defaultRetryPolicy, sleep, type RetryPolicy, type RetryOptions } from "./retry.js";
export { silentLogger, createConsoleLogger, createMemoryLogger, type Logger, type LogLevel } from "./logger.js";
export { redactFields, redactText, redactSecrets, type LogFields } from "./redaction.js";
export {
  JsonNumber,
  isIntegerLexeme,
  parseJsonLossless,
  parseJsonLosslessWithDuplicates,
  stringifyJson,
  toBase64,
  type LosslessJson,
} from "./json-text.js";
export {
  isDecimalLexeme,
  decimalParts,
  exactInteger,
  scaledDecimalText,
  plainDecimalText,
  MAX_PLAIN_EXPONENT,
  type DecimalParts,
} from "./decimal.js";
export { isLeapYear, daysInMonth, isCalendarDay, isDateText, epochDay } from "./calendar.js";
