/**
 * Stream benchmarks (issue 5), each against a baseline measured in the same run:
 * - consume → memory sink through the session, vs a raw `ws` consumer of the same messages;
 * - producer throughput vs raw `ws` pipelined sends;
 * - end-to-end latency (publish → row committed in the sink) at 1,000 msg/s with a 250 ms trigger,
 *   into the memory sink and into a Delta table through the volume method (read back from the table);
 * - RSS of a process carrying 1,000 open stream queries of which 100 receive data → MB per stream.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { CaseInsensitiveOptions, createSession, memoryTable } from "@macrometa-spark/core";
import { DatabricksConnection, parseConnectionOptions } from "@macrometa-spark/databricks";
import { startLocalWarehouse } from "@macrometa-spark/local-warehouse";
import "@macrometa-spark/databricks";
import { GdnHttpClient, StreamConsumer, StreamProducer, buildWsUrl, resolveTopic, type ResolvedTopic } from "@macrometa-spark/macrometa-client";
import { startLocalGdn, type LocalGdn } from "@macrometa-spark/local-gdn";
import "@macrometa-spark/stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ratio, recordBench, type BenchRow } from "./report.js";

// `ws` is a dependency of macrometa-client, not of the workspace root.
const requireFromClient = createRequire(new URL("../../packages/macrometa-client/package.json", import.meta.url));
const WebSocket = requireFromClient("ws") as typeof import("ws").default;

const MESSAGES = 50_000;
const QUEUE = 10_000;
const fixtures = fileURLToPath(new URL("../../packages/stream/test/fixtures/", import.meta.url));

let gdn: LocalGdn;
let http: GdnHttpClient;
const rows: BenchRow[] = [];

beforeAll(async () => {
  gdn = await startLocalGdn();
  http = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey });
});
afterAll(async () => {
  if (rows.length) recordBench("stream", rows);
  await http?.close();
  await gdn?.close();
});

const payload = (i: number) => JSON.stringify({ seq: i, at: Date.now(), name: `customer-${i}`, amount: i * 1.5, ok: i % 2 === 0 });
const topicOf = (name: string): ResolvedTopic => resolveTopic({ tenant: gdn.tenant, name });
const streamOptions = (stream: string, extra: Record<string, string> = {}) => ({ regionUrl: gdn.url, apiKey: gdn.apiKey, stream, idleTimeoutMs: "0", ...extra });

/**
 * The message listener goes on before 'open': the server may push frames in the same read as the
 * upgrade answer, and ws emits them before a promise continuation could attach one.
 */
function openRaw(url: string, onMessage: (ws: import("ws").default, data: Buffer) => void): Promise<import("ws").default> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: `apikey ${gdn.apiKey}` }, perMessageDeflate: false });
    ws.on("message", (data: Buffer) => onMessage(ws, data));
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

/** Raw `ws`: frames with a context, a window of 1000 unreceipted sends, as our producer. */
async function rawProduce(topic: ResolvedTopic, n: number): Promise<number> {
  let onReceipt = () => {};
  const ws = await openRaw(buildWsUrl(gdn.wsUrl, "producer", topic, undefined, {}), () => onReceipt());
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    let sent = 0;
    let acked = 0;
    const pump = () => {
      while (sent < n && sent - acked < 1000) {
        ws.send(JSON.stringify({ payload: Buffer.from(payload(sent)).toString("base64"), context: String(sent) }));
        sent++;
      }
    };
    onReceipt = () => {
      if (++acked === n) resolve();
      else pump();
    };
    pump();
  });
  const ms = performance.now() - t0;
  ws.close();
  return (n / ms) * 1000;
}

async function ourProduce(topic: ResolvedTopic, n: number): Promise<number> {
  const p = await StreamProducer.open({ wsBase: gdn.wsUrl, apiKey: gdn.apiKey, idleTimeoutMs: 0, topic, maxPendingMessages: 1000 });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await p.send({ payload: payload(i) });
  await p.flush();
  const ms = performance.now() - t0;
  await p.close();
  return (n / ms) * 1000;
}

/** Raw `ws` consumer: parses each frame and acks it, with the same receiver queue. */
async function rawConsume(topic: ResolvedTopic, sub: string, n: number): Promise<number> {
  const url = buildWsUrl(gdn.wsUrl, "consumer", topic, sub, { subscriptionType: "Exclusive", receiverQueueSize: QUEUE, subscriptionInitialPosition: "Earliest" });
  const t0 = performance.now();
  let done = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  let got = 0;
  const ws = await openRaw(url, (sock, data) => {
    const f = JSON.parse(data.toString()) as { messageId: string };
    sock.send(JSON.stringify({ messageId: f.messageId }));
    if (++got === n) done();
  });
  await finished;
  const ms = performance.now() - t0;
  ws.close();
  return (n / ms) * 1000;
}

