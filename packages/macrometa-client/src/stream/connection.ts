/**
 * One managed WebSocket to the GDN stream proxy: authentication (apikey header on the upgrade, or a
 * fresh one-time password per socket), first connect and reconnects with jittered backoff (core's
 * `backoffDelayMs`), and idle detection (a ping every half `idleTimeoutMs`; no frame at all for
 * `idleTimeoutMs` means the connection is dead and is replaced). Producers, consumers and readers
 * sit on top and restore their own state (pending sends, permits, position) on `onReconnect`.
 * @packageDocumentation
 */
import { backoffDelayMs, defaultRetryPolicy, errorMessage, silentLogger, sleep, type Logger, type RetryPolicy } from "@macrometa-spark/kit";
import WebSocket, { type ClientOptions } from "ws";
import { isGdnError } from "../errors.js";
import { GdnHttpClient } from "../http/client.js";
import { StreamError } from "./errors.js";
import { httpBaseOf, redactWsUrl } from "./topic.js";

export interface StreamAuthOptions {
  /**
   * The GDN API key (`<tenant>.<keyid>.<secret>`, with or without a leading `apikey `).
   * Undefined means no credentials (a local server with auth off).
   */
  apiKey?: string;
  /**
   * How the socket authenticates: `header` sends `Authorization: apikey <key>` on the upgrade;
   * `otp` fetches a one-time password from `POST /apid/otp` for every socket and passes `?otp=`
   * (for environments that strip upgrade headers). Default: "header".
   */
  auth?: "header" | "otp";
}

export interface StreamConnectionOptions extends StreamAuthOptions {
  /** `wss://api-<host>` (or `ws://127.0.0.1:<port>` for a local server); see `resolveWsBase`. */
  wsBase: string;
  /**
   * Backoff for connects and reconnects; `maxAttempts` counts consecutive failures before the
   * client gives up and reports the error. Default: `{ maxAttempts: 10, initialDelayMs: 100,
   * maxDelayMs: 5000, factor: 2, jitter: true }`.
   */
  reconnect?: Partial<RetryPolicy>;
  /** No frame (message or pong) for this long → the socket is replaced. 0 turns pings off. Default: 30000 (ms). */
  idleTimeoutMs?: number;
  /** Upgrade handshake timeout. Default: 10000 (ms). */
  connectTimeoutMs?: number;
  /** Extra `ws` client options (TLS: `ca`, `rejectUnauthorized`…); headers are ours. */
  wsOptions?: Omit<ClientOptions, "headers" | "handshakeTimeout">;
  logger?: Logger;
  /** Topic name for errors and logs. */
  label?: string;
}

export interface SocketHandlers {
  onMessage(text: string): void;
  /** The socket went down; the client will reconnect unless it was closed or has failed. */
  onDisconnect?(err: StreamError): void;
  /** A new socket is open after a disconnect: restore state (resend, permits...). */
  onReconnect?(): void;
  /** Reconnecting gave up, or the server refused us for good (401, 404...). */
  onFailed(err: StreamError): void;
  /**
   * Frames to write the moment a new socket opens, before any frame from the server is read (a
   * server may deliver and close in its first burst, leaving no later moment to send them).
   */
  openingFrames?(): unknown[];
}

type State = "idle" | "connecting" | "open" | "reconnecting" | "closed" | "failed";

export function rawApiKey(apiKey: string): string {
  return apiKey.replace(/^apikey\s+/i, "").trim();
}

/**
 * A one-time password for the next socket, through the HTTP client's `createOtp` (the one place
 * `POST /apid/otp` is called). One attempt: the socket's reconnect backoff does the retrying.
 * The key goes in the header only; errors never carry it.
 */
