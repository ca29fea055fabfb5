/**
 * The GDN HTTP client: one keep-alive undici pool per origin, per-request timeouts, GDN error
 * envelopes mapped to GdnError, and retries through core's `withRetry` — only for calls that are
 * safe to repeat.
 *
 * Retry classes (every method picks one, documented on the method):
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
import { AbortedError, type ErrorContext, type Logger, type RetryPolicy, parseJsonLossless, redactSecrets, silentLogger, stringifyJson, withRetry } from "@macrometa-spark/kit";
import { GdnError, isRetryableStatus } from "../errors.js";
import { Cursor } from "./cursor.js";
import { splitResultArray } from "./json-scan.js";
import type {
  AccessLevel,
  CollectionInfo,
  CreateCollectionOptions,
  CursorOptions,
  CursorPage,
  FabricMetadata,
  ImportErrorDetail,
  ImportOptions,
  ImportResult,
  InsertOptions,
  InsertResultItem,
  QueryValidation,
  StreamInfo,
} from "./types.js";
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
const WRITE_QUERY = /\b(INSERT|UPDATE|REPLACE|REMOVE|UPSERT)\b/i;

function enc(segment: string): string {
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

export class GdnHttpClient {
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
      throw new GdnError("an API key or a JWT is required", { code: "GDN_NO_CREDENTIALS", retryable: false });
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

  /** One request with retries per `spec.retry`; non-2xx answers become GdnError. */
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
    if (!(err instanceof GdnError) || cls === "never") return false;
    if (cls === "idempotent") return err.retryable === true;
    // refusals: the server said "not processed", or we never reached it.
    if (err.status === 429 || err.status === 503) return true;
    return err.code === "GDN_CONNECT_FAILED";
  }

  private async once(spec: RequestSpec, context: ErrorContext): Promise<Omit<RawResponse, "attempts">> {
    if (this.closed) throw new GdnError("client is closed", { code: "GDN_CLIENT_CLOSED", retryable: false, context });
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
      return new GdnError(`no answer within ${this.requestTimeoutMs} ms: ${context.route}`, {
        code: "GDN_TIMEOUT",
        retryable: true,
        outcomeUnknown: spec.method !== "GET",
        context,
        cause: err,
      });
    }
    const code = errorCode(err);
    const msg = err instanceof Error ? err.message : String(err);
    if (code !== undefined && CONNECT_ERRORS.has(code)) {
      return new GdnError(`cannot connect to ${this.origin} (${code}): ${context.route}`, { code: "GDN_CONNECT_FAILED", retryable: true, context, cause: err });
    }
    // A reset after the request was written: the server may have applied it.
    return new GdnError(`connection lost (${code ?? msg}): ${context.route}`, {
      code: "GDN_CONNECTION_RESET",
      retryable: true,
      outcomeUnknown: true,
      context,
      cause: err,
    });
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

  private async json<T>(spec: RequestSpec): Promise<T> {
    const res = await this.request(spec);
    return (res.text === "" ? {} : JSON.parse(res.text)) as T;
  }

  // ---------------------------------------------------------------- fabric and collections

  /** `GET _api/database/metadata` (idempotent). 404/1228 when the fabric does not exist. */
  async fabricMetadata(signal?: AbortSignal): Promise<FabricMetadata> {
    const body = await this.json<{ result: FabricMetadata }>({ method: "GET", path: this.fabricPath("database/metadata"), retry: "idempotent", signal });
    return body.result;
  }

  /** `GET _api/collection` (idempotent). */
  async listCollections(options: { excludeSystem?: boolean; signal?: AbortSignal } = {}): Promise<CollectionInfo[]> {
    const body = await this.json<{ result: CollectionInfo[] }>({
      method: "GET",
      path: this.fabricPath("collection"),
      query: { excludeSystem: options.excludeSystem ?? true },
      retry: "idempotent",
      signal: options.signal,
    });
    return body.result;
  }

  /** `GET _api/collection/<c>` (idempotent). 404/1203 when missing. */
  async collectionInfo(name: string, signal?: AbortSignal): Promise<CollectionInfo> {
    const body = await this.json<CollectionInfo & { error?: boolean; code?: number }>({
      method: "GET",
      path: this.fabricPath(`collection/${enc(name)}`),
      retry: "idempotent",
      context: { collection: name },
      signal,
    });
    delete body.error;
    delete body.code;
    return body;
  }

  /** The collection's info, or undefined when it does not exist. */
  async findCollection(name: string, signal?: AbortSignal): Promise<CollectionInfo | undefined> {
    try {
      return await this.collectionInfo(name, signal);
    } catch (err) {
      if (err instanceof GdnError && err.status === 404 && (err.errorNum === 1203 || err.errorNum === undefined)) return undefined;
      throw err;
    }
  }

  /** `GET _api/collection/<c>/count` (idempotent). The server sends a number (the spec says string). */
  async collectionCount(name: string, signal?: AbortSignal): Promise<number> {
    const body = await this.json<{ count: number | string }>({
      method: "GET",
      path: this.fabricPath(`collection/${enc(name)}/count`),
      retry: "idempotent",
      context: { collection: name },
      signal,
    });
    return Number(body.count);
  }

  /**
   * `POST _api/collection` (refusals only: a lost answer may have created it). A 409 ("duplicate
   * name") after such a retry means our first attempt won; callers that race may treat it as success.
   */
  async createCollection(name: string, options: CreateCollectionOptions = {}, signal?: AbortSignal): Promise<CollectionInfo> {
    const body = await this.json<CollectionInfo>({
      method: "POST",
      path: this.fabricPath("collection"),
      body: JSON.stringify({ name, ...options }),
      retry: "refusals",
      context: { collection: name },
      signal,
    });
    return body;
  }

  /** `PUT _api/collection/<c>/truncate` (idempotent: truncating twice leaves it empty). */
  async truncateCollection(name: string, signal?: AbortSignal): Promise<void> {
    await this.request({ method: "PUT", path: this.fabricPath(`collection/${enc(name)}/truncate`), retry: "idempotent", context: { collection: name }, signal });
  }

  /** `DELETE _api/collection/<c>` (idempotent; a 404 on a retry means the first attempt did it). */
  async dropCollection(name: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.request({ method: "DELETE", path: this.fabricPath(`collection/${enc(name)}`), retry: "idempotent", context: { collection: name }, signal });
    } catch (err) {
      if (err instanceof GdnError && err.status === 404 && (err.retryCount ?? 0) > 0) return;
      throw err;
    }
  }

  /**
   * What the API key may do with a collection or stream:
   * `GET /_api/key/<keyid>/database/<fabric>/collection|stream/<name>` (idempotent), as the official
   * connector checks before reading. Needs an API key (not a JWT).
   */
  async keyAccess(kind: "collection" | "stream", name: string, signal?: AbortSignal): Promise<AccessLevel> {
    if (!this.keyId) throw new GdnError("key permissions need an API key, not a JWT", { code: "GDN_NO_API_KEY", retryable: false });
    const body = await this.json<{ result?: unknown }>({
      method: "GET",
      path: `/_api/key/${enc(this.keyId)}/database/${enc(this.fabric)}/${kind}/${enc(name)}`,
      retry: "idempotent",
      context: kind === "collection" ? { collection: name } : { stream: name },
      signal,
    });
    const r = body.result;
    const level = typeof r === "string" ? r : r && typeof r === "object" ? ((r as Record<string, unknown>).access ?? (r as Record<string, unknown>).permission) : undefined;
    return level === "rw" || level === "ro" ? level : "none";
  }

  // ---------------------------------------------------------------- queries and cursors

  /** `POST _api/query` (idempotent: parsing has no effect). 400/1501 on a syntax error. */
  async validateQuery(query: string, signal?: AbortSignal): Promise<QueryValidation> {
    return this.json<QueryValidation>({ method: "POST", path: this.fabricPath("query"), body: JSON.stringify({ query }), retry: "idempotent", signal });
  }

  /**
   * `POST _api/cursor` → the first page. Retried as idempotent for read-only queries (an orphan
   * cursor from a lost answer expires after `ttl`), refusals-only for queries that write.
   */
  async createCursor(query: string, options: CursorOptions = {}): Promise<CursorPage> {
    const readOnly = options.readOnly ?? !WRITE_QUERY.test(query);
    const body: Record<string, unknown> = { query, batchSize: options.batchSize ?? 1000 };
    if (options.bindVars && Object.keys(options.bindVars).length) body.bindVars = options.bindVars;
    if (options.ttl !== undefined) body.ttl = options.ttl;
    if (options.count) body.count = true;
    if (options.options) body.options = options.options;
    const res = await this.request({
      method: "POST",
      path: this.fabricPath("cursor"),
      body: stringifyBody(body),
      retry: readOnly ? "idempotent" : "refusals",
      signal: options.signal,
    });
    return toPage(res.text);
  }

  /**
   * `PUT _api/cursor/<id>` → the next page. Refusals-only: if the server processed a PUT whose answer
   * was lost, asking again returns the page after, silently skipping one. Ambiguous failures are
   * thrown with `outcomeUnknown`; the collection reader resumes from the last `_key` it saw instead.
   */
  async nextCursorPage(id: string, signal?: AbortSignal): Promise<CursorPage> {
    const res = await this.request({ method: "PUT", path: this.fabricPath(`cursor/${enc(id)}`), retry: "refusals", signal });
    return toPage(res.text);
  }

  /** `DELETE _api/cursor/<id>` (idempotent). A 404/1600 (already gone, e.g. exhausted) is not an error. */
  async deleteCursor(id: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.request({ method: "DELETE", path: this.fabricPath(`cursor/${enc(id)}`), retry: "idempotent", signal });
    } catch (err) {
      if (err instanceof GdnError && err.status === 404) return;
      throw err;
    }
  }

  /**
   * A query as an AsyncIterable of pages, the next page requested while the caller works on the
   * current one (one page ahead: a cursor cannot be read further ahead). Leaving the loop early
   * deletes the server-side cursor.
   */
  query(query: string, options: CursorOptions = {}): Cursor {
    return new Cursor(this, query, options);
  }

  // ---------------------------------------------------------------- documents

  /**
   * `POST _api/import/<c>` with `{data, details, primaryKey, replace}`; returns the whole result,
   * per-document errors included (the answer is HTTP 200 even when documents fail).
   *
   * `documents` may be JSON texts (sent verbatim, so integers beyond 2^53 stay exact) or values
   * (serialised with core's stringifyJson). Retried only on refusals unless `safeToRetry`.
   */
  async importDocuments(collection: string, documents: readonly (string | unknown)[], options: ImportOptions = {}): Promise<ImportResult> {
    const details = options.details ?? true;
    const texts = documents.map((d) => (typeof d === "string" ? d : stringifyJson(d)));
    let body = `{"data":[${texts.join(",")}],"details":${details}`;
    if (options.primaryKey !== undefined) body += `,"primaryKey":${JSON.stringify(options.primaryKey)}`;
    body += `,"replace":${options.replace === true}}`;
    const res = await this.request({
      method: "POST",
      path: this.fabricPath(`import/${enc(collection)}`),
      body,
      retry: options.safeToRetry ? "idempotent" : "refusals",
      context: { collection },
      signal: options.signal,
    });
    return parseImportResult(res);
  }

  /** `POST _api/document/<c>` with an array; per-item results (failed items carry `error: true`). */
  async insertDocuments(collection: string, documents: readonly (string | unknown)[], options: InsertOptions = {}): Promise<InsertResultItem[]> {
    const texts = documents.map((d) => (typeof d === "string" ? d : stringifyJson(d)));
    const res = await this.request({
      method: "POST",
      path: this.fabricPath(`document/${enc(collection)}`),
      query: {
        overwrite: options.overwrite || undefined,
        returnNew: options.returnNew || undefined,
        silent: options.silent || undefined,
        waitForSync: options.waitForSync || undefined,
      },
      body: `[${texts.join(",")}]`,
      retry: options.safeToRetry ? "idempotent" : "refusals",
      context: { collection },
      signal: options.signal,
    });
    if (res.text === "" || res.text === "{}") return [];
    return JSON.parse(res.text) as InsertResultItem[];
  }

  /** One document; a duplicate key is a 409/1210 GdnError. */
  async insertDocument(collection: string, document: string | unknown, options: InsertOptions = {}): Promise<InsertResultItem> {
    const text = typeof document === "string" ? document : stringifyJson(document);
    const res = await this.request({
      method: "POST",
      path: this.fabricPath(`document/${enc(collection)}`),
      query: { overwrite: options.overwrite || undefined, returnNew: options.returnNew || undefined, silent: options.silent || undefined },
      body: text,
      retry: options.safeToRetry ? "idempotent" : "refusals",
      context: { collection },
      signal: options.signal,
    });
    return (res.text === "" ? {} : JSON.parse(res.text)) as InsertResultItem;
  }

  // ---------------------------------------------------------------- streams REST and OTP

  /** `GET _api/streams?global=` (idempotent). */
  async listStreams(global: boolean, signal?: AbortSignal): Promise<StreamInfo[]> {
    const body = await this.json<{ result: StreamInfo[] }>({ method: "GET", path: this.fabricPath("streams"), query: { global }, retry: "idempotent", signal });
    return body.result ?? [];
  }

  /**
   * `POST _api/streams/<name>?global=` → the stream id (`c8globals.<name>` / `c8locals.<name>`).
   * Refusals-only; a 409 means it exists.
   */
  async createStream(name: string, global: boolean, signal?: AbortSignal): Promise<string> {
    const body = await this.json<{ result?: Record<string, unknown> }>({
      method: "POST",
      path: this.fabricPath(`streams/${enc(name)}`),
      query: { global },
      retry: "refusals",
      context: { stream: name },
      signal,
    });
    const id = body.result?.["stream-id"];
    return typeof id === "string" ? id : `${global ? "c8globals" : "c8locals"}.${name}`;
  }

  /** `DELETE _api/streams/<topic>` (idempotent; `topic` is the full `c8locals.x` / `c8globals.x` name). */
  async deleteStream(topic: string, global?: boolean, signal?: AbortSignal): Promise<void> {
    await this.request({
      method: "DELETE",
      path: this.fabricPath(`streams/${enc(topic)}`),
      query: { global },
      retry: "idempotent",
      context: { stream: topic },
      signal,
    });
  }

  /** `POST _api/streams/<topic>/publish?global=` with a raw string body (refusals-only: a repeat would duplicate the message). */
  async publish(topic: string, payload: string, global: boolean, signal?: AbortSignal): Promise<void> {
    await this.request({
      method: "POST",
      path: this.fabricPath(`streams/${enc(topic)}/publish`),
      query: { global },
      body: payload,
      contentType: "text/plain",
      retry: "refusals",
      context: { stream: topic },
      signal,
    });
  }

  /** `GET _api/streams/<topic>/backlog` (idempotent). The server sends `result` as a JSON string; it is parsed here. */
  async backlog(topic: string, global: boolean, signal?: AbortSignal): Promise<unknown> {
    const body = await this.json<{ result?: unknown }>({
      method: "GET",
      path: this.fabricPath(`streams/${enc(topic)}/backlog`),
      query: { global },
      retry: "idempotent",
      context: { stream: topic },
      signal,
    });
    if (typeof body.result === "string") {
      try {
        return JSON.parse(body.result);
      } catch {
        return body.result;
      }
    }
    return body.result;
  }

  /** `POST /apid/otp` → a one-time token for a WebSocket URL (`?otp=`). Never retried after send: a token is single-use either way, so a fresh call is cheap. */
  async createOtp(signal?: AbortSignal): Promise<string> {
    const body = await this.json<{ otp?: unknown; result?: { otp?: unknown } }>({ method: "POST", path: "/apid/otp", retry: "refusals", signal });
    const otp = body.otp ?? body.result?.otp;
    if (typeof otp !== "string") throw new GdnError("OTP answer without an 'otp' field", { code: "GDN_BAD_ANSWER", retryable: false, context: { route: "POST /apid/otp" } });
    return otp;
  }
}

