/**
 * Errors of the Databricks Jobs REST client. The API answers `{error_code, message}`; we keep both
 * plus the HTTP status and the route, never the token.
 * @packageDocumentation
 */
import { MacrometaSparkError, type ErrorContext } from "@macrometa-spark/core";

export class JobsApiError extends MacrometaSparkError {
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    options: { status?: number; errorCode?: string; retryable: boolean; retryAfterMs?: number; cause?: unknown; context?: ErrorContext },
  ) {
    super(message, {
      code: options.errorCode ? `DATABRICKS_JOBS_${options.errorCode}` : `DATABRICKS_JOBS_HTTP_${options.status ?? "ERROR"}`,
      retryable: options.retryable,
      cause: options.cause,
      context: options.context,
    });
    this.status = options.status;
    this.errorCode = options.errorCode;
    this.retryAfterMs = options.retryAfterMs;
  }
}
