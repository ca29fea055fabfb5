/**
 * A durable subscription: which entries are acknowledged, which are out with which consumer, and the
 * dispatch rule of its type (Exclusive, Shared, Failover, Key_Shared).
 * @packageDocumentation
 */
import type { StoredMessage, Topic } from "./topic.js";

export type SubscriptionType = "Exclusive" | "Shared" | "Failover" | "Key_Shared";

export const SUBSCRIPTION_TYPES: readonly SubscriptionType[] = ["Exclusive", "Shared", "Failover", "Key_Shared"];

/** The broker side of one consumer socket. */
export interface SubscriptionConsumer {
  readonly pullMode: boolean;
  /** Messages the consumer asked for in pull mode. */
  permits: number;
  /** Max unacknowledged messages in flight in push mode (receiverQueueSize). */
  readonly queueLimit: number;
  /** Entry ids delivered to this consumer and not yet acknowledged. */
  readonly pending: Set<number>;
  /** False while the socket's write buffer is over its mark; the consumer calls `dispatchSoon` on drain. */
  writable(): boolean;
  deliver(frame: string): void;
}

export class Subscription {
  /** Every entry below this is acknowledged. */
  markDelete: number;
  /** Acknowledged entries at or above `markDelete`. */
  readonly acked = new Set<number>();
  /** Next entry never dispatched. */
  readPosition: number;
  readonly consumers: SubscriptionConsumer[] = [];
  /** Entries to send again (nack, consumer gone), ascending from `redeliverHead`. */
  private redeliver: number[] = [];
  private redeliverHead = 0;
  private readonly redeliveryCounts = new Map<number, number>();
  private readonly owner = new Map<number, SubscriptionConsumer>();
  private roundRobin = 0;
  private scheduled = false;

  constructor(
    readonly topic: Topic,
    readonly name: string,
    public type: SubscriptionType,
    position: number,
  ) {
    this.markDelete = position;
    this.readPosition = position;
  }

  /** Why a consumer of `type` may not join now, or undefined when it may. */
  refusal(type: SubscriptionType): string | undefined {
    if (this.consumers.length === 0) return undefined;
    if (type !== this.type) return `subscription ${this.name} is ${this.type}, not ${type}`;
    if (type === "Exclusive") return `Exclusive consumer is already connected to subscription ${this.name}`;
    return undefined;
  }

  addConsumer(consumer: SubscriptionConsumer, type: SubscriptionType): void {
    if (this.consumers.length === 0) this.type = type;
    this.consumers.push(consumer);
    this.dispatchSoon();
  }

  /** The consumer's unacknowledged entries go back, in order, with one more redelivery each. */
  removeConsumer(consumer: SubscriptionConsumer): void {
    const i = this.consumers.indexOf(consumer);
    if (i < 0) return;
    this.consumers.splice(i, 1);
    this.requeue(consumer, [...consumer.pending]);
  }

  negativeAck(consumer: SubscriptionConsumer, entryId: number): void {
    if (this.owner.get(entryId) !== consumer) return;
    this.requeue(consumer, [entryId]);
  }

  private requeue(consumer: SubscriptionConsumer, ids: number[]): void {
    if (ids.length === 0) return;
    for (const id of ids) {
      consumer.pending.delete(id);
      if (this.owner.get(id) === consumer) this.owner.delete(id);
      this.redeliveryCounts.set(id, (this.redeliveryCounts.get(id) ?? 0) + 1);
    }
    const rest = this.redeliver.slice(this.redeliverHead);
    this.redeliver = rest.concat(ids).sort((a, b) => a - b);
    this.redeliverHead = 0;
    this.dispatchSoon();
  }

  isAcked(entryId: number): boolean {
    return entryId < this.markDelete || this.acked.has(entryId);
  }

  ack(entryId: number): void {
    if (entryId < this.markDelete || entryId >= this.topic.nextEntry || this.acked.has(entryId)) return;
    const holder = this.owner.get(entryId);
    if (holder) {
      holder.pending.delete(entryId);
      this.owner.delete(entryId);
      // An ack frees room in a push-mode consumer's queue.
      if (!holder.pullMode) this.dispatchSoon();
    }
    this.redeliveryCounts.delete(entryId);
    this.acked.add(entryId);
    this.topic.log?.ack(this.name, entryId);
    while (this.acked.delete(this.markDelete)) this.markDelete++;
    if (this.markDelete - this.topic.firstEntry >= 4096) this.topic.maybeTrim();
  }