async function fetchOtp(client: GdnHttpClient): Promise<string> {
  try {
    return await client.createOtp();
  } catch (err) {
    const status = isGdnError(err) ? err.status : undefined;
    if (status === 401 || status === 403) {
      throw new StreamError(`one-time password request failed with HTTP ${status}`, "STREAM_UNAUTHORIZED", { retryable: false, status, cause: err });
    }
    const retryable = isGdnError(err) ? err.retryable !== false : true;
    throw new StreamError(`could not get a one-time password from ${client.origin}: ${errorMessage(err)}`, "STREAM_OTP_FAILED", {
      retryable,
      cause: err,
      ...(status === undefined ? {} : { status }),
    });
  }
}

export class ManagedSocket {
  private ws: WebSocket | undefined;
  private state: State = "idle";
  private lastFrameAt = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly policy: RetryPolicy;
  private readonly logger: Logger;
  private failure: StreamError | undefined;
  private wakeReconnect: (() => void) | undefined;
  private otps: GdnHttpClient | undefined;
  /** Times the socket was replaced after a disconnect (for tests and metrics). */
  reconnects = 0;

  constructor(
    /** Builds the URL for the next socket (state such as a reader's position may change it). */
    private readonly urlFor: () => string,
    private readonly options: StreamConnectionOptions,
    private readonly handlers: SocketHandlers,
  ) {
    this.policy = { ...defaultRetryPolicy(), maxAttempts: 10, maxElapsedMs: Number.POSITIVE_INFINITY, ...options.reconnect };
    this.logger = options.logger ?? silentLogger;
  }

  get isOpen(): boolean {
    return this.state === "open" && this.ws?.readyState === WebSocket.OPEN;
  }
  get failed(): StreamError | undefined {
    return this.failure;
  }
  get closed(): boolean {
    return this.state === "closed" || this.state === "failed";
  }

  /** First connect, retrying retryable failures with backoff. */
  async open(): Promise<void> {
    if (this.state !== "idle") throw new Error("ManagedSocket.open called twice");
    this.state = "connecting";
    for (let attempt = 1; ; attempt++) {
      try {
        const ws = await this.connectOnce();
        if (this.state !== "connecting") {
          ws.terminate();
          throw new StreamError(`stream ${this.label} closed while connecting`, "STREAM_CLOSED", { retryable: false });
        }
        this.attach(ws);
        return;
      } catch (err) {
        const e = toStreamError(err, this.label);
        if (this.state !== "connecting" || e.retryable !== true || attempt >= this.policy.maxAttempts) {
          this.state = "failed";
          this.failure = e;
          throw e;
        }
        const delay = backoffDelayMs(this.policy, attempt);
        this.logger.debug("stream connect failed; retrying", { stream: this.label, attempt, delayMs: delay, error: e.message });
        await sleep(delay);
      }
    }
  }

