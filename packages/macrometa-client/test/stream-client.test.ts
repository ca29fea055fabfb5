import { startLocalGdn, type LocalGdn } from "@macrometa-spark/local-gdn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import {
  GdnHttpClient,
  StreamConsumer,
  StreamError,
  StreamProducer,
  StreamReader,
  buildWsUrl,
  compareMessageIds,
  decodeMessageId,
  encodeMessageId,
  messageIdPartition,
  messageText,
  redactWsUrl,
  resolveTopic,
  resolveWsBase,
  tenantOfApiKey,
  type ResolvedTopic,
} from "../src/index.js";

let gdn: LocalGdn;
let http: GdnHttpClient;
let seq = 0;

async function newStream(): Promise<ResolvedTopic> {
  const name = `client${++seq}`;
  await http.createStream(name, true);
  return resolveTopic({ tenant: gdn.tenant, name, replication: "global" });
}

function base() {
  return { wsBase: gdn.wsUrl, apiKey: gdn.apiKey, idleTimeoutMs: 0, reconnect: { initialDelayMs: 5, maxDelayMs: 50 } };
}

async function produce(topic: ResolvedTopic, n: number, from = 0): Promise<void> {
  const p = await StreamProducer.open({ ...base(), topic });
  for (let i = from; i < from + n; i++) await p.send({ payload: JSON.stringify({ i }) });
  await p.flush();
  await p.close();
}

beforeAll(async () => {
  gdn = await startLocalGdn();
  http = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey });
});
afterAll(async () => {
  await http?.close();
  await gdn?.close();
});