function stringifyBody(body: Record<string, unknown>): string {
  // bindVars may carry bigint (a user's value beyond 2^53): JSON.stringify refuses it, core's stringifier writes it exactly.
  try {
    return JSON.stringify(body);
  } catch {
    return stringifyJson(body);
  }
}

function toPage(text: string): CursorPage {
  const { items, envelope } = splitResultArray(text);
  return {
    items,
    hasMore: envelope.hasMore === true,
    id: typeof envelope.id === "string" ? envelope.id : envelope.id === undefined || envelope.id === null ? undefined : String(envelope.id),
    count: typeof envelope.count === "number" ? envelope.count : undefined,
    extra: envelope.extra as Record<string, unknown> | undefined,
  };
}

function parseErrorCodes(value: string | string[] | undefined): Record<string, number> {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return {};
  try {
    const parsed = JSON.parse(v) as Record<string, unknown>;
    const out: Record<string, number> = {};
    for (const [k, n] of Object.entries(parsed)) if (typeof n === "number") out[k] = n;
    return out;
  } catch {
    // the spec's `1205:10,1210:17` form
    const out: Record<string, number> = {};
    for (const part of v.split(",")) {
      const [k, n] = part.split(":");
      if (k && n && /^\d+$/.test(n.trim())) out[k.trim()] = Number(n.trim());
    }
    return out;
  }
}

