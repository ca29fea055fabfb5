/**
 * Schema drift, stream → Delta: messages gain a field and change a field's type while the query
 * runs; in each `schemaEvolutionMode` every value ends in the Delta table (a new column or the
 * rescued-data JSON), or the query stops naming the field, or the drop is counted.
 *
 * The expectations follow Databricks Auto Loader (docs.databricks.com → Ingest → Auto Loader →
 * "Configure schema inference and evolution in Auto Loader"): the rescued-data column holds the
 * fields not in the schema and the values of another type as one JSON object, plus the record's
 * origin (Auto Loader's `_file_path`; ours `_messageId`); addNewColumns adds new fields as
 * columns and never retypes one; failOnNewColumns stops the stream. Unlike Auto Loader, addNewColumns
 * here evolves between micro-batches without a restart.
 * Real peers: local-gdn (streams), local-warehouse (the @databricks/sql driver over Thrift).
 */
import { join } from "node:path";
import "@macrometa-spark/databricks";
import "@macrometa-spark/stream";
import type { StreamingQuery } from "@macrometa-spark/core";
import { StreamConsumer, messageText, resolveTopic } from "@macrometa-spark/macrometa-client";
import { describe, expect, it } from "vitest";
import { usePeers } from "../../packages/cli/test/support/peers.js";

const peers = usePeers({ schema: "drift", volume: "staging", dir: "mm-drift-", session: true });
let seq = 0;

const PHASE_1 = [
  { id: 1, event: "a", amount: 10 },
  { id: 2, event: "b", amount: 20 },
];
/** A new field. */
const PHASE_2 = [{ id: 3, event: "c", amount: 30, region: "eu" }];
/** A value of another type (amount was inferred bigint) beside the new field. */
const PHASE_3 = [{ id: 4, event: "d", amount: "n/a", region: "us" }];

async function newStream(): Promise<{ name: string; topic: string }> {
  const name = `drift${++seq}`;
  return { name, topic: await peers.http.createStream(name, false) };
}

async function publish(topic: string, docs: object[]): Promise<void> {
  for (const d of docs) await peers.http.publish(topic, JSON.stringify(d), false);
}

interface Run {
  query: StreamingQuery;
  table: string;
}

async function start(stream: string, table: string, source: Record<string, string> = {}, sink: Record<string, string | boolean> = {}, checkpoint?: string): Promise<Run> {
  const df = await peers.session.readStream
    .format("com.macrometa.spark.stream")
    .options({ regionUrl: peers.gdn.url, apiKey: peers.gdn.apiKey, stream, replication: "local", subscriptionName: `sub-${stream}`, idleTimeoutMs: "0", ...source })
    .load();
  const query = await df.writeStream
    .format("databricks")
    .options({ host: peers.wh.host, port: peers.wh.port, httpPath: peers.wh.path, token: peers.wh.token, useTls: false, table: `main.drift.${table}`, stagingVolume: "/Volumes/main/drift/staging", ...sink })
    .option("checkpointLocation", checkpoint ?? join(peers.dir, table))
    .trigger({ processingTime: 50 })
    .start();
  return { query, table: `main.drift.${table}` };
}

/**
 * Waits until the table holds `n` rows. A message published over HTTP reaches the query's consumer
 * a moment later, so processAllAvailable right after a publish may find nothing new yet.
 */
async function until(table: string, n: number): Promise<void> {
  await expect.poll(async () => Number((await peers.admin.query(`SELECT count(*) AS n FROM ${table}`).catch(() => [{ n: 0 }]))[0]!["n"]), { timeout: 20_000, interval: 50 }).toBe(n);
}

async function columns(table: string): Promise<string[]> {
  return (await peers.admin.query(`DESCRIBE TABLE ${table}`)).map((r) => String(r["col_name"])).filter((n) => n !== "" && !n.startsWith("#"));
}

