/**
 * The collection's streaming sink against local-gdn over HTTP: rows applied by key, change rows of
 * a Delta change feed (Delta's `_change_type` values: docs.delta.io "Change data feed") applied as
 * upserts and deletes, last change per key winning, and a replayed epoch leaving the same state.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaseInsensitiveOptions, LongType, StringType, StructField, StructType, TimestampType, isOptionError, type Row } from "@macrometa-spark/core";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { startLocalGdn } from "@macrometa-spark/local-gdn";
import { collectionProvider } from "../src/index.js";
import { context } from "./helpers.js";

type Gdn = Awaited<ReturnType<typeof startLocalGdn>>;
let gdn: Gdn;
let client: GdnHttpClient;
let base: Record<string, unknown>;

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  client = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey });
  base = { regionUrl: gdn.url, apiKey: `apikey ${gdn.apiKey}`, maxRetries: 6 };
});
afterAll(async () => {
  await client?.close();
  await gdn?.close();
});

const CHANGES = new StructType([
  new StructField("_key", StringType),
  new StructField("total", LongType),
  new StructField("_change_type", StringType, false),
  new StructField("_commit_version", LongType, false),
  new StructField("_commit_timestamp", TimestampType, false),
]);

const ts = "2026-01-01T00:00:00.000Z";

async function writeEpoch(options: Record<string, unknown>, schema: StructType, epochId: number, rows: Row[], queryId = "q1"): Promise<void> {
  const ctx = context();
  const opts = new CaseInsensitiveOptions(options as never, "com.macrometa.spark.collection");
  const table = await collectionProvider.getTable(undefined, opts, ctx);
  try {
    const sw = await table.newWriteBuilder!({ queryId, schema, options: opts, mode: "append" }).buildForStreaming!();
    const w = await sw.createWriter(0, epochId);
    // Small write batches, as a reader hands them over.
    for (let i = 0; i < rows.length; i += 2) await w.write(rows.slice(i, i + 2));
    const m = await w.commit();
    await sw.commit(epochId, [m]);
    await sw.close?.();
  } finally {
    await table.close?.();
  }
}

async function contents(collection: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const page of client.query(`FOR d IN ${collection} SORT d._key RETURN UNSET(d, "_id", "_rev")`, { batchSize: 1000 })) {
    for (const t of page.items) out.push(JSON.parse(t) as Record<string, unknown>);
  }
  return out;
}

describe("collection streaming write", () => {
  it("applies change rows: inserts and post-images upsert, deletes remove, pre-images and the change columns are not stored", async () => {
    const o = { ...base, collection: "cf_apply" };
    await writeEpoch(o, CHANGES, 0, [
      ["a", 1, "insert", 1, ts],
      ["b", 2, "insert", 1, ts],
      ["c", 3, "insert", 1, ts],
    ]);
    expect(await contents("cf_apply")).toEqual([
      { _key: "a", total: 1 },
      { _key: "b", total: 2 },
      { _key: "c", total: 3 },
    ]);
    await writeEpoch(o, CHANGES, 1, [
      ["b", 2, "update_preimage", 2, ts],
      ["b", 20, "update_postimage", 2, ts],
      ["c", 3, "delete", 3, ts],
    ]);
    expect(await contents("cf_apply")).toEqual([
      { _key: "a", total: 1 },
      { _key: "b", total: 20 },
    ]);
  });

  it("lets the last change of a key win inside an epoch, across chunks and whatever the row order within a chunk", async () => {
    const o = { ...base, collection: "cf_last", batchSize: 2 };
    await writeEpoch(o, CHANGES, 0, [
      ["k", 1, "insert", 1, ts],
      ["k", 1, "update_preimage", 2, ts],
      ["k", 2, "update_postimage", 2, ts],
      ["x", 9, "insert", 2, ts],
      ["k", 2, "delete", 3, ts],
      ["y", 5, "insert", 3, ts],
      // One commit that deletes and re-inserts a key (INSERT OVERWRITE), the insert listed first.
      ["k", 7, "insert", 4, ts],
      ["k", 2, "delete", 4, ts],
      ["x", 9, "delete", 5, ts],
    ]);
    expect(await contents("cf_last")).toEqual([
      { _key: "k", total: 7 },
      { _key: "y", total: 5 },
    ]);
  });

  it("applies a replayed epoch harmlessly (upserts and deletes by key are idempotent)", async () => {
    const o = { ...base, collection: "cf_replay" };
    const epoch1: Row[] = [
      ["a", 1, "insert", 1, ts],
      ["b", 2, "insert", 1, ts],
      ["a", 1, "delete", 2, ts],
    ];
    await writeEpoch(o, CHANGES, 0, epoch1);
    const once = await contents("cf_replay");
    await writeEpoch(o, CHANGES, 0, epoch1);
    expect(await contents("cf_replay")).toEqual(once);
    expect(once).toEqual([{ _key: "b", total: 2 }]);
  });

  it("upserts plain rows by primaryKey and deletes change rows by it", async () => {
    const schema = new StructType([new StructField("id", StringType), new StructField("n", LongType), new StructField("_change_type", StringType), new StructField("_commit_version", LongType), new StructField("_commit_timestamp", TimestampType)]);
    const o = { ...base, collection: "cf_pk", primaryKey: "id" };
    await writeEpoch(o, schema, 0, [
      ["p1", 1, "insert", 1, ts],
      ["p2", 2, "insert", 1, ts],
    ]);
    await writeEpoch(o, schema, 1, [
      ["p1", 10, "update_postimage", 2, ts],
      ["p2", 2, "delete", 2, ts],
    ]);
    const docs = await contents("cf_pk");
    expect(docs.map((d) => [d._key, d.id, d.n])).toEqual([["p1", "p1", 10]]);
  });

  it("fails the epoch when the server rejects a document, whichever chunk it is in", async () => {
    const o = { ...base, collection: "cf_reject", batchSize: 1 };
    const err = await writeEpoch(o, CHANGES, 0, [
      ["ok1", 1, "insert", 1, ts],
      ["bad/key", 2, "insert", 1, ts],
      ["ok2", 3, "insert", 1, ts],
      ["ok3", 4, "insert", 1, ts],
    ]).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe("IMPORT_DOCUMENT_ERRORS");
    expect((err as Error).message).toMatch(/cf_reject/);
  });

  it("refuses a streaming write without a key, naming the option", async () => {
    const schema = new StructType([new StructField("n", LongType)]);
    const err = await writeEpoch({ ...base, collection: "cf_nokey" }, schema, 0, [[1]]).catch((e: unknown) => e);
    expect(isOptionError(err)).toBe(true);
    expect((err as Error).message).toMatch(/primaryKey/);
  });
});
