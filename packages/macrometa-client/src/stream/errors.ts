/**
 * Stream client errors. Messages name the stream topic and the endpoint, never a credential
 * (OTPs travel in the URL query, so URLs in messages are cut at `?`).
 * @packageDocumentation
 */
import type { ErrorContext } from "@macrometa-spark/kit";
import { GDN_ERROR_CODES, type GdnErrorCode } from "../error-codes.js";
import { GdnError } from "../errors.js";

/** The stream codes of the client's table (error-codes.ts). */
export type StreamErrorCode = Extract<GdnErrorCode, `STREAM_${string}`>;

export class StreamError extends GdnError {
  declare readonly code: StreamErrorCode;
  constructor(message: string, code: StreamErrorCode, options: { retryable?: boolean | null; cause?: unknown; context?: ErrorContext; status?: number } = {}) {
    super(message, { code, retryable: options.retryable === undefined ? GDN_ERROR_CODES[code].retryable : options.retryable, cause: options.cause, context: options.context ?? {}, ...(options.status === undefined ? {} : { status: options.status }) });
  }
}