async function rows(table: string): Promise<Record<string, unknown>[]> {
  return peers.admin.query(`SELECT * FROM ${table} ORDER BY id`);
}

function rescued(row: Record<string, unknown>): Record<string, unknown> | null {
  const v = row["_rescued_data"];
  return v === null || v === undefined ? null : (JSON.parse(String(v)) as Record<string, unknown>);
}

describe("schemaEvolutionMode addNewColumns (the default for an inferred schema)", () => {
  for (const writeMethod of ["volume", "insert"] as const) {
    it(`widens the table between micro-batches without a restart (writeMethod ${writeMethod}); a retyped value is rescued`, { timeout: 60_000 }, async () => {
      const { name, topic } = await newStream();
      await publish(topic, PHASE_1);
      const { query, table } = await start(name, `add_${writeMethod}`, {}, { writeMethod });
      try {
        await until(table, 2);
        expect(await columns(table)).toEqual(["amount", "event", "id", "_rescued_data"]);
        await publish(topic, PHASE_2);
        await until(table, 3);
        expect(await columns(table)).toEqual(["amount", "event", "id", "_rescued_data", "region"]);
        await publish(topic, PHASE_3);
        await until(table, 4);
      } finally {
        await query.stop();
      }
      expect(query.exception).toBeUndefined();
      const got = await rows(table);
      expect(got.map((r) => [Number(r["id"]), r["event"], r["amount"] === null ? null : Number(r["amount"]), r["region"]])).toEqual([
        [1, "a", 10, null],
        [2, "b", 20, null],
        [3, "c", 30, "eu"],
        [4, "d", null, "us"],
      ]);
      expect(got.slice(0, 3).map(rescued)).toEqual([null, null, null]);
      // Auto Loader keeps the value that did not fit, with its origin (ours: the message id).
      expect(rescued(got[3]!)).toEqual({ amount: "n/a", _messageId: expect.stringMatching(/^\d+:\d+/) });
      const metrics = query.recentProgress.at(-1)!.sources[0]!.metrics;
      expect(metrics.rescuedMessages).toBeGreaterThanOrEqual(1);
    });
  }
});

describe("schemaEvolutionMode rescue (the default for a user's schema)", () => {
  it("keeps the table's columns and puts the new field and the retyped value into _rescued_data", { timeout: 60_000 }, async () => {
    const { name, topic } = await newStream();
    await publish(topic, PHASE_1);
    const { query, table } = await start(name, "rescue", { schemaEvolutionMode: "rescue" });
    try {
      await until(table, 2);
      await publish(topic, [...PHASE_2, ...PHASE_3]);
      await until(table, 4);
    } finally {
      await query.stop();
    }
    expect(query.exception).toBeUndefined();
    expect(await columns(table)).toEqual(["amount", "event", "id", "_rescued_data"]);
    const got = await rows(table);
    expect(got.map((r) => [Number(r["id"]), r["amount"] === null ? null : Number(r["amount"])])).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
      [4, null],
    ]);
    expect(got.map(rescued)).toEqual([
      null,
      null,
      { region: "eu", _messageId: expect.any(String) },
      { amount: "n/a", region: "us", _messageId: expect.any(String) },
    ]);
  });

  it("is what a user's schema gets without asking", { timeout: 60_000 }, async () => {
    const { name, topic } = await newStream();
    await publish(topic, [...PHASE_1, ...PHASE_2]);
    const df = await peers.session.readStream
      .format("com.macrometa.spark.stream")
      .schema("id BIGINT, event STRING")
      .options({ regionUrl: peers.gdn.url, apiKey: peers.gdn.apiKey, stream: name, replication: "local", subscriptionName: "user-schema", idleTimeoutMs: "0" })
      .load();
    expect(df.schema.simpleString()).toBe("struct<id:bigint,event:string,_rescued_data:string>");
    const out: unknown[][] = [];
    const q = await df.writeStream
      .foreachBatch(async (batch) => {
        for (const r of await batch.collect()) out.push(r.toArray());
      })
      .option("checkpointLocation", join(peers.dir, "user-schema"))
      .trigger({ availableNow: true })
      .start();
    await q.awaitTermination(20_000);
    expect(out.map((r) => [r[0], r[1], r[2] === null ? null : JSON.parse(String(r[2]))])).toEqual([
      [1, "a", { amount: 10, _messageId: expect.any(String) }],
      [2, "b", { amount: 20, _messageId: expect.any(String) }],
      [3, "c", { amount: 30, region: "eu", _messageId: expect.any(String) }],
    ]);
  });
});

