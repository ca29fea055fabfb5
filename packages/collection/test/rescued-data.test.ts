/**
 * Collection reads with `rescuedDataColumn`: documents that do not fit the schema are kept, with
 * what does not fit as one JSON object in the rescued-data column, instead of being dropped.
 * The content follows Databricks Auto Loader's rescued data column (docs.databricks.com → Auto
 * Loader → "Configure schema inference and evolution" → "What is the rescued data column?"):
 * fields not in the schema and values of another type, plus the record's origin — Auto Loader's
 * `_file_path`, here the document's `_key`.
 * Real peer: local-gdn, through the session.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, silentLogger, type SparkSession } from "@macrometa-spark/core";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { startLocalGdn } from "@macrometa-spark/local-gdn";
import "../src/index.js";

let gdn: Awaited<ReturnType<typeof startLocalGdn>>;
let client: GdnHttpClient;
let session: SparkSession;
let base: Record<string, string>;

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  client = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey });
  session = createSession({ logger: silentLogger });
  base = { regionUrl: gdn.url, apiKey: gdn.apiKey, collection: "drifting" };
  await client.createCollection("drifting");
  const docs = [
    { _key: "a", name: "x", n: 1, addr: { city: "Oslo" } },
    { _key: "b", name: "y", n: 2, addr: { city: "Rome" } },
    // a retyped value, a new field, and a new field inside a struct
    { _key: "c", name: "z", n: "three", added: { deep: true }, addr: { city: "Lima", zip: 15001 } },
    // a number whose spelling matters, and a case-variant of a column
    '{"_key":"d","name":"w","n":1.50,"Name":"W","addr":null}',
  ];
  const r = await client.importDocuments("drifting", docs.map((d) => (typeof d === "string" ? d : JSON.stringify(d))));
  expect(r.errors).toBe(0);
});
afterAll(async () => {
  await session?.stop();
  await client?.close();
  await gdn?.close();
});

const byKey = (rows: Record<string, unknown>[]) => Object.fromEntries(rows.map((r) => [r["_key"], r]));

describe("rescuedDataColumn on collection reads", () => {
  it("keeps every document of an inferred schema; what does not fit goes to _rescued_data with the document's _key", async () => {
    // The sample (two documents) decides the schema; without the option, c and d would be rejected (DROPMALFORMED).
    const plain = await session.read.format("com.macrometa.spark.collection").options({ ...base, schemaSampleSize: "2" }).load();
    expect(await plain.count()).toBe(2);

    const df = await session.read.format("com.macrometa.spark.collection").options({ ...base, schemaSampleSize: "2", rescuedDataColumn: "_rescued_data" }).load();
    expect(df.schema.fieldNames).toEqual(["_id", "_key", "_rev", "addr", "n", "name", "_rescued_data"]);
    const rows = byKey((await df.collect()).map((r) => r.asDict()));
    expect(Object.keys(rows).sort()).toEqual(["a", "b", "c", "d"]);
    expect(rows["a"]!["_rescued_data"]).toBeNull();
    expect(rows["c"]!["n"]).toBeNull();
    expect(rows["c"]!["addr"]).toEqual({ city: "Lima" });
    expect(JSON.parse(String(rows["c"]!["_rescued_data"]))).toEqual({ n: "three", added: { deep: true }, addr: { zip: 15001 }, _key: "c" });
    // The value keeps its JSON spelling (1.50, not 1.5); a case-variant of a column is rescued, as Auto Loader does.
    expect(rows["d"]!["_rescued_data"]).toBe('{"n":1.50,"Name":"W","_key":"d"}');
    expect(df.metrics?.get("rescuedRecords")).toBe(2);
    expect(df.metrics?.samplesOf("rescuedRecords").map((s) => s.key)).toEqual(["c", "d"]);
    expect(df.metrics?.get("rejectedRecords")).toBe(0);
  });

  it("adds the column to a user's schema too; the GDN's _id, _rev and _key are never rescued", async () => {
    const df = await session.read
      .format("com.macrometa.spark.collection")
      .schema("name STRING, n BIGINT")
      .options({ ...base, rescuedDataColumn: "leftovers" })
      .load();
    expect(df.schema.simpleString()).toBe("struct<name:string,n:bigint,leftovers:string>");
    const rows = (await df.collect()).map((r) => r.toArray());
    expect(rows.map((r) => [r[0], r[1], r[2] === null ? null : JSON.parse(String(r[2]))])).toEqual([
      ["x", 1, { addr: { city: "Oslo" }, _key: "a" }],
      ["y", 2, { addr: { city: "Rome" }, _key: "b" }],
      ["z", null, { n: "three", added: { deep: true }, addr: { city: "Lima", zip: 15001 }, _key: "c" }],
      ["w", null, { n: 1.5, Name: "W", _key: "d" }],
    ]);
  });

  it("is refused on writes, naming the option", async () => {
    const df = session.createDataFrame([{ a: 1 }], "a BIGINT");
    await expect(df.write.format("com.macrometa.spark.collection").mode("append").options({ ...base, collection: "out", rescuedDataColumn: "_r" }).save()).rejects.toThrow(/rescuedDataColumn.*reads only/);
  });
});
