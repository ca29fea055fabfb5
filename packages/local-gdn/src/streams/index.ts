/**
 * The stream broker: GDN streams (Pulsar topics behind Macrometa's REST and WebSocket proxy) in memory,
 * optionally persisted under `<dataDir>/streams`. The HTTP server routes `_api/streams` REST calls and
 * authenticated `/_ws/ws/v2/...` upgrades here.
 * @packageDocumentation
 */
import { GdnHttpError, gdnFail } from "../errors.js";
import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { systemClock, type Clock } from "../clock.js";
import type { Faults } from "../faults.js";
import { stringifyJson, type JsonValue } from "../json.js";
import { decodeMessageId } from "./message-id.js";
import { handleStreamRest, type RestHost } from "./rest.js";
import { ConsumerSession, ProducerSession, ReaderSession, type Session, type SessionHost } from "./sessions.js";
import { StreamStore } from "./store.js";
import { SUBSCRIPTION_TYPES, type SubscriptionType } from "./subscription.js";
import { namespaceOf, Topic, topicKey, type TopicDescriptor } from "./topic.js";

export { decodeMessageId, encodeMessageId, type MessageId } from "./message-id.js";

export interface StreamBrokerOptions {
  tenant: string;
  /** When set, ledgers and subscription positions persist under `<dataDir>/streams`. */
  dataDir?: string;
  faults: Faults;
  /** Default: the system clock. */
  clock?: Clock;
}

/** A REST call under `/_fabric/<fabric>/_api/streams`, already authenticated. */
export interface StreamRestRequest {
  method: string;
  fabric: string;
  /** The path after `_api/streams`, e.g. `""`, `/c8globals.s1/publish`, `/subscription/sub1`. */
  subpath: string;
  query: URLSearchParams;
  body: Buffer;
}

export interface StreamRestResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface StreamInfo {
  fabric: string;
  /** Topic name as listed: `c8globals.x`, `c8locals.x`, or the collection name for collection streams. */
  topic: string;
  global: boolean;
  isCollectionStream: boolean;
}

const WS_PREFIX = "/_ws/ws/v2/";

/** Pulsar's `negativeAckRedeliveryDelay` default (ConsumerConfigurationData: 1 minute). */
const DEFAULT_NACK_DELAY_MS = 60_000;

/** Retention default when nobody set one: Macrometa keeps unacked messages up to 3 days. */
const DEFAULT_TTL_SECONDS = 3 * 24 * 3600;

export class StreamBroker implements RestHost, SessionHost {
  private readonly topics = new Map<string, Topic>();
  private readonly sessions = new Set<Session>();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private nextLedgerId = 0;
  private ttl = DEFAULT_TTL_SECONDS;
  private unhookFaults: (() => void) | undefined;
  store: StreamStore | undefined;

  constructor(readonly options: StreamBrokerOptions) {}

  get tenant(): string {
    return this.options.tenant;
  }
  get clock(): Clock {
    return this.options.clock ?? systemClock;
  }

  get faults(): Faults {
    return this.options.faults;
  }
  get ttlSeconds(): number {
    return this.ttl;
  }

  /** Loads persisted state (ledgers, subscriptions) when `dataDir` is set. */
  async open(): Promise<void> {
    this.unhookFaults ??= this.options.faults.onCloseAllWebSockets(() => this.closeAllSockets());
    if (!this.options.dataDir || this.store) return;
    const store = new StreamStore(this.options.dataDir);
    for (const loaded of store.load()) {
      const topic = new Topic(loaded.desc);
      for (const msg of loaded.entries) topic.restore(msg);
      if (topic.entries.length === 0) topic.firstEntry = 0;
      for (const [name, s] of loaded.subscriptions) {
        const sub = topic.getOrCreateSubscription(name, s.type, true);
        sub.restore(s.markDelete, s.acked);
      }
      topic.maybeTrim(1);
      topic.log = store.logFor(loaded.desc.ledgerId);
      this.topics.set(topic.key, topic);
    }
    if (store.ttlSeconds > 0) this.ttl = store.ttlSeconds;
    this.nextLedgerId = store.nextLedgerId;
    this.store = store;
  }

