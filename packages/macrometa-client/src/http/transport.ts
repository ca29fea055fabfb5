/**
 * The GDN HTTP transport: one keep-alive undici pool per origin, per-request timeouts, GDN error
 * envelopes mapped to GdnError, and retries through kit's `withRetry` — only for calls that are
 * safe to repeat. The resource modules (collections, documents, cursors, streams, keys) build
 * their calls on it; no GDN path is written anywhere else.
 *
 * Retry classes (every resource method picks one, documented on the method):
 * - `idempotent`: repeating changes nothing (GET, DELETE of a cursor, truncate, query validation,
 *   creating a cursor for a read-only query). Retried on 429, 503, other 5xx but 501, connection
 *   resets and timeouts.
 * - `refusals`: the call has effects (import without explicit keys, insert, cursor `PUT`). Retried
 *   only when the server said it did not process it (429, 503) or the connection was never made;
 *   anything ambiguous is thrown with `outcomeUnknown: true` so the caller can reconcile. A cursor
 *   `PUT` is in this class because a lost answer to a processed `PUT` would silently skip a page.
 *
 * Pipelining stays at 1: undici only pipelines behind idempotent requests anyway, and a reset of a
 * pipelined connection makes every request on it ambiguous. Concurrency comes from `connections`.
 * @packageDocumentation
 */
import { Pool } from "undici";
import type { Dispatcher } from "undici";
import { AbortedError, type ErrorContext, type Logger, type RetryPolicy, redactSecrets, silentLogger, withRetry } from "@macrometa-spark/kit";
import { GdnError, isGdnError, isRetryableStatus } from "../errors.js";
import { gdnError } from "../error-codes.js";
import { parseApiKey, resolveGdnUrl } from "./url.js";

/** How a call may be repeated (see the module comment). */
export type RetryClass = "idempotent" | "refusals" | "never";

export interface GdnHttpClientOptions {
  /** `regionUrl`: a host (→ `https://api-<host>`) or an origin with a scheme, used as is. */
  url: string;
  /** API key, bare or `apikey <key>`; sent as `Authorization: apikey <key>`. Secret. */
  apiKey?: string;
  /** A JWT; sent as `Authorization: bearer <jwt>`. Secret. */
  jwt?: string;
  /** Fabric for `/_fabric/<fabric>/...` routes. Default: "_system". */
  fabric?: string;
  /** Sockets kept open to the origin. Default: 8. */
  connections?: number;
  /** Time limit for one request, answer body included. Default: 60000 (ms). */
  requestTimeoutMs?: number;
  /** Idle keep-alive sockets are closed after this long (below usual server idle timeouts). Default: 4000 (ms). */
  keepAliveTimeoutMs?: number;
  /** Retry budget; `maxAttempts` counts the first try. Default: core's defaultRetryPolicy(). */
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  /** Called before each retry wait (metrics, tests). */
  onRetry?: (info: { route: string; attempt: number; delayMs: number; error: unknown }) => void;
  /** Extra TLS options for undici's connector (e.g. `{ ca }`, `{ rejectUnauthorized: false }` for a local self-signed server). */
  tls?: Record<string, unknown>;
}

export interface RequestSpec {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";
  /** Absolute path (`/_fabric/...`, `/apid/otp`). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON text (or a raw string for stream publish). */
  body?: string;
  contentType?: string;
  retry: RetryClass;
  context?: ErrorContext;
  signal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  attempts: number;
}

const CONNECT_ERRORS = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
const RESET_ERRORS = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED", "ETIMEDOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/** One path segment (a collection, key or stream name), percent-encoded. */
export function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/** Retry-After: delta-seconds or an HTTP date → ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === "") return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === "object"; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (CONNECT_ERRORS.has(code) || RESET_ERRORS.has(code) || code.startsWith("UND_ERR") || code.startsWith("E"))) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Credentials, the pool and the retry rules; the resource methods live in their own modules. */
export class GdnTransport {
  /** The HTTP origin requests go to (no credentials in it). */
  readonly origin: string;
  readonly fabric: string;
  /** Tenant from the API key, when one was given. */
  readonly tenant: string | undefined;
  /** Key id from the API key (for the permission route), when one was given. */
  readonly keyId: string | undefined;
  private readonly authorization: string;
  private readonly pool: Pool;
  private readonly requestTimeoutMs: number;
  private readonly retryPolicy: Partial<RetryPolicy>;
  private readonly logger: Logger;
  private readonly onRetry: GdnHttpClientOptions["onRetry"];
  private closed = false;

  constructor(options: GdnHttpClientOptions) {
    this.origin = resolveGdnUrl(options.url);
    this.fabric = options.fabric ?? "_system";
    if (options.jwt) {
      this.authorization = `bearer ${options.jwt.trim().replace(/^bearer\s+/i, "")}`;
    } else if (options.apiKey) {
      const parsed = parseApiKey(options.apiKey);
      this.authorization = `apikey ${parsed.key}`;
      this.tenant = parsed.tenant;
      this.keyId = parsed.keyId;
    } else {
      throw gdnError("GDN_NO_CREDENTIALS");
    }
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.retryPolicy = options.retry ?? {};
    this.logger = options.logger ?? silentLogger;
    this.onRetry = options.onRetry;
    const keepAlive = options.keepAliveTimeoutMs ?? 4_000;
    this.pool = new Pool(this.origin, {
      connections: options.connections ?? 8,
      pipelining: 1,
      keepAliveTimeout: keepAlive,
      keepAliveMaxTimeout: keepAlive,
      // Our own AbortSignal enforces the total per-request time; undici's inactivity timers stay as a backstop.
      headersTimeout: this.requestTimeoutMs,
      bodyTimeout: this.requestTimeoutMs,
      ...(options.tls ? { connect: options.tls } : {}),
    });
  }

