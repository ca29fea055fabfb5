/**
 * Errors of the `databricks` format. Every failure of the driver is wrapped in a
 * {@link DatabricksError} that names the statement kind (CREATE, INSERT, MERGE...) and the
 * server's SQLSTATE, and is classified retryable or not. The driver's own error objects are
 * never attached as they are: `StatusError` is not an `Error`, and an HTTP failure carries the
 * fetch request, so the cause we keep is a plain `Error` with a redacted message.
 * @packageDocumentation
 */
import { MacrometaSparkError, defineErrorCodes, isMacrometaSparkError, redactSecrets, type ErrorContext } from "@macrometa-spark/core";

/**
 * The format's codes. `retryable` is the code's default; `wrapDriverError` sets it from what the
 * driver reports where one code covers both (an HTTP failure, a SQLSTATE class 08). Messages name
 * the statement kind and the server's text, so the template is the site's detail.
 */
export const DATABRICKS_ERROR_CODES = defineErrorCodes({
  /** The token or OAuth credentials were refused (HTTP 401/403, OAuth failure). */
  DATABRICKS_AUTH: { retryable: false, message: "{detail}" },
  /** The server ran the statement and reported an error (syntax, missing table, constraint...). */
  DATABRICKS_SQL: { retryable: false, message: "{detail}" },
  /** The connection failed or the server answered 429/5xx: may succeed when repeated. */
  DATABRICKS_UNAVAILABLE: { retryable: true, message: "{detail}" },
  /** The statement ran past `queryTimeoutMs` or was cancelled. */
  DATABRICKS_TIMEOUT: { retryable: false, message: "{detail}" },
  /** The target table is incompatible with the data (retyped column, missing table...). */
  DATABRICKS_SCHEMA: { retryable: false, message: "{detail}" },
  /** The table exists and the save mode is `errorifexists`. */
  DATABRICKS_TABLE_EXISTS: { retryable: false, message: "{detail}" },
  /** A Files API call on the staging volume failed for good (missing volume, bad path...). */
  DATABRICKS_VOLUME: { retryable: false, message: "{detail}" },
  /**
   * A stream of a Delta table cannot go on as configured (a commit rewrote rows and the read takes
   * appends only, a start past the table's history...); the message carries Delta's error class.
   */
  DATABRICKS_CHANGE_FEED: { retryable: false, message: "{detail}" },
  /** Anything else the driver threw. */
  DATABRICKS_DRIVER: { retryable: null, message: "{detail}" },
});

export type DatabricksErrorCode = keyof typeof DATABRICKS_ERROR_CODES;

const DATABRICKS_BRAND = Symbol.for("macrometa-spark.databricks-error");

export interface DatabricksErrorContext extends ErrorContext {
  /** First keyword of the statement (CREATE, INSERT, MERGE, SELECT...), never its text. */
  statement?: string;
  /** SQLSTATE reported by the server, when there is one. */
  sqlState?: string;
  /** HTTP status of the Thrift or Files API call, when it failed at the HTTP level. */
  httpStatus?: number;
  /** The volume path of a failed Files API call. */
  path?: string;
  /** The table version a change-feed error is about. */
  version?: number;
  /** The server no longer knew the session; the connection reopens one. */
  sessionLost?: boolean;
}

/** Root of this package's errors; `code`, `retryable`, `context.statement`, `context.sqlState`. */
export class DatabricksError extends MacrometaSparkError {
  declare readonly context: DatabricksErrorContext;
  constructor(message: string, options: { code: DatabricksErrorCode; retryable?: boolean | null; cause?: unknown; context?: DatabricksErrorContext }) {
    super(message, { ...options, retryable: options.retryable === undefined ? DATABRICKS_ERROR_CODES[options.code].retryable : options.retryable });
    Object.defineProperty(this, DATABRICKS_BRAND, { value: true });
  }
  /** SQLSTATE of the failed statement, when the server gave one. */
  get sqlState(): string | undefined {
    return this.context.sqlState;
  }
  /** Kind of the failed statement (CREATE, MERGE...), when a statement failed. */
  get statementKind(): string | undefined {
    return this.context.statement;
  }
}

/** Whether `err` is a DatabricksError (a brand check: survives two copies of this package). */
export function isDatabricksError(err: unknown): err is DatabricksError {
  return isMacrometaSparkError(err) && (err as unknown as Record<symbol, unknown>)[DATABRICKS_BRAND] === true;
}

/** First keyword(s) of a statement, for error context and logs: never the statement's text. */
export function statementKind(sql: string): string {
  // Skip leading whitespace and comments so a generated comment cannot hide the kind.
  const text = sql.replace(/^(\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)+/, "");
  const m = /^([A-Za-z]+)(?:\s+(OR\s+REPLACE|OVERWRITE|INTO))?/i.exec(text);
  if (!m) return "UNKNOWN";
  const first = m[1]!.toUpperCase();
  return first === "INSERT" && m[2] && /OVERWRITE/i.test(m[2]) ? "INSERT OVERWRITE" : first;
}

const RETRYABLE_HTTP = new Set([429, 502, 503, 504]);
/** Spark's Thrift server says "Invalid SessionHandle" for a session it does not know (HiveSessionManager). */
const SESSION_GONE = /invalid session ?handle|session (handle )?(is )?(not found|expired|closed)/i;

