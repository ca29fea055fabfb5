/**
 * A subscription consumer (`/_ws/ws/v2/consumer/...`). Keeps the subscription's guarantees across
 * reconnects: after a socket is replaced the server redelivers every unacked message; copies of
 * messages the caller still holds are dropped, and (on ordered subscriptions, Exclusive and
 * Failover) copies of messages the caller already acked are acked again instead of delivered twice
 * (their ack may have died with the old socket).
 * @packageDocumentation
 */
import type { StreamConnectionOptions } from "./connection.js";
import { compareMessageIds } from "./message-id.js";
import type { StreamMessage } from "./message.js";
import { Receiver } from "./receiver.js";
import { buildWsUrl, type ResolvedTopic } from "./topic.js";

export type SubscriptionType = "Exclusive" | "Shared" | "Failover" | "Key_Shared";
export const SUBSCRIPTION_TYPES: readonly SubscriptionType[] = ["Exclusive", "Shared", "Failover", "Key_Shared"];

export interface ConsumerOptions extends StreamConnectionOptions {
  topic: ResolvedTopic;
  subscription: string;
  /** Default: "Exclusive" (one reader of the subscription, in order). */
  subscriptionType?: SubscriptionType;
  /** Messages the server may push ahead of acks, and the local buffer bound. Default: 1000. */
  receiverQueueSize?: number;
  /** Pull mode: the server sends only what we permit; permits are topped up as the caller takes messages. Default: false. */
  pullMode?: boolean;
  /** Where a NEW subscription starts (an existing one keeps its position). Servers without the parameter start at Latest. Default: undefined (server default). */
  subscriptionInitialPosition?: "Earliest" | "Latest";
  consumerName?: string;
  /** Server-side redelivery of unacked messages after this long; 0 = off. Default: 0. */
  ackTimeoutMillis?: number;
  /** Delay before a negatively acked message comes back. Default: server's (60000 ms in Pulsar). */
  negativeAckRedeliveryDelayMs?: number;
  /** Extra query parameters for the proxy. */
  extraParams?: Record<string, string>;
}

export class StreamConsumer extends Receiver {
  private readonly held = new Set<string>();
  private readonly nacked = new Set<string>();
  private highWater: string | undefined;
  private readonly ordered: boolean;
  private orderBroken = false;
  private permitsOwed = 0;
  /** Acks/nacks that found no open socket (sent after the next reconnect). */
  private queuedCommands: { messageId: string; type?: string }[] = [];
  /** Duplicates dropped or re-acked after reconnects (for tests and metrics). */
  duplicatesDropped = 0;

  private constructor(readonly options: ConsumerOptions) {
    super({ ...options, label: options.label ?? `${options.topic.topic}/${options.subscription}` }, options.receiverQueueSize ?? 1000);
    const t = options.subscriptionType ?? "Exclusive";
    this.ordered = t === "Exclusive" || t === "Failover";
  }

  /** Connects and subscribes; rejects if the subscription cannot be created. */
  static async subscribe(options: ConsumerOptions): Promise<StreamConsumer> {
    const c = new StreamConsumer(options);
    const o = options;
    await c.start(() =>
      buildWsUrl(o.wsBase, "consumer", o.topic, o.subscription, {
        subscriptionType: o.subscriptionType ?? "Exclusive",
        receiverQueueSize: c.queueLimit,
        pullMode: o.pullMode ? true : undefined,
        subscriptionInitialPosition: o.subscriptionInitialPosition,
        consumerName: o.consumerName,
        ackTimeoutMillis: o.ackTimeoutMillis,
        negativeAckRedeliveryDelay: o.negativeAckRedeliveryDelayMs,
        ...o.extraParams,
      }),
    );
    return c;
  }

  /** Tells the server the message is processed; it will not come back. */
  ack(messageId: string): void {
    this.held.delete(messageId);
    this.command({ messageId });
  }

  /**
   * Acks many messages in one socket write (a committed batch). Ids are base64, so the frames
   * need no JSON escaping.
   */
  ackMany(messageIds: readonly string[]): void {
    if (messageIds.length === 0) return;
    const frames: string[] = new Array<string>(messageIds.length);
    for (let i = 0; i < messageIds.length; i++) {
      this.held.delete(messageIds[i]!);
      frames[i] = `{"messageId":${JSON.stringify(messageIds[i])}}`;
    }
    if (!this.socket.sendMany(frames)) for (const id of messageIds) this.queuedCommands.push({ messageId: id });
  }

  /** Asks the server to deliver the message again later. */
  nack(messageId: string): void {
    this.held.delete(messageId);
    this.nacked.add(messageId);
    this.command({ type: "negativeAcknowledge", messageId });
  }

  /** Messages received and not yet acked or nacked. */
  get unacked(): number {
    return this.held.size;
  }

  protected accept(m: StreamMessage): boolean {
    const id = m.messageId;
    if (this.held.has(id)) {
      this.duplicatesDropped++;
      this.credit(1);
      return false;
    }
    if (this.nacked.delete(id)) {
      this.held.add(id);
      return true;
    }
    if (this.ordered && this.highWater !== undefined && !this.orderBroken) {
      let cmp: number;
      try {
        cmp = compareMessageIds(id, this.highWater);
      } catch {
        // Ids we cannot order: give up on order-based dedupe rather than guess.
        this.orderBroken = true;
        cmp = 1;
      }
      if (cmp <= 0) {
        this.duplicatesDropped++;
        this.command({ messageId: id });
        this.credit(1);
        return false;
      }
    }
    this.held.add(id);
    if (this.ordered && !this.orderBroken) this.highWater = id;
    return true;
  }

  protected delivered(_m: StreamMessage): void {
    this.credit(1);
  }

  protected override onOpen(): void {
    if (this.options.pullMode) this.sendPermits(this.queueLimit - this.buffered);
  }

  protected override onReconnect(): void {
    // The new server-side consumer has no permits.
    this.permitsOwed = 0;
    if (this.options.pullMode) this.sendPermits(this.queueLimit - this.buffered);
  }

  protected override onControlFrame(frame: Record<string, unknown>): void {
    if (typeof frame.result === "string" && frame.result !== "ok") {
      this.logger.warn("stream consumer command failed", { stream: this.options.topic.topic, result: frame.result, error: typeof frame.errorMsg === "string" ? frame.errorMsg : undefined });
    }
  }

  /**
   * Acks written while the socket was down go out first on the next one: until the server has
   * them it redelivers those messages, and a server that drops sockets often would otherwise
   * never get ahead.
   */
  protected override openingFrames(): unknown[] {
    return this.queuedCommands.splice(0);
  }

  /** Sends an ack/nack now, or keeps it for the next socket. */
  private command(frame: { messageId: string; type?: string }): void {
    if (!this.socket.send(frame)) this.queuedCommands.push(frame);
  }

  private credit(n: number): void {
    if (!this.options.pullMode) return;
    this.permitsOwed += n;
    if (this.permitsOwed >= Math.max(1, Math.floor(this.queueLimit / 2))) {
      const n2 = this.permitsOwed;
      this.permitsOwed = 0;
      this.sendPermits(n2);
    }
  }

  private sendPermits(n: number): void {
    if (n > 0) this.socket.send({ type: "permit", permitMessages: n });
  }
}

