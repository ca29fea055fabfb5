/**
 * What consumers and readers share: a bounded local buffer fed by the socket, `receive()` with a
 * timeout, async iteration, and failure/close propagation to waiting callers. When the buffer
 * holds `receiverQueueSize` messages the socket is paused, so a slow caller slows the server
 * (TCP backpressure) instead of growing memory.
 * @packageDocumentation
 */
import { errorMessage, silentLogger, type Logger } from "@macrometa-spark/kit";
import { ManagedSocket, type StreamConnectionOptions } from "./connection.js";
import { StreamError } from "./errors.js";
import { parseDelivery, type StreamMessage } from "./message.js";

interface Waiter {
  resolve(m: StreamMessage | undefined): void;
  reject(e: unknown): void;
  timer: NodeJS.Timeout | undefined;
}

export abstract class Receiver implements AsyncIterable<StreamMessage> {
  protected socket!: ManagedSocket;
  protected readonly logger: Logger;
  private queue: StreamMessage[] = [];
  private head = 0;
  private waiters: Waiter[] = [];
  private closing = false;
  protected readonly queueLimit: number;
  private readonly dataWaiters = new Set<() => void>();

  constructor(protected readonly connection: StreamConnectionOptions, receiverQueueSize: number) {
    this.logger = connection.logger ?? silentLogger;
    this.queueLimit = Math.max(1, receiverQueueSize);
  }

  protected start(url: () => string): Promise<void> {
    this.socket = new ManagedSocket(url, this.connection, {
      onMessage: (text) => this.onFrame(text),
      onDisconnect: (err) => this.onDisconnect(err),
      onReconnect: () => this.onReconnect(),
      onFailed: (err) => this.fail(err),
      openingFrames: () => this.openingFrames(),
    });
    return this.socket.open().then(() => this.onOpen());
  }

  /** Messages waiting in the local buffer. */
  get buffered(): number {
    return this.queue.length - this.head;
  }
  /** Times the socket was replaced. */
  get reconnects(): number {
    return this.socket.reconnects;
  }
  /** The error that stopped this receiver for good, if any. */
  get failure(): StreamError | undefined {
    return this.socket.failed;
  }
  get closed(): boolean {
    return this.closing || this.socket.closed;
  }

  /**
   * The next message, waiting up to `timeoutMs` (undefined = forever). Undefined on timeout or
   * after `close()`; rejects when the connection failed for good.
   */
  receive(timeoutMs?: number): Promise<StreamMessage | undefined> {
    const m = this.take();
    if (m) return Promise.resolve(m);
    if (this.socket.failed) return Promise.reject(this.socket.failed);
    if (this.closed || timeoutMs === 0) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const w: Waiter = { resolve, reject, timer: undefined };
      if (timeoutMs !== undefined) {
        w.timer = setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          resolve(undefined);
        }, timeoutMs);
      }
      this.waiters.push(w);
    });
  }

  /** The next buffered message without waiting, or undefined. */
  tryReceive(): StreamMessage | undefined {
    return this.take();
  }

  /** The buffered message at `index` (0 = next) without taking it. */
  peekAt(index: number): StreamMessage | undefined {
    return this.queue[this.head + index];
  }

  /**
   * Resolves true once at least one message is buffered, false after `timeoutMs` or on close;
   * nothing is taken. Rejects if the connection failed for good.
   */
  waitForMessage(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.buffered > 0) return Promise.resolve(true);
    if (this.socket.failed) return Promise.reject(this.socket.failed);
    if (this.closed || timeoutMs <= 0 || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve, reject) => {
      const done = (v: boolean | Error) => {
        clearTimeout(t);
        this.dataWaiters.delete(wake);
        signal?.removeEventListener("abort", onAbort);
        if (v instanceof Error) reject(v);
        else resolve(v);
      };
      const wake = () => (this.socket.failed ? done(this.socket.failed) : done(this.buffered > 0));
      const onAbort = () => done(false);
      const t = setTimeout(() => done(false), timeoutMs);
      this.dataWaiters.add(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamMessage> {
    for (;;) {
      const m = await this.receive();
      if (!m) return;
      yield m;
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.socket?.close();
    for (const w of this.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.resolve(undefined);
    }
    for (const wake of [...this.dataWaiters]) wake();
    this.queue = [];
    this.head = 0;
  }

  /** Test hook and escape hatch: drop the socket as a network failure would. */
  dropConnection(): void {
    this.socket.dropConnection();
  }

  // ---- for subclasses ----

  /** A delivered message arrived: return true to buffer it, false to drop it (duplicate). */
  protected abstract accept(m: StreamMessage): boolean;
  /** The message was handed to the caller. */
  protected abstract delivered(m: StreamMessage): void;
  protected onOpen(): void {}
  /** Frames written as soon as a socket opens (queued acks). */
  protected openingFrames(): unknown[] {
    return [];
  }
  protected onReconnect(): void {}
  protected onDisconnect(_err: StreamError): void {}
  /** A frame that is not a delivery (acks of commands, errors...). */
  protected onControlFrame(frame: Record<string, unknown>): void {
    this.logger.debug("stream control frame ignored", { keys: Object.keys(frame).join(",") });
  }

  protected fail(err: StreamError): void {
    for (const w of this.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(err);
    }
    for (const wake of [...this.dataWaiters]) wake();
  }

  private onFrame(text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch (err) {
      this.logger.warn("stream frame is not JSON; ignored", { error: errorMessage(err) });
      return;
    }
    if (!frame || typeof frame !== "object") return;
    const m = parseDelivery(frame as Record<string, unknown>);
    if (!m) return this.onControlFrame(frame as Record<string, unknown>);
    if (!this.accept(m)) return;
    const w = this.waiters.shift();
    if (w) {
      if (w.timer) clearTimeout(w.timer);
      this.delivered(m);
      w.resolve(m);
      return;
    }
    this.queue.push(m);
    if (this.buffered >= this.queueLimit) this.socket.pause();
    for (const wake of [...this.dataWaiters]) wake();
  }

  private take(): StreamMessage | undefined {
    if (this.head >= this.queue.length) return undefined;
    const m = this.queue[this.head]!;
    this.queue[this.head] = undefined as unknown as StreamMessage;
    this.head++;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.buffered < Math.ceil(this.queueLimit / 2)) this.socket.resume();
    this.delivered(m);
    return m;
  }
}