/**
 * Whether the connection must open a new session before the next statement: the server forgot the
 * session, or the connection broke (after a warehouse restart the old session is gone too).
 */
export function isSessionLost(err: unknown): boolean {
  return err instanceof DatabricksError && (err.context.sessionLost === true || err.code === "DATABRICKS_UNAVAILABLE");
}
const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND", "UND_ERR_SOCKET", "ECONNABORTED"]);

function field(err: unknown, name: string): unknown {
  return err !== null && typeof err === "object" ? (err as Record<string, unknown>)[name] : undefined;
}

/**
 * Wraps whatever the driver threw into a {@link DatabricksError}. `secrets` (token, client
 * secret) are scrubbed from the message even if a server echoed them.
 */
export function wrapDriverError(err: unknown, kind: string | undefined, context: DatabricksErrorContext = {}, secrets: readonly string[] = []): DatabricksError {
  if (err instanceof DatabricksError) return err;
  const name = String(field(err, "name") ?? field(field(err, "constructor"), "name") ?? "");
  const rawMessage = String(field(err, "message") ?? err);
  const message = redactSecrets(rawMessage, secrets);
  const ctx: DatabricksErrorContext = { ...context, ...(kind ? { statement: kind } : {}) };
  const where = kind ? `${kind} statement` : "Databricks call";
  // A plain Error keeps the driver's class name and message but not its request/response objects.
  const cause = new Error(message);
  cause.name = name || "DriverError";

  const httpStatus = field(err, "statusCode");
  if (typeof httpStatus === "number") {
    ctx.httpStatus = httpStatus;
    if (httpStatus === 401 || httpStatus === 403) {
      return new DatabricksError(
        `Databricks refused the credentials (HTTP ${httpStatus}) during ${where}: check 'token' (or 'clientId'/'clientSecret') and that it may use this warehouse`,
        { code: "DATABRICKS_AUTH", retryable: false, cause, context: ctx },
      );
    }
    const retryable = RETRYABLE_HTTP.has(httpStatus) || httpStatus >= 500;
    return new DatabricksError(`${where} failed with HTTP ${httpStatus}: ${message}`, {
      code: retryable ? "DATABRICKS_UNAVAILABLE" : "DATABRICKS_DRIVER",
      retryable,
      cause,
      context: ctx,
    });
  }
  if (name === "AuthenticationError" || /authenticat|unauthori[sz]ed|invalid_client|oauth/i.test(name)) {
    return new DatabricksError(`Databricks authentication failed during ${where}: ${message}`, { code: "DATABRICKS_AUTH", retryable: false, cause, context: ctx });
  }
  // OperationStateError: the statement ran and failed; sqlState and displayMessage come from the server.
  const response = field(err, "response");
  const sqlState = field(response, "sqlState") ?? field(err, "sqlState");
  if (typeof sqlState === "string" && sqlState) ctx.sqlState = sqlState;
  const errorCode = field(err, "errorCode");
  if (errorCode === "TIMEOUT" || errorCode === "CANCELED") {
    return new DatabricksError(`${where} ${errorCode === "TIMEOUT" ? "timed out" : "was cancelled"}: ${message}`, {
      code: "DATABRICKS_TIMEOUT",
      retryable: false,
      cause,
      context: ctx,
    });
  }
  if (name === "OperationStateError" || ctx.sqlState) {
    // SQLSTATE class 08 is a connection exception; everything else is the statement's own fault.
    const transient = ctx.sqlState?.startsWith("08") ?? false;
    const state = ctx.sqlState ? ` [SQLSTATE ${ctx.sqlState}]` : "";
    return new DatabricksError(`${where} failed${state}: ${message}`, {
      code: transient ? "DATABRICKS_UNAVAILABLE" : "DATABRICKS_SQL",
      retryable: transient,
      cause,
      context: ctx,
    });
  }
  const sysCode = field(err, "code") ?? field(field(err, "cause"), "code");
  if (typeof sysCode === "string" && NETWORK_CODES.has(sysCode)) {
    return new DatabricksError(`${where} could not reach the warehouse (${sysCode}): ${message}`, {
      code: "DATABRICKS_UNAVAILABLE",
      retryable: true,
      cause,
      context: ctx,
    });
  }
  if (SESSION_GONE.test(message)) {
    // The server no longer knows our session (it restarted, or the session expired): the statement
    // never ran, and it may run on a new session.
    return new DatabricksError(`${where} failed: the warehouse lost the session (${message})`, { code: "DATABRICKS_UNAVAILABLE", retryable: true, cause, context: { ...ctx, sessionLost: true } });
  }
  if (name === "Status Error" || name === "StatusError") {
    // Thrift status ERROR without an operation.
    return new DatabricksError(`${where} failed: ${message}`, { code: "DATABRICKS_SQL", retryable: false, cause, context: ctx });
  }
  if (name === "RetryError") {
    return new DatabricksError(`${where}: the driver gave up retrying: ${message}`, { code: "DATABRICKS_UNAVAILABLE", retryable: true, cause, context: ctx });
  }
  return new DatabricksError(`${where} failed: ${message}`, { code: "DATABRICKS_DRIVER", retryable: null, cause, context: ctx });
}