  /** Acknowledges everything published so far (clear backlog / skip all). */
  clearBacklog(): void {
    const end = this.topic.nextEntry;
    for (const c of this.consumers) c.pending.clear();
    this.owner.clear();
    this.acked.clear();
    this.redeliver = [];
    this.redeliverHead = 0;
    this.redeliveryCounts.clear();
    this.markDelete = end;
    this.readPosition = end;
    this.topic.log?.markDeleted(this.name, end);
    this.topic.maybeTrim();
  }

  /** Restores state loaded from disk: unacked entries are all sent again from `markDelete`. */
  restore(markDelete: number, acked: Iterable<number>): void {
    this.markDelete = markDelete;
    for (const id of acked) if (id >= markDelete) this.acked.add(id);
    while (this.acked.delete(this.markDelete)) this.markDelete++;
    this.readPosition = this.markDelete;
  }

  backlog(): number {
    return Math.max(0, this.topic.nextEntry - this.markDelete - this.acked.size);
  }

  onAppend(): void {
    if (this.consumers.length > 0) this.dispatchSoon();
  }

  /** Coalesces the wake-ups of one I/O turn into one dispatch pass. */
  dispatchSoon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.dispatch();
    });
  }

  private nextCandidate(): number | undefined {
    while (this.redeliverHead < this.redeliver.length) {
      const id = this.redeliver[this.redeliverHead]!;
      if (this.isAcked(id) || this.owner.has(id) || this.topic.get(id) === undefined) {
        this.redeliverHead++;
        continue;
      }
      return id;
    }
    if (this.redeliverHead > 0) {
      this.redeliver = [];
      this.redeliverHead = 0;
    }
    if (this.readPosition < this.topic.firstEntry) this.readPosition = this.topic.firstEntry;
    const end = this.topic.nextEntry;
    while (this.readPosition < end && (this.acked.has(this.readPosition) || this.owner.has(this.readPosition))) {
      this.readPosition++;
    }
    return this.readPosition < end ? this.readPosition : undefined;
  }

  private hasRoom(c: SubscriptionConsumer): boolean {
    if (!c.writable()) return false;
    return c.pullMode ? c.permits > 0 : c.pending.size < c.queueLimit;
  }

  private pick(msg: StoredMessage): SubscriptionConsumer | undefined {
    const list = this.consumers;
    if (list.length === 0) return undefined;
    switch (this.type) {
      case "Exclusive":
      case "Failover": {
        // The first connected consumer is the active one; the next takes over when it leaves.
        const active = list[0]!;
        return this.hasRoom(active) ? active : undefined;
      }
      case "Shared": {
        for (let i = 0; i < list.length; i++) {
          const c = list[(this.roundRobin + i) % list.length]!;
          if (this.hasRoom(c)) {
            this.roundRobin = (this.roundRobin + i + 1) % list.length;
            return c;
          }
        }
        return undefined;
      }
      case "Key_Shared": {
        // Waiting for the key's consumer (rather than skipping) keeps each key's order.
        const c = list[hashKey(msg.key ?? "") % list.length]!;
        return this.hasRoom(c) ? c : undefined;
      }
    }
  }

  dispatch(): void {
    for (;;) {
      const id = this.nextCandidate();
      if (id === undefined) return;
      const msg = this.topic.get(id)!;
      const consumer = this.pick(msg);
      if (!consumer) return;
      if (this.redeliverHead < this.redeliver.length && this.redeliver[this.redeliverHead] === id) this.redeliverHead++;
      else this.readPosition = id + 1;
      this.owner.set(id, consumer);
      consumer.pending.add(id);
      if (consumer.pullMode) consumer.permits--;
      consumer.deliver(this.topic.frame(msg, this.redeliveryCounts.get(id) ?? 0));
    }
  }
}

function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
