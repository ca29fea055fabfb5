/**
 * The macrometa-client error root. GDN answers `{error, code, errorNum, errorMessage}`; we keep
 * all of it plus the route and what it was about, never the API key.
 * @packageDocumentation
 */
import { MacrometaSparkError, isMacrometaSparkError, redactText, type ErrorContext } from "@macrometa-spark/kit";

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
  /**
   * True when the request may have been applied although no answer arrived (a reset after the
   * request was sent, a timeout, a 500/502/504): repeating a non-idempotent call could apply it twice
   * or, for a cursor `PUT`, skip a page.
   */
  outcomeUnknown?: boolean;
}

const GDN_BRAND = Symbol.for("macrometa-spark.gdn-error");

export class GdnError extends MacrometaSparkError {
  readonly status: number | undefined;
  readonly errorNum: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly outcomeUnknown: boolean;
  constructor(message: string, options: GdnErrorOptions) {
    // Server text (error pages, close reasons, send errors) ends up in messages: mask credential shapes.
    super(redactText(message), options);
    this.status = options.status;
    this.errorNum = options.errorNum;
    this.retryAfterMs = options.retryAfterMs;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
    Object.defineProperty(this, GDN_BRAND, { value: true });
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, errorNum: this.errorNum, ...(this.outcomeUnknown ? { outcomeUnknown: true } : {}) };
  }
}

/** Statuses worth another attempt when the call is safe to repeat: 429, 503 and 5xx but 501. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501);
}

/** Type guard that survives two copies of this package in one process (a brand, as the kit's root uses, not the class). */
export function isGdnError(err: unknown): err is GdnError {
  return isMacrometaSparkError(err) && (err as unknown as Record<symbol, unknown>)[GDN_BRAND] === true;
}
