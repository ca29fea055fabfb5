/**
 * Collection → Delta through the session: local-gdn (Macrometa) → format("databricks") →
 * local-warehouse, through the real @databricks/sql driver. A second run with mergeKeys=_key
 * upserts instead of duplicating; reading the table back through format("databricks") closes
 * the loop.
 */
import "@macrometa-spark/collection";
import { CaseInsensitiveOptions, createSession, type SparkSession } from "@macrometa-spark/core";
import { DatabricksConnection, parseConnectionOptions } from "@macrometa-spark/databricks";
import { startLocalGdn } from "@macrometa-spark/local-gdn";
import { startLocalWarehouse } from "@macrometa-spark/local-warehouse";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { afterAll, beforeAll, expect, it } from "vitest";

let gdn: Awaited<ReturnType<typeof startLocalGdn>>;
let wh: Awaited<ReturnType<typeof startLocalWarehouse>>;
let client: GdnHttpClient;
let session: SparkSession;
let gdnOpts: Record<string, string | number>;
let dbOpts: Record<string, string | number | boolean | undefined>;

async function seed(docs: Record<string, unknown>[]): Promise<void> {
  const r = await client.importDocuments("people", docs.map((d) => JSON.stringify(d)));
  expect(r.errors).toBe(0);
}

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  wh = await startLocalWarehouse({ port: 0 });
  client = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey });
  await client.createCollection("people");
  gdnOpts = { regionUrl: gdn.url, apiKey: `apikey ${gdn.apiKey}`, collection: "people" };
  dbOpts = { host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: false, catalog: "main", schema: "e2e" };
  session = createSession();
  // The schema the sink writes into must exist (the sink creates tables, not schemas).
  const admin = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions({ ...dbOpts, schema: undefined })));
  await admin.execute("CREATE SCHEMA IF NOT EXISTS main.e2e");
  await admin.close();
});

afterAll(async () => {
  await session?.stop();
  await client?.close();
  await gdn?.close();
  await wh?.close();
});

it("moves a collection into a Delta table, then upserts on _key without duplicates", async () => {
  await seed([
    { _key: "a", name: "Ada", age: 36, tags: ["x", "y"], addr: { city: "London" } },
    { _key: "b", name: "Bob's \"quoted\" name\\", age: 41, tags: [], addr: { city: "Paris" } },
  ]);
  const first = await session.read.format("com.macrometa.spark.collection").options(gdnOpts).load();
  await first.write.format("databricks").options({ ...dbOpts, table: "people", mergeKeys: "_key" }).mode("append").save();

  await client.importDocuments("people", [JSON.stringify({ _key: "c", name: "Cy", age: 7, tags: ["z"], addr: { city: "Nice" } }), JSON.stringify({ _key: "a", name: "Ada", age: 37, tags: ["x", "y"], addr: { city: "London" } })], { replace: true });
  const second = await session.read.format("com.macrometa.spark.collection").options(gdnOpts).load();
  await second.write.format("databricks").options({ ...dbOpts, table: "people", mergeKeys: "_key" }).mode("append").save();

  const back = await session.read.format("databricks").options({ ...dbOpts, table: "people" }).load();
  const rows = (await back.collect()).map((r) => r.asDict() as Record<string, unknown>).sort((x, y) => String(x["_key"]).localeCompare(String(y["_key"])));
  expect(rows.map((r) => r["_key"])).toEqual(["a", "b", "c"]);
  expect(rows[1]!["name"]).toBe("Bob's \"quoted\" name\\");
  expect(rows[0]!["tags"]).toEqual(["x", "y"]);
  expect(Number(rows[0]!["age"])).toBe(37);
  expect((rows[2]!["addr"] as Record<string, unknown>)["city"]).toBe("Nice");
});
