/**
 * `mmspark demo`: the README's main job on the embedded default, with no accounts. Starts local-gdn
 * and local-warehouse in this process, seeds a mixed-shape collection and a stream with live events,
 * then runs the jobs a user would: collection → Delta, stream → Delta, a CDC sync with changes made
 * before, during and after its snapshot, and a reverse sync of an aggregate computed in Delta back to
 * a collection (demo-reverse.ts). Prints schemas, counts, rejections and rows read back.
 * @packageDocumentation
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import "@macrometa-spark/collection";
import "@macrometa-spark/databricks";
import "@macrometa-spark/stream";
import { CaseInsensitiveOptions, createSession, silentLogger, treeString, type SparkSession } from "@macrometa-spark/core";
import { DatabricksConnection, parseConnectionOptions } from "@macrometa-spark/databricks";
import { startLocalGdn, type LocalGdn } from "@macrometa-spark/local-gdn";
import { startLocalWarehouse } from "@macrometa-spark/local-warehouse";
import { type GdnHttpClient, StreamProducer, gdnClientFor, resolveTopic } from "@macrometa-spark/macrometa-client";
import type { CollectionOptions, DatabricksOptions, StreamOptions } from "../generated/job-types.js";
import { Progress } from "../progress.js";
import { EXIT_OK, parse, type Command, type Io } from "../usage.js";
import { formatRejections, rejections, totalRejected, type RejectionReport } from "../runner/report.js";
import { startSync } from "../runner/sync.js";
import { reverseSync, type ReverseSummary } from "./demo-reverse.js";
import { waitFor, watchStream, withRowProgress } from "../runner/watch.js";
import { UI_FLAGS, UI_HELP, startJobUi, type JobMonitor } from "../ui/index.js";

const HELP = `Usage: mmspark demo [--json] [--keep-running] [--ui PORT [--ui-host HOST]]

Runs the main job on the embedded default, no accounts needed: starts a local Macrometa GDN and a
local Databricks SQL warehouse (DuckDB) in this process, then
  1. collection -> Delta: 64 documents in three shapes (30/20/10) plus 4 odd ones; the schema is
     inferred with the connector's most-common rule, mismatching documents are rejected and counted;
  2. stream -> Delta: 60 events (half published before the query, half while it runs), exactly once;
     the last 15 carry a new field, and the Delta table grows a column for it while the query runs
     (schemaEvolutionMode addNewColumns: no restart);
  3. CDC sync: a collection's snapshot then its change stream merged into a Delta table by _key,
     with inserts, updates and deletes made during and after the snapshot;
  4. Delta -> collection: order totals per status computed in Delta (change data feed on) are sent
     to a collection by the table's change feed, then refreshed in Delta and sent again (only the
     new commits).
Prints the inferred schemas, counts, rejected counts with the first keys, and rows read back
from the Delta tables with show().

  --json          One JSON event per line on stdout instead of text
  --keep-running  Keep the local peers up afterwards (until Ctrl-C) and print how to reach them
${UI_HELP}
`;

/** What the demo did, for `--json` and tests. */
export interface DemoSummary {
  collectionToDelta: { seeded: number; shapes: number[]; odd: number; schema: string; written: number; rejected: number; rejections: RejectionReport[]; deltaCount: number; bigintExact: boolean };
  streamToDelta: { published: number; schema: string; batches: number; deltaCount: number; addedColumns: string[] };
  cdcSync: { snapshotRows: number; changes: number; collectionCount: number; deltaCount: number; matches: boolean };
  reverseSync: ReverseSummary;
  elapsedMs: number;
}

const BIG = "9007199254740993"; // 2^53 + 1: a double would round it to ...992

/**
 * The seeded documents as JSON texts (texts, so the big integer reaches the GDN exactly). Keys sort
 * in insertion order and the shapes are interleaved A A A B B C, so the first 50 (the inference
 * sample) hold 25/17/8 and the 30-document shape A wins, as the connector's rule picks it.
 */
