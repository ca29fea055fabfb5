/**
 * A producer (`/_ws/ws/v2/producer/...`). Sends are pipelined: each frame carries a `context` and
 * the server's receipt (`{result:"ok", messageId, context}`) settles the matching send, so many
 * messages are in flight on one socket. At most `maxPendingMessages` are unacknowledged: `send()`
 * waits for room, so a fast caller is slowed to the server's pace instead of queueing without
 * bound. A receipt other than `ok` rejects that send and is also reported by `flush()`.
 *
 * Reconnects resend every unacknowledged frame in order on the new socket. The server may already
 * have stored some of them, so delivery into a stream is at-least-once.
 * @packageDocumentation
 */
import { silentLogger, type Logger } from "@macrometa-spark/kit";
import { ManagedSocket, type StreamConnectionOptions } from "./connection.js";
import { StreamError } from "./errors.js";
import { buildWsUrl, type ResolvedTopic } from "./topic.js";

export interface ProducerOptions extends StreamConnectionOptions {
  topic: ResolvedTopic;
  /** Unacknowledged sends allowed in flight (also passed to the server). Default: 1000. */
  maxPendingMessages?: number;
  /** A send not acknowledged within this long fails (and is reported by `flush`). Default: 30000 (ms). */
  sendTimeoutMs?: number;
  producerName?: string;
  /** Server-side batching. Default: false (each message its own entry, so ids order one by one). */
  batchingEnabled?: boolean;
  extraParams?: Record<string, string>;
}

export interface OutgoingMessage {
  /** Text is sent as UTF-8. Ignored when `payloadBase64` is given. */
  payload?: string | Uint8Array;
  /** A payload already in base64 (e.g. relayed from another stream), sent as is. */
  payloadBase64?: string;
  properties?: Record<string, string>;
  /** Partition/ordering key. */
  key?: string;
}

/** A send on the wire; `acked` settles with the message id when the server answers. */
export interface SendHandle {
  readonly context: string;
  readonly acked: Promise<string>;
}

interface Pending {
  frame: { payload: string; properties?: Record<string, string>; key?: string; context: string };
  sentAt: number;
  resolve(id: string): void;
  reject(err: StreamError): void;
}

export class StreamProducer {
  private socket!: ManagedSocket;
  private readonly pending = new Map<string, Pending>();
  private readonly roomWaiters: (() => void)[] = [];
  private readonly drainWaiters: (() => void)[] = [];
  private seq = 0;
  private firstError: StreamError | undefined;
  private closed = false;
  private timeoutTimer: NodeJS.Timeout | undefined;
  private readonly maxPending: number;
  private readonly logger: Logger;
  /** Messages acknowledged by the server so far. */
  acknowledged = 0;

  private constructor(readonly options: ProducerOptions) {
    this.maxPending = Math.max(1, options.maxPendingMessages ?? 1000);
    this.logger = options.logger ?? silentLogger;
  }

  static async open(options: ProducerOptions): Promise<StreamProducer> {
    const p = new StreamProducer(options);
    p.socket = new ManagedSocket(
      () =>
        buildWsUrl(options.wsBase, "producer", options.topic, undefined, {
          maxPendingMessages: p.maxPending,
          sendTimeoutMillis: options.sendTimeoutMs,
          batchingEnabled: options.batchingEnabled ?? false,
          producerName: options.producerName,
          ...options.extraParams,
        }),
      { ...options, label: options.label ?? `${options.topic.topic} (producer)` },
      {
        onMessage: (text) => p.onFrame(text),
        onReconnect: () => p.resendPending(),
        onFailed: (err) => p.failAll(err),
      },
    );
    await p.socket.open();
    const timeout = options.sendTimeoutMs ?? 30_000;
    if (timeout > 0) {
      p.timeoutTimer = setInterval(() => p.expire(timeout), Math.max(100, Math.min(1000, timeout / 4)));
      p.timeoutTimer.unref();
    }
    return p;
  }

  /** Sends in flight. */
  get inFlight(): number {
    return this.pending.size;
  }
  get reconnects(): number {
    return this.socket.reconnects;
  }