function parseImportResult(res: RawResponse): ImportResult {
  const env = JSON.parse(res.text) as {
    result?: { created?: number; errors?: number; unprocessed?: number; updated?: number; ignored?: number; empty?: number; details?: { errors?: unknown[]; unprocessed?: unknown[] } };
  };
  const r = env.result ?? {};
  let details: ImportResult["details"];
  if (r.details) {
    let errors: ImportErrorDetail[] = [];
    if ((r.details.errors?.length ?? 0) > 0) {
      // Failed documents come back echoed: read them again without losing number lexemes.
      const lossless = parseJsonLossless(res.text) as { result: { details: { errors: { document: unknown; errorNumber: unknown; errorMessage: unknown }[] } } };
      errors = lossless.result.details.errors.map((e) => {
        const doc = e.document;
        const key = doc && typeof doc === "object" && !Array.isArray(doc) ? (doc as Record<string, unknown>)._key : undefined;
        return {
          document: doc,
          documentText: stringifyJson(doc),
          key: typeof key === "string" ? key : undefined,
          errorNumber: Number(e.errorNumber),
          errorMessage: String(e.errorMessage ?? ""),
        };
      });
    }
    details = { errors, unprocessed: r.details.unprocessed ?? [] };
  }
  return {
    created: r.created ?? 0,
    errors: r.errors ?? 0,
    unprocessed: r.unprocessed ?? 0,
    updated: r.updated ?? 0,
    ignored: r.ignored ?? 0,
    empty: r.empty ?? 0,
    details,
    errorCodes: parseErrorCodes(res.headers["x-c8-error-codes"]),
    attempts: res.attempts,
  };
}