function customerDocs(): { texts: string[]; shapes: number[]; odd: number } {
  const cities = ["Lisbon", "Oslo", "Lagos", "Quito", "Osaka"];
  const texts: string[] = [];
  let a = 0;
  for (let i = 0; i < 60; i++) {
    const key = `c${String(i + 1).padStart(3, "0")}`;
    const kind = ["A", "A", "A", "B", "B", "C"][i % 6];
    if (kind === "A") {
      a++;
      const account = a === 7 ? BIG : String(1000 + i);
      texts.push(
        `{"_key":"${key}","name":"customer ${i + 1}","accountId":${account},"tier":"${i % 2 ? "gold" : "silver"}","tags":["t${i % 3}","t${i % 4}"],"address":{"city":"${cities[i % 5]}","zip":"${10000 + i}"},"orders":[{"sku":"s${i}","qty":${(i % 5) + 1}}]}`,
      );
    } else if (kind === "B") {
      // A legacy shape: no address or orders, a phone instead.
      texts.push(`{"_key":"${key}","name":"customer ${i + 1}","accountId":${2000 + i},"phone":"+1-555-${String(i).padStart(4, "0")}"}`);
    } else {
      // Same fields as A but accountId as a string: a different shape, rejected under A's schema.
      texts.push(`{"_key":"${key}","name":"customer ${i + 1}","accountId":"${3000 + i}","tier":"bronze","tags":[],"address":{"city":"Rome","zip":"00100"},"orders":[]}`);
    }
  }
  // Odd ones out: each its own shape.
  texts.push(`{"_key":"c061","name":42}`);
  texts.push(`{"_key":"c062"}`);
  texts.push(`{"_key":"c063","matrix":[[1,2],[3,[4,5]]],"meta":{"deep":{"deeper":{"deepest":true}}}}`);
  texts.push(`{"_key":"c064","name":"customer 64","accountId":1.5e3,"tier":null}`);
  return { texts, shapes: [30, 20, 10], odd: 4 };
}

/** @internal The demo's local peers (shared with demo-reverse.ts). */
export interface Peers {
  gdn: LocalGdn;
  http: GdnHttpClient;
  gdnOpts: { regionUrl: string; apiKey: string };
  dbx: DatabricksOptions & { host: string; port: number; httpPath: string; token: string };
  /** Write options of the volume method (reads take only the connection). */
  staging: { stagingVolume: string };
  admin: DatabricksConnection;
  close(): Promise<void>;
}

async function startPeers(): Promise<Peers> {
  const gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  const wh = await startLocalWarehouse({ port: 0, host: "127.0.0.1" }).catch(async (err: unknown) => {
    await gdn.close();
    throw err;
  });
  const dbx = { host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: false, catalog: "main", schema: "demo" } satisfies DatabricksOptions;
  const admin = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions({ ...dbx, schema: undefined })));
  // The sink creates tables, not schemas (as on Databricks, where a schema is usually governed).
  await admin.execute("CREATE SCHEMA IF NOT EXISTS main.demo");
  // Sinks stage Parquet files here and load them with one COPY INTO / MERGE (the volume method).
  await admin.execute("CREATE VOLUME IF NOT EXISTS main.demo.staging");
  const http = gdnClientFor({ origin: gdn.url, apiKey: gdn.apiKey });
  return {
    gdn,
    http,
    gdnOpts: { regionUrl: gdn.url, apiKey: gdn.apiKey },
    dbx,
    staging: { stagingVolume: "/Volumes/main/demo/staging" },
    admin,
    async close() {
      await Promise.allSettled([admin.close(), http.close()]);
      await Promise.allSettled([gdn.close(), wh.close()]);
    },
  };
}

/** @internal Text or JSON output of the demo (shared with demo-reverse.ts). */
export class Out {
  constructor(
    private readonly io: Io,
    readonly progress: Progress,
    /** The monitoring page's monitor (--ui). */
    readonly ui?: JobMonitor,
  ) {}
  get json(): boolean {
    return this.progress.mode === "json";
  }
  text(t: string): void {
    if (!this.json) this.io.out(t);
  }
  event(type: string, fields: Record<string, unknown>): void {
    this.progress.event(type, fields);
  }
}

