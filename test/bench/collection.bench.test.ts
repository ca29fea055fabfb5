/**
 * Collection read/write throughput on local-gdn (100k documents of ~1 KB, batchSize 1000), each
 * against baselines measured in the same run:
 * - raw: undici sending the same cursor / import requests, `JSON.parse` of each answer and nothing else;
 * - one-at-a-time: the official connector's algorithm (one cursor request at a time, parse, decode rows).
 * Plus the reader's peak RSS for 100k vs a larger collection, each read in its own child process
 * (the server runs in a third process so its memory is not counted).
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CaseInsensitiveOptions, JobMetrics, createDocumentDecoder, inferSchema, silentLogger, type Row, type StructType } from "@macrometa-spark/core";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { startLocalGdn } from "@macrometa-spark/local-gdn";
import { collectionProvider } from "@macrometa-spark/collection";
import { benchDoc, readThroughProvider, seedBench } from "../../packages/collection/test/bench-support.js";
import { type BenchRow, ratio, recordBench } from "./report.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
// undici is a dependency of macrometa-client only; the raw baseline borrows it from there.
const { Pool } = createRequire(`${root}packages/macrometa-client/package.json`)("undici") as typeof import("undici");

const N = 100_000;
const BATCH = 1000;
const RSS_LARGE = Number(process.env.COLLECTION_BENCH_RSS_DOCS ?? 1_000_000);
const QUERY = "FOR doc IN @@collection SORT doc._key RETURN doc";

let gdn: Awaited<ReturnType<typeof startLocalGdn>>;
let client: GdnHttpClient;
let pool: InstanceType<typeof Pool>;
const rows: BenchRow[] = [];

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  client = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey, requestTimeoutMs: 300_000 });
  pool = new Pool(gdn.url, { connections: 8, pipelining: 1 });
});
afterAll(async () => {
  await pool?.close();
  await client?.close();
  await gdn?.close();
});

const auth = () => ({ authorization: `apikey ${gdn.apiKey}`, "content-type": "application/json" });
const base = () => ({ regionUrl: gdn.url, apiKey: gdn.apiKey, batchSize: BATCH, requestTimeoutMs: 300_000 });

async function rawCall(method: "POST" | "PUT", path: string, body?: string): Promise<unknown> {
  const res = await pool.request({ method, path, headers: auth(), body });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${res.statusCode}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/** Raw read: the same cursor requests, JSON.parse only; `decode` adds the connector's per-row work. */
async function sequentialRead(collection: string, decode?: (doc: unknown) => Row | undefined): Promise<number> {
  let page = (await rawCall("POST", "/_fabric/_system/_api/cursor", JSON.stringify({ query: QUERY, bindVars: { "@collection": collection }, batchSize: BATCH }))) as {
    result: unknown[];
    hasMore: boolean;
    id?: string;
  };
  let n = 0;
  for (;;) {
    if (decode) {
      for (const d of page.result) if (decode(d) !== undefined) n++;
    } else {
      n += page.result.length;
    }
    if (!page.hasMore) return n;
    page = (await rawCall("PUT", `/_fabric/_system/_api/cursor/${page.id}`)) as typeof page;
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t };
}
const perSec = (n: number, ms: number) => Math.round((n / ms) * 1000);