describe("message ids", () => {
  it("decodes the documented example and orders ids by ledger, entry, batch index", () => {
    expect(decodeMessageId("CAAQAw==")).toEqual({ ledgerId: 0n, entryId: 3n, partition: -1, batchIndex: -1 });
    const withPartition = encodeMessageId({ ledgerId: 7, entryId: 300, partition: -1, batchIndex: 2 });
    expect(decodeMessageId(withPartition)).toMatchObject({ ledgerId: 7n, entryId: 300n, batchIndex: 2 });
    // -1 as a sign-extended int32 (10 bytes) is what Java writes for an absent partition.
    const javaStyle = Buffer.from([0x08, 0x01, 0x10, 0x05, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).toString("base64");
    expect(decodeMessageId(javaStyle)).toEqual({ ledgerId: 1n, entryId: 5n, partition: -1, batchIndex: -1 });
    const a = encodeMessageId({ ledgerId: 1, entryId: 9 });
    const b = encodeMessageId({ ledgerId: 1, entryId: 10 });
    const c = encodeMessageId({ ledgerId: 2, entryId: 0 });
    expect(compareMessageIds(a, b)).toBeLessThan(0);
    expect(compareMessageIds(c, b)).toBeGreaterThan(0);
    expect(compareMessageIds(javaStyle, encodeMessageId({ ledgerId: 1, entryId: 5 }))).toBe(0);
    expect(() => decodeMessageId("AAAA")).toThrow(/invalid stream message id/);
    // The fast ordering path agrees with a full decode, including values beyond 2^53 and batch ids.
    const samples = [
      { ledgerId: 0, entryId: 0 },
      { ledgerId: 0, entryId: 1, batchIndex: 0 },
      { ledgerId: 0, entryId: 1, batchIndex: 5 },
      { ledgerId: 3, entryId: 2 ** 40 },
      { ledgerId: 3n, entryId: 2n ** 60n },
      { ledgerId: 2n ** 62n, entryId: 0n },
    ].map((p) => encodeMessageId(p));
    const full = (x: string, y: string) => {
      const [p, q] = [decodeMessageId(x), decodeMessageId(y)];
      if (p.ledgerId !== q.ledgerId) return p.ledgerId < q.ledgerId ? -1 : 1;
      if (p.entryId !== q.entryId) return p.entryId < q.entryId ? -1 : 1;
      return Math.sign(p.batchIndex - q.batchIndex);
    };
    for (const x of samples) for (const y of samples) expect(compareMessageIds(x, y)).toBe(full(x, y));
  });

  it("reads the partition and refuses to order ids of different partitions (they have no common order)", () => {
    const javaStyle = Buffer.from([0x08, 0x01, 0x10, 0x05, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).toString("base64");
    const plain = encodeMessageId({ ledgerId: 1, entryId: 5 });
    const p0 = encodeMessageId({ ledgerId: 1, entryId: 5, partition: 0 });
    const p1 = encodeMessageId({ ledgerId: 1, entryId: 4, partition: 1 });
    const p1later = encodeMessageId({ ledgerId: 1, entryId: 6, partition: 1 });
    expect([javaStyle, plain, p0, p1].map(messageIdPartition)).toEqual([-1, -1, 0, 1]);
    expect(decodeMessageId(p1).partition).toBe(1);
    // Before: partition 1's 1:4 was "before" partition 0's 1:5, so a consumer past 1:5 would have
    // taken a new message of partition 1 for one it had already seen.
    expect(() => compareMessageIds(p1, p0)).toThrow(/different partitions/);
    expect(() => compareMessageIds(p0, plain)).toThrow(expect.objectContaining({ code: "INCOMPARABLE_MESSAGE_IDS" }));
    expect(compareMessageIds(p1, p1later)).toBeLessThan(0); // one partition still orders
    expect(compareMessageIds(javaStyle, plain)).toBe(0);
  });
});

describe("topics and URLs", () => {
  it("names global, local and collection streams", () => {
    expect(resolveTopic({ tenant: "t", name: "s", fabric: "f" }).fullName).toBe("persistent://t/c8global.f/c8globals.s");
    expect(resolveTopic({ tenant: "t", name: "c8locals.s", replication: "local" }).fullName).toBe("persistent://t/c8local._system/c8locals.s");
    expect(resolveTopic({ tenant: "t", name: "orders", isCollectionStream: true }).fullName).toBe("persistent://t/c8local._system/orders");
    expect(() => resolveTopic({ tenant: "t", name: "orders", isCollectionStream: true, replication: "global" })).toThrow(/option 'replication'/);
    expect(() => resolveTopic({ tenant: "t", name: "c8locals.s", replication: "global" })).toThrow(/local stream name/);
  });

  it("builds endpoint URLs, resolves region URLs and derives the tenant", () => {
    const topic = resolveTopic({ tenant: "acme.io", name: "s" });
    const url = buildWsUrl("wss://api-x.example", "consumer", topic, "sub 1", { subscriptionType: "Shared", pullMode: undefined, otp: "secret" });
    expect(url).toBe("wss://api-x.example/_ws/ws/v2/consumer/persistent/acme.io/c8global._system/c8globals.s/sub%201?subscriptionType=Shared&otp=secret");
    expect(redactWsUrl(url)).not.toContain("secret");
    expect(buildWsUrl("ws://h:1/", "reader", topic, undefined, { messageId: "earliest" })).toBe("ws://h:1/_ws/ws/v2/reader/persistent/acme.io/c8global._system/c8globals.s?messageId=earliest");
    expect(() => buildWsUrl("ws://h", "consumer", topic, undefined, {})).toThrow(/subscriptionName/);
    expect(resolveWsBase("play.paas.macrometa.io")).toBe("wss://api-play.paas.macrometa.io");
    expect(resolveWsBase("api-play.paas.macrometa.io")).toBe("wss://api-play.paas.macrometa.io");
    expect(resolveWsBase("http://127.0.0.1:8529/")).toBe("ws://127.0.0.1:8529");
    expect(() => resolveWsBase("ws://h.example")).toThrow(/in clear/);
    expect(resolveWsBase("https://h.example")).toBe("wss://h.example");
    expect(tenantOfApiKey("apikey my.tenant.io.key1.abcdef")).toBe("my.tenant.io");
    expect(tenantOfApiKey("nodots")).toBeUndefined();
  });
});

describe("producer", () => {
  it("pipelines sends, never exceeding maxPendingMessages, and returns ids in order", async () => {
    const topic = await newStream();
    const p = await StreamProducer.open({ ...base(), topic, maxPendingMessages: 16 });
    let maxInFlight = 0;
    const handles = [];
    for (let i = 0; i < 500; i++) {
      handles.push(await p.send({ payload: `m${i}`, properties: { n: String(i) }, key: `k${i % 3}` }));
      maxInFlight = Math.max(maxInFlight, p.inFlight);
    }
    await p.flush();
    expect(maxInFlight).toBeLessThanOrEqual(16);
    expect(maxInFlight).toBeGreaterThan(1); // pipelined, not one at a time
    const ids = await Promise.all(handles.map((h) => h.acked));
    for (let i = 1; i < ids.length; i++) expect(compareMessageIds(ids[i - 1]!, ids[i]!)).toBeLessThan(0);
    expect(p.acknowledged).toBe(500);
    await p.close();

    const r = await StreamReader.open({ ...base(), topic });
    const first = await r.receive(5000);
    expect(first && messageText(first)).toBe("m0");
    expect(first?.properties).toEqual({ n: "0" });
    expect(first?.key).toBe("k0");
    await r.close();
  });

  it("surfaces a server send error as a rejected send and from flush()", async () => {
    const topic = await newStream();
    const p = await StreamProducer.open({ ...base(), topic });
    const good = await p.send({ payload: "fine" });
    const bad = await p.send({ payloadBase64: "@@not base64@@" });
    await expect(good.acked).resolves.toBeTypeOf("string");
    await expect(bad.acked).rejects.toMatchObject({ code: "STREAM_SEND_FAILED" });
    await expect(p.flush()).rejects.toThrow(/send-error/);
    await p.flush(); // reported once
    await p.close();
  });

  it("resends unacknowledged messages after the server drops every socket", async () => {
    const topic = await newStream();
    const p = await StreamProducer.open({ ...base(), topic, maxPendingMessages: 200 });
    for (let i = 0; i < 2000; i++) {
      await p.send({ payload: String(i) });
      if (i === 700) gdn.faults.closeAllWebSockets();
    }
    await p.flush();
    expect(p.reconnects).toBeGreaterThanOrEqual(1);
    await p.close();
    // At-least-once: every value is there, in first-send order.
    const c = await StreamConsumer.subscribe({ ...base(), topic, subscription: "check", subscriptionInitialPosition: "Earliest" });
    const seen = new Set<string>();
    let lastNew = -1;
    while (seen.size < 2000) {
      const m = await c.receive(5000);
      if (!m) break;
      const v = messageText(m);
      if (!seen.has(v)) {
        expect(Number(v)).toBeGreaterThan(lastNew);
        lastNew = Number(v);
        seen.add(v);
      }
      c.ack(m.messageId);
    }
    expect(seen.size).toBe(2000);
    await c.close();
  });
});

describe("consumer", () => {
  it("authenticates with the apikey header or a one-time password, and refuses a bad key for good", async () => {
    const topic = await newStream();
    await produce(topic, 3);
    const viaOtp = await StreamConsumer.subscribe({ ...base(), auth: "otp", topic, subscription: "otp", subscriptionInitialPosition: "Earliest" });
    const m = await viaOtp.receive(5000);
    expect(m && messageText(m)).toBe('{"i":0}');
    await viaOtp.close();
    const err = await StreamConsumer.subscribe({ ...base(), apiKey: `${gdn.tenant}.nokey.nosecret`, topic, subscription: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamError);
    expect((err as StreamError).code).toBe("STREAM_UNAUTHORIZED");
    expect((err as StreamError).retryable).toBe(false);
    expect(String((err as Error).message)).not.toContain("nosecret");
  });

  it("honours receiverQueueSize, redelivers a nacked message, and keeps acks", async () => {
    const topic = await newStream();
    await produce(topic, 50);
    // The nacked message comes back after negativeAckRedeliveryDelay (Pulsar's default is 60 s; a short one here).
    const c = await StreamConsumer.subscribe({ ...base(), topic, subscription: "q", subscriptionInitialPosition: "Earliest", receiverQueueSize: 10, negativeAckRedeliveryDelayMs: 20 });
    await c.waitForMessage(5000);
    // The server stops at 10 unacked deliveries.
    await expect.poll(() => c.buffered, { timeout: 5000 }).toBe(10);
    expect(await c.waitForMessage(0)).toBe(true);
    const first = (await c.receive(1000))!;
    c.nack(first.messageId);
    const got: string[] = [];
    while (got.length < 50) {
      const m = await c.receive(5000);
      if (!m) break;
      got.push(messageText(m));
      c.ack(m.messageId);
    }
    expect(got).toHaveLength(50);
    expect(new Set(got).size).toBe(50);
    expect(got).toContain('{"i":0}');
    await c.close();
    // Everything acked: a new consumer of the subscription gets nothing but new messages.
    const again = await StreamConsumer.subscribe({ ...base(), topic, subscription: "q" });
    await produce(topic, 1, 1000);
    const next = await again.receive(5000);
    expect(next && messageText(next)).toBe('{"i":1000}');
    await again.close();
  });

  it("pull mode receives only what it permits, topping up as messages are taken", async () => {
    const topic = await newStream();
    await produce(topic, 30);
    const c = await StreamConsumer.subscribe({ ...base(), topic, subscription: "pull", pullMode: true, receiverQueueSize: 8, subscriptionInitialPosition: "Earliest" });
    await expect.poll(() => c.buffered, { timeout: 5000 }).toBe(8);
    const got: number[] = [];
    for (let i = 0; i < 30; i++) {
      const m = await c.receive(5000);
      if (!m) break;
      expect(c.buffered).toBeLessThanOrEqual(8);
      got.push((JSON.parse(messageText(m)) as { i: number }).i);
      c.ack(m.messageId);
    }
    expect(got).toEqual(Array.from({ length: 30 }, (_, i) => i));
    await c.close();
  });

  it("loses nothing and delivers nothing twice while the server closes its socket every 37 deliveries", async () => {
    const topic = await newStream();
    await produce(topic, 1500);
    gdn.faults.consumerCloseEvery = 37;
    try {
      const c = await StreamConsumer.subscribe({ ...base(), topic, subscription: "faulty", subscriptionInitialPosition: "Earliest", receiverQueueSize: 100 });
      const got: number[] = [];
      while (got.length < 1500) {
        const m = await c.receive(5000);
        if (!m) break;
        got.push((JSON.parse(messageText(m)) as { i: number }).i);
        c.ack(m.messageId);
      }
      expect(c.reconnects).toBeGreaterThan(10);
      expect(got).toEqual(Array.from({ length: 1500 }, (_, i) => i));
      expect(await c.receive(300)).toBeUndefined();
      await c.close();
    } finally {
      gdn.faults.consumerCloseEvery = 0;
    }
  });

  it("replaces a connection that goes silent (idle detection)", async () => {
    // A server that completes the upgrade and then never answers pings stands in for a dead network path.
    const silent = new WebSocketServer({ port: 0, host: "127.0.0.1", autoPong: false });
    await new Promise<void>((r) => silent.once("listening", () => r()));
    let connections = 0;
    silent.on("connection", () => connections++);
    const port = (silent.address() as { port: number }).port;
    const topic = resolveTopic({ tenant: "t", name: "quiet" });
    const c = await StreamConsumer.subscribe({ wsBase: `ws://127.0.0.1:${port}`, topic, subscription: "s", idleTimeoutMs: 150, reconnect: { initialDelayMs: 5, maxDelayMs: 20 } });
    await expect.poll(() => c.reconnects, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(connections).toBeGreaterThanOrEqual(3);
    await c.close();
    for (const ws of silent.clients) ws.terminate();
    await new Promise<void>((r) => silent.close(() => r()));
  });
});

describe("reader", () => {
  it("peeks from earliest without moving any subscription, and resumes after its last message on reconnect", async () => {
    const topic = await newStream();
    await produce(topic, 10);
    const r = await StreamReader.open({ ...base(), topic, startMessageId: "earliest" });
    const got: number[] = [];
    const take = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const m = await r.receive(5000);
        if (!m) break;
        got.push((JSON.parse(messageText(m)) as { i: number }).i);
      }
    };
    await take(10);
    r.dropConnection();
    await expect.poll(() => r.reconnects, { timeout: 5000 }).toBe(1);
    await produce(topic, 10, 10);
    await take(10);
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await r.receive(200)).toBeUndefined();
    await r.close();
    const c = await StreamConsumer.subscribe({ ...base(), topic, subscription: "after-peek", subscriptionInitialPosition: "Earliest" });
    const first = await c.receive(5000);
    expect(first && messageText(first)).toBe('{"i":0}');
    await c.close();
  });
});