async function collectionToDelta(p: Peers, session: SparkSession, out: Out): Promise<DemoSummary["collectionToDelta"]> {
  out.text("\n== 1. collection -> Delta ==\n");
  const { texts, shapes, odd } = customerDocs();
  await p.http.createCollection("customers");
  const imported = await p.http.importDocuments("customers", texts);
  if (imported.errors) throw new Error(`seeding the demo collection failed: ${imported.errors} errors`);
  out.text(`seeded collection 'customers': ${texts.length} documents (shapes ${shapes.join("/")} + ${odd} odd ones, one accountId = ${BIG} > 2^53)\n`);
  out.event("seeded", { collection: "customers", documents: texts.length, shapes, odd });

  const source = { ...p.gdnOpts, collection: "customers", batchSize: 20 } satisfies CollectionOptions;
  const df = await session.read.format("com.macrometa.spark.collection").options(source).load();
  out.text(`inferred schema: ${df.schema.simpleString()}\n${treeString(df.schema)}`);
  out.event("schema", { source: "customers", simpleString: df.schema.simpleString(), tree: treeString(df.schema) });

  const sink = { ...p.dbx, ...p.staging, table: "customers" } satisfies DatabricksOptions;
  const written = await withRowProgress(df, out.progress, "customers -> main.demo.customers", texts.length, () => df.write.format("databricks").mode("overwrite").options(sink).save());
  const rej = rejections(df.metrics);
  out.text(`wrote ${written} rows to main.demo.customers (mode overwrite)\n${formatRejections(rej)}`);
  out.event("written", { table: "main.demo.customers", rows: written, rejected: totalRejected(rej), rejections: rej });

  const back = await session.read.format("databricks").options({ ...p.dbx, table: "customers" }).load();
  const rows = await back.collect();
  const big = rows.find((r) => r.asDict()["_key"] === "c013");
  const bigintExact = big !== undefined && String(big.asDict()["accountId"]) === BIG;
  out.text(`read back from Delta: ${rows.length} rows; c013.accountId = ${big ? String(big.asDict()["accountId"]) : "?"} (${bigintExact ? "exact" : "NOT exact"})\n`);
  const sorted = await back.select("_key", "name", "accountId", "tier", "tags", "address", "orders").showString(5, 24);
  out.text(sorted);
  out.event("readBack", { table: "main.demo.customers", count: rows.length, bigintExact, sample: rows.slice(0, 3).map((r) => r.asDict()) });
  return { seeded: texts.length, shapes, odd, schema: df.schema.simpleString(), written, rejected: totalRejected(rej), rejections: rej, deltaCount: rows.length, bigintExact };
}

async function streamToDelta(p: Peers, session: SparkSession, out: Out, checkpoint: string, signal: AbortSignal): Promise<DemoSummary["streamToDelta"]> {
  out.text("\n== 2. stream -> Delta ==\n");
  const total = 60;
  await p.http.createStream("clicks", false);
  const producer = await StreamProducer.open({ wsBase: p.gdn.wsUrl, apiKey: p.gdn.apiKey, idleTimeoutMs: 0, topic: resolveTopic({ tenant: p.gdn.tenant, name: "clicks", replication: "local" }) });
  const pages = ["/", "/pricing", "/docs", "/signup"];
  /** Events after NEW_FIELD_FROM carry a field the inferred schema lacks: the table grows a column. */
  const NEW_FIELD_FROM = 46;
  const event = (i: number) => JSON.stringify({ id: i, user: `u${i % 7}`, action: i % 3 ? "view" : "click", page: pages[i % 4], ms: 10 + (i % 50), ...(i >= NEW_FIELD_FROM ? { referrer: `https://ref${i % 3}.example` } : {}) });
  try {
    for (let i = 1; i <= total / 2; i++) await producer.send({ payload: event(i) });
    await producer.flush();
    out.text(`published ${total / 2} events to stream 'clicks'; ${total / 2} more arrive while the query runs, events ${NEW_FIELD_FROM}..${total} with a new field 'referrer'\n`);

    const source = { ...p.gdnOpts, stream: "clicks", replication: "local", subscriptionName: "demo-to-delta" } satisfies StreamOptions;
    const df = await session.readStream.format("com.macrometa.spark.stream").options(source).load();
    out.text(`inferred schema (peeked, not consumed): ${df.schema.simpleString()}\n${treeString(df.schema)}`);
    out.event("schema", { source: "clicks", simpleString: df.schema.simpleString(), tree: treeString(df.schema) });
    const sink = { ...p.dbx, ...p.staging, table: "clicks", mergeKeys: "id" } satisfies DatabricksOptions;
    const query = await df.writeStream.format("databricks").options(sink).option("checkpointLocation", checkpoint).trigger({ processingTime: 100 }).start();
    out.ui?.trackQuery(query, { trigger: "ProcessingTime(100 ms)", source: "com.macrometa.spark.stream[clicks]", sink: "databricks[clicks]" });
    const unwatch = watchStream(query, out.progress);
    let seen = 0;
    query.on("progress", (pr: { numInputRows: number }) => (seen += pr.numInputRows));
    try {
      // The live half: published while batches are being applied.
      for (let i = total / 2 + 1; i <= total; i++) {
        await producer.send({ payload: event(i) });
        if (i % 10 === 0) await producer.flush();
      }
      await producer.flush();
      await waitFor(() => seen >= total || !query.isActive, "the stream query to apply every event", 30_000, signal);
    } finally {
      unwatch();
      await query.stop();
      out.progress.done();
    }
    if (query.exception) throw query.exception;
    const [row] = await p.admin.query("SELECT count(*) AS n FROM main.demo.clicks");
    const deltaCount = Number(row?.["n"]);
    const batches = query.recentProgress.filter((x) => x.numInputRows > 0).length;
    const columns = (await p.admin.query("DESCRIBE TABLE main.demo.clicks")).map((r) => String(r["col_name"])).filter((n) => n !== "" && !n.startsWith("#"));
    const addedColumns = columns.filter((c) => df.schema.fieldIndex(c) < 0 && !c.startsWith("_mm_"));
    out.text(`applied ${seen} events in ${batches} micro-batches; main.demo.clicks has ${deltaCount} rows\n`);
    out.text(`the table grew while the query ran: ${addedColumns.length ? addedColumns.map((c) => `+${c}`).join(", ") : "no new column"} (ALTER TABLE ADD COLUMNS between micro-batches); columns now: ${columns.join(", ")}\n`);
    out.text(await (await session.read.format("databricks").options({ ...p.dbx, query: "SELECT id, user, page, referrer, _rescued_data FROM main.demo.clicks WHERE id >= 44 ORDER BY id LIMIT 4" }).load()).showString(4));
    out.event("streamDone", { stream: "clicks", events: seen, batches, deltaCount, addedColumns });
    return { published: total, schema: df.schema.simpleString(), batches, deltaCount, addedColumns };
  } finally {
    await producer.close();
  }
}

