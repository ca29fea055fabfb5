/**
 * The CDC acceptance test: documents inserted, updated and deleted before the snapshot (after the
 * subscription), during it and after it end up in the Delta table exactly as in the collection; a
 * restart on the same checkpoint skips the snapshot and keeps following the change stream. Ctrl-C
 * during the snapshot aborts its overwrite, and the next run takes the snapshot again.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { SNAPSHOT_MARKER, changeStreamOptions, startSync } from "../src/runner/sync.js";
import { usePeers } from "./support/peers.js";

const peers = usePeers({ schema: "cdc", dir: "mmspark-sync-", session: true });

const put = (key: string, qty: number, tag: string) => peers.http.insertDocument("orders", { _key: key, qty, tag }, { overwrite: true });
const del = (key: string) => peers.http.request({ method: "DELETE", path: `/_fabric/_system/_api/document/orders/${key}`, retry: "refusals" });

async function collectionState(): Promise<string[]> {
  const df = await peers.session.read.format("com.macrometa.spark.collection").options({ regionUrl: peers.gdn.url, apiKey: peers.gdn.apiKey, collection: "orders" }).load();
  return (await df.collect()).map((r) => r.asDict() as Record<string, unknown>).map((d) => `${d["_key"]}:${Number(d["qty"])}:${d["tag"]}`).sort();
}

async function deltaState(): Promise<string[]> {
  const rows = await peers.admin.query("SELECT _key, qty, tag FROM main.cdc.orders");
  return rows.map((d) => `${d["_key"]}:${Number(d["qty"])}:${d["tag"]}`).sort();
}

/** Waits (bounded) until the Delta table equals the collection; returns the last comparison. */
async function converge(timeoutMs = 20_000): Promise<{ coll: string[]; delta: string[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const coll = await collectionState();
    const delta = await deltaState();
    if (JSON.stringify(coll) === JSON.stringify(delta) || Date.now() > deadline) return { coll, delta };
    await new Promise((r) => setTimeout(r, 100));
  }
}

it("merges the snapshot and the change stream with no gap and no duplicate at the seam, and resumes from its checkpoint", async () => {
  // The collection starts WITHOUT a change stream: the sync turns it on.
  await peers.http.createCollection("orders");
  for (let i = 1; i <= 40; i++) await put(`k${i}`, i, "seed");
  const base = {
    name: "orders-sync",
    collection: { regionUrl: peers.gdn.url, apiKey: peers.gdn.apiKey, collection: "orders", batchSize: 2 },
    delta: { host: peers.wh.host, port: peers.wh.port, httpPath: peers.wh.path, token: peers.wh.token, useTls: false, catalog: "main", schema: "cdc", table: "orders" },
    checkpointLocation: peers.dir,
    trigger: { processingTime: 50 },
    session: peers.session,
  };
  let snapshotFinished = false;
  let duringFinishedFirst: boolean | undefined;
  // Slow every HTTP answer so the 20-page snapshot is still being read while the mid-snapshot changes land.
  const handle = await startSync({
    ...base,
    hooks: {
      afterSubscribe: async () => {
        await put("k1", 100, "before");
        await del("k2");
        await put("k41", 41, "before");
        peers.gdn.faults.latencyMs = 20;
      },
      duringSnapshot: async () => {
        await Promise.all([put("k3", 300, "during"), del("k4"), put("k42", 42, "during"), put("k41", 410, "during")]);
        duringFinishedFirst = !snapshotFinished;
      },
    },
  });
  snapshotFinished = true;
  peers.gdn.faults.latencyMs = 0;
  try {
    expect(handle.snapshot.resumed).toBe(false);
    expect(handle.snapshot.rows).toBeGreaterThanOrEqual(38);
    expect(duringFinishedFirst).toBe(true);
    await put("k5", 500, "after");
    await del("k6");
    await put("k43", 43, "after");
    await del("k41");
    await put("k2", 2000, "after"); // deleted before the snapshot, back after it
    const { coll, delta } = await converge();
    expect(delta).toEqual(coll);
    expect(coll).toContain("k1:100:before");
    expect(coll).toContain("k3:300:during");
    expect(coll).toContain("k2:2000:after");
    expect(coll.some((s) => s.startsWith("k41:") || s.startsWith("k4:") || s.startsWith("k6:"))).toBe(false);
    expect(coll).toHaveLength(40 - 3 + 3 + 1 - 1); // 3 deletes (k4, k6, k41), k2 back, k41-43 added
  } finally {
    await handle.stop();
  }
  expect(handle.query.exception).toBeUndefined();

  // Changes while nothing runs are kept by the subscription; a restart skips the snapshot.
  await put("k7", 700, "offline");
  await del("k8");
  const again = await startSync(base);
  try {
    expect(again.snapshot.resumed).toBe(true);
    const { coll, delta } = await converge();
    expect(delta).toEqual(coll);
    expect(delta).toContain("k7:700:offline");
    expect(delta.some((s) => s.startsWith("k8:"))).toBe(false);
  } finally {
    await again.stop();
  }
});

