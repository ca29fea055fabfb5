/**
 * The stream broker over real sockets, driven with raw `ws` frames (no client of ours): a bare HTTP
 * server on port 0 routes `_api/streams` and `/_ws/ws/v2` upgrades to it, as the GDN server does.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ManualClock } from "../src/clock.js";
import { Faults } from "../src/faults.js";
import { decodeMessageId, encodeMessageId, StreamBroker } from "../src/streams/index.js";

const TENANT = "demo.example";
const WAIT_MS = 5000;

type Frame = Record<string, unknown>;

/** Wakes every waiter whenever any peer receives a frame or closes. */
const wakers = new Set<() => void>();
function wakeAll(): void {
  for (const w of [...wakers]) w();
}

async function waitUntil(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!cond()) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        wakers.delete(done);
        resolve();
      };
      const t = setTimeout(done, left);
      wakers.add(done);
    });
  }
}

/** A raw WebSocket with a frame queue, so a test awaits "the next frame" with a bound. */
class Peer {
  readonly frames: Frame[] = [];
  closed = false;
  constructor(readonly ws: WebSocket) {
    ws.on("message", (d) => {
      this.frames.push(JSON.parse(d.toString()) as Frame);
      wakeAll();
    });
    ws.on("close", () => {
      this.closed = true;
      wakeAll();
    });
  }
  static open(url: string): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const peer = new Peer(ws);
      ws.once("open", () => resolve(peer));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }
  private until(cond: () => boolean, what: string): Promise<void> {
    return waitUntil(cond, what);
  }
  async next(): Promise<Frame> {
    await this.until(() => this.frames.length > 0, "a frame");
    return this.frames.shift()!;
  }
  async take(n: number): Promise<Frame[]> {
    await this.until(() => this.frames.length >= n, `${n} frames`);
    return this.frames.splice(0, n);
  }
  async waitClosed(): Promise<void> {
    await this.until(() => this.closed, "close");
  }
  send(frame: Frame): void {
    this.ws.send(JSON.stringify(frame));
  }
  close(): void {
    this.ws.close();
  }
}

const b64 = (s: string): string => Buffer.from(s).toString("base64");
const unb64 = (s: unknown): string => Buffer.from(String(s), "base64").toString();

let server: Server;
let broker: StreamBroker;
let faults: Faults;
const clock = new ManualClock();
let base: string;
let wsBase: string;

async function rest(method: string, path: string, body?: string): Promise<{ status: number; body: Frame }> {
  const res = await fetch(`${base}/_fabric/_system/_api/streams${path}`, body === undefined ? { method } : { method, body });
  return { status: res.status, body: (await res.json()) as Frame };
}

function topicUrl(kind: string, name: string, global: boolean, rest = ""): string {
  return `${wsBase}/_ws/ws/v2/${kind}/persistent/${TENANT}/${global ? "c8global" : "c8local"}._system/${name}${rest}`;
}

let seq = 0;
async function newStream(global = false): Promise<string> {
  const name = `s${++seq}`;
  const r = await rest("POST", `/${name}?global=${global}`);
  expect(r.status).toBe(202);
  return `${global ? "c8globals" : "c8locals"}.${name}`;
}

async function produce(topic: string, payloads: string[], extra: Frame = {}): Promise<Frame[]> {
  const p = await Peer.open(topicUrl("producer", topic, topic.startsWith("c8globals.")));
  payloads.forEach((text, i) => p.send({ payload: b64(text), context: `c${i}`, ...extra }));
  const acks = await p.take(payloads.length);
  p.close();
  return acks;
}

function consumerUrl(topic: string, sub: string, params: string): string {
  return topicUrl("consumer", topic, topic.startsWith("c8globals."), `/${sub}?${params}`);
}

beforeAll(async () => {
  faults = new Faults();
  broker = new StreamBroker({ tenant: TENANT, faults, clock });
  await broker.open();
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const m = /^\/_fabric\/([^/]+)\/_api\/streams(.*)$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void broker
        .handleRest({ method: req.method ?? "GET", fabric: m[1]!, subpath: m[2]!, query: url.searchParams, body: Buffer.concat(chunks) })
        .then((r) => res.writeHead(r.status, { "content-type": "application/json", ...r.headers }).end(JSON.stringify(r.body)));
    });
  });
  server.on("upgrade", (req, socket, head) => broker.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  wsBase = `ws://127.0.0.1:${port}`;
});

