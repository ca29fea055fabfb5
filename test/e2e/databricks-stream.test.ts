/**
 * Stream → Delta through the session: messages published to a local-gdn stream are read with
 * `readStream.format("com.macrometa.spark.stream")` and written with `writeStream.format("databricks")`
 * into local-warehouse (real @databricks/sql driver). A restart from the same checkpoint adds no
 * duplicate, and every applied epoch is recorded once in the commits table.
 */
import "@macrometa-spark/stream";
import { LongType, StringType, StructField, StructType } from "@macrometa-spark/core";
import { beforeAll, expect, it } from "vitest";
import { usePeers } from "../../packages/cli/test/support/peers.js";

const peers = usePeers({ schema: "e2s", dir: "mm-dbx-stream-", session: true });
let topic: string;
const schema = new StructType([new StructField("id", LongType), new StructField("event", StringType)]);

beforeAll(async () => {
  topic = await peers.http.createStream("events", false);
});

async function runOnce(): Promise<void> {
  const df = await peers.session.readStream
    .format("com.macrometa.spark.stream")
    .schema(schema)
    .options({ regionUrl: peers.gdn.url, apiKey: `apikey ${peers.gdn.apiKey}`, stream: "events", replication: "local", subscriptionName: "to-delta", startingPosition: "earliest" })
    .load();
  const q = await df.writeStream
    .format("databricks")
    .options({ host: peers.wh.host, port: peers.wh.port, httpPath: peers.wh.path, token: peers.wh.token, useTls: false, catalog: "main", schema: "e2s", table: "events" })
    .option("checkpointLocation", peers.dir)
    .trigger({ availableNow: true })
    .start();
  // availableNow stops by itself once the stream is drained; a failure rejects here.
  expect(await q.awaitTermination(30_000)).toBe(true);
}

it("moves stream messages into a Delta table exactly once across a restart", async () => {
  for (let i = 1; i <= 5; i++) await peers.http.publish(topic, JSON.stringify({ id: i, event: `e${i}` }), false);
  await runOnce();
  for (let i = 6; i <= 8; i++) await peers.http.publish(topic, JSON.stringify({ id: i, event: `e${i}` }), false);
  await runOnce();
  const rows = await peers.admin.query("SELECT id, event FROM main.e2s.events ORDER BY id");
  expect(rows.map((r) => Number(r["id"]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  const commits = await peers.admin.query("SELECT epoch_id, count(*) AS n FROM main.e2s._mm_commits GROUP BY epoch_id");
  expect(commits.every((r) => Number(r["n"]) === 1)).toBe(true);
});