it("applies the change stream FAILFAST unless the collection's mode says otherwise (a dropped change would leave its row stale)", () => {
  expect(changeStreamOptions({ regionUrl: "r", collection: "c", apiKey: "t.k.s" }, "sub").mode).toBe("FAILFAST");
  expect(changeStreamOptions({ regionUrl: "r", collection: "c", Mode: "DROPMALFORMED" }, "sub").mode).toBe("DROPMALFORMED");
  expect(changeStreamOptions({ regionUrl: "r", collection: "c", jwt: "x" }, "sub")).not.toHaveProperty("jwt");
});

it("Ctrl-C during the snapshot aborts it: the table keeps its rows, no snapshot marker, the next run takes it again", async () => {
  await peers.http.createCollection("items");
  for (let i = 1; i <= 6; i++) await peers.http.insertDocument("items", { _key: `i${i}`, qty: i });
  const dir = mkdtempSync(join(tmpdir(), "mmspark-sync-abort-"));
  try {
    const delta = { host: peers.wh.host, port: peers.wh.port, httpPath: peers.wh.path, token: peers.wh.token, useTls: false, catalog: "main", schema: "cdc", table: "items" };
    // The table an earlier sync made: the snapshot's columns, with the rescued-data column it adds.
    await peers.admin.execute("CREATE TABLE main.cdc.items (_id STRING, _key STRING, _rev STRING, qty BIGINT, _rescued_data STRING)");
    await peers.admin.execute("INSERT INTO main.cdc.items VALUES ('items/before', 'before', 'r0', 0, NULL)");
    const ctl = new AbortController();
    const o = { name: "items-sync", collection: { regionUrl: peers.gdn.url, apiKey: peers.gdn.apiKey, collection: "items", batchSize: 2 }, delta, checkpointLocation: dir, trigger: { availableNow: true as const }, session: peers.session };
    // The hook runs once the snapshot's first rows are read: Ctrl-C there.
    const err = await startSync({ ...o, signal: ctl.signal, hooks: { duringSnapshot: () => ctl.abort() } }).catch((e: unknown) => e);
    expect((err as { code?: string }).code, String(err)).toBe("ABORTED");
    expect(await peers.admin.query("SELECT _key FROM main.cdc.items")).toEqual([{ _key: "before" }]);
    expect(existsSync(join(dir, SNAPSHOT_MARKER))).toBe(false);
    const again = await startSync(o);
    await again.query.awaitTermination();
    expect(again.snapshot).toMatchObject({ rows: 6, resumed: false });
    expect((await peers.admin.query("SELECT _key FROM main.cdc.items ORDER BY _key")).map((r) => r["_key"])).toEqual(["i1", "i2", "i3", "i4", "i5", "i6"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