it("collection read/write throughput and reader memory", async () => {
  const seeded = await timed(() => seedBench(client, "bench", N, BATCH, 4));



  // --- read: warm up, then 3 interleaved rounds; each reader's best round counts (the 2 cores are shared).
  await readThroughProvider({ ...base(), collection: "bench", parallelism: 1 });
  const ctx = { logger: silentLogger, metrics: new JobMetrics() };
  const schema: StructType = await collectionProvider.inferSchema(new CaseInsensitiveOptions({ ...base(), collection: "bench" } as never), ctx);
  const decoder = createDocumentDecoder(schema, { mode: "DROPMALFORMED", matching: "shape", metrics: ctx.metrics });
  const readers = {
    raw: () => sequentialRead("bench"),
    ours1: () => readThroughProvider({ ...base(), collection: "bench", parallelism: 1 }),
    ours4: () => readThroughProvider({ ...base(), collection: "bench", parallelism: 4 }),
    oneAtATime: () => sequentialRead("bench", (d) => decoder.decode(d)),
  };
  const best = {} as Record<keyof typeof readers, { value: number; ms: number }>;
  for (let round = 0; round < 3; round++) {
    for (const [name, fn] of Object.entries(readers) as [keyof typeof readers, () => Promise<number>][]) {
      const r = await timed(fn);
      expect(r.value).toBe(N);
      if (!best[name] || r.ms < best[name].ms) best[name] = r;
    }
  }
  const { raw, ours1, ours4, oneAtATime } = best;

  const rawRead = perSec(N, raw.ms);
  const connRead = perSec(N, oneAtATime.ms);
  for (const [name, r] of [["parallelism 1", ours1], ["parallelism 4", ours4]] as const) {
    const v = perSec(N, r.ms);
    rows.push({ metric: `read 100k docs (~1 KB), ${name}`, value: v, unit: "docs/s", baseline: { name: "raw undici + JSON.parse", value: rawRead }, ratio: ratio(v, rawRead) });
    rows.push({ metric: `read 100k docs (~1 KB), ${name} vs one-request-at-a-time reader`, value: v, unit: "docs/s", baseline: { name: "one-at-a-time (connector's algorithm)", value: connRead }, ratio: ratio(v, connRead) });
  }

  // --- the same readers over a WAN-like link (20 ms added to every request): prefetch and key-range
  // partitions overlap the round trips the one-request-at-a-time reader waits out page by page.
  const LAT_N = 20_000;
  await seedBench(client, "latency", LAT_N, BATCH, 4);
  gdn.faults.latencyMs = 20;
  try {
    const slow = {
      oneAtATime: await timed(() => sequentialRead("latency", (d) => decoder.decode(d))),
      ours1: await timed(() => readThroughProvider({ ...base(), collection: "latency", parallelism: 1 })),
      ours4: await timed(() => readThroughProvider({ ...base(), collection: "latency", parallelism: 4 })),
    };
    for (const r of Object.values(slow)) expect(r.value).toBe(LAT_N);
    const conn = perSec(LAT_N, slow.oneAtATime.ms);
    for (const [name, r] of [["parallelism 1", slow.ours1], ["parallelism 4", slow.ours4]] as const) {
      const v = perSec(LAT_N, r.ms);
      rows.push({ metric: `read 20k docs with 20 ms added per request, ${name}`, value: v, unit: "docs/s", baseline: { name: "one-at-a-time (connector's algorithm), same latency", value: conn }, ratio: ratio(v, conn) });
    }
  } finally {
    gdn.faults.latencyMs = 0;
  }

  // --- write: raw import bodies (pre-serialised) vs our writer (rows → rowToJson → import), 4 in flight each, best of 2 rounds
  const docs = Array.from({ length: N }, (_, i) => benchDoc(i));
  const bodies: string[] = [];
  for (let i = 0; i < N; i += BATCH) bodies.push(`{"data":[${docs.slice(i, i + BATCH).join(",")}],"details":true,"replace":false}`);
  await client.createCollection("wbench");
  const rawWriteOnce = () =>
    timed(async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < bodies.length) {
            const r = (await rawCall("POST", "/_fabric/_system/_api/import/wbench", bodies[next++])) as { result: { created: number } };
            expect(r.result.created).toBe(BATCH);
          }
        }),
      );
    });
  // Rows as a DataFrame would hand them over: the documents' own schema (no _id/_rev), decoded.
  const writeSchema = inferSchema(docs.slice(0, 50));
  const rowDecoder = createDocumentDecoder(writeSchema, { mode: "FAILFAST" });
  const decoded = docs.map((d) => rowDecoder.decode(d)!);
  const opts = new CaseInsensitiveOptions({ ...base(), collection: "wbench", parallelism: 4 } as never);
  const oursWriteOnce = () =>
    timed(async () => {
      const table = await collectionProvider.getTable(undefined, opts, ctx);
      try {
        const bw = await table.newWriteBuilder!({ queryId: "bench", schema: writeSchema, options: opts, mode: "append" }).buildForBatch!();
        const dw = await bw.createWriter(0);
        for (let i = 0; i < N; i += 5000) await dw.write(decoded.slice(i, i + 5000));
        await bw.commit([await dw.commit()]);
      } finally {
        await table.close?.();
      }
    });
  let rawWrite = { ms: Infinity };
  let oursWrite = { ms: Infinity };
  for (let round = 0; round < 2; round++) {
    const a = await rawWriteOnce();
    expect(await client.collectionCount("wbench")).toBe(N);
    await client.truncateCollection("wbench");
    const b = await oursWriteOnce();
    expect(await client.collectionCount("wbench")).toBe(N);
    await client.truncateCollection("wbench");
    if (a.ms < rawWrite.ms) rawWrite = a;
    if (b.ms < oursWrite.ms) oursWrite = b;
  }
  const rawW = perSec(N, rawWrite.ms);
  const oursW = perSec(N, oursWrite.ms);
  rows.push({ metric: "write 100k docs (~1 KB), parallelism 4", value: oursW, unit: "docs/s", baseline: { name: "raw undici import posts (pre-serialised) + JSON.parse", value: rawW }, ratio: ratio(oursW, rawW) });
  rows.push({ metric: "seed 100k docs through GdnHttpClient.importDocuments (4 in flight)", value: perSec(N, seeded.ms), unit: "docs/s" });

  // --- memory: the reader's peak RSS for 100k vs RSS_LARGE documents, each in its own process
  const child = `${root}packages/collection/test/rss-child.ts`;
  const server = spawn(process.execPath, ["--import", "tsx", child, "serve", String(N), String(RSS_LARGE)], { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: server.stdout! }).once("line", resolve);
      server.once("exit", (code) => reject(new Error(`server child exited ${code}`)));
    });
    const { url, apiKey } = JSON.parse(line) as { url: string; apiKey: string };
    const readIn = async (collection: string) => {
      const p = spawn(process.execPath, ["--import", "tsx", child, "read", url, apiKey, collection], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      p.stdout!.on("data", (d: Buffer) => (out += d.toString()));
      await new Promise<void>((resolve, reject) => p.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`reader exited ${code}`)))));
      return JSON.parse(out) as { rows: number; ms: number; maxRssMB: number };
    };
    const small = await readIn(`bench_${N}`);
    const large = await readIn(`bench_${RSS_LARGE}`);
    expect(small.rows).toBe(N);
    expect(large.rows).toBe(RSS_LARGE);
    rows.push({ metric: `reader peak RSS, ${RSS_LARGE} docs`, value: large.maxRssMB, unit: "MB", baseline: { name: `${N} docs`, value: small.maxRssMB }, ratio: ratio(large.maxRssMB, small.maxRssMB, true), note: "lower-is-better ratio: 1.0 means no growth with size" });
    rows.push({ metric: `read ${RSS_LARGE} docs in a child process (server in another process)`, value: perSec(large.rows, large.ms), unit: "docs/s" });
  } finally {
    server.stdin!.end();
    await new Promise((r) => server.once("exit", r));
  }
  recordBench("collection", rows);
});