afterAll(async () => {
  await broker.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("message ids", () => {
  it("are base64 MessageIdData protobufs", () => {
    expect(encodeMessageId({ ledgerId: 0, entryId: 3 })).toBe("CAAQAw==");
    expect(decodeMessageId("CAAQAw==")).toEqual({ ledgerId: 0, entryId: 3 });
    const big = { ledgerId: 123456, entryId: 300, partition: 2, batchIndex: 7 };
    expect(decodeMessageId(encodeMessageId(big))).toEqual(big);
    // partition -1 (sign-extended int32) means "not partitioned"
    const withMinusOne = Buffer.from([0x08, 0x05, 0x10, 0x09, 0x18, ...Array(9).fill(0xff), 0x01]).toString("base64");
    expect(decodeMessageId(withMinusOne)).toEqual({ ledgerId: 5, entryId: 9 });
    expect(decodeMessageId("not an id")).toBeUndefined();
  });
});

describe("streams REST", () => {
  it("creates, lists, refuses duplicates, publishes and reports backlog and subscriptions", async () => {
    const created = await rest("POST", "/orders?global=true");
    expect(created).toEqual({ status: 202, body: { code: 202, error: false, result: { "stream-id": "c8globals.orders" } } });
    expect((await rest("POST", "/orders?global=true")).status).toBe(409);

    const list = await rest("GET", "?global=true");
    expect(list.status).toBe(200);
    const entry = (list.body.result as Frame[]).find((s) => s.topic === "c8globals.orders");
    expect(entry).toMatchObject({ db: "_system", local: false, tenant: TENANT, type: 4 });
    const locals = await rest("GET", "?global=false");
    expect((locals.body.result as Frame[]).some((s) => s.topic === "c8globals.orders")).toBe(false);

    const c = await Peer.open(consumerUrl("c8globals.orders", "sub-a", "subscriptionType=Shared"));
    expect((await rest("POST", "/c8globals.orders/publish?global=true", "hello world")).status).toBe(202);
    const delivered = await c.next();
    expect(unb64(delivered.payload)).toBe("hello world");

    const backlog = await rest("GET", "/c8globals.orders/backlog");
    expect(typeof backlog.body.result).toBe("string");
    expect(JSON.parse(backlog.body.result as string)).toMatchObject({ messageBacklog: 1, cursorDetails: { "sub-a": { cursorBacklog: 1 } } });
    const subs = await rest("GET", "/c8globals.orders/subscriptions");
    expect(JSON.parse(subs.body.result as string)).toEqual(["sub-a"]);

    expect((await rest("DELETE", "/c8globals.orders/subscriptions/sub-a")).status).toBe(412);
    c.send({ messageId: delivered.messageId });
    c.close();
    await c.waitClosed();
    // The server drops the consumer when its socket closes; poll the REST view with a bound.
    const deadline = Date.now() + WAIT_MS;
    let status = 0;
    while ((status = (await rest("DELETE", "/c8globals.orders/subscriptions/sub-a")).status) === 412 && Date.now() < deadline);
    expect(status).toBe(200);

    expect((await rest("DELETE", "/c8globals.orders")).status).toBe(202);
    const gone = await rest("GET", "/c8globals.orders/backlog");
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ error: true, code: 404, errorNum: 100016 });
  });

  it("clears backlogs and deletes a subscription on every stream", async () => {
    const t = await newStream();
    const c = await Peer.open(consumerUrl(t, "clr", "subscriptionType=Exclusive&receiverQueueSize=1"));
    await produce(t, ["a", "b", "c"]);
    await c.next();
    c.close();
    await c.waitClosed();
    expect((await rest("POST", "/clearbacklog/clr")).status).toBe(200);
    expect(JSON.parse((await rest("GET", `/${t}/backlog`)).body.result as string).messageBacklog).toBe(0);
    expect((await rest("DELETE", "/subscription/clr?global=false")).status).toBe(200);
    expect(JSON.parse((await rest("GET", `/${t}/subscriptions`)).body.result as string)).toEqual([]);
    expect((await rest("POST", "/ttl/600")).body).toMatchObject({ result: 600 });
    expect((await rest("GET", "/ttl")).body).toMatchObject({ result: 600 });
  });
});