  /** Writes one JSON frame; false when no socket is open (the caller keeps it for after reconnect). */
  send(frame: unknown): boolean {
    const ws = this.ws;
    if (!ws || this.state !== "open" || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  /**
   * Writes many pre-serialised frames in one socket write (acks of a whole batch); false when no
   * socket is open (nothing written).
   */
  sendMany(texts: readonly string[]): boolean {
    const ws = this.ws;
    if (!ws || this.state !== "open" || ws.readyState !== WebSocket.OPEN) return false;
    const raw = (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    raw?.cork();
    try {
      for (const t of texts) ws.send(t);
    } finally {
      raw?.uncork();
    }
    return true;
  }

  /** Stops reading from the socket (TCP backpressure to the server) while the caller's buffer is full. */
  pause(): void {
    if (this.ws && !this.ws.isPaused) this.ws.pause();
  }
  resume(): void {
    if (this.ws?.isPaused) this.ws.resume();
  }

  /** Drops the current socket as if the network did (tests, or a caller that saw a protocol error). */
  dropConnection(): void {
    this.ws?.terminate();
  }

  /** The HTTP client OTPs come from, made on first use (`auth: otp` only) and closed with the socket. */
  private otpClient(): GdnHttpClient {
    if (!this.otps) {
      try {
        this.otps = new GdnHttpClient({ url: httpBaseOf(this.options.wsBase), apiKey: this.options.apiKey ?? "", connections: 1, requestTimeoutMs: 10_000, retry: { maxAttempts: 1 } });
      } catch (err) {
        throw new StreamError(`auth 'otp' needs an API key: ${errorMessage(err)}`, "STREAM_OTP_FAILED", { retryable: false, cause: err });
      }
    }
    return this.otps;
  }

  async close(): Promise<void> {
    const otps = this.otps;
    this.otps = undefined;
    await otps?.close();
    if (this.state === "closed") return;
    if (this.state !== "failed") this.state = "closed";
    this.stopIdleTimer();
    this.wakeReconnect?.();
    const ws = this.ws;
    this.ws = undefined;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 2000);
      t.unref();
      ws.once("close", () => {
        clearTimeout(t);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000);
    });
  }

  private get label(): string {
    return this.options.label ?? "(stream)";
  }

  private async connectOnce(): Promise<WebSocket> {
    let url = this.urlFor();
    const headers: Record<string, string> = {};
    if (this.options.auth === "otp") {
      const otp = await fetchOtp(this.otpClient());
      url += `${url.includes("?") ? "&" : "?"}otp=${encodeURIComponent(otp)}`;
    } else if (this.options.apiKey) {
      headers.authorization = `apikey ${rawApiKey(this.options.apiKey)}`;
    }
    const ws = new WebSocket(url, {
      perMessageDeflate: false, // JSON frames of base64 payloads; compression costs CPU and ~300 KB per socket
      ...this.options.wsOptions,
      headers,
      handshakeTimeout: this.options.connectTimeoutMs ?? 10_000,
    });
    // Frames can arrive in the same read as the upgrade answer and are emitted before the promise
    // below resolves: keep them until `attach` takes the socket, or they would be lost.
    const early: string[] = [];
    ws.on("message", (data: WebSocket.RawData) => {
      const text = rawToText(data);
      if (this.ws === ws) {
        this.lastFrameAt = Date.now();
        this.handlers.onMessage(text);
      } else early.push(text);
    });
    earlyFrames.set(ws, early);
    return new Promise<WebSocket>((resolve, reject) => {
      let settled = false;
      const settle = (err?: StreamError) => {
        if (settled) return;
        settled = true;
        ws.removeAllListeners("open");
        if (err) {
          ws.removeAllListeners("error");
          ws.on("error", () => undefined); // a late error after we gave up must not crash the process
          ws.terminate();
          reject(err);
        } else resolve(ws);
      };
      ws.once("open", () => {
        for (const f of this.handlers.openingFrames?.() ?? []) ws.send(JSON.stringify(f));
        settle();
      });
      ws.once("unexpected-response", (req, res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        req.destroy();
        settle(upgradeError(status, this.label));
      });
      ws.once("error", (err) => settle(new StreamError(`stream ${this.label}: cannot connect to ${redactWsUrl(url)}: ${errorMessage(err)}`, "STREAM_CONNECT_FAILED", { retryable: true, cause: err })));
      ws.once("close", (code, reason) => settle(closeError(code, reason.toString(), this.label)));
    });
  }

  private attach(ws: WebSocket): void {
    this.ws = ws;
    this.state = "open";
    this.lastFrameAt = Date.now();
    const early = earlyFrames.get(ws) ?? [];
    earlyFrames.delete(ws);
    for (const text of early) this.handlers.onMessage(text);
    ws.on("pong", () => {
      this.lastFrameAt = Date.now();
    });
    ws.on("ping", () => {
      this.lastFrameAt = Date.now();
    });
    ws.on("error", (err) => {
      this.logger.debug("stream socket error", { stream: this.label, error: errorMessage(err) });
    });
    ws.once("close", (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.stopIdleTimer();
      if (this.state !== "open") return; // closed by us
      const err = closeError(code, reason.toString(), this.label);
      this.state = "reconnecting";
      this.handlers.onDisconnect?.(err);
      void this.reconnectLoop(err);
    });
    this.startIdleTimer(ws);
  }

  private async reconnectLoop(cause: StreamError): Promise<void> {
    let last = cause;
    for (let attempt = 1; attempt <= this.policy.maxAttempts; attempt++) {
      if (this.state !== "reconnecting") return;
      if (last.retryable === false) break;
      // The first attempt after a working socket dropped waits only a jittered fraction of the
      // initial delay: a server closing one socket is usually ready for the next at once.
      const delay = attempt === 1 ? Math.round(Math.random() * this.policy.initialDelayMs * 0.5) : backoffDelayMs(this.policy, attempt - 1);
      this.logger.debug("stream disconnected; reconnecting", { stream: this.label, attempt, delayMs: delay, reason: last.message });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wakeReconnect = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeReconnect = undefined;
      if (this.state !== "reconnecting") return;
      try {
        const ws = await this.connectOnce();
        if (this.state !== "reconnecting") {
          ws.terminate();
          return;
        }
        this.reconnects++;
        this.attach(ws);
        this.handlers.onReconnect?.();
        return;
      } catch (err) {
        last = toStreamError(err, this.label);
      }
    }
    if (this.state !== "reconnecting") return;
    this.state = "failed";
    this.failure = last;
    this.logger.warn("stream connection failed for good", { stream: this.label, error: last.message });
    this.handlers.onFailed(last);
  }

  private startIdleTimer(ws: WebSocket): void {
    const idle = this.options.idleTimeoutMs ?? 30_000;
    if (idle <= 0) return;
    this.idleTimer = setInterval(() => {
      if (this.ws !== ws) return;
      if (Date.now() - this.lastFrameAt > idle) {
        this.logger.warn("stream connection idle; replacing it", { stream: this.label, idleTimeoutMs: idle });
        ws.terminate(); // 'close' follows and starts the reconnect
        return;
      }
      if (ws.readyState === WebSocket.OPEN) ws.ping();
    }, Math.max(50, Math.floor(idle / 2)));
    this.idleTimer.unref();
  }

  private stopIdleTimer(): void {
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.idleTimer = undefined;
  }
}

const earlyFrames = new WeakMap<WebSocket, string[]>();

function rawToText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  return Buffer.from(data).toString("utf8");
}