  handleRest(req: StreamRestRequest): Promise<StreamRestResponse> {
    try {
      return Promise.resolve(handleStreamRest(this, req));
    } catch (e) {
      const err = gdnFail(e instanceof URIError ? "STREAM_PATH_MALFORMED" : "STREAM_BROKER_INTERNAL");
      return Promise.resolve({ status: err.code, body: err.envelope() });
    }
  }

  /** Upgrade for `/_ws/ws/v2/...` after the server authenticated the request. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let attach: (ws: import("ws").WebSocket) => void;
    try {
      attach = this.prepare(req, socket);
    } catch (e) {
      const err = e instanceof GdnHttpError ? e : gdnFail("WS_INTERNAL");
      rejectUpgrade(socket, err);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  }

  /** Checks the request and returns what to do once the handshake is done. */
  private prepare(req: IncomingMessage, socket: Duplex): (ws: import("ws").WebSocket) => void {
    const url = new URL(req.url ?? "/", "http://local");
    if (!url.pathname.startsWith(WS_PREFIX)) throw gdnFail("WS_PATH_UNKNOWN");
    const parts = url.pathname.slice(WS_PREFIX.length).split("/").map((p) => decodeURIComponent(p));
    const [kind, persistence, tenant, namespace, name, subName] = parts;
    if (persistence !== "persistent" || !tenant || !namespace || !name) {
      throw gdnFail("WS_PATH_INVALID", { subscription: "" });
    }
    if (tenant !== this.tenant) throw gdnFail("STREAM_NOT_FOUND", { name });
    const topic = this.topics.get(topicKey(namespace, name));
    if (!topic) throw gdnFail("STREAM_NOT_FOUND", { name });
    const q = url.searchParams;

    if (kind === "producer" && parts.length === 5) {
      return (ws) => this.sessions.add(new ProducerSession(this, topic, ws, socket));
    }
    if (kind === "reader" && parts.length === 5) {
      const position = this.readerStart(topic, q.get("messageId") ?? "latest");
      return (ws) => {
        const s = new ReaderSession(this, topic, ws, socket, position);
        this.sessions.add(s);
        s.attach();
      };
    }
    if (kind === "consumer" && parts.length === 6 && subName) {
      const type = (q.get("subscriptionType") ?? "Exclusive") as SubscriptionType;
      if (!SUBSCRIPTION_TYPES.includes(type)) throw gdnFail("SUBSCRIPTION_TYPE_UNKNOWN", { type });
      const existing = topic.subscriptions.get(subName);
      const refusal = existing?.refusal(type);
      if (refusal) throw gdnFail("SUBSCRIPTION_REFUSED", { reason: refusal });
      const rqs = Number(q.get("receiverQueueSize") ?? 1000);
      // Pulsar's default: a nacked message comes back after 60 s, not at once (a hot loop on poison messages).
      const nackDelay = Number(q.get("negativeAckRedeliveryDelay") ?? DEFAULT_NACK_DELAY_MS);
      const earliest = (q.get("subscriptionInitialPosition") ?? "Latest").toLowerCase() === "earliest";
      return (ws) => {
        // Checked again: another upgrade for the same subscription may have completed meanwhile.
        const sub = topic.getOrCreateSubscription(subName, type, earliest);
        const late = sub.refusal(type);
        if (late) {
          ws.close(1008, late.slice(0, 120));
          return;
        }
        const s = new ConsumerSession(this, topic, ws, socket, sub, {
          type,
          pullMode: q.get("pullMode") === "true",
          queueLimit: Number.isFinite(rqs) && rqs > 0 ? Math.floor(rqs) : 1,
          nackDelayMs: Number.isFinite(nackDelay) && nackDelay >= 0 ? nackDelay : DEFAULT_NACK_DELAY_MS,
        });
        this.sessions.add(s);
        s.attach();
      };
    }
    throw gdnFail("WS_PATH_INVALID", { subscription: "[/<subscription>]" });
  }

