/**
 * `mmspark run job.json` in-process against local peers: a batch job (progress, rejected counts
 * with keys), a stream job stopped by the abort signal (Ctrl-C) after a committed batch, a sync
 * job with availableNow, and the exit codes for a bad spec and bad usage.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import "../src/commands/register.js";
import { main } from "../src/main.js";
import type { MmsparkJob } from "../src/index.js";
import { waitFor } from "../src/runner/watch.js";
import { capture } from "./support/capture.js";
import { usePeers } from "./support/peers.js";

const peers = usePeers({ schema: "run", dir: "mmspark-run-" });


function spec(name: string, job: MmsparkJob): string {
  const file = join(peers.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(job));
  return file;
}

const count = async (table: string) => Number((await peers.admin.query(`SELECT count(*) AS n FROM main.run.${table}`))[0]!["n"]);

it("runs a batch job: progress, rows written, rejected count with the first keys", async () => {
  await peers.http.createCollection("people");
  const docs = Array.from({ length: 12 }, (_, i) => ({ _key: `p${String(i).padStart(2, "0")}`, name: `n${i}`, age: 20 + i }));
  docs.push({ _key: "x1", name: "odd" } as never, { _key: "x2", name: "odd", age: "old" } as never);
  expect((await peers.http.importDocuments("people", docs)).errors).toBe(0);
  const file = spec("batch", {
    name: "people-to-delta",
    source: { format: "com.macrometa.spark.collection", options: { regionUrl: peers.gdn.url, apiKey: peers.gdn.apiKey, collection: "people", batchSize: 5 } },
    sink: { format: "databricks", options: { ...peers.dbx, table: "people" }, mode: "overwrite" },
  });
  const c = capture();
  expect(await main(["run", file], c.io, new AbortController().signal)).toBe(0);
  expect(c.out()).toContain("people-to-delta (batch): wrote 12 rows");
  expect(c.out()).toMatch(/rejected 2 \(rejectedRecords; first keys: x1, x2/);
  expect(c.err()).toMatch(/people-to-delta \[#+-*\] 100% 14\/14 rows/); // total known from the collection's count
  expect(await count("people")).toBe(12);

  const j = capture();
  expect(await main(["run", file, "--json"], j.io, new AbortController().signal)).toBe(0);
  const result = j.out().trim().split("\n").map((l) => JSON.parse(l)).find((e) => e.type === "result");
  expect(result).toMatchObject({ kind: "batch", rows: 12, rejectedTotal: 2 });
  // The session's warning (stderr) names the count and the first keys too.
  expect(c.err()).toMatch(/\[warn\] records did not match the schema: 2 rejectedRecords \(first keys: x1, x2/);
});

it("exits 1 when the rejected share exceeds maxRejectedFraction, or when every document was rejected", async () => {
  const source = { format: "com.macrometa.spark.collection", options: { regionUrl: peers.gdn.url, apiKey: peers.gdn.apiKey, collection: "people", maxRejectedFraction: 0.1 } };
  const strict = spec("strict", { name: "strict", source, sink: { format: "databricks", options: { ...peers.dbx, table: "strict" }, mode: "overwrite" } });
  const c = capture();
  expect(await main(["run", strict], c.io, new AbortController().signal)).toBe(1);
  expect(c.err()).toContain("strict failed: 2 of 14 records were rejected (14.3%), more than maxRejectedFraction 0.1");
  const lenient = spec("lenient", { name: "lenient", source: { ...source, options: { ...source.options, maxRejectedFraction: 0.2 } }, sink: { format: "databricks", options: { ...peers.dbx, table: "strict" }, mode: "overwrite" } });
  expect(await main(["run", lenient], capture().io, new AbortController().signal)).toBe(0);

  await peers.http.createCollection("allbad");
  expect((await peers.http.importDocuments("allbad", [{ _key: "b1", age: 1 }, { _key: "b2", age: 2 }])).errors).toBe(0);
  const none = spec("none", {
    name: "none",
    source: { format: "com.macrometa.spark.collection", options: { regionUrl: peers.gdn.url, apiKey: peers.gdn.apiKey, collection: "allbad", mode: "DROPMALFORMED" }, schema: "_key STRING, age BOOLEAN" },
    sink: { format: "databricks", options: { ...peers.dbx, table: "allbad" }, mode: "overwrite" },
  });
  const n = capture();
  expect(await main(["run", none, "--json"], n.io, new AbortController().signal)).toBe(1);
  const result = n.out().trim().split("\n").map((l) => JSON.parse(l)).find((e) => e.type === "result");
  expect(result).toMatchObject({ rows: 0, rejectedTotal: 2, failed: expect.stringContaining("every record was rejected (2)") });

  const bad = spec("bad-fraction", { name: "bad", source: { ...source, options: { ...source.options, maxRejectedFraction: 2 } }, sink: { format: "databricks", options: { ...peers.dbx, table: "strict" } } });
  const b = capture();
  expect(await main(["run", bad], b.io, new AbortController().signal)).toBe(1);
  expect(b.err()).toMatch(/maxRejectedFraction/);
});

it("runs a stream job until Ctrl-C, which commits the batch in progress and exits 0", async () => {
  const topic = await peers.http.createStream("ticks", false);
  for (let i = 1; i <= 20; i++) await peers.http.publish(topic, JSON.stringify({ id: i, v: `t${i}` }), false);
  const file = spec("stream", {
    name: "ticks-to-delta",
    kind: "stream",
    source: { format: "com.macrometa.spark.stream", options: { regionUrl: peers.gdn.url, apiKey: peers.gdn.apiKey, stream: "ticks", replication: "local", subscriptionName: "run-test" }, schema: "id BIGINT, v STRING" },
    sink: { format: "databricks", options: { ...peers.dbx, table: "ticks", mergeKeys: "id" } },
    trigger: { processingTime: 50 },
    checkpointLocation: join(peers.dir, "ticks-cp"),
  });
  const c = capture();
  const ctl = new AbortController();
  const done = main(["run", file], c.io, ctl.signal);
  await waitFor(() => /batch \d+: 20 rows/.test(c.err()), "the first batch's status line", 30_000);
  ctl.abort();
  expect(await done).toBe(0);
  expect(c.out()).toMatch(/ticks-to-delta \(stream\): 20 rows in 1 micro-batches \(stopped after committing the current batch\)/);
  expect(c.err()).toMatch(/batch 0: 20 rows, in \d+ rows\/s, processed \d+ rows\/s, \d+ ms, lag \d+ msgs/);
  expect(await count("ticks")).toBe(20);
});

it("runs a sync job to the end of the change stream with availableNow", async () => {
  await peers.http.createCollection("items", { stream: true });
  await peers.http.importDocuments("items", [{ _key: "a", q: 1 }, { _key: "b", q: 2 }, { _key: "c", q: 3 }]);
  const file = spec("sync", {
    name: "items-sync",
    kind: "sync",
    sync: { collection: { regionUrl: peers.gdn.url, apiKey: peers.gdn.apiKey, collection: "items" }, delta: { ...peers.dbx, table: "items" } },
    trigger: { availableNow: true },
    checkpointLocation: join(peers.dir, "items-cp"),
  });
  const c = capture();
  expect(await main(["run", file], c.io, new AbortController().signal)).toBe(0);
  expect(c.out()).toContain("items-sync (sync): snapshot 3 rows");
  await peers.http.insertDocument("items", { _key: "b", q: 20 }, { overwrite: true });
  await peers.http.request({ method: "DELETE", path: "/_fabric/_system/_api/document/items/a", retry: "idempotent" });
  // Change events reach the subscription asynchronously; rerun (snapshot skipped) until they are applied.
  await waitFor(async () => {
    expect(await main(["run", file], capture().io, new AbortController().signal)).toBe(0);
    const rows = await peers.admin.query("SELECT _key, q FROM main.run.items ORDER BY _key");
    return JSON.stringify(rows.map((r) => `${r["_key"]}=${Number(r["q"])}`)) === JSON.stringify(["b=20", "c=3"]);
  }, "the sync to apply an update and a delete", 30_000);
});

it("exits 1 on an invalid spec (naming the problem) and 2 on bad usage", async () => {
  const bad = join(peers.dir, "bad.json");
  writeFileSync(bad, JSON.stringify({ name: "x", kind: "stream", source: { format: "f" } }));
  const c = capture();
  expect(await main(["run", bad], c.io, new AbortController().signal)).toBe(1);
  expect(c.err()).toMatch(/invalid job spec/);
  const u = capture();
  expect(await main(["run"], u.io, new AbortController().signal)).toBe(2);
  expect(u.err()).toContain("expected exactly one job spec file");
  expect(await main(["run", bad, "--nope"], capture().io, new AbortController().signal)).toBe(2);
});