async function ourConsume(stream: string, sub: string, n: number, table: string): Promise<number> {
  const session = createSession();
  const t0 = performance.now();
  const df = await session.readStream
    .format("com.macrometa.spark.stream")
    .schema("seq BIGINT, at BIGINT, name STRING, amount DOUBLE, ok BOOLEAN")
    .options(streamOptions(stream, { subscriptionName: sub, maxMessagesPerTrigger: String(QUEUE) }))
    .load();
  const q = await df.writeStream.format("memory").queryName(table).start();
  await expect.poll(() => (q.exception ? -1 : (memoryTable(table)?.rows.length ?? 0)), { timeout: 60_000, interval: 10 }).toBe(n);
  const ms = performance.now() - t0;
  await q.stop();
  return (n / ms) * 1000;
}

it("producer throughput vs raw ws", async () => {
  await http.createStream("bench-produce-raw", true);
  await http.createStream("bench-produce-ours", true);
  const raw = await rawProduce(topicOf("bench-produce-raw"), MESSAGES);
  const ours = await ourProduce(topicOf("bench-produce-ours"), MESSAGES);
  rows.push({ metric: `produce ${MESSAGES} msgs (pipelined, window 1000)`, value: Math.round(ours), unit: "msg/s", baseline: { name: "raw ws", value: Math.round(raw) }, ratio: ratio(ours, raw) });
  expect(ours).toBeGreaterThan(0);
});

it("consume → memory sink throughput vs a raw ws consumer of the same messages", async () => {
  await http.createStream("bench-consume", true);
  // Subscriptions exist before the messages do: messages every subscription acked are deleted, so
  // a subscription created later would find only what the first reader left.
  for (const sub of ["raw0", "ours0", "raw1", "ours1"]) {
    const c = await StreamConsumer.subscribe({ wsBase: gdn.wsUrl, apiKey: gdn.apiKey, idleTimeoutMs: 0, topic: topicOf("bench-consume"), subscription: sub });
    await c.close();
  }
  await ourProduce(topicOf("bench-consume"), MESSAGES);
  // Alternate, best of two each, so neither side is favoured by warm-up or a busy neighbour.
  const raw: number[] = [];
  const ours: number[] = [];
  for (let round = 0; round < 2; round++) {
    raw.push(await rawConsume(topicOf("bench-consume"), `raw${round}`, MESSAGES));
    ours.push(await ourConsume("bench-consume", `ours${round}`, MESSAGES, `bench_consume_${round}`));
  }
  const r = Math.max(...raw);
  const o = Math.max(...ours);
  rows.push({
    metric: `consume ${MESSAGES} msgs → memory sink (session, decode, commit, ack)`,
    value: Math.round(o),
    unit: "msg/s",
    baseline: { name: "raw ws consumer (parse + ack)", value: Math.round(r) },
    ratio: ratio(o, r),
  });
  expect(o).toBeGreaterThan(0);
});

/**
 * Publishes 5,000 messages at 1,000 msg/s (each stamped with its send time) into a stream read by a
 * query with a 250 ms trigger; after each committed batch, `committedAts` gives the stamps of the
 * rows that became visible in the sink. Returns the latencies, sorted.
 */
async function latencyRun(stream: string, start: (df: Awaited<ReturnType<typeof loadLatencyStream>>) => Promise<{ query: import("@macrometa-spark/core").StreamingQuery; committedAts: () => Promise<number[]> }>): Promise<number[]> {
  await http.createStream(stream, true);
  const df = await loadLatencyStream(stream);
  const { query: q, committedAts } = await start(df);
  const latencies: number[] = [];
  let pending = Promise.resolve();
  q.on("progress", () => {
    const now = Date.now();
    pending = pending.then(async () => {
      for (const at of await committedAts()) latencies.push(now - at);
    });
  });
  const p = await StreamProducer.open({ wsBase: gdn.wsUrl, apiKey: gdn.apiKey, idleTimeoutMs: 0, topic: topicOf(stream) });
  const total = 5000;
  const t0 = Date.now();
  for (let i = 0; i < total; i++) {
    // 1,000 msg/s: message i leaves at t0 + i ms.
    const due = t0 + i - Date.now();
    if (due > 0) await new Promise((r) => setTimeout(r, due));
    await p.send({ payload: JSON.stringify({ seq: i, at: Date.now() }) });
  }
  await p.flush();
  await p.close();
  await expect.poll(async () => (await pending, latencies.length), { timeout: 30_000, interval: 50 }).toBe(total);
  await q.stop();
  return latencies.sort((a, b) => a - b);
}

function loadLatencyStream(stream: string) {
  return createSession().readStream.format("com.macrometa.spark.stream").schema("seq BIGINT, at BIGINT").options(streamOptions(stream, { subscriptionName: "lat" })).load();
}

const percentile = (sorted: number[], x: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * x))]!;

