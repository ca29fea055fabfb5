/**
 * The three WebSocket roles of the Pulsar proxy (producer, consumer, reader) on top of topics and
 * subscriptions, speaking its JSON frames.
 * @packageDocumentation
 */
import type { Duplex } from "node:stream";
import type { RawData, WebSocket } from "ws";
import type { Clock, ClockTimer } from "../clock.js";
import type { Faults } from "../faults.js";
import { decodeMessageId } from "./message-id.js";
import type { StreamStore } from "./store.js";
import type { Subscription, SubscriptionConsumer, SubscriptionType } from "./subscription.js";
import type { Topic, TopicListener } from "./topic.js";

/** Past this many bytes queued on a socket, deliveries wait for 'drain'. */
const HIGH_WATER_BYTES = 1 << 20;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const ACK_HEAD = '{"messageId":"';
const NO_PROPERTIES: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** Pulsar proxy error codes (`send-error:N`, close reasons). */
export const WsError = {
  FailedToDeserializeFromJSON: 3,
  PayloadEncodingError: 7,
  UnknownError: 8,
} as const;

export interface SessionHost {
  readonly faults: Faults;
  readonly clock: Clock;
  readonly store: StreamStore | undefined;
  forget(session: Session): void;
}

export abstract class Session {
  private corked = false;
  private closed = false;

  constructor(
    readonly host: SessionHost,
    readonly topic: Topic,
    readonly ws: WebSocket,
    readonly socket: Duplex,
  ) {
    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      const text = data.toString();
      if (this.onText(text)) return;
      let frame: unknown;
      try {
        frame = JSON.parse(text);
      } catch {
        this.onBadJson();
        return;
      }
      this.onFrame(frame && typeof frame === "object" ? (frame as Record<string, unknown>) : {});
    });
    ws.on("close", () => this.detach());
    ws.on("error", () => this.detach());
  }

  /** Frames of one I/O turn leave in one write: the socket is corked until the tick ends. */
  protected send(text: string): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.ws.send(text);
  }

  protected abstract onFrame(frame: Record<string, unknown>): void;
  /** A fast path before JSON parsing; true when the frame was handled. */
  protected onText(_text: string): boolean {
    return false;
  }
  protected onBadJson(): void {}
  protected abstract release(): void;

  /** Leaves the topic at once; the socket may still be closing. */
  detach(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
    this.host.forget(this);
  }

  /** Closes gracefully (frames already sent still arrive). */
  close(code = 1001, reason = "closing"): void {
    this.detach();
    this.ws.close(code, reason);
  }

  /** Drops the connection without a close handshake, like a network failure. */
  kill(): void {
    this.detach();
    this.ws.terminate();
  }

  protected answerEndOfTopic(): void {
    this.send('{"endOfTopic":false}');
  }
}

export class ProducerSession extends Session {
  private acks: string[] = [];
  private ackQueued = false;

  protected onFrame(frame: Record<string, unknown>): void {
    const context = frame.context;
    const payload = frame.payload;
    if (typeof payload !== "string") {
      this.answer(sendError(WsError.FailedToDeserializeFromJSON, "payload (a base64 string) is required", context));
      return;
    }
    if (payload.length % 4 === 1 || !BASE64.test(payload)) {
      this.answer(sendError(WsError.PayloadEncodingError, "payload is not valid base64", context));
      return;
    }
    const props = stringProperties(frame.properties);
    const key = typeof frame.key === "string" ? frame.key : undefined;
    const eventTime = frame.eventTime === undefined ? undefined : String(frame.eventTime);
    const msg = this.topic.append(payload, props, key, eventTime);
    const id = this.topic.messageId(msg);
    this.answer(
      context === undefined
        ? `{"result":"ok","messageId":"${id}"}`
        : `{"result":"ok","messageId":"${id}","context":${JSON.stringify(context)}}`,
    );
  }

  protected override onBadJson(): void {
    this.answer(sendError(WsError.FailedToDeserializeFromJSON, "Failed to deserialize from JSON", undefined));
  }

  /** Receipts wait until the turn's entries are written, so "ok" means stored. */
  private answer(text: string): void {
    this.acks.push(text);
    if (this.ackQueued) return;
    this.ackQueued = true;
    queueMicrotask(() => {
      this.ackQueued = false;
      this.host.store?.flush();
      const acks = this.acks;
      this.acks = [];
      for (const a of acks) this.send(a);
    });
  }

  protected release(): void {}
}

export interface ConsumerOptions {
  type: SubscriptionType;
  pullMode: boolean;
  queueLimit: number;
  /** Delay before a negatively acknowledged message is sent again (0 = at once). */
  nackDelayMs: number;
}

export class ConsumerSession extends Session implements SubscriptionConsumer {
  readonly pending = new Set<number>();
  permits = 0;
  readonly pullMode: boolean;
  readonly queueLimit: number;
  private readonly nackDelayMs: number;
  private readonly nackTimers = new Set<ClockTimer>();
  private readonly type: SubscriptionType;
  private deliveries = 0;
  private attached = false;

