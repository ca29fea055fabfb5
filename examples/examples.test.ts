/**
 * Every example job script runs against local peers, and every example job spec is valid (and the
 * batch one runs once its connection options point at the peers).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateJobSpec, type MmsparkJob } from "@macrometa-spark/cli";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runJob } from "@macrometa-spark/cli";
import * as cdc from "./cdc-sync.js";
import * as collectionToDelta from "./collection-to-delta.js";
import { startLocalPeers, type ExampleEnv } from "./env.js";
import * as foreachBatch from "./foreach-batch.js";
import * as streamToDelta from "./stream-to-delta.js";

let env: ExampleEnv;
let close: () => Promise<void>;
let http: GdnHttpClient;

beforeAll(async () => {
  const local = await startLocalPeers(mkdtempSync(join(tmpdir(), "mmspark-examples-")));
  env = local.env;
  close = local.close;
  http = new GdnHttpClient({ url: env.gdn.regionUrl, apiKey: env.gdn.apiKey });
});

afterAll(async () => {
  await http?.close();
  await close?.();
  if (env) rmSync(env.workDir, { recursive: true, force: true });
});

describe("job scripts", () => {
  it("collection-to-delta: infers the schema, writes the matching documents, counts the rejected one", async () => {
    await collectionToDelta.seed(env);
    const r = await collectionToDelta.main(env);
    expect(r).toEqual({ schema: "struct<_id:string,_key:string,_rev:string,city:string,name:string>", written: 3, rejected: 1, rejectedKeys: ["4"], deltaCount: 3 });
  });

  it("stream-to-delta: drains the stream into Delta exactly once, and a rerun adds nothing", async () => {
    await streamToDelta.seed(env, "clicks", 25);
    expect(await streamToDelta.main(env)).toMatchObject({ rows: 25, deltaCount: 25 });
    expect(await streamToDelta.main(env)).toMatchObject({ rows: 0, deltaCount: 25 });
  });

  it("foreach-batch: sees every event once across batches and writes the filtered rows", async () => {
    // Same stream as above, its own subscription: all 25 events.
    const r = await foreachBatch.main(env);
    expect(r.rows).toBe(25);
    expect(r.batches).toBeGreaterThanOrEqual(1);
    expect(r.views).toBe(9); // page /p1: ids 1..25 with id % 3 === 1
  });

  it("cdc-sync: snapshot then change stream; a rerun skips the snapshot and applies the changes", async () => {
    await cdc.seed(env);
    expect(await cdc.main(env)).toMatchObject({ snapshotRows: 5, deltaCount: 5 });
    await http.insertDocument("orders", { _key: "o6", amount: 60, status: "new" });
    await http.deleteDocument("orders", "o1");
    // Change events reach the subscription asynchronously: rerun until both are applied (bounded).
    const deadline = Date.now() + 20_000;
    let last: Awaited<ReturnType<typeof cdc.main>>;
    let applied = 0;
    do {
      last = await cdc.main(env);
      applied += last.changes;
      expect(last.snapshotRows).toBe(0);
    } while (applied < 2 && Date.now() < deadline);
    expect(applied).toBe(2);
    expect(last.deltaCount).toBe(5);
  });
});

describe("job specs", () => {
  const dir = fileURLToPath(new URL("./jobs/", import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"));

  it("are valid against the job schema and cover batch, stream and sync", () => {
    const kinds = files.map((f) => validateJobSpec(JSON.parse(readFileSync(join(dir, f), "utf8")), f).kind);
    expect(kinds.sort()).toEqual(["batch", "stream", "sync"]);
  });

  it("the batch spec runs as written once pointed at the local peers", async () => {
    const spec = validateJobSpec(JSON.parse(readFileSync(join(dir, "collection-to-delta.json"), "utf8")));
    const local: MmsparkJob = {
      ...spec,
      source: { ...spec.source!, options: { ...spec.source!.options, ...env.gdn } },
      sink: { ...spec.sink!, options: { ...spec.sink!.options, ...env.databricks, schema: "examples", table: "customers_spec" } },
    };
    const r = await runJob(validateJobSpec(local));
    expect(r).toMatchObject({ kind: "batch", rows: 3 });
    expect(r.rejected.map((x) => [x.counter, x.count, x.keys])).toEqual([["rejectedRecords", 1, ["4"]]]);
  });
});
