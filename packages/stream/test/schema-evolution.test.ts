/**
 * addNewColumns through the engine into the memory sink, and under a projection: the source widens
 * its schema between micro-batches, the memory table follows (earlier rows read the new column as
 * null, as Delta's ADD COLUMNS does), and a plan that selects columns keeps selecting the same ones.
 * Real peer: local-gdn.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSession, memoryTable, silentLogger, type SparkSession } from "@macrometa-spark/core";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { startLocalGdn, type LocalGdn } from "@macrometa-spark/local-gdn";
import { afterAll, beforeAll, expect, it } from "vitest";
import "../src/index.js";

let gdn: LocalGdn;
let http: GdnHttpClient;
let session: SparkSession;
let dir: string;

beforeAll(async () => {
  gdn = await startLocalGdn();
  http = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey });
  session = createSession({ logger: silentLogger });
  dir = await mkdtemp(join(tmpdir(), "mmspark-evolve-"));
});
afterAll(async () => {
  await session?.stop();
  await http?.close();
  await gdn?.close();
  await rm(dir, { recursive: true, force: true });
});

it("widens the query between micro-batches; the memory sink and a projection follow", { timeout: 60_000 }, async () => {
  const topic = await http.createStream("evolving", false);
  const publish = async (docs: object[]) => {
    for (const d of docs) await http.publish(topic, JSON.stringify(d), false);
  };
  await publish([{ i: 1, s: "a" }]);
  const df = await session.readStream.format("com.macrometa.spark.stream").options({ regionUrl: gdn.url, apiKey: gdn.apiKey, stream: "evolving", replication: "local", idleTimeoutMs: "0" }).load();
  expect(df.schema.simpleString()).toBe("struct<i:bigint,s:string,_rescued_data:string>");
  const all = await df.writeStream.format("memory").queryName("evolve_all").option("checkpointLocation", join(dir, "all")).trigger({ processingTime: 20 }).start();
  const picked = await df.select("s", "i").writeStream.format("memory").queryName("evolve_picked").option("checkpointLocation", join(dir, "picked")).trigger({ processingTime: 20 }).start();
  try {
    await expect.poll(() => memoryTable("evolve_all")?.rows.length ?? 0, { timeout: 20_000, interval: 20 }).toBe(1);
    await publish([{ i: 2, s: "b", extra: true }]);
    await expect.poll(() => memoryTable("evolve_all")?.rows.length ?? 0, { timeout: 20_000, interval: 20 }).toBe(2);
    await expect.poll(() => memoryTable("evolve_picked")?.rows.length ?? 0, { timeout: 20_000, interval: 20 }).toBe(2);
  } finally {
    await all.stop();
    await picked.stop();
  }
  expect(all.exception).toBeUndefined();
  expect(picked.exception).toBeUndefined();
  expect(memoryTable("evolve_all")!.schema.simpleString()).toBe("struct<i:bigint,s:string,_rescued_data:string,extra:boolean>");
  expect(memoryTable("evolve_all")!.rows).toEqual([
    [1, "a", null, null],
    [2, "b", null, true],
  ]);
  expect(memoryTable("evolve_picked")!.rows).toEqual([
    ["a", 1],
    ["b", 2],
  ]);
  expect(all.recentProgress.at(-1)!.sources[0]!.metrics.rescuedMessages).toBe(0);
});
