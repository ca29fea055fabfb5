/**
 * A topic: its ledger (append-only entries), its durable subscriptions and its readers.
 * @packageDocumentation
 */
import { encodeMessageId } from "./message-id.js";
import { Subscription, type SubscriptionType } from "./subscription.js";

/** Acknowledged entries are dropped from memory in runs of at least this many. */
const TRIM_BATCH = 4096;

export interface StoredMessage {
  entryId: number;
  /** Base64, exactly as the producer sent it. */
  payload: string;
  properties: Record<string, string>;
  key?: string;
  publishTime: number;
  eventTime?: string;
  /** Cached base64 MessageIdData. */
  id?: string;
  /** Cached JSON of every delivery field but `messageId` and `redeliveryCount`. */
  tail?: string;
}

/** What a topic reports to persistence; absent without a dataDir. */
export interface TopicLog {
  appendEntry(msg: StoredMessage): void;
  ack(subscription: string, entryId: number): void;
  subscriptionCreated(subscription: string, type: SubscriptionType, position: number): void;
  subscriptionDeleted(subscription: string): void;
  markDeleted(subscription: string, position: number): void;
}

/** Anything that wants to hear about new entries (subscriptions, readers). */
export interface TopicListener {
  onAppend(): void;
}

export interface TopicDescriptor {
  fabric: string;
  /** As listed: `c8globals.x`, `c8locals.x`, or the collection name. */
  name: string;
  global: boolean;
  isCollectionStream: boolean;
  ledgerId: number;
}

export function namespaceOf(fabric: string, global: boolean): string {
  return `${global ? "c8global" : "c8local"}.${fabric}`;
}

export function topicKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class Topic {
  readonly entries: StoredMessage[] = [];
  /** Entry id of `entries[0]`. */
  firstEntry = 0;
  readonly subscriptions = new Map<string, Subscription>();
  readonly readers = new Set<TopicListener>();
  readonly namespace: string;
  readonly key: string;
  log: TopicLog | undefined;
  private lastTime = 0;
  private lastTimeText = "";

  constructor(readonly desc: TopicDescriptor) {
    this.namespace = namespaceOf(desc.fabric, desc.global);
    this.key = topicKey(this.namespace, desc.name);
  }

  get nextEntry(): number {
    return this.firstEntry + this.entries.length;
  }

  get(entryId: number): StoredMessage | undefined {
    return this.entries[entryId - this.firstEntry];
  }

  append(payload: string, properties: Record<string, string>, key?: string, eventTime?: string): StoredMessage {
    const msg: StoredMessage = { entryId: this.nextEntry, payload, properties, publishTime: Date.now() };
    if (key !== undefined) msg.key = key;
    if (eventTime !== undefined) msg.eventTime = eventTime;
    this.entries.push(msg);
    this.log?.appendEntry(msg);
    this.notify();
    return msg;
  }

  /** Used by persistence when loading: no log write, no notification. */
  restore(msg: StoredMessage): void {
    if (this.entries.length === 0) this.firstEntry = msg.entryId;
    this.entries.push(msg);
  }

  notify(): void {
    for (const sub of this.subscriptions.values()) sub.onAppend();
    for (const reader of this.readers) reader.onAppend();
  }

  messageId(msg: StoredMessage): string {
    return (msg.id ??= encodeMessageId({ ledgerId: this.desc.ledgerId, entryId: msg.entryId }));
  }

  /** One delivery frame; the constant part is built once per message. */
  frame(msg: StoredMessage, redeliveryCount: number): string {
    let tail = msg.tail;
    if (tail === undefined) {
      // The payload was checked to be base64, so it needs no JSON escaping.
      tail = `","payload":"${msg.payload}","properties":${JSON.stringify(msg.properties)},"publishTime":"${this.formatTime(msg.publishTime)}"`;
      if (msg.eventTime !== undefined) tail += `,"eventTime":${JSON.stringify(msg.eventTime)}`;
      if (msg.key !== undefined) tail += `,"key":${JSON.stringify(msg.key)}`;
      msg.tail = tail;
    }
    return `{"messageId":"${this.messageId(msg)}${tail},"redeliveryCount":${redeliveryCount}}`;
  }

  /** `yyyy-MM-dd HH:mm:ss.SSS` as the Pulsar proxy writes it (UTC here; the proxy uses its zone). */
  private formatTime(ms: number): string {
    if (ms === this.lastTime) return this.lastTimeText;
    const iso = new Date(ms).toISOString();
    this.lastTime = ms;
    this.lastTimeText = `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
    return this.lastTimeText;
  }

  getOrCreateSubscription(name: string, type: SubscriptionType, earliest: boolean): Subscription {
    let sub = this.subscriptions.get(name);
    if (!sub) {
      const position = earliest ? this.firstEntry : this.nextEntry;
      sub = new Subscription(this, name, type, position);
      this.subscriptions.set(name, sub);
      this.log?.subscriptionCreated(name, type, position);
    }
    return sub;
  }

  deleteSubscription(name: string): boolean {
    const sub = this.subscriptions.get(name);
    if (!sub) return false;
    this.subscriptions.delete(name);
    this.log?.subscriptionDeleted(name);
    return true;
  }

  /**
   * Drops entries every subscription has acknowledged, as the GDN deletes acked messages. Topics with
   * no subscription keep everything (readers may start from earliest), and nothing is dropped while a
   * reader is connected. The on-disk ledger keeps them until the topic is deleted; a reload trims again.
   */
  maybeTrim(minimum = TRIM_BATCH): void {
    if (this.subscriptions.size === 0 || this.readers.size > 0) return;
    let floor = Infinity;
    for (const sub of this.subscriptions.values()) floor = Math.min(floor, sub.markDelete);
    const n = Math.min(floor, this.nextEntry) - this.firstEntry;
    if (n <= 0 || n < minimum) return;
    this.entries.splice(0, n);
    this.firstEntry += n;
  }

  backlog(): number {
    let total = 0;
    for (const sub of this.subscriptions.values()) total += sub.backlog();
    return total;
  }
}