function upgradeError(status: number, label: string): StreamError {
  if (status === 401 || status === 403) {
    return new StreamError(`stream ${label}: the server refused the credentials (HTTP ${status})`, "STREAM_UNAUTHORIZED", { retryable: false, status });
  }
  if (status === 404) return new StreamError(`stream ${label}: not found (HTTP 404)`, "STREAM_NOT_FOUND", { retryable: false, status });
  return new StreamError(`stream ${label}: upgrade refused with HTTP ${status}`, "STREAM_CONNECT_FAILED", { retryable: status === 409 || status === 429 || status >= 500, status });
}

function closeError(code: number, reason: string, label: string): StreamError {
  // Pulsar's proxy closes with 1011/1008 and a reason on create/subscribe failures; those (and
  // network drops, 1006) are worth another attempt: a previous consumer may still be registered.
  const auth = /auth|unauthori[sz]ed|forbidden/i.test(reason) && !/subscri/i.test(reason);
  return new StreamError(`stream ${label}: socket closed (${code}${reason ? ` ${reason}` : ""})`, auth ? "STREAM_UNAUTHORIZED" : "STREAM_DISCONNECTED", {
    retryable: !auth,
    context: { closeCode: code },
  });
}

function toStreamError(err: unknown, label: string): StreamError {
  if (err instanceof StreamError) return err;
  return new StreamError(`stream ${label}: ${errorMessage(err)}`, "STREAM_CONNECT_FAILED", { retryable: true, cause: err });
}
