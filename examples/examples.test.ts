/**
 * Every example job script runs against local peers, and every example job spec is valid once its
 * references are resolved (as-shipped.test.ts runs the specs through the CLI as a user does).
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadJobSpec } from "@macrometa-spark/cli";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

  it("are valid against the job schema once resolved, and cover batch, stream, sync and reverse", () => {
    const env = {
      MM_REGION_URL: "http://127.0.0.1:8529",
      DATABRICKS_HOST: "127.0.0.1",
      DATABRICKS_PORT: "8080",
      DATABRICKS_HTTP_PATH: "/sql/1.0/warehouses/local",
      DATABRICKS_USE_TLS: "false",
      DATABRICKS_STAGING_VOLUME: "/Volumes/main/default/staging",
      MMSPARK_SECRET_MACROMETA_API_KEY: "k",
      MMSPARK_SECRET_DATABRICKS_TOKEN: "t",
    };
    const kinds = files.map((f) => loadJobSpec(join(dir, f), { env, secrets: true }).kind);
    expect(kinds.sort()).toEqual(["batch", "reverse", "stream", "sync"]);
  });
});
