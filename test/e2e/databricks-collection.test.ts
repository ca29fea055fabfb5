/**
 * Collection → Delta through the session: local-gdn (Macrometa) → format("databricks") →
 * local-warehouse, through the real @databricks/sql driver. A second run with mergeKeys=_key
 * upserts instead of duplicating; reading the table back through format("databricks") closes
 * the loop.
 */
import "@macrometa-spark/collection";
import { beforeAll, expect, it } from "vitest";
import { usePeers } from "../../packages/cli/test/support/peers.js";

const peers = usePeers({ schema: "e2e", session: true });
let gdnOpts: Record<string, string | number>;

async function seed(docs: Record<string, unknown>[]): Promise<void> {
  const r = await peers.http.importDocuments("people", docs.map((d) => JSON.stringify(d)));
  expect(r.errors).toBe(0);
}

beforeAll(async () => {
  await peers.http.createCollection("people");
  gdnOpts = { regionUrl: peers.gdn.url, apiKey: `apikey ${peers.gdn.apiKey}`, collection: "people" };
});

it("moves a collection into a Delta table, then upserts on _key without duplicates", async () => {
  await seed([
    { _key: "a", name: "Ada", age: 36, tags: ["x", "y"], addr: { city: "London" } },
    { _key: "b", name: "Bob's \"quoted\" name\\", age: 41, tags: [], addr: { city: "Paris" } },
  ]);
  const first = await peers.session.read.format("com.macrometa.spark.collection").options(gdnOpts).load();
  await first.write.format("databricks").options({ ...peers.dbx, table: "people", mergeKeys: "_key" }).mode("append").save();

  await peers.http.importDocuments("people", [JSON.stringify({ _key: "c", name: "Cy", age: 7, tags: ["z"], addr: { city: "Nice" } }), JSON.stringify({ _key: "a", name: "Ada", age: 37, tags: ["x", "y"], addr: { city: "London" } })], { replace: true });
  const second = await peers.session.read.format("com.macrometa.spark.collection").options(gdnOpts).load();
  await second.write.format("databricks").options({ ...peers.dbx, table: "people", mergeKeys: "_key" }).mode("append").save();

  const back = await peers.session.read.format("databricks").options({ ...peers.dbx, table: "people" }).load();
  const rows = (await back.collect()).map((r) => r.asDict() as Record<string, unknown>).sort((x, y) => String(x["_key"]).localeCompare(String(y["_key"])));
  expect(rows.map((r) => r["_key"])).toEqual(["a", "b", "c"]);
  expect(rows[1]!["name"]).toBe("Bob's \"quoted\" name\\");
  expect(rows[0]!["tags"]).toEqual(["x", "y"]);
  expect(Number(rows[0]!["age"])).toBe(37);
  expect((rows[2]!["addr"] as Record<string, unknown>)["city"]).toBe("Nice");
});
