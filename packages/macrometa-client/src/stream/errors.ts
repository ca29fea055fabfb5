/**
 * Stream client errors. Messages name the stream topic and the endpoint, never a credential
 * (OTPs travel in the URL query, so URLs in messages are cut at `?`).
 * @packageDocumentation
 */
import type { ErrorContext } from "@macrometa-spark/kit";
import { GdnError } from "../errors.js";

export type StreamErrorCode =
  | "STREAM_CONNECT_FAILED"
  | "STREAM_UNAUTHORIZED"
  | "STREAM_NOT_FOUND"
  | "STREAM_DISCONNECTED"
  | "STREAM_CLOSED"
  | "STREAM_SEND_FAILED"
  | "STREAM_SEND_TIMEOUT"
  | "STREAM_IDLE"
  | "STREAM_PROTOCOL"
  | "STREAM_OTP_FAILED";

export class StreamError extends GdnError {
  declare readonly code: StreamErrorCode;
  constructor(message: string, code: StreamErrorCode, options: { retryable?: boolean | null; cause?: unknown; context?: ErrorContext; status?: number } = {}) {
    super(message, { code, retryable: options.retryable ?? null, cause: options.cause, context: options.context ?? {}, ...(options.status === undefined ? {} : { status: options.status }) });
  }
}