  private readerStart(topic: Topic, messageId: string): number {
    if (messageId === "earliest") return topic.firstEntry;
    if (messageId === "latest") return topic.nextEntry;
    const id = decodeMessageId(messageId);
    if (!id) throw gdnFail("WS_MESSAGE_ID_INVALID");
    if (id.ledgerId !== topic.desc.ledgerId) return id.ledgerId < topic.desc.ledgerId ? topic.firstEntry : topic.nextEntry;
    // As a Pulsar reader: the given message itself is not delivered again.
    return id.entryId + 1;
  }

  forget(session: Session): void {
    this.sessions.delete(session);
  }

  private closeAllSockets(): void {
    for (const s of [...this.sessions]) s.kill();
  }

  // Topic registry (RestHost)

  topicsOf(fabric: string): Topic[] {
    return [...this.topics.values()].filter((t) => t.desc.fabric === fabric);
  }

  /** Finds by listed name; the prefix says local or global, unprefixed names are collection streams (local). */
  findTopic(fabric: string, name: string): Topic | undefined {
    const global = name.startsWith("c8globals.");
    return this.topics.get(topicKey(namespaceOf(fabric, global), name));
  }

  createTopic(fabric: string, name: string, global: boolean, isCollectionStream: boolean): Topic {
    const base = { fabric, name, global, isCollectionStream };
    const desc: TopicDescriptor = this.store ? this.store.createTopic(base) : { ...base, ledgerId: this.nextLedgerId++ };
    const topic = new Topic(desc);
    if (this.store) topic.log = this.store.logFor(desc.ledgerId);
    this.topics.set(topic.key, topic);
    return topic;
  }

  deleteTopic(topic: Topic): void {
    if (this.topics.get(topic.key) !== topic) return;
    this.topics.delete(topic.key);
    for (const s of [...this.sessions]) if (s.topic === topic) s.close(1000, "stream deleted");
    this.store?.dropTopic(topic.desc.ledgerId);
  }

  setTtl(seconds: number): void {
    this.ttl = seconds;
    this.store?.setTtl(seconds);
  }

  /** A collection got a change stream (`stream: true` on create, or `hasStream` set). */
  ensureCollectionStream(fabric: string, collection: string): void {
    if (!this.findTopic(fabric, collection)) this.createTopic(fabric, collection, false, true);
  }

  /**
   * Publishes a committed change: the new document, or `{_key, _delete: true}` for a delete. The payload
   * is base64 of the document's JSON; the message key is the document key, so Key_Shared keeps each
   * document's changes on one consumer.
   */
  publishChange(fabric: string, collection: string, doc: Record<string, unknown>): void {
    const topic = this.topics.get(topicKey(namespaceOf(fabric, false), collection));
    if (!topic) return;
    // The store's serialiser keeps number lexemes exact (20-digit integers, 1.0), as the document API does.
    const payload = Buffer.from(stringifyJson(doc as JsonValue)).toString("base64");
    topic.append(payload, {}, typeof doc._key === "string" ? doc._key : undefined);
  }

  dropCollectionStream(fabric: string, collection: string): void {
    const topic = this.topics.get(topicKey(namespaceOf(fabric, false), collection));
    if (topic?.desc.isCollectionStream) this.deleteTopic(topic);
  }

  listStreams(fabric: string): StreamInfo[] {
    return this.topicsOf(fabric).map((t) => ({
      fabric,
      topic: t.desc.name,
      global: t.desc.global,
      isCollectionStream: t.desc.isCollectionStream,
    }));
  }

  async close(): Promise<void> {
    this.unhookFaults?.();
    this.unhookFaults = undefined;
    for (const s of [...this.sessions]) s.kill();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.store?.close();
    this.store = undefined;
  }
}

function rejectUpgrade(socket: Duplex, err: GdnHttpError): void {
  const body = JSON.stringify(err.envelope());
  socket.end(
    `HTTP/1.1 ${err.code} ${STATUS_CODES[err.code] ?? "Error"}\r\n` +
      "Content-Type: application/json\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "Connection: close\r\n\r\n" +
      body,
  );
}