async function cdcSync(p: Peers, session: SparkSession, out: Out, checkpoint: string, signal: AbortSignal): Promise<DemoSummary["cdcSync"]> {
  out.text("\n== 3. CDC sync: snapshot + change stream -> Delta ==\n");
  await p.http.createCollection("orders", { stream: true });
  const statuses = ["new", "paid", "shipped"];
  const order = (i: number, status: string) => JSON.stringify({ _key: `o${String(i).padStart(3, "0")}`, amount: i * 10, status });
  await p.http.importDocuments("orders", Array.from({ length: 25 }, (_, i) => order(i + 1, statuses[i % 3]!)));
  const put = (i: number, status: string) => p.http.insertDocument("orders", order(i, status), { overwrite: true });
  const del = (i: number) => p.http.deleteDocument("orders", `o${String(i).padStart(3, "0")}`);
  let changes = 0;
  const handle = await startSync({
    name: "demo-orders",
    collection: { ...p.gdnOpts, collection: "orders", batchSize: 5 } satisfies CollectionOptions,
    delta: { ...p.dbx, ...p.staging, table: "orders" } satisfies DatabricksOptions,
    checkpointLocation: checkpoint,
    trigger: { processingTime: 100 },
    session,
    hooks: {
      duringSnapshot: async () => {
        // Changes racing the snapshot: the subscription already holds them.
        await Promise.all([put(1, "refunded"), del(2), put(26, "new")]);
        changes += 3;
      },
    },
  });
  out.text(`subscribed to the change stream first, then the snapshot wrote ${handle.snapshot.rows} rows to main.demo.orders\n`);
  out.event("snapshot", { table: "main.demo.orders", rows: handle.snapshot.rows, rejections: handle.snapshot.rejected });
  out.ui?.trackQuery(handle.query, { trigger: "ProcessingTime(100 ms)", source: "com.macrometa.spark.collection[orders] changes", sink: "databricks[orders]" });
  const unwatch = watchStream(handle.query, out.progress);
  try {
    await put(3, "shipped");
    await del(4);
    await put(27, "new");
    await put(26, "paid");
    changes += 4;
    await waitFor(() => handle.changesApplied >= changes || !handle.query.isActive, "the change stream to catch up", 30_000, signal);
  } finally {
    unwatch();
    await handle.stop();
    out.progress.done();
  }
  if (handle.query.exception) throw handle.query.exception;
  const collectionCount = await p.http.collectionCount("orders");
  const [row] = await p.admin.query("SELECT count(*) AS n FROM main.demo.orders");
  const deltaCount = Number(row?.["n"]);
  const coll = (await (await session.read.format("com.macrometa.spark.collection").options({ ...p.gdnOpts, collection: "orders" }).load()).collect()).map((r) => `${r.asDict()["_key"]}=${r.asDict()["status"]}`).sort();
  const delta = (await p.admin.query("SELECT _key, status FROM main.demo.orders")).map((r) => `${r["_key"]}=${r["status"]}`).sort();
  const matches = JSON.stringify(coll) === JSON.stringify(delta);
  out.text(`${changes} changes (insert/update/delete) applied from the change stream; collection has ${collectionCount} documents, main.demo.orders has ${deltaCount} rows: ${matches ? "identical" : "DIFFERENT"}\n`);
  out.text(await (await session.read.format("databricks").options({ ...p.dbx, query: "SELECT _key, amount, status FROM main.demo.orders ORDER BY _key LIMIT 5" }).load()).showString(5));
  out.event("syncDone", { table: "main.demo.orders", snapshotRows: handle.snapshot.rows, changes: handle.changesApplied, collectionCount, deltaCount, matches });
  return { snapshotRows: handle.snapshot.rows, changes: handle.changesApplied, collectionCount, deltaCount, matches };
}