describe("schemaEvolutionMode failOnNewColumns", () => {
  it("stops the query naming the field and the message, acknowledges nothing of that batch, and a restart in rescue mode loses nothing", { timeout: 60_000 }, async () => {
    const { name, topic } = await newStream();
    await publish(topic, PHASE_1);
    const checkpoint = join(peers.dir, "fail");
    const { query, table } = await start(name, "fail", { schemaEvolutionMode: "failOnNewColumns" }, {}, checkpoint);
    await until(table, 2);
    await publish(topic, PHASE_2);
    await expect(query.awaitTermination(20_000)).rejects.toThrow(/message \d+:\d+\S* has field\(s\) region that are not in the schema/);
    expect(query.isActive).toBe(false);
    expect((await rows(table)).map((r) => Number(r["id"]))).toEqual([1, 2]);
    // Nothing of the failed batch was acknowledged: the subscription still delivers it first.
    const c = await StreamConsumer.subscribe({ wsBase: peers.gdn.wsUrl, apiKey: peers.gdn.apiKey, idleTimeoutMs: 0, topic: resolveTopic({ tenant: peers.gdn.tenant, name, replication: "local" }), subscription: `sub-${name}` });
    const first = await c.receive(5000);
    expect(first && JSON.parse(messageText(first))).toEqual(PHASE_2[0]);
    await c.close();

    // The user decides: restarted from the same checkpoint in rescue mode, the batch moves with nothing lost.
    await publish(topic, PHASE_3);
    // rescue adds the rescued-data column, which the table (made under failOnNewColumns) lacks: the
    // sink adds it when told to (schemaEvolution), as its error says.
    const again = await start(name, "fail", { schemaEvolutionMode: "rescue" }, { schemaEvolution: true }, checkpoint);
    try {
      await until(table, 4);
    } finally {
      await again.query.stop();
    }
    expect(again.query.exception).toBeUndefined();
    const got = await rows(table);
    expect(got.map((r) => Number(r["id"]))).toEqual([1, 2, 3, 4]);
    expect(got.slice(2).map(rescued)).toEqual([
      { region: "eu", _messageId: expect.any(String) },
      { amount: "n/a", region: "us", _messageId: expect.any(String) },
    ]);
  });
});

describe("schemaEvolutionMode none", () => {
  it("drops fields outside the schema as before, but counts them (droppedFields) in the progress report", { timeout: 60_000 }, async () => {
    const { name, topic } = await newStream();
    await publish(topic, PHASE_1);
    const { query, table } = await start(name, "none", { schemaEvolutionMode: "none" });
    try {
      await until(table, 2);
      await publish(topic, [...PHASE_2, ...PHASE_3]);
      await until(table, 4);
    } finally {
      await query.stop();
    }
    expect(await columns(table)).toEqual(["amount", "event", "id"]);
    const metrics = query.recentProgress.at(-1)!.sources[0]!.metrics;
    expect(metrics.droppedFields).toBe(2);
    // The retyped value follows the parse mode (PERMISSIVE: null, counted as malformed).
    expect(metrics.malformedMessages).toBe(1);
    expect((await rows(table)).map((r) => [Number(r["id"]), r["amount"] === null ? null : Number(r["amount"])])).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
      [4, null],
    ]);
  });
});
