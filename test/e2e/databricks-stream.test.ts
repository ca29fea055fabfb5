/**
 * Stream → Delta through the session: messages published to a local-gdn stream are read with
 * `readStream.format("com.macrometa.spark.stream")` and written with `writeStream.format("databricks")`
 * into local-warehouse (real @databricks/sql driver). A restart from the same checkpoint adds no
 * duplicate, and every applied epoch is recorded once in the commits table.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import "@macrometa-spark/stream";
import { CaseInsensitiveOptions, LongType, StringType, StructField, StructType, createSession, type SparkSession } from "@macrometa-spark/core";
import { DatabricksConnection, parseConnectionOptions } from "@macrometa-spark/databricks";
import { startLocalGdn } from "@macrometa-spark/local-gdn";
import { startLocalWarehouse } from "@macrometa-spark/local-warehouse";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { afterAll, beforeAll, expect, it } from "vitest";

let gdn: Awaited<ReturnType<typeof startLocalGdn>>;
let wh: Awaited<ReturnType<typeof startLocalWarehouse>>;
let client: GdnHttpClient;
let admin: DatabricksConnection;
let session: SparkSession;
let checkpoint: string;
let topic: string;
const schema = new StructType([new StructField("id", LongType), new StructField("event", StringType)]);

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  wh = await startLocalWarehouse({ port: 0 });
  client = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey });
  topic = await client.createStream("events", false);
  admin = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions({ host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: false })));
  await admin.execute("CREATE SCHEMA IF NOT EXISTS main.e2s");
  checkpoint = mkdtempSync(join(tmpdir(), "mm-dbx-stream-"));
  session = createSession();
});

afterAll(async () => {
  await session?.stop();
  await admin?.close();
  await client?.close();
  await gdn?.close();
  await wh?.close();
  if (checkpoint) rmSync(checkpoint, { recursive: true, force: true });
});

async function runOnce(): Promise<void> {
  const df = await session.readStream
    .format("com.macrometa.spark.stream")
    .schema(schema)
    .options({ regionUrl: gdn.url, apiKey: `apikey ${gdn.apiKey}`, stream: "events", replication: "local", subscriptionName: "to-delta", startingPosition: "earliest" })
    .load();
  const q = await df.writeStream
    .format("databricks")
    .options({ host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: false, catalog: "main", schema: "e2s", table: "events" })
    .option("checkpointLocation", checkpoint)
    .trigger({ availableNow: true })
    .start();
  // availableNow stops by itself once the stream is drained; a failure rejects here.
  expect(await q.awaitTermination(30_000)).toBe(true);
}

it("moves stream messages into a Delta table exactly once across a restart", async () => {
  for (let i = 1; i <= 5; i++) await client.publish(topic, JSON.stringify({ id: i, event: `e${i}` }), false);
  await runOnce();
  for (let i = 6; i <= 8; i++) await client.publish(topic, JSON.stringify({ id: i, event: `e${i}` }), false);
  await runOnce();
  const rows = await admin.query("SELECT id, event FROM main.e2s.events ORDER BY id");
  expect(rows.map((r) => Number(r["id"]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  const commits = await admin.query("SELECT epoch_id, count(*) AS n FROM main.e2s._mm_commits GROUP BY epoch_id");
  expect(commits.every((r) => Number(r["n"]) === 1)).toBe(true);
});