  /** `/_fabric/<fabric>/_api/<rest>` */
  fabricPath(rest: string, fabric = this.fabric): string {
    return `/_fabric/${enc(fabric)}/_api/${rest}`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.close();
  }

  // ---------------------------------------------------------------- transport

  /** One request with retries per `spec.retry`; non-2xx answers become GdnError. For the resource modules. */
  async request(spec: RequestSpec): Promise<RawResponse> {
    const route = `${spec.method} ${spec.path}`;
    const context: ErrorContext = { route, fabric: this.fabric, ...spec.context };
    let attempts = 0;
    return withRetry(
      async () => {
        attempts++;
        const res = await this.once(spec, context);
        return { ...res, attempts };
      },
      {
        policy: this.retryPolicy,
        signal: spec.signal,
        isRetryable: (err) => this.isRetryable(err, spec.retry),
        onRetry: (error, attempt, delayMs) => {
          this.logger.debug("gdn request retry", { route, attempt, delayMs, code: (error as { code?: string }).code });
          this.onRetry?.({ route, attempt, delayMs, error });
        },
      },
    );
  }

  private isRetryable(err: unknown, cls: RetryClass): boolean {
    if (!isGdnError(err) || cls === "never") return false;
    if (cls === "idempotent") return err.retryable === true;
    // refusals: the server said "not processed", or we never reached it.
    if (err.status === 429 || err.status === 503) return true;
    return err.code === "GDN_CONNECT_FAILED";
  }

  private async once(spec: RequestSpec, context: ErrorContext): Promise<Omit<RawResponse, "attempts">> {
    if (this.closed) throw gdnError("GDN_CLIENT_CLOSED", {}, { context });
    if (spec.signal?.aborted) throw new AbortedError("request aborted", spec.signal.reason);
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    let path = spec.path;
    if (spec.query) {
      const q = Object.entries(spec.query).filter(([, v]) => v !== undefined);
      if (q.length) path += "?" + q.map(([k, v]) => `${enc(k)}=${enc(String(v))}`).join("&");
    }
    const headers: Record<string, string> = { authorization: this.authorization, accept: "application/json" };
    if (spec.body !== undefined) headers["content-type"] = spec.contentType ?? "application/json";
    let res: Dispatcher.ResponseData;
    let text: string;
    try {
      res = await this.pool.request({ method: spec.method, path, headers, body: spec.body, signal });
      text = await res.body.text();
    } catch (err) {
      throw this.transportError(err, spec, context, timeout);
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return { status: res.statusCode, headers: res.headers, text };
    throw this.httpError(res.statusCode, res.headers, text, context);
  }

  private transportError(err: unknown, spec: RequestSpec, context: ErrorContext, timeout: AbortSignal): Error {
    if (spec.signal?.aborted) return new AbortedError(`request aborted: ${context.route}`, spec.signal.reason);
    if (timeout.aborted) {
      return gdnError("GDN_TIMEOUT", { timeoutMs: this.requestTimeoutMs, route: context.route }, { outcomeUnknown: spec.method !== "GET", context, cause: err });
    }
    const code = errorCode(err);
    const msg = err instanceof Error ? err.message : String(err);
    if (code !== undefined && CONNECT_ERRORS.has(code)) {
      return gdnError("GDN_CONNECT_FAILED", { origin: this.origin, reason: code, route: context.route }, { context, cause: err });
    }
    // A reset after the request was written: the server may have applied it.
    return gdnError("GDN_CONNECTION_RESET", { reason: code ?? msg, route: context.route }, { outcomeUnknown: true, context, cause: err });
  }

  private httpError(status: number, headers: Record<string, string | string[] | undefined>, text: string, context: ErrorContext): GdnError {
    let errorNum: number | undefined;
    let serverMessage: string | undefined;
    try {
      const env = JSON.parse(text) as { errorNum?: unknown; errorMessage?: unknown };
      if (typeof env.errorNum === "number") errorNum = env.errorNum;
      if (typeof env.errorMessage === "string") serverMessage = env.errorMessage;
    } catch {
      // not an envelope (a proxy's HTML page): keep the status only
    }
    const retryable = isRetryableStatus(status);
    const code = errorNum === undefined ? `GDN_HTTP_${status}` : `GDN_HTTP_${status}_${errorNum}`;
    const about = context.collection ? ` (collection '${context.collection}')` : "";
    // A proxy or server could echo request headers in an error page: mask anything credential-shaped.
    const detail = redactSecrets(serverMessage ?? (text.length > 200 ? text.slice(0, 200) + "…" : text), [this.authorization.slice(this.authorization.indexOf(" ") + 1)]);
    return new GdnError(`GDN ${status}${errorNum === undefined ? "" : `/${errorNum}`} on ${context.route}${about}: ${detail}`, {
      code,
      status,
      errorNum,
      retryable,
      // 500/502/504 arrive after the server may have done the work.
      outcomeUnknown: retryable && status !== 429 && status !== 503,
      retryAfterMs: parseRetryAfter(headers["retry-after"]),
      context,
    });
  }

  /** `request` with the answer's JSON body (`{}` for an empty one). */
  async requestJson<T>(spec: RequestSpec): Promise<T> {
    const res = await this.request(spec);
    return (res.text === "" ? {} : JSON.parse(res.text)) as T;
  }
}