  constructor(host: SessionHost, topic: Topic, ws: WebSocket, socket: Duplex, readonly subscription: Subscription, opts: ConsumerOptions) {
    super(host, topic, ws, socket);
    this.pullMode = opts.pullMode;
    this.queueLimit = opts.queueLimit;
    this.nackDelayMs = opts.nackDelayMs;
    this.type = opts.type;
    socket.on("drain", () => subscription.dispatchSoon());
  }

  attach(): void {
    this.attached = true;
    this.subscription.addConsumer(this, this.type);
  }

  writable(): boolean {
    return this.socket.writableLength < HIGH_WATER_BYTES;
  }

  deliver(frame: string): void {
    this.send(frame);
    const every = this.host.faults.consumerCloseEvery;
    if (every > 0 && ++this.deliveries % every === 0) this.close(1001, "fault injection: consumerCloseEvery");
  }

  /** The plain ack `{"messageId":"<base64>"}` is most of the traffic; base64 needs no unescaping. */
  protected override onText(text: string): boolean {
    if (!text.startsWith(ACK_HEAD) || !text.endsWith('"}')) return false;
    const messageId = text.slice(ACK_HEAD.length, -2);
    if (!BASE64.test(messageId)) return false;
    const id = this.entryOf(messageId);
    if (id !== undefined) this.subscription.ack(id);
    return true;
  }

  protected onFrame(frame: Record<string, unknown>): void {
    const type = frame.type;
    if (type === undefined || type === "ack") {
      const id = this.entryOf(frame.messageId);
      if (id !== undefined) this.subscription.ack(id);
    } else if (type === "negativeAcknowledge") {
      const id = this.entryOf(frame.messageId);
      if (id === undefined) return;
      if (this.nackDelayMs > 0) {
        // The message stays this consumer's (unacked) until the delay ends, as in Pulsar's client.
        const timer = this.host.clock.setTimer(() => {
          this.nackTimers.delete(timer);
          this.subscription.negativeAck(this, id);
        }, this.nackDelayMs);
        this.nackTimers.add(timer);
      } else {
        this.subscription.negativeAck(this, id);
      }
    } else if (type === "permit") {
      const n = Number(frame.permitMessages);
      if (Number.isInteger(n) && n > 0) {
        this.permits += n;
        this.subscription.dispatchSoon();
      }
    } else if (type === "isEndOfTopic") {
      this.answerEndOfTopic();
    } else if (type === "unsubscribe") {
      if (this.subscription.consumers.length <= 1) {
        this.topic.deleteSubscription(this.subscription.name);
        this.close(1000, "unsubscribed");
      }
    }
  }

  private entryOf(messageId: unknown): number | undefined {
    if (typeof messageId !== "string") return undefined;
    const id = decodeMessageId(messageId);
    if (!id || id.ledgerId !== this.topic.desc.ledgerId) return undefined;
    return id.entryId;
  }

  protected release(): void {
    // A consumer that goes away hands every unacked message back at once, nacked ones included.
    for (const t of this.nackTimers) t.cancel();
    this.nackTimers.clear();
    if (this.attached) this.subscription.removeConsumer(this);
  }
}

export class ReaderSession extends Session implements TopicListener {
  private scheduled = false;

  constructor(host: SessionHost, topic: Topic, ws: WebSocket, socket: Duplex, private position: number) {
    super(host, topic, ws, socket);
    socket.on("drain", () => this.onAppend());
  }

  attach(): void {
    this.topic.readers.add(this);
    this.onAppend();
  }

  onAppend(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const topic = this.topic;
    if (this.position < topic.firstEntry) this.position = topic.firstEntry;
    while (this.position < topic.nextEntry && this.socket.writableLength < HIGH_WATER_BYTES) {
      this.send(topic.frame(topic.get(this.position)!, 0));
      this.position++;
    }
  }

  protected onFrame(frame: Record<string, unknown>): void {
    // Readers keep no subscription: acks are accepted and have nothing to update.
    if (frame.type === "isEndOfTopic") this.answerEndOfTopic();
  }

  protected release(): void {
    this.topic.readers.delete(this);
  }
}

function sendError(code: number, message: string, context: unknown): string {
  return JSON.stringify({ result: `send-error:${code}`, errorMsg: message, context });
}

function stringProperties(value: unknown): Record<string, string> {
  if (!value || typeof value !== "object" || Array.isArray(value)) return NO_PROPERTIES;
  let allStrings = true;
  for (const k in value) {
    if (typeof (value as Record<string, unknown>)[k] !== "string") {
      allStrings = false;
      break;
    }
  }
  // The parsed object is fresh and ours: no copy needed when it already has the right shape.
  if (allStrings) return value as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return out;
}