  /**
   * Waits for room under `maxPendingMessages`, then writes the frame. Resolves once the frame is
   * handed to the socket (or queued for the next socket); the handle's `acked` settles later.
   * Rejects if the producer is closed or its connection failed for good.
   */
  async send(message: OutgoingMessage): Promise<SendHandle> {
    while (this.pending.size >= this.maxPending) {
      this.assertUsable();
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    this.assertUsable();
    const context = String(++this.seq);
    const payload =
      message.payloadBase64 ??
      (typeof message.payload === "string" ? Buffer.from(message.payload, "utf8").toString("base64") : Buffer.from(message.payload ?? new Uint8Array()).toString("base64"));
    const frame: Pending["frame"] = { payload, context };
    if (message.properties && Object.keys(message.properties).length > 0) frame.properties = message.properties;
    if (message.key !== undefined) frame.key = message.key;
    let resolve!: (id: string) => void;
    let reject!: (e: StreamError) => void;
    const acked = new Promise<string>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // The failure is also reported by flush(); a caller that only flushes must not see an unhandled rejection.
    acked.catch(() => undefined);
    this.pending.set(context, { frame, sentAt: Date.now(), resolve, reject });
    this.socket.send(frame); // false while reconnecting: resendPending() writes it on the new socket
    return { context, acked };
  }

  /** Sends and waits for the server's receipt; resolves with the message id. */
  async sendAndWait(message: OutgoingMessage): Promise<string> {
    return (await this.send(message)).acked;
  }

  /**
   * Waits until every send so far is acknowledged (or failed). Rejects with the first send error
   * since the previous flush, so a caller that flushes at a commit point learns of every failure.
   */
  async flush(): Promise<void> {
    while (this.pending.size > 0) {
      this.assertUsable();
      await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    }
    const err = this.firstError ?? this.socket.failed;
    this.firstError = undefined;
    if (err) throw err;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timeoutTimer) clearInterval(this.timeoutTimer);
    await this.socket.close();
    this.failAll(new StreamError(`producer for ${this.options.topic.topic} closed with sends in flight`, "STREAM_CLOSED", { retryable: false }));
  }

  /** Test hook: drop the socket as a network failure would. */
  dropConnection(): void {
    this.socket.dropConnection();
  }

  private assertUsable(): void {
    if (this.socket.failed) throw this.socket.failed;
    if (this.closed) throw new StreamError(`producer for ${this.options.topic.topic} is closed`, "STREAM_CLOSED", { retryable: false });
  }

  private onFrame(text: string): void {
    let f: { result?: unknown; messageId?: unknown; context?: unknown; errorMsg?: unknown };
    try {
      f = JSON.parse(text) as typeof f;
    } catch {
      this.logger.warn("producer: frame is not JSON; ignored", { stream: this.options.topic.topic });
      return;
    }
    const context = typeof f.context === "string" ? f.context : typeof f.context === "number" ? String(f.context) : undefined;
    const p = context === undefined ? undefined : this.pending.get(context);
    if (!p) return; // a receipt for a send that already timed out, or a resent duplicate's second receipt
    this.pending.delete(context!);
    if (f.result === "ok" && typeof f.messageId === "string") {
      this.acknowledged++;
      p.resolve(f.messageId);
    } else {
      const err = new StreamError(
        `send to ${this.options.topic.topic} failed: ${String(f.result ?? "no result")}${typeof f.errorMsg === "string" ? ` (${f.errorMsg})` : ""}`,
        "STREAM_SEND_FAILED",
        { retryable: null, context: { stream: this.options.topic.topic } },
      );
      this.firstError ??= err;
      p.reject(err);
    }
    this.released();
  }

  private released(): void {
    while (this.roomWaiters.length > 0 && this.pending.size < this.maxPending) this.roomWaiters.shift()!();
    if (this.pending.size === 0) for (const w of this.drainWaiters.splice(0)) w();
  }

  private resendPending(): void {
    const now = Date.now();
    for (const p of this.pending.values()) {
      p.sentAt = now;
      this.socket.send(p.frame);
    }
    if (this.pending.size > 0) this.logger.info("producer reconnected; resent unacknowledged messages", { stream: this.options.topic.topic, resent: this.pending.size });
  }

  private expire(timeoutMs: number): void {
    const now = Date.now();
    for (const [ctx, p] of this.pending) {
      if (now - p.sentAt < timeoutMs) break; // Map order is send order
      this.pending.delete(ctx);
      const err = new StreamError(`send to ${this.options.topic.topic} not acknowledged within ${timeoutMs} ms`, "STREAM_SEND_TIMEOUT", { retryable: true });
      this.firstError ??= err;
      p.reject(err);
    }
    this.released();
  }

  private failAll(err: StreamError): void {
    for (const p of this.pending.values()) p.reject(err);
    if (this.pending.size > 0) this.firstError ??= err;
    this.pending.clear();
    for (const w of this.roomWaiters.splice(0)) w();
    for (const w of this.drainWaiters.splice(0)) w();
  }
}