it("end-to-end latency at 1,000 msg/s with a 250 ms trigger", async () => {
  let seen = 0;
  const latencies = await latencyRun("bench-latency", async (df) => ({
    query: await df.writeStream.format("memory").queryName("bench_latency").trigger({ processingTime: 250 }).start(),
    committedAts: async () => {
      const t = memoryTable("bench_latency")!.rows;
      const out: number[] = [];
      for (; seen < t.length; seen++) out.push(t[seen]![1] as number);
      return out;
    },
  }));
  rows.push({ metric: "end-to-end latency p50 (1,000 msg/s, trigger 250 ms)", value: percentile(latencies, 0.5), unit: "ms" });
  rows.push({ metric: "end-to-end latency p99 (1,000 msg/s, trigger 250 ms)", value: percentile(latencies, 0.99), unit: "ms" });
  expect(latencies).toHaveLength(5000);
});

it("end-to-end latency into Delta (volume method) at 1,000 msg/s with a 250 ms trigger", async () => {
  const wh = await startLocalWarehouse({ port: 0 });
  const connection = { host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: false };
  const admin = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions(connection)));
  try {
    await admin.execute("CREATE SCHEMA IF NOT EXISTS main.lat");
    await admin.execute("CREATE VOLUME IF NOT EXISTS main.lat.staging");
    const checkpoint = mkdtempSync(join(tmpdir(), "mm-bench-lat-"));
    let seen = -1;
    const latencies = await latencyRun("bench-latency-delta", async (df) => ({
      query: await df.writeStream
        .format("databricks")
        .options({ ...connection, table: "main.lat.events", stagingVolume: "/Volumes/main/lat/staging" })
        .option("checkpointLocation", checkpoint)
        .trigger({ processingTime: 250 })
        .start(),
      // The rows of the committed batches: read back from the Delta table itself.
      committedAts: async () => {
        const r = await admin.query({ sql: "SELECT seq, at FROM main.lat.events WHERE seq > :seen ORDER BY seq", params: { seen: { value: String(seen), type: "BIGINT" } } });
        if (r.length > 0) seen = Number(r[r.length - 1]!["seq"]);
        return r.map((x) => Number(x["at"]));
      },
    }));
    rows.push({ metric: "end-to-end latency into Delta (volume method) p50 (1,000 msg/s, trigger 250 ms)", value: percentile(latencies, 0.5), unit: "ms" });
    rows.push({ metric: "end-to-end latency into Delta (volume method) p99 (1,000 msg/s, trigger 250 ms)", value: percentile(latencies, 0.99), unit: "ms" });
    expect(latencies).toHaveLength(5000);
    rmSync(checkpoint, { recursive: true, force: true });
  } finally {
    await admin.close();
    await wh.close();
  }
});

it("RSS with 1,000 open stream queries of which 100 active", { timeout: 300_000 }, async () => {
  const N = 1000;
  const ACTIVE = 100;
  for (let i = 0; i < N; i++) await http.createStream(`rss${i}`, true);
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", join(fixtures, "rss-streams.ts")], {
    cwd: fixtures,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(fixtures, "tsconfig.json"), STREAMS_N: String(N), STREAMS_PREFIX: "rss", STREAMS_REGION_URL: gdn.url, STREAMS_API_KEY: gdn.apiKey },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let baseline = 0;
  let ready = 0;
  let peak = 0;
  let childRows = 0;
  child.stdout!.on("data", (d: Buffer) => {
    for (const line of d.toString().split("\n")) {
      const [k, v, r] = line.split(" ");
      if (k === "baseline") baseline = Number(v);
      if (k === "ready") ready = Number(v);
      if (k === "rss") {
        peak = Math.max(peak, Number(v));
        childRows = Number(r);
      }
    }
  });
  try {
    await expect.poll(() => ready, { timeout: 240_000, interval: 200 }).toBeGreaterThan(0);
    // 100 active streams at 20 msg/s each for 5 s.
    const producers = await Promise.all(Array.from({ length: ACTIVE }, (_, i) => StreamProducer.open({ wsBase: gdn.wsUrl, apiKey: gdn.apiKey, idleTimeoutMs: 0, topic: topicOf(`rss${i * (N / ACTIVE)}`) })));
    for (let tick = 0; tick < 50; tick++) {
      await Promise.all(producers.map((p, i) => p.send({ payload: JSON.stringify({ seq: tick * 2, at: Date.now(), stream: i }) })));
      await Promise.all(producers.map((p) => p.send({ payload: JSON.stringify({ seq: tick * 2 + 1, at: Date.now() }) })));
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all(producers.map((p) => p.flush()));
    await Promise.all(producers.map((p) => p.close()));
    await expect.poll(() => childRows, { timeout: 30_000, interval: 200 }).toBe(ACTIVE * 100);
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
  const perStream = (peak - baseline) / N / 1024 / 1024;
  rows.push({
    metric: `RSS per open stream (${N} stream queries, ${ACTIVE} active at 20 msg/s)`,
    value: Math.round(perStream * 1000) / 1000,
    unit: "MB",
    note: `baseline ${Math.round(baseline / 1048576)} MB, all open ${Math.round(ready / 1048576)} MB, peak ${Math.round(peak / 1048576)} MB; goal ≤ 0.5 MB (Airbyte's Databricks destination: 30+ MB per stream)`,
  });
  expect(perStream).toBeGreaterThan(0);
});
