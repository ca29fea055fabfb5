/**
 * The error root every package extends. Each error has a stable `code`, a `retryable` flag
 * (`null` when unknown), a `cause`, and context naming what it was about (collection, stream,
 * statement, option...). Guards check a brand, not `instanceof`, because a workspace can load
 * two copies of a package.
 * @packageDocumentation
 */

const BRAND = Symbol.for("macrometa-spark.error");

/** What an error was about. Never put credentials here. */
export interface ErrorContext {
  option?: string;
  format?: string;
  collection?: string;
  stream?: string;
  fabric?: string;
  table?: string;
  /** The kind of SQL statement (CREATE, MERGE...), not its full text. */
  statement?: string;
  /** HTTP method and path, e.g. `PUT /_fabric/_system/_api/cursor/123`. */
  route?: string;
  documentKey?: string;
  field?: string;
  [key: string]: unknown;
}

export interface SparkErrorOptions {
  code: string;
  retryable?: boolean | null;
  cause?: unknown;
  context?: ErrorContext;
}

export class MacrometaSparkError extends Error {
  readonly code: string;
  readonly retryable: boolean | null;
  readonly context: ErrorContext;
  /** Set by the retry module when the error is the last of several attempts. */
  retryCount?: number;
  declare readonly cause?: unknown;
  constructor(message: string, options: SparkErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retryable = options.retryable ?? null;
    this.context = options.context ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      context: this.context,
      ...(this.retryCount === undefined ? {} : { retryCount: this.retryCount }),
    };
  }
}

export function isMacrometaSparkError(err: unknown): err is MacrometaSparkError {
  return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
}

/** Whether `err` is one of ours with `code` (a brand check: works across two copies of a package). */
export function hasErrorCode(err: unknown, code: string): err is MacrometaSparkError {
  return isMacrometaSparkError(err) && err.code === code;
}

/**
 * The codes of the errors every package shares (the classes below). `retryable` is fixed per
 * code; messages are the raising site's, so the template is the message as given.
 */
export const KIT_ERROR_CODES = {
  /** A wrong, missing or conflicting option; raised before any data moves. */
  INVALID_OPTION: { retryable: false, message: "option '{option}': {detail}" },
  /** A document or row that does not fit the schema (FAILFAST, or a value that cannot be written). */
  MALFORMED_RECORD: { retryable: false, message: "{detail}" },
  /** A schema that cannot be parsed or does not fit. */
  SCHEMA_ERROR: { retryable: false, message: "{detail}" },
  /** An operation the format, table or save mode does not support. */
  UNSUPPORTED_OPERATION: { retryable: false, message: "{detail}" },
  /** Cut short by an AbortSignal or a stop. */
  ABORTED: { retryable: false, message: "{detail}" },
} as const satisfies Record<string, { retryable: boolean | null; message: string }>;

/** Whether `err` is an OptionError (by brand and code, not `instanceof`). */
export function isOptionError(err: unknown): err is OptionError {
  return hasErrorCode(err, "INVALID_OPTION");
}

/** A wrong, missing or conflicting option; raised before any data moves. */
export class OptionError extends MacrometaSparkError {
  constructor(option: string, message: string, context: ErrorContext = {}) {
    super(`option '${option}': ${message}`, { code: "INVALID_OPTION", retryable: KIT_ERROR_CODES.INVALID_OPTION.retryable, context: { ...context, option } });
  }
}

/** A document or row that does not fit the schema, under FAILFAST. */
export class MalformedRecordError extends MacrometaSparkError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super(message, { code: "MALFORMED_RECORD", retryable: KIT_ERROR_CODES.MALFORMED_RECORD.retryable, context, cause });
  }
}

/** A schema that cannot be parsed or does not fit. */
export class SchemaError extends MacrometaSparkError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super(message, { code: "SCHEMA_ERROR", retryable: KIT_ERROR_CODES.SCHEMA_ERROR.retryable, context, cause });
  }
}

/** An operation the format, table or save mode does not support. */
export class UnsupportedOperationError extends MacrometaSparkError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, { code: "UNSUPPORTED_OPERATION", retryable: KIT_ERROR_CODES.UNSUPPORTED_OPERATION.retryable, context });
  }
}

/** An operation cut short by an AbortSignal or a stop. */
export class AbortedError extends MacrometaSparkError {
  constructor(message = "operation aborted", cause?: unknown) {
    super(message, { code: "ABORTED", retryable: KIT_ERROR_CODES.ABORTED.retryable, cause });
  }
}

/** Short message of an unknown thrown value, for logs. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