describe("producer and consumer frames", () => {
  it("produce, consume and ack", async () => {
    const t = await newStream();
    const c = await Peer.open(consumerUrl(t, "s", "subscriptionType=Exclusive"));
    const acks = await produce(t, ["one", "two", "three"], { properties: { k: "v" }, key: "K" });
    expect(acks.map((a) => a.result)).toEqual(["ok", "ok", "ok"]);
    expect(acks.map((a) => a.context)).toEqual(["c0", "c1", "c2"]);
    const ids = acks.map((a) => decodeMessageId(a.messageId as string)!);
    expect(ids.map((i) => i.entryId)).toEqual([0, 1, 2]);

    const got = await c.take(3);
    expect(got.map((m) => unb64(m.payload))).toEqual(["one", "two", "three"]);
    expect(got.map((m) => m.messageId)).toEqual(acks.map((a) => a.messageId));
    expect(got[0]).toMatchObject({ properties: { k: "v" }, key: "K", redeliveryCount: 0 });
    expect(got[0]!.publishTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    for (const m of got) c.send({ messageId: m.messageId });
    c.send({ type: "isEndOfTopic" });
    expect(await c.next()).toEqual({ endOfTopic: false });
    expect(JSON.parse((await rest("GET", `/${t}/backlog`)).body.result as string).messageBacklog).toBe(0);
    c.close();
  });

  it("answers bad frames with send-error", async () => {
    const t = await newStream();
    const p = await Peer.open(topicUrl("producer", t, false));
    p.send({ payload: "***not base64***", context: "x" });
    expect(await p.next()).toMatchObject({ result: "send-error:7", context: "x" });
    p.ws.send("{not json");
    expect(await p.next()).toMatchObject({ result: "send-error:3" });
    p.close();
  });

  it("redelivers unacked messages, in order, after a consumer goes away", async () => {
    const t = await newStream();
    const c1 = await Peer.open(consumerUrl(t, "s", ""));
    await produce(t, ["m0", "m1", "m2"]);
    const first = await c1.take(3);
    c1.send({ messageId: first[0]!.messageId });
    c1.close();
    await c1.waitClosed();
    let c2: Peer | undefined;
    const deadline = Date.now() + WAIT_MS;
    while (!c2) {
      // Exclusive: the first consumer's close reaches the server a moment after its close frame.
      c2 = await Peer.open(consumerUrl(t, "s", "")).catch((e: Error) => {
        if (Date.now() > deadline || !/409/.test(e.message)) throw e;
        return undefined;
      });
    }
    const again = await c2.take(2);
    expect(again.map((m) => unb64(m.payload))).toEqual(["m1", "m2"]);
    expect(again.map((m) => m.redeliveryCount)).toEqual([1, 1]);
    c2.close();
  });

  it("refuses a second Exclusive consumer with HTTP 409", async () => {
    const t = await newStream();
    const c1 = await Peer.open(consumerUrl(t, "ex", ""));
    await expect(Peer.open(consumerUrl(t, "ex", ""))).rejects.toThrow(/409/);
    await expect(Peer.open(consumerUrl(t, "ex", "subscriptionType=Shared"))).rejects.toThrow(/409/);
    c1.close();
  });

  it("round-robins a Shared subscription", async () => {
    const t = await newStream();
    const a = await Peer.open(consumerUrl(t, "sh", "subscriptionType=Shared"));
    const b = await Peer.open(consumerUrl(t, "sh", "subscriptionType=Shared"));
    await produce(t, Array.from({ length: 10 }, (_, i) => `m${i}`));
    const got = await Promise.all([a.take(5), b.take(5)]);
    const all = [...got[0], ...got[1]].map((m) => unb64(m.payload)).sort();
    expect(all).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`).sort());
    a.close();
    b.close();
  });

  it("keeps a key on one consumer in Key_Shared", async () => {
    const t = await newStream();
    const a = await Peer.open(consumerUrl(t, "ks", "subscriptionType=Key_Shared"));
    const b = await Peer.open(consumerUrl(t, "ks", "subscriptionType=Key_Shared"));
    const p = await Peer.open(topicUrl("producer", t, false));
    const keys = ["k1", "k2", "k3", "k4", "k5", "k6"];
    for (let round = 0; round < 3; round++) for (const key of keys) p.send({ payload: b64(`${key}-${round}`), key });
    await p.take(18);
    p.close();
    await waitUntil(() => a.frames.length + b.frames.length >= 18, "18 deliveries");
    const owner = new Map<string, Peer>();
    let seen = 0;
    for (const peer of [a, b]) {
      for (const m of peer.frames) {
        seen++;
        const key = m.key as string;
        expect(owner.get(key) ?? peer).toBe(peer);
        owner.set(key, peer);
      }
    }
    expect(seen).toBe(18);
    a.close();
    b.close();
  });

  it("hands a Failover subscription to the next consumer", async () => {
    const t = await newStream();
    const a = await Peer.open(consumerUrl(t, "fo", "subscriptionType=Failover"));
    const b = await Peer.open(consumerUrl(t, "fo", "subscriptionType=Failover"));
    await produce(t, ["x", "y"]);
    const got = await a.take(2);
    a.send({ messageId: got[0]!.messageId });
    a.send({ type: "isEndOfTopic" });
    expect(await a.next()).toEqual({ endOfTopic: false });
    a.close();
    const taken = await b.next();
    expect(unb64(taken.payload)).toBe("y");
    expect(taken.redeliveryCount).toBe(1);
    b.close();
  });

  it("redelivers a negatively acknowledged message after Pulsar's default 60 s, not at once", async () => {
    // Pulsar: negativeAckRedeliveryDelay defaults to 1 min (ConsumerConfigurationData); the WS proxy
    // takes it in ms as a consumer query parameter (client-libraries-websocket.md).
    const t = await newStream();
    const c = await Peer.open(consumerUrl(t, "n", ""));
    await produce(t, ["only"]);
    const m = await c.next();
    c.send({ type: "negativeAcknowledge", messageId: m.messageId });
    // Frames come back in order: the isEndOfTopic answer first proves nothing was redelivered yet.
    c.send({ type: "isEndOfTopic" });
    expect(await c.next()).toEqual({ endOfTopic: false });
    clock.advance(59_999);
    c.send({ type: "isEndOfTopic" });
    expect(await c.next()).toEqual({ endOfTopic: false });
    clock.advance(1);
    const again = await c.next();
    expect(again).toMatchObject({ messageId: m.messageId, redeliveryCount: 1 });
    c.close();
  });

  it("takes the nack delay from negativeAckRedeliveryDelay, and a consumer that leaves hands nacked messages back", async () => {
    const t = await newStream();
    const c = await Peer.open(consumerUrl(t, "nd", "negativeAckRedeliveryDelay=250&subscriptionType=Shared"));
    await produce(t, ["a"]);
    const m = await c.next();
    c.send({ type: "negativeAcknowledge", messageId: m.messageId });
    c.send({ type: "isEndOfTopic" });
    expect(await c.next()).toEqual({ endOfTopic: false });
    clock.advance(250);
    expect(await c.next()).toMatchObject({ messageId: m.messageId, redeliveryCount: 1 });
    // Nack again, then go away before the delay ends: the next consumer gets it without waiting.
    c.send({ type: "negativeAcknowledge", messageId: m.messageId });
    c.send({ type: "isEndOfTopic" });
    expect(await c.next()).toEqual({ endOfTopic: false });
    c.close();
    await c.waitClosed();
    const d = await Peer.open(consumerUrl(t, "nd", "subscriptionType=Shared"));
    expect(await d.next()).toMatchObject({ messageId: m.messageId, redeliveryCount: 2 });
    d.close();
  });

  it("delivers only what pull-mode permits allow", async () => {
    const t = await newStream();
    await produce(t, ["p0", "p1", "p2", "p3", "p4"]);
    const c = await Peer.open(consumerUrl(t, "pull", "pullMode=true&subscriptionInitialPosition=Earliest"));
    c.send({ type: "isEndOfTopic" });
    expect(await c.next()).toEqual({ endOfTopic: false });
    c.send({ type: "permit", permitMessages: 2 });
    expect((await c.take(2)).map((m) => unb64(m.payload))).toEqual(["p0", "p1"]);
    c.send({ type: "isEndOfTopic" });
    expect(await c.next()).toEqual({ endOfTopic: false });
    c.send({ type: "permit", permitMessages: 3 });
    expect((await c.take(3)).map((m) => unb64(m.payload))).toEqual(["p2", "p3", "p4"]);
    c.close();
  });

  it("stops at receiverQueueSize unacked messages in push mode", async () => {
    const t = await newStream();
    await produce(t, ["q0", "q1", "q2", "q3"]);
    const c = await Peer.open(consumerUrl(t, "rq", "receiverQueueSize=2&subscriptionInitialPosition=Earliest"));
    const two = await c.take(2);
    c.send({ type: "isEndOfTopic" });
    expect(await c.next()).toEqual({ endOfTopic: false });
    c.send({ messageId: two[0]!.messageId });
    expect(unb64((await c.next()).payload)).toBe("q2");
    c.close();
  });

  it("starts a new subscription at Latest by default", async () => {
    const t = await newStream();
    await produce(t, ["old"]);
    const c = await Peer.open(consumerUrl(t, "late", ""));
    await produce(t, ["new"]);
    expect(unb64((await c.next()).payload)).toBe("new");
    c.close();
  });
});

describe("readers", () => {
  it("read from earliest, from a message id, and from latest without a subscription", async () => {
    const t = await newStream(true);
    const acks = await produce(t, ["r0", "r1", "r2", "r3"]);
    const r1 = await Peer.open(topicUrl("reader", t, true, "?messageId=earliest"));
    expect((await r1.take(4)).map((m) => unb64(m.payload))).toEqual(["r0", "r1", "r2", "r3"]);
    const r2 = await Peer.open(topicUrl("reader", t, true, `?messageId=${encodeURIComponent(acks[1]!.messageId as string)}`));
    expect((await r2.take(2)).map((m) => unb64(m.payload))).toEqual(["r2", "r3"]);
    const r3 = await Peer.open(topicUrl("reader", t, true, "?messageId=latest"));
    r3.send({ type: "isEndOfTopic" });
    expect(await r3.next()).toEqual({ endOfTopic: false });
    await produce(t, ["r4"]);
    expect(unb64((await r3.next()).payload)).toBe("r4");
    expect(unb64((await r1.next()).payload)).toBe("r4");
    r1.send({ messageId: acks[0]!.messageId });
    expect(JSON.parse((await rest("GET", `/${t}/subscriptions`)).body.result as string)).toEqual([]);
    for (const r of [r1, r2, r3]) r.close();
  });

  it("refuses unknown streams with 404", async () => {
    await expect(Peer.open(topicUrl("reader", "c8locals.nope", false, "?messageId=earliest"))).rejects.toThrow(/404/);
  });
});

describe("collection streams", () => {
  it("carries each committed document and deletes as {_key, _delete: true}", async () => {
    broker.ensureCollectionStream("_system", "people");
    expect(broker.listStreams("_system")).toContainEqual({ fabric: "_system", topic: "people", global: false, isCollectionStream: true });
    const c = await Peer.open(consumerUrl("people", "cdc", "subscriptionType=Shared"));
    broker.publishChange("_system", "people", { _key: "1", _id: "people/1", name: "Ann" });
    broker.publishChange("_system", "people", { _key: "1", _delete: true });
    const [ins, del] = await c.take(2);
    expect(JSON.parse(unb64(ins!.payload))).toEqual({ _key: "1", _id: "people/1", name: "Ann" });
    expect(JSON.parse(unb64(del!.payload))).toEqual({ _key: "1", _delete: true });
    const listed = await rest("GET", "?global=false");
    expect((listed.body.result as Frame[]).some((s) => s.topic === "people")).toBe(true);
    broker.dropCollectionStream("_system", "people");
    await c.waitClosed();
    expect(broker.listStreams("_system").some((s) => s.topic === "people")).toBe(false);
  });
});

describe("retention", () => {
  it("drops messages every subscription acknowledged", async () => {
    broker.ensureCollectionStream("_system", "retained");
    const c = await Peer.open(consumerUrl("retained", "r", "subscriptionType=Shared"));
    const total = 5000;
    for (let i = 0; i < total; i++) broker.publishChange("_system", "retained", { _key: String(i) });
    let acked = 0;
    while (acked < total) {
      const batch = await c.take(Math.min(500, total - acked));
      for (const m of batch) c.send({ messageId: m.messageId });
      acked += batch.length;
    }
    c.send({ type: "isEndOfTopic" });
    expect(await c.next()).toEqual({ endOfTopic: false });
    // Dropping happens in runs of 4096, so the reader starts at the first entry of the second run.
    const r = await Peer.open(topicUrl("reader", "retained", false, "?messageId=earliest"));
    const first = await r.next();
    expect(decodeMessageId(first.messageId as string)?.entryId).toBe(4096);
    expect(JSON.parse(unb64(first.payload))).toEqual({ _key: "4096" });
    c.close();
    r.close();
  });
});

describe("faults", () => {
  it("closes a consumer every N deliveries and closes every socket on demand", async () => {
    const t = await newStream();
    await produce(t, ["f0", "f1", "f2"]);
    faults.consumerCloseEvery = 2;
    try {
      const c = await Peer.open(consumerUrl(t, "flt", "subscriptionType=Shared&subscriptionInitialPosition=Earliest"));
      await c.waitClosed();
      expect(c.frames.map((m) => unb64(m.payload))).toEqual(["f0", "f1"]);
    } finally {
      faults.consumerCloseEvery = 0;
    }
    const r = await Peer.open(topicUrl("reader", t, false, "?messageId=earliest"));
    await r.take(3);
    faults.closeAllWebSockets();
    await r.waitClosed();
    expect(r.closed).toBe(true);
  });
});
