/** The collection format end to end through the session: read with inference and modes, write with save modes. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryLogger, createSession } from "@macrometa-spark/core";
import "@macrometa-spark/collection";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { startLocalGdn } from "@macrometa-spark/local-gdn";

const FORMAT = "com.macrometa.spark.collection.MacrometaTableProvider";
let gdn: Awaited<ReturnType<typeof startLocalGdn>>;
let client: GdnHttpClient;
let conn: Record<string, string>;

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  client = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey });
  conn = { regionUrl: gdn.url, apiKey: `apikey ${gdn.apiKey}` };
  await client.createCollection("people");
  const docs: string[] = [];
  for (let i = 0; i < 50; i++) docs.push(i % 10 < 6 ? `{"_key":"p${i}","name":"n${i}","age":${i}}` : i % 10 < 9 ? `{"_key":"p${i}","name":"n${i}","city":"Oslo"}` : `{"_key":"p${i}","x":1.5}`);
  docs.push(`{"_key":"pbig","name":"big","age":9223372036854775807}`);
  const r = await client.importDocuments("people", docs);
  expect(r.errors).toBe(0);
});
afterAll(async () => {
  await client?.close();
  await gdn?.close();
});

describe("collection format through the session", () => {
  it("reads the most common shape, reports rejected documents, and copies the rows to another collection", async () => {
    const logger = createMemoryLogger();
    const session = createSession({ logger });
    const df = await session.read.format(FORMAT).options({ ...conn, collection: "people" }).load();
    expect(df.schema.simpleString()).toBe("struct<_id:string,_key:string,_rev:string,age:bigint,name:string>");
    const rows = await df.collect();
    expect(rows).toHaveLength(31);
    expect(df.metrics?.get("rejectedRecords")).toBe(20);
    expect(rows.find((r) => r.get("_key") === "pbig")?.get("age")).toBe(9223372036854775807n);

    const written = await df.select("_key", "name", "age").write.format("com.macrometa.spark.collection").mode("overwrite").options({ ...conn, collection: "people_copy" }).save();
    expect(written).toBe(31);
    expect(await client.collectionCount("people_copy")).toBe(31);
    const back = await session.read.format(FORMAT).options({ ...conn, collection: "people_copy", mode: "FAILFAST" }).load();
    expect(await back.count()).toBe(31);
    const secret = gdn.apiKey.split(".").pop()!;
    expect(JSON.stringify(logger.events)).not.toContain(secret);
  });

  it("fails before any data moves when an option is wrong, naming it", async () => {
    const session = createSession();
    const err = (await session.read.format(FORMAT).options({ ...conn, collection: "people", batchSize: "0" }).load().catch((e: unknown) => e)) as Error;
    expect(err.message).toContain("option 'batchSize'");
  });
});
