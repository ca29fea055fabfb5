/**
 * The streams REST routes under `/_fabric/<fabric>/_api/streams`, with the GDN's envelopes.
 * @packageDocumentation
 */
import type { LocalGdnErrorCode } from "../error-codes.js";
import { gdnFail } from "../errors.js";
import type { StreamRestRequest, StreamRestResponse } from "./index.js";
import type { Topic } from "./topic.js";

/** What the routes need from the broker. */
export interface RestHost {
  readonly tenant: string;
  topicsOf(fabric: string): Topic[];
  findTopic(fabric: string, name: string): Topic | undefined;
  createTopic(fabric: string, name: string, global: boolean, isCollectionStream: boolean): Topic;
  deleteTopic(topic: Topic): void;
  readonly ttlSeconds: number;
  setTtl(seconds: number): void;
}

const MAX_NAME = 230;
function ok(code: number, extra: Record<string, unknown> = {}): StreamRestResponse {
  return { status: code, body: { error: false, code, ...extra } };
}

function fail(code: LocalGdnErrorCode, values: Readonly<Record<string, unknown>> = {}): StreamRestResponse {
  const err = gdnFail(code, values);
  return { status: err.code, body: err.envelope() };
}

function notFound(name: string): StreamRestResponse {
  return fail("STREAM_NOT_FOUND", { name });
}

function flag(query: URLSearchParams, name: string): boolean | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  return v === "true" || v === "1";
}

const REV_ALPHABET = "-_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A revision text for a stream's catalogue entry: fixed for the stream's life (its ledger id). */
function streamRev(ledgerId: number): string {
  let s = "";
  let v = ledgerId + 1;
  while (v > 0) {
    s = REV_ALPHABET[v % 64] + s;
    v = Math.floor(v / 64);
  }
  return "_" + s.padStart(10, "-");
}

export function listEntry(host: RestHost, topic: Topic): Record<string, unknown> {
  const name = topic.desc.name;
  return {
    _key: name,
    _id: `_streams/${name}`,
    _rev: streamRev(topic.desc.ledgerId),
    db: topic.desc.fabric,
    local: !topic.desc.global,
    tenant: host.tenant,
    topic: name,
    type: 4,
  };
}

export function handleStreamRest(host: RestHost, req: StreamRestRequest): StreamRestResponse {
  const parts = req.subpath.split("/").filter((p) => p.length > 0).map((p) => decodeURIComponent(p));
  const method = req.method.toUpperCase();
  const global = flag(req.query, "global");
  const [first, second, third] = parts;

  if (first === undefined) {
    if (method !== "GET") return fail("STREAM_METHOD_NOT_ALLOWED", { method });
    const topics = host
      .topicsOf(req.fabric)
      .filter((t) => global === undefined || t.desc.global === global)
      .sort((a, b) => a.desc.name.localeCompare(b.desc.name));
    return ok(200, { result: topics.map((t) => listEntry(host, t)) });
  }

  if (first === "clearbacklog" && parts.length <= 2 && method === "POST") {
    for (const topic of host.topicsOf(req.fabric)) {
      for (const sub of topic.subscriptions.values()) if (second === undefined || sub.name === second) sub.clearBacklog();
    }
    return ok(200, { result: true });
  }

  if (first === "ttl" && parts.length <= 2) {
    if (method === "POST" || method === "PUT") {
      const seconds = Number(second ?? req.query.get("ttl") ?? req.body.toString());
      if (!Number.isInteger(seconds) || seconds < 0) return fail("STREAM_TTL_INVALID");
      host.setTtl(seconds);
      return ok(200, { result: seconds });
    }
    if (method === "GET") return ok(200, { result: host.ttlSeconds });
  }

  if (first === "subscription" && second !== undefined && parts.length === 2 && method === "DELETE") {
    for (const topic of host.topicsOf(req.fabric)) {
      if (global !== undefined && topic.desc.global !== global) continue;
      const sub = topic.subscriptions.get(second);
      if (sub && sub.consumers.length > 0) {
        return fail("SUBSCRIPTION_BUSY_ON", { name: second, stream: topic.desc.name });
      }
    }
    for (const topic of host.topicsOf(req.fabric)) {
      if (global !== undefined && topic.desc.global !== global) continue;
      topic.deleteSubscription(second);
    }
    return ok(200, { result: true });
  }

  if (parts.length === 1) {
    if (method === "POST") return create(host, req.fabric, first, global ?? false);
    const topic = host.findTopic(req.fabric, first);
    if (!topic) return notFound(first);
    if (method === "DELETE") {
      host.deleteTopic(topic);
      return ok(202);
    }
    if (method === "GET") return ok(200, { result: listEntry(host, topic) });
    return fail("STREAM_METHOD_NOT_ALLOWED", { method });
  }

  const topic = host.findTopic(req.fabric, first);
  if (!topic) return notFound(first);

  if (second === "publish" && parts.length === 2 && method === "POST") {
    topic.append(req.body.toString("base64"), {});
    return ok(202);
  }
  if (second === "backlog" && parts.length === 2 && method === "GET") {
    return ok(200, { result: JSON.stringify(backlogOf(host.tenant, topic)) });
  }
  if (second === "stats" && parts.length === 2 && method === "GET") {
    return ok(200, { result: statsOf(topic) });
  }
  if (second === "subscriptions" && parts.length === 2 && method === "GET") {
    return ok(200, { result: JSON.stringify([...topic.subscriptions.keys()]) });
  }
  if (second === "subscriptions" && third !== undefined && parts.length === 3 && method === "DELETE") {
    const sub = topic.subscriptions.get(third);
    if (!sub) return fail("SUBSCRIPTION_NOT_FOUND", { name: third });
    if (sub.consumers.length > 0) return fail("SUBSCRIPTION_BUSY", { name: third });
    topic.deleteSubscription(third);
    return ok(200, { result: true });
  }
  return fail("STREAM_ROUTE_UNKNOWN", { method, path: req.subpath });
}

function create(host: RestHost, fabric: string, name: string, global: boolean): StreamRestResponse {
  if (name.length > MAX_NAME) return fail("STREAM_NAME_TOO_LONG", { max: MAX_NAME });
  const full = `${global ? "c8globals" : "c8locals"}.${name}`;
  if (host.findTopic(fabric, full)) return fail("STREAM_EXISTS", { name: full });
  host.createTopic(fabric, full, global, false);
  return ok(202, { result: { "stream-id": full } });
}

function backlogOf(tenant: string, topic: Topic): Record<string, unknown> {
  const cursorDetails: Record<string, { cursorBacklog: number }> = {};
  for (const sub of topic.subscriptions.values()) cursorDetails[sub.name] = { cursorBacklog: sub.backlog() };
  let storageSize = 0;
  for (const e of topic.entries) storageSize += e.payload.length;
  return {
    topicName: `persistent://${tenant}/${topic.key}`,
    totalMessages: topic.entries.length,
    messageBacklog: topic.backlog(),
    storageSize,
    cursorDetails,
  };
}

function statsOf(topic: Topic): Record<string, unknown> {
  const subscriptions: Record<string, unknown> = {};
  for (const sub of topic.subscriptions.values()) {
    subscriptions[sub.name] = { msgBacklog: sub.backlog(), type: sub.type, consumers: sub.consumers.length };
  }
  return { msgInCounter: topic.nextEntry, publishers: [], subscriptions };
}
