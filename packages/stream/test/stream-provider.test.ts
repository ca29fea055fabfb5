import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CaseInsensitiveOptions,
  JobMetrics,
  LongType,
  StructType,
  createMemoryLogger,
  createSession,
  defaultRegistry,
  memoryTable,
  silentLogger,
  type Offset,
  type ProviderContext,
  type RowBatch,
} from "@macrometa-spark/core";
import { GdnHttpClient, StreamConsumer, StreamProducer, encodeMessageId, messageText, resolveTopic } from "@macrometa-spark/macrometa-client";
import { startLocalGdn, type LocalGdn } from "@macrometa-spark/local-gdn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHANGE_TYPE_PROPERTY, DEDUPE_PROPERTY, MacrometaMicroBatchStream, macrometaStreamProvider, parseStreamOptions, tableSchema } from "../src/index.js";
import { offsetId, offsetMessages } from "../src/source.js";
import { startFakeBroker } from "./fixtures/fake-broker.js";

let gdn: LocalGdn;
let http: GdnHttpClient;
let seq = 0;
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "mmspark-stream-"));
  dirs.push(d);
  return d;
}

async function newStream(): Promise<string> {
  const name = `prov${++seq}`;
  await http.createStream(name, true);
  return name;
}

function opts(stream: string, extra: Record<string, unknown> = {}): Record<string, string> {
  const o: Record<string, string> = { regionUrl: gdn.url, apiKey: gdn.apiKey, fabric: "_system", stream, replication: "global", idleTimeoutMs: "0" };
  for (const [k, v] of Object.entries(extra)) o[k] = String(v);
  return o;
}

async function publish(stream: string, payloads: string[], replication: "global" | "local" = "global"): Promise<void> {
  const p = await StreamProducer.open({ wsBase: gdn.wsUrl, apiKey: gdn.apiKey, idleTimeoutMs: 0, topic: resolveTopic({ tenant: gdn.tenant, name: stream, replication }) });
  for (const payload of payloads) await p.send({ payload });
  await p.flush();
  await p.close();
}

const json = (i: number) => JSON.stringify({ i, s: `v${i}` });
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** Plans and reads the batch (start, end] of a source, returning the first column. */
async function readAll(s: MacrometaMicroBatchStream, start: unknown, end: unknown): Promise<unknown[]> {
  const rows: unknown[] = [];
  for (const p of await s.planInputPartitions(start as Offset, end as Offset)) for await (const b of s.createReader(p) as AsyncIterable<RowBatch>) rows.push(...b.map((r) => r[0]));
  return rows;
}

