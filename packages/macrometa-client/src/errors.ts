/**
 * The macrometa-client error root. GDN answers `{error, code, errorNum, errorMessage}`; we keep
 * all of it plus the route and what it was about, never the API key.
 * @packageDocumentation
 */
import { MacrometaSparkError, type ErrorContext } from "@macrometa-spark/core";

export interface GdnErrorOptions {
  code: string;
  retryable?: boolean | null;
  cause?: unknown;
  context?: ErrorContext;
  /** HTTP status, when the error came from an HTTP answer. */
  status?: number;
  /** GDN `errorNum`, when the server sent one. */
  errorNum?: number;
  /** Server-requested wait (Retry-After), in ms. */
  retryAfterMs?: number;
}

export class GdnError extends MacrometaSparkError {
  readonly status: number | undefined;
  readonly errorNum: number | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: GdnErrorOptions) {
    super(message, options);
    this.status = options.status;
    this.errorNum = options.errorNum;
    this.retryAfterMs = options.retryAfterMs;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, errorNum: this.errorNum };
  }
}

/** Statuses worth another attempt when the call is safe to repeat: 429, 503 and 5xx but 501. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501);
}
