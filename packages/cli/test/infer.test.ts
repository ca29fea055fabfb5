/**
 * `mmspark infer` against local-gdn: the four renderings of an inferred collection schema (the
 * most-common shape wins, a bigint beyond 2^53 keeps LongType), a stream's schema peeked without
 * consuming, and usage errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalGdn } from "@macrometa-spark/local-gdn";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import "../src/commands/register.js";
import { main } from "../src/main.js";
import { capture } from "./support/capture.js";

let gdn: Awaited<ReturnType<typeof startLocalGdn>>;
let http: GdnHttpClient;

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  http = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey });
  await http.createCollection("users");
  const texts = [
    ...Array.from({ length: 6 }, (_, i) => `{"_key":"u${i}","name":"n${i}","id":${i === 0 ? "9007199254740993" : i},"tags":["a"],"geo":{"lat":1.5,"lon":2.5}}`),
    `{"_key":"v1","name":"other","score":1.0}`,
  ];
  expect((await http.importDocuments("users", texts)).errors).toBe(0);
});

afterAll(async () => {
  await http?.close();
  await gdn?.close();
});


describe("mmspark infer", () => {
  it("prints simpleString, printSchema, JSON Schema and a TypeScript interface for a collection", async () => {
    const c = capture();
    const code = await main(["infer", "--format", "com.macrometa.spark.collection", "--option", `regionUrl=${gdn.url}`, "--option", `apiKey=${gdn.apiKey}`, "--option", "collection=users", "--schema-sample-size", "7"], c.io, new AbortController().signal);
    expect(c.err()).toBe("");
    expect(code).toBe(0);
    const text = c.out();
    expect(text).toContain("struct<_id:string,_key:string,_rev:string,geo:struct<lat:double,lon:double>,id:bigint,name:string,tags:array<string>>");
    expect(text).toContain(" |-- geo: struct (nullable = true)\n |    |-- lat: double (nullable = true)");
    expect(text).toContain("export interface Users {");
    expect(text).toContain("tags?: (string | null)[] | null;");
    expect(text).toContain("id?: number | bigint | null;"); // values beyond 2^53 arrive as bigint

    const j = capture();
    expect(await main(["infer", "--json", "--name", "user record", "--format", "com.macrometa.spark.collection", "--option", `regionUrl=${gdn.url}`, "--option", `apiKey=${gdn.apiKey}`, "--option", "collection=users"], j.io, new AbortController().signal)).toBe(0);
    const r = JSON.parse(j.out()) as { simpleString: string; jsonSchema: { title: string; properties: Record<string, unknown> }; typescript: string };
    expect(r.jsonSchema.title).toBe("UserRecord");
    expect(Object.keys(r.jsonSchema.properties)).toEqual(["_id", "_key", "_rev", "geo", "id", "name", "tags"]);
    expect(r.typescript).toContain("export interface UserRecord");
    expect(r.typescript).toMatch(/geo\?:/);
  });

  it("peeks a stream's schema without consuming it", async () => {
    const topic = await http.createStream("evts", false);
    await http.publish(topic, JSON.stringify({ id: 1, kind: "click", at: "2024-01-01T00:00:00Z" }), false);
    const c = capture();
    expect(await main(["infer", "--format", "com.macrometa.spark.stream", "--option", `regionUrl=${gdn.url}`, "--option", `apiKey=${gdn.apiKey}`, "--option", "stream=evts", "--option", "replication=local"], c.io, new AbortController().signal)).toBe(0);
    // A stream read with an inferred schema evolves (addNewColumns) and carries the rescued-data column.
    expect(c.out()).toContain("struct<at:string,id:bigint,kind:string,_rescued_data:string>");
    expect(c.out()).toContain(" |-- _rescued_data: string (nullable = true)");
    expect(c.out()).toContain("export interface Evts {");
    // With schemaEvolutionMode none there is none.
    const none = capture();
    expect(await main(["infer", "--format", "com.macrometa.spark.stream", "--option", `regionUrl=${gdn.url}`, "--option", `apiKey=${gdn.apiKey}`, "--option", "stream=evts", "--option", "replication=local", "--option", "schemaEvolutionMode=none"], none.io, new AbortController().signal)).toBe(0);
    expect(none.out()).toContain("struct<at:string,id:bigint,kind:string>\n");
  });

  it("shows a collection's rescued-data column when the read asks for one", async () => {
    const c = capture();
    expect(await main(["infer", "--format", "com.macrometa.spark.collection", "--option", `regionUrl=${gdn.url}`, "--option", `apiKey=${gdn.apiKey}`, "--option", "collection=users", "--option", "rescuedDataColumn=_rescued_data"], c.io, new AbortController().signal)).toBe(0);
    expect(c.out()).toMatch(/struct<_id:string,.*,tags:array<string>,_rescued_data:string>/);
    expect(c.out()).toContain(" |-- _rescued_data: string (nullable = true)");
  });

  it("reports usage errors with exit 2 and option errors with exit 1", async () => {
    const a = capture();
    expect(await main(["infer", "--option", "a=b"], a.io, new AbortController().signal)).toBe(2);
    expect(a.err()).toContain("--format is required");
    expect(await main(["infer", "--format", "json", "--option", "novalue"], capture().io, new AbortController().signal)).toBe(2);
    expect(await main(["infer", "--format", "json", "--schema-sample-size", "0"], capture().io, new AbortController().signal)).toBe(2);
    const b = capture();
    expect(await main(["infer", "--format", "com.macrometa.spark.collection", "--option", `regionUrl=${gdn.url}`, "--option", `apiKey=${gdn.apiKey}`], b.io, new AbortController().signal)).toBe(1);
    expect(b.err()).toMatch(/collection/);
    expect(b.err()).not.toContain(gdn.apiKey);
  });
});