beforeAll(async () => {
  gdn = await startLocalGdn();
  http = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey });
});
afterAll(async () => {
  await http?.close();
  await gdn?.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("options", () => {
  const parse = (o: Record<string, unknown>) => parseStreamOptions(new CaseInsensitiveOptions(o as Record<string, string>, "com.macrometa.spark.stream"));

  it("registers both format names and validates options up front, naming the option", () => {
    expect(defaultRegistry().lookup("com.macrometa.spark.stream")).toBe(macrometaStreamProvider);
    expect(defaultRegistry().lookup("com.macrometa.spark.stream.MacrometaTableProvider")).toBe(macrometaStreamProvider);
    const base = { regionUrl: "play.paas.macrometa.io", apikey: "acme.io.k1.secret", stream: "s" };
    const o = parse({ ...base, subscriptionName: "MySub", port: 6651 });
    expect(o.tenant).toBe("acme.io");
    expect(o.subscriptionName).toBe("MySub"); // honoured as given (the connector lower-cases it away)
    expect(o.wsBase).toBe("wss://api-play.paas.macrometa.io");
    expect(o.topic.fullName).toBe("persistent://acme.io/c8global._system/c8globals.s");
    expect(parse({ ...base, isCollectionStream: true }).topic.fullName).toBe("persistent://acme.io/c8local._system/s");
    expect(() => parse({ ...base, isCollectionStream: true, replication: "global" })).toThrow(/option 'replication'.*always local/);
    expect(() => parse({ ...base, replication: "regional" })).toThrow(/option 'replication'/);
    expect(() => parse({ ...base, mode: "LENIENT" })).toThrow(/option 'mode'/);
    expect(() => parse({ regionUrl: "h", stream: "s" })).toThrow(/option 'tenant'/);
    expect(() => parse({ ...base, stream: "" })).toThrow(/option 'stream'/);
    expect(() => parse({ ...base, maxMessagesPerTrigger: 5000, receiverQueueSize: 100 })).toThrow(/option 'maxMessagesPerTrigger'/);
    expect(() => parse({ ...base, port: "x" })).toThrow(/option 'port'/);
  });

  it("rejects an unknown option (a typo) naming it, and accepts what the session passes to every format", () => {
    const base = { regionUrl: "play.paas.macrometa.io", apikey: "acme.io.k1.secret", stream: "s" };
    expect(() => parse({ ...base, subscriptionNmae: "MySub" })).toThrow(/option 'subscriptionNmae': unknown option for format 'com.macrometa.spark.stream'/);
    expect(() => parse({ ...base, parallelism: 4 })).toThrow(/option 'parallelism': unknown option/);
    // Names are case-insensitive, and the session's own names are known.
    const o = parse({ ...base, SUBSCRIPTIONNAME: "MySub", path: "p", checkpointLocation: "/c", queryName: "q" });
    expect(o.subscriptionName).toBe("MySub");
  });

  it("fails a typo before anything connects, on read and on write", async () => {
    // Nothing listens on port 1: had the options been accepted, inference would fail to connect instead.
    const dead = { regionUrl: "http://127.0.0.1:1", apiKey: "t.k.s", stream: "s", idleTimeoutMs: 0 };
    const session = createSession();
    await expect(session.readStream.format("com.macrometa.spark.stream").options({ ...dead, subscriptionNmae: "x" }).load()).rejects.toThrow(/option 'subscriptionNmae': unknown option/);
    const stream = await newStream();
    const df = await session.readStream.format("com.macrometa.spark.stream").schema("i BIGINT").options(opts(stream)).load();
    await expect(df.writeStream.format("com.macrometa.spark.stream").options({ ...opts(stream), keyColum: "i" }).option("checkpointLocation", await tempDir()).start()).rejects.toThrow(
      /option 'keyColum': unknown option/,
    );
  });

  it("always gives a change stream _key and _delete, and appends metadata columns once", () => {
    const o = parse({ regionUrl: "h", tenant: "t", stream: "c", isCollectionStream: true, includeMetadata: true });
    const once = tableSchema(new StructType().add("qty", LongType).add("_key", LongType), o);
    expect(tableSchema(once, o).fieldNames).toEqual(once.fieldNames);
    expect(once.field("_key")!.dataType.simpleString()).toBe("string");
    const s = tableSchema(new StructType(), o);
    expect(s.fieldNames).toEqual(["_key", "_delete", "_messageId", "_publishTime", "_properties"]);
  });
});

describe("micro-batch source", () => {
  it("infers the schema by peeking (nothing consumed) and moves every message once, in order, into the memory sink", async () => {
    const stream = await newStream();
    await publish(stream, Array.from({ length: 200 }, (_, i) => json(i)));
    const session = createSession();
    const df = await session.readStream.format("com.macrometa.spark.stream").options(opts(stream, { subscriptionName: "s-infer", maxMessagesPerTrigger: 64 })).load();
    // An inferred schema evolves by default (addNewColumns) and so carries the rescued-data column.
    expect(df.schema.simpleString()).toBe("struct<i:bigint,s:string,_rescued_data:string>");
    const q = await df.writeStream.format("memory").queryName("infer_out").option("checkpointLocation", await tempDir()).trigger({ processingTime: 50 }).start();
    try {
      await q.processAllAvailable(20_000);
      await publish(stream, Array.from({ length: 100 }, (_, i) => json(200 + i)));
      await q.processAllAvailable(20_000);
      expect(memoryTable("infer_out")!.rows).toEqual(Array.from({ length: 300 }, (_, i) => [i, `v${i}`, null]));
      expect(q.recentProgress.every((p) => p.numInputRows <= 64)).toBe(true);
    } finally {
      await q.stop();
    }
    expect(q.exception).toBeUndefined();
  });

  it("startingPosition latest starts a new subscription at the query's start; an existing one keeps its position", async () => {
    const stream = await newStream();
    await publish(stream, [json(0), json(1)]);
    const session = createSession();
    const df = await session.readStream.format("com.macrometa.spark.stream").schema("i BIGINT, s STRING").options(opts(stream, { subscriptionName: "late", startingPosition: "latest" })).load();
    const ckpt = await tempDir();
    const q = await df.writeStream.format("memory").queryName("latest_out").option("checkpointLocation", ckpt).trigger({ processingTime: 20 }).start();
    // The subscription is created by the query's first trigger; once a trigger found nothing new, it exists.
    await q.processAllAvailable(10_000);
    await publish(stream, [json(2)]);
    await expect.poll(() => memoryTable("latest_out")?.rows.length ?? 0, { timeout: 10_000, interval: 20 }).toBe(1);
    await q.stop();
    await publish(stream, [json(3)]); // published while no query runs: the subscription keeps it
    const q2 = await df.writeStream.format("memory").queryName("latest_out").option("checkpointLocation", ckpt).trigger({ processingTime: 20 }).start();
    await expect.poll(() => memoryTable("latest_out")?.rows.length ?? 0, { timeout: 10_000, interval: 20 }).toBe(2);
    await q2.processAllAvailable(5000);
    await q2.stop();
    // A user's schema reads with schemaEvolutionMode rescue by default: the rescued-data column is added.
    expect(memoryTable("latest_out")!.rows).toEqual([[2, "v2", null], [3, "v3", null]]);
  });

  it("replays the same batch after a stop without commit, and acks only what was committed", async () => {
    const stream = await newStream();
    await publish(stream, Array.from({ length: 50 }, (_, i) => json(i)));
    const o = parseStreamOptions(new CaseInsensitiveOptions(opts(stream, { subscriptionName: "replay", maxMessagesPerTrigger: 20 })));
    const schema = tableSchema(new StructType().add("i", LongType), o);
    const ctx: ProviderContext = { logger: silentLogger, metrics: new JobMetrics() };
    const s1 = new MacrometaMicroBatchStream(o, schema, ctx, "/ckpt");
    const start = await s1.initialOffset();
    const end1 = await s1.latestOffset(start, {}, 2000);
    expect(await readAll(s1, start, end1)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await s1.commit(end1);
    const end2 = await s1.latestOffset(end1, {}, 2000);
    expect(await readAll(s1, end1, end2)).toEqual(Array.from({ length: 20 }, (_, i) => 20 + i));
    await s1.stop(); // crash before commits/1: batch 1 must come back whole

    const s2 = new MacrometaMicroBatchStream(o, schema, ctx, "/ckpt");
    expect(await readAll(s2, end1, end2)).toEqual(Array.from({ length: 20 }, (_, i) => 20 + i));
    await s2.commit(end2);
    const end3 = await s2.latestOffset(end2, {}, 2000);
    expect(await readAll(s2, end2, end3)).toEqual(Array.from({ length: 10 }, (_, i) => 40 + i));
    await s2.commit(end3);
    expect(await s2.latestOffset(end3, {}, 100)).toEqual(end3);
    await s2.stop();

    // Everything committed was acked: the subscription has nothing left.
    const c = await StreamConsumer.subscribe({ wsBase: gdn.wsUrl, apiKey: gdn.apiKey, idleTimeoutMs: 0, topic: o.topic, subscription: "replay" });
    expect(await c.receive(300)).toBeUndefined();
    await c.close();
  });

  it("replays a batch larger than the receiverQueueSize now in force: the end offset records its size and the queue is raised to it; without a size it fails at once, naming receiverQueueSize", async () => {
    const stream = await newStream();
    await publish(stream, range(0, 30).map(json));
    const parse = (extra: Record<string, unknown>) => parseStreamOptions(new CaseInsensitiveOptions(opts(stream, { subscriptionName: "big-replay", ...extra })));
    const o1 = parse({ receiverQueueSize: 30 });
    const schema = tableSchema(new StructType().add("i", LongType), o1);
    const s1 = new MacrometaMicroBatchStream(o1, schema, { logger: silentLogger, metrics: new JobMetrics() }, "/ckpt-big");
    const start = await s1.initialOffset();
    let end: Offset = start;
    await expect.poll(async () => offsetMessages((end = await s1.latestOffset(start, {}, 1000))), { timeout: 10_000, interval: 20 }).toBe(30);
    await s1.stop(); // crash before the batch was read: offsets/0 holds 30 messages, nothing is acked
    const saved = JSON.parse(JSON.stringify(end)) as Offset; // as the checkpoint stores it

    // An end offset without a size (planned by an older version) and a queue of 10: the server
    // pushes 10 and waits for acks that only the batch's commit would send. Fail now, not after
    // batchReplayTimeoutMs blaming a deleted subscription.
    const s0 = new MacrometaMicroBatchStream(parse({ receiverQueueSize: 10, batchReplayTimeoutMs: 30_000 }), schema, { logger: silentLogger, metrics: new JobMetrics() }, "/ckpt-big");
    const err = await readAll(s0, start, { messageId: offsetId(saved) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "STREAM_BATCH_TOO_LARGE" });
    expect(String(err)).toMatch(/more than receiverQueueSize \(10\) messages.*maxMessagesPerTrigger/);
    await s0.stop();

    // With the recorded size the replay opens its consumer with a queue that large, and says so.
    const logger = createMemoryLogger();
    const s2 = new MacrometaMicroBatchStream(parse({ receiverQueueSize: 10, batchReplayTimeoutMs: 30_000 }), schema, { logger, metrics: new JobMetrics() }, "/ckpt-big");
    expect(await readAll(s2, start, saved)).toEqual(range(0, 30));
    expect(logger.events.some((e) => e.level === "warn" && /larger than receiverQueueSize/.test(e.message) && e.fields?.batchMessages === 30)).toBe(true);
    await s2.commit(saved);
    await s2.stop();
  });

  it("fails at once, naming the stream, on a message from a partitioned topic (ids of two partitions have no common order)", async () => {
    const broker = await startFakeBroker();
    const o = parseStreamOptions(new CaseInsensitiveOptions({ regionUrl: broker.url, tenant: "t", stream: "parts", idleTimeoutMs: "0" }));
    const s = new MacrometaMicroBatchStream(o, tableSchema(new StructType().add("i", LongType), o), { logger: silentLogger, metrics: new JobMetrics() }, "/ckpt-parts");
    try {
      const start = await s.initialOffset();
      const conn = await broker.nextConnection();
      const payload = (i: number) => Buffer.from(json(i)).toString("base64");
      // Partition 1's 1:4 would have ordered before partition 0's 1:5: taken for committed, acked, dropped.
      conn.send({ messageId: encodeMessageId({ ledgerId: 1, entryId: 5, partition: 0 }), payload: payload(0), properties: {}, publishTime: "" });
      conn.send({ messageId: encodeMessageId({ ledgerId: 1, entryId: 4, partition: 1 }), payload: payload(1), properties: {}, publishTime: "" });
      await expect(s.latestOffset(start, {}, 10_000)).rejects.toMatchObject({
        code: "STREAM_PARTITIONED",
        message: expect.stringMatching(/^stream \S*parts: message 1:5@p0 comes from partition 0; partitioned streams are not supported/),
      });
      expect(s.acked).toBe(0);
    } finally {
      await Promise.all([s.stop(), broker.close()]);
    }
  });

  it("a stop ends a replay's wait at once, as an abort (the batch stays uncommitted), not after batchReplayTimeoutMs as STREAM_BATCH_INCOMPLETE", async () => {
    // The fake broker never answers a close frame, so closing the consumer takes its 2 s timeout:
    // the read must end on stop() itself, not when the socket is gone or its wait times out.
    const broker = await startFakeBroker();
    const o = parseStreamOptions(new CaseInsensitiveOptions({ regionUrl: broker.url, tenant: "t", stream: "stopping", idleTimeoutMs: "0", batchReplayTimeoutMs: "30000" }));
    const s = new MacrometaMicroBatchStream(o, tableSchema(new StructType().add("i", LongType), o), { logger: silentLogger, metrics: new JobMetrics() }, "/ckpt-stop");
    try {
      const start = await s.initialOffset();
      const [part] = await s.planInputPartitions(start, { messageId: encodeMessageId({ ledgerId: 9, entryId: 9 }) });
      const read = (s.createReader(part!) as AsyncIterable<RowBatch>)[Symbol.asyncIterator]().next();
      read.catch(() => {});
      // Everything up to the reader's wait runs in microtasks: one macrotask turn later it is waiting.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const stopped = s.stop();
      // Ordering, not timing: the read gives up before stop() has finished closing the socket.
      const first = await Promise.race([read.then(() => "read", () => "read"), stopped.then(() => "stop")]);
      expect(first).toBe("read");
      await expect(read).rejects.toMatchObject({ code: "ABORTED" });
      await Promise.all([stopped, broker.close()]);
    } finally {
      await Promise.all([s.stop(), broker.close()]);
    }
  });

  it("loses nothing and duplicates nothing while local-gdn closes the consumer socket every 50 deliveries", async () => {
    const stream = await newStream();
    await publish(stream, [json(-1)]);
    const session = createSession();
    const df = await session.readStream.format("com.macrometa.spark.stream").options(opts(stream, { subscriptionName: "faulty", receiverQueueSize: 200 })).load();
    const q = await df.writeStream.format("memory").queryName("fault_out").option("checkpointLocation", await tempDir()).trigger({ processingTime: 20 }).start();
    gdn.faults.consumerCloseEvery = 50;
    try {
      await publish(stream, Array.from({ length: 1500 }, (_, i) => json(i)));
      // processAllAvailable alone could settle while the consumer is between sockets (nothing
      // buffered looks like nothing new), so wait for the count, then check nothing more comes.
      await expect.poll(() => memoryTable("fault_out")?.rows.length ?? 0, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(1501);
      await q.processAllAvailable(10_000);
      const ids = memoryTable("fault_out")!.rows.map((r) => r[0]);
      expect(ids).toEqual(Array.from({ length: 1501 }, (_, i) => i - 1));
      const m = q.lastProgress!.sources[0]!.metrics;
      expect(m.reconnects).toBeGreaterThan(10);
    } finally {
      gdn.faults.consumerCloseEvery = 0;
      await q.stop();
    }
  });

  it("handles payloads that are not JSON, JSON scalars or of the wrong type per mode, and counts them with their message id", async () => {
    const stream = await newStream();
    const payloads = [json(1), "not json {", "42", '"text"', '{"i":"seven","s":"bad type"}', "[1,2]", json(2), ""];
    await publish(stream, payloads);
    const schemaDdl = "i BIGINT, s STRING, _corrupt_record STRING";
    const run = async (mode: string, name: string) => {
      const logger = createMemoryLogger();
      const session = createSession({ logger });
      const df = await session.readStream.format("com.macrometa.spark.stream").schema(mode === "PERMISSIVE" ? schemaDdl : "i BIGINT, s STRING").options(opts(stream, { subscriptionName: `bad-${name}`, mode, schemaEvolutionMode: "none" })).load();
      const q = await df.writeStream.format("memory").queryName(name).option("checkpointLocation", await tempDir()).trigger({ processingTime: 20 }).start();
      await q.processAllAvailable(20_000).catch(() => undefined);
      await q.stop();
      return { q, logger, rows: memoryTable(name)?.rows ?? [] };
    };

    const drop = await run("DROPMALFORMED", "bad_drop");
    expect(drop.rows).toEqual([[1, "v1"], [2, "v2"]]);
    const dm = drop.q.lastProgress!.sources[0]!.metrics;
    expect(dm.rejectedMessages).toBe(5);
    expect(dm.emptyMessages).toBe(1);
    expect(drop.logger.events.some((e) => e.level === "warn" && typeof e.fields?.messageId === "string")).toBe(true);

    const perm = await run("PERMISSIVE", "bad_perm");
    expect(perm.rows).toHaveLength(7); // the blank payload is no document
    expect(perm.rows[0]).toEqual([1, "v1", null]);
    expect(perm.rows[1]).toEqual([null, null, "not json {"]);
    // Spark 3 keeps the fields that did convert (partial results) beside the corrupt text.
    expect(perm.rows[4]).toEqual([null, "bad type", '{"i":"seven","s":"bad type"}']);
    expect(perm.rows.filter((r) => r[2] !== null)).toHaveLength(5);
    expect(perm.q.lastProgress!.sources[0]!.metrics.malformedMessages).toBe(5);

    const fail = await run("FAILFAST", "bad_fail");
    expect(fail.rows).toEqual([]); // the first batch failed before the sink committed
    expect(String((fail.q.exception as Error)?.message)).toMatch(/message \d+:1: .*malformed JSON/);
    // Nothing was acked: a later reader of the subscription still gets the first message.
    const c = await StreamConsumer.subscribe({ wsBase: gdn.wsUrl, apiKey: gdn.apiKey, idleTimeoutMs: 0, topic: resolveTopic({ tenant: gdn.tenant, name: stream }), subscription: "bad-bad_fail" });
    const first = await c.receive(5000);
    expect(first && messageText(first)).toBe(json(1));
    await c.close();
  });

  it("reads a collection's change stream with _key and _delete, plus message metadata", async () => {
    const coll = `orders${++seq}`;
    await http.createCollection(coll, { stream: true });
    await http.insertDocument(coll, { _key: "a", qty: 1 });
    const session = createSession();
    const df = await session.readStream
      .format("com.macrometa.spark.stream.MacrometaTableProvider")
      .options(opts(coll, { isCollectionStream: true, replication: "local", subscriptionName: "cdc", includeMetadata: true }))
      .load();
    expect(df.schema.fieldNames).toEqual(["_id", "_key", "_rev", "qty", "_rescued_data", "_delete", "_messageId", "_publishTime", "_properties"]);
    const q = await df.writeStream.format("memory").queryName("cdc_out").option("checkpointLocation", await tempDir()).trigger({ processingTime: 20 }).start();
    try {
      await http.insertDocument(coll, { _key: "b", qty: 2 });
      await http.insertDocument(coll, { _key: "a", qty: 5 }, { overwrite: true });
      await http.request({ method: "DELETE", path: `/_fabric/_system/_api/document/${coll}/b`, retry: "refusals" });
      await q.processAllAvailable(20_000);
      const rows = memoryTable("cdc_out")!.objects();
      expect(rows.map((r) => [r._key, r.qty, r._delete])).toEqual([
        ["a", 1, false],
        ["b", 2, false],
        ["a", 5, false],
        ["b", null, true],
      ]);
      expect(rows.every((r) => typeof r._messageId === "string" && typeof r._publishTime === "string")).toBe(true);
    } finally {
      await q.stop();
    }
  });
});

describe("streaming sink", () => {
  it("writes rows as JSON messages, commits an epoch only after every send is acknowledged, tags each with a replay-stable id", async () => {
    const from = await newStream();
    const to = await newStream();
    await publish(from, Array.from({ length: 120 }, (_, i) => json(i)));
    const session = createSession();
    const df = await session.readStream.format("com.macrometa.spark.stream").options(opts(from, { subscriptionName: "bridge", maxMessagesPerTrigger: 50 })).load();
    const q = await df.writeStream.format("com.macrometa.spark.stream").options(opts(to, { keyColumn: "s" })).option("checkpointLocation", await tempDir()).trigger({ processingTime: 20 }).start();
    await q.processAllAvailable(20_000);
    const sent = q.recentProgress.reduce((n, p) => n + p.sink.numOutputRows, 0);
    await q.stop();
    expect(q.exception).toBeUndefined();
    expect(sent).toBe(120);
    const c = await StreamConsumer.subscribe({ wsBase: gdn.wsUrl, apiKey: gdn.apiKey, idleTimeoutMs: 0, topic: resolveTopic({ tenant: gdn.tenant, name: to }), subscription: "check", subscriptionInitialPosition: "Earliest" });
    const got: { text: string; id: string | undefined; key: string | undefined }[] = [];
    for (let i = 0; i < 120; i++) {
      const m = await c.receive(5000);
      if (!m) break;
      got.push({ text: messageText(m), id: m.properties[DEDUPE_PROPERTY], key: m.key });
      c.ack(m.messageId);
    }
    await c.close();
    // The source's inferred schema carries the rescued-data column (null here); the sink writes every column.
    expect(got.map((g) => g.text)).toEqual(Array.from({ length: 120 }, (_, i) => JSON.stringify({ i, s: `v${i}`, _rescued_data: null })));
    expect(new Set(got.map((g) => g.id)).size).toBe(120);
    expect(got[0]!.id).toMatch(new RegExp(`^${q.id}:0:0:0$`));
    expect(got[5]!.key).toBe("v5");
  });

  it("publishes change rows keyed by _key, every change type with its _change_type in the payload and a property (Delta change feed rows)", async () => {
    const to = await newStream();
    const session = createSession();
    const ddl = "_key STRING, total BIGINT, _change_type STRING, _commit_version BIGINT, _commit_timestamp TIMESTAMP";
    const changes = [
      ["a", 1, "insert", 1, "2026-01-01T00:00:00.000Z"],
      ["a", 1, "update_preimage", 2, "2026-01-01T00:01:00.000Z"],
      ["a", 5, "update_postimage", 2, "2026-01-01T00:01:00.000Z"],
      ["b", 2, "delete", 3, "2026-01-01T00:02:00.000Z"],
    ];
    await session.createDataFrame(changes, ddl).write.format("memory").save("cf_rows");
    const df = await session.readStream.format("memory").load("cf_rows");
    const q = await df.writeStream.format("com.macrometa.spark.stream").options(opts(to)).option("checkpointLocation", await tempDir()).trigger({ availableNow: true }).start();
    await q.awaitTermination(20_000);
    expect(q.exception).toBeUndefined();
    const c = await StreamConsumer.subscribe({ wsBase: gdn.wsUrl, apiKey: gdn.apiKey, idleTimeoutMs: 0, topic: resolveTopic({ tenant: gdn.tenant, name: to }), subscription: "check", subscriptionInitialPosition: "Earliest" });
    const got: { key: string | undefined; type: string | undefined; body: Record<string, unknown> }[] = [];
    for (let i = 0; i < changes.length; i++) {
      const m = await c.receive(5000);
      if (!m) break;
      got.push({ key: m.key, type: m.properties[CHANGE_TYPE_PROPERTY], body: JSON.parse(messageText(m)) as Record<string, unknown> });
      c.ack(m.messageId);
    }
    await c.close();
    expect(got.map((g) => [g.key, g.type, g.body._change_type, g.body.total])).toEqual(changes.map((r) => [r[0], r[2], r[2], r[1]]));
    expect(got[2]!.body._commit_version).toBe(2);
  });
});
