/**
 * macrometa-client's error codes, HTTP and streams. `retryable` is the code's rule; where one code
 * covers answers of both kinds (STREAM_CONNECT_FAILED after an HTTP 404 vs 503), the raising site
 * decides from the status and the table says `null`. HTTP answers the client does not name get the
 * code family `GDN_HTTP_<status>[_<errorNum>]` (see error-numbers.ts for errorNum names).
 * @packageDocumentation
 */
import { type ErrorContext, defineErrorCodes, fillTemplate } from "@macrometa-spark/kit";
import { GdnError } from "./errors.js";

export const GDN_ERROR_CODES = defineErrorCodes({
  /** regionUrl is empty, not a host or URL, or not http(s). */
  GDN_BAD_URL: { retryable: false, message: "regionUrl {problem}" },
  /** Plain http to a non-loopback host would carry the key in clear. */
  GDN_INSECURE_URL: {
    retryable: false,
    message: "regionUrl '{url}': plain http would send the API key in clear to a remote host; use https (plain http is for localhost only)",
  },
  /** An API key not of the form tenant.keyid.secret. */
  GDN_BAD_API_KEY: { retryable: false, message: "API key is not of the form <tenant>.<keyid>.<secret> (value not shown)" },
  /** Neither an API key nor a JWT. */
  GDN_NO_CREDENTIALS: { retryable: false, message: "an API key or a JWT is required" },
  /** A call that needs an API key (key permissions) on a JWT client. */
  GDN_NO_API_KEY: { retryable: false, message: "key permissions need an API key, not a JWT" },
  /** A call on a closed client. */
  GDN_CLIENT_CLOSED: { retryable: false, message: "client is closed" },
  /** A 2xx answer without what it should hold. */
  GDN_BAD_ANSWER: { retryable: false, message: "{what}" },
  /** No answer within requestTimeoutMs (the request may have been applied). */
  GDN_TIMEOUT: { retryable: true, message: "no answer within {timeoutMs} ms: {route}" },
  /** The connection was never made (the request was not sent). */
  GDN_CONNECT_FAILED: { retryable: true, message: "cannot connect to {origin} ({reason}): {route}" },
  /** The connection dropped after the request was sent (it may have been applied). */
  GDN_CONNECTION_RESET: { retryable: true, message: "connection lost ({reason}): {route}" },
  /** Stream message ids that do not decode. */
  INVALID_MESSAGE_ID: { retryable: false, message: "invalid stream message id {id}: {reason}" },
  /** Message ids of different partitions. */
  INCOMPARABLE_MESSAGE_IDS: {
    retryable: false,
    message: "stream message ids {a} (partition {pa}) and {b} (partition {pb}) are of different partitions and have no common order",
  },
  /** The stream socket could not be opened (the status decides: 409/429/5xx may pass on retry). */
  STREAM_CONNECT_FAILED: { retryable: null, message: "stream {stream}: {detail}" },
  /** The server refused the credentials on a stream. */
  STREAM_UNAUTHORIZED: { retryable: false, message: "stream {stream}: {detail}" },
  /** No such stream. */
  STREAM_NOT_FOUND: { retryable: false, message: "stream {stream}: not found (HTTP 404)" },
  /** The socket closed under an open consumer or producer. */
  STREAM_DISCONNECTED: { retryable: true, message: "stream {stream}: socket closed ({detail})" },
  /** A consumer or producer used after close. */
  STREAM_CLOSED: { retryable: false, message: "{detail}" },
  /** The server answered a send with an error (it may or may not have stored it). */
  STREAM_SEND_FAILED: { retryable: null, message: "send to {stream} failed: {detail}" },
  /** No acknowledgement of a send in time. */
  STREAM_SEND_TIMEOUT: { retryable: true, message: "send to {stream} not acknowledged within {timeoutMs} ms" },
  /** No frame at all for too long. */
  STREAM_IDLE: { retryable: true, message: "{detail}" },
  /** A frame the client cannot read. */
  STREAM_PROTOCOL: { retryable: false, message: "{detail}" },
  /** No one-time password for the socket URL. */
  STREAM_OTP_FAILED: { retryable: true, message: "{detail}" },
});

export type GdnErrorCode = keyof typeof GDN_ERROR_CODES;

/** A GdnError of one of the client's codes, its message and retryability from the table. */
export function gdnError(code: GdnErrorCode, values: Readonly<Record<string, unknown>> = {}, options: { cause?: unknown; context?: ErrorContext; outcomeUnknown?: boolean } = {}): GdnError {
  const entry = GDN_ERROR_CODES[code];
  return new GdnError(fillTemplate(entry.message, values), { code, retryable: entry.retryable, ...options });
}