/** Runs the whole demo; the peers are closed afterwards unless `keepRunning`. */
export async function runDemo(io: Io, signal: AbortSignal, opts: { json?: boolean; keepRunning?: boolean; ui?: JobMonitor } = {}): Promise<DemoSummary> {
  const started = Date.now();
  const out = new Out(io, opts.ui ? opts.ui.progressFor(io, !!opts.json) : Progress.for(io, !!opts.json), opts.ui);
  const dir = await mkdtemp(join(tmpdir(), "mmspark-demo-"));
  out.text("starting local GDN and local Databricks SQL warehouse (in this process, no accounts)...\n");
  const peers = await startPeers();
  const session = createSession(opts.ui ? { logger: opts.ui.tapLogger(silentLogger) } : {});
  out.text(`  GDN       ${peers.gdn.url}\n  warehouse http://${peers.dbx.host}:${peers.dbx.port}${peers.dbx.httpPath}\n`);
  out.event("peers", { gdn: peers.gdn.url, warehouse: `http://${peers.dbx.host}:${peers.dbx.port}${peers.dbx.httpPath}` });
  try {
    const c = await collectionToDelta(peers, session, out);
    const s = await streamToDelta(peers, session, out, join(dir, "clicks"), signal);
    const y = await cdcSync(peers, session, out, join(dir, "orders-sync"), signal);
    const r = await reverseSync(peers, session, out, join(dir, "status-totals"));
    const summary: DemoSummary = { collectionToDelta: c, streamToDelta: s, cdcSync: y, reverseSync: r, elapsedMs: Date.now() - started };
    out.text(`\ndone in ${(summary.elapsedMs / 1000).toFixed(1)} s\n`);
    out.event("summary", { ...summary });
    if (opts.keepRunning && !signal.aborted) {
      io.err(`local peers still up: regionUrl=${peers.gdn.url} host=${peers.dbx.host} port=${peers.dbx.port} httpPath=${peers.dbx.httpPath} useTls=false (token: see 'mmspark local up'); Ctrl-C to stop\n`);
      await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener("abort", () => r(), { once: true })));
    }
    return summary;
  } finally {
    await session.stop();
    await peers.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export const demoCommand: Command = {
  name: "demo",
  summary: "run the main job on local peers: collection -> Delta, stream -> Delta, CDC sync, Delta -> collection",
  help: HELP,
  async run(argv, io, signal) {
    const { values } = parse(argv, { json: { type: "boolean" }, "keep-running": { type: "boolean" }, ...UI_FLAGS }, HELP, false);
    const ui = await startJobUi(values, io, { name: "demo", kind: "demo" }, HELP);
    try {
      await runDemo(io, signal, { json: !!values.json, keepRunning: !!values["keep-running"], ...(ui ? { ui: ui.monitor } : {}) });
    } finally {
      await ui?.close();
    }
    return EXIT_OK;
  },
};
