/**
 * A CDC sync whose documents drift: after the snapshot, updates add fields, change a field's type
 * and drop a field. With schemaEvolutionMode addNewColumns (the sync's default) new fields become
 * columns of the Delta table while the sync runs; with rescue they land in `_rescued_data`
 * (Auto Loader's rescued data column: the fields and values that do not fit, as JSON, with the
 * record's origin — ours `_messageId` for change events, `_key` for snapshot documents). A field a
 * document lost reads as null: every change event is the whole document and the MERGE sets every
 * column. Real peers: local-gdn (collection + change stream), local-warehouse.
 */
import { join } from "node:path";
import { silentLogger } from "@macrometa-spark/core";
import { expect, it } from "vitest";
import { startSync, type SyncHandle } from "../src/runner/sync.js";
import { usePeers } from "./support/peers.js";

const peers = usePeers({ schema: "cdcdrift", dir: "mmspark-sync-drift-", session: { logger: silentLogger } });

async function seed(collection: string): Promise<void> {
  await peers.http.createCollection(collection);
  for (let i = 1; i <= 4; i++) await peers.http.insertDocument(collection, { _key: `k${i}`, qty: i, tag: "seed" });
  // A document of another shape: the snapshot keeps it, its extra field rescued with its _key.
  await peers.http.insertDocument(collection, { _key: "k5", qty: 5, tag: "seed", note: "odd" });
}

async function start(name: string, collection: string, mode?: "rescue"): Promise<SyncHandle> {
  return startSync({
    name,
    collection: { regionUrl: peers.gdn.url, apiKey: peers.gdn.apiKey, collection },
    delta: { host: peers.wh.host, port: peers.wh.port, httpPath: peers.wh.path, token: peers.wh.token, useTls: false, table: `main.cdcdrift.${collection}` },
    checkpointLocation: join(peers.dir, name),
    trigger: { processingTime: 50 },
    session: peers.session,
    ...(mode ? { schemaEvolutionMode: mode } : {}),
  });
}

/** The drift, after the snapshot: a new field, a retyped value, a lost field, a new document with another new field. */
async function drift(collection: string): Promise<void> {
  const put = (doc: Record<string, unknown>) => peers.http.insertDocument(collection, doc, { overwrite: true });
  await put({ _key: "k1", qty: 10, tag: "new-field", color: "red" });
  await put({ _key: "k2", qty: "lots", tag: "retyped" });
  await put({ _key: "k3", qty: 30 });
  await put({ _key: "k9", qty: 90, tag: "inserted", size: 3 });
}

/** Waits until the drift's last event (k9's insert) is in the table: events apply in order, so all are. */
async function applied(name: string): Promise<void> {
  await expect.poll(async () => Number((await peers.admin.query(`SELECT count(*) AS n FROM main.cdcdrift.${name} WHERE _key = 'k9'`))[0]!["n"]), { timeout: 20_000, interval: 50 }).toBe(1);
}

async function table(name: string, columns: string[]): Promise<Record<string, unknown>[]> {
  return peers.admin.query(`SELECT ${columns.join(", ")} FROM main.cdcdrift.${name} ORDER BY _key`);
}

const json = (v: unknown) => (v === null || v === undefined ? null : (JSON.parse(String(v)) as unknown));

it("addNewColumns (default): new fields become Delta columns while the sync runs; a retyped value is rescued; a lost field is null", { timeout: 60_000 }, async () => {
  await seed("grow");
  const handle = await start("grow", "grow");
  try {
    expect(handle.snapshot.schema.fieldNames).toContain("_rescued_data");
    await drift("grow");
    await applied("grow");
  } finally {
    await handle.stop();
  }
  expect(handle.query.exception).toBeUndefined();
  const rows = await table("grow", ["_key", "qty", "tag", "color", "size", "_rescued_data"]);
  expect(rows.map((r) => [r["_key"], r["qty"] === null ? null : Number(r["qty"]), r["tag"], r["color"], r["size"] === null ? null : Number(r["size"]), json(r["_rescued_data"])])).toEqual([
    ["k1", 10, "new-field", "red", null, null],
    ["k2", null, "retyped", null, null, { qty: "lots", _messageId: expect.any(String) }],
    ["k3", 30, null, null, null, null],
    ["k4", 4, "seed", null, null, null],
    ["k5", 5, "seed", null, null, { note: "odd", _key: "k5" }],
    ["k9", 90, "inserted", null, 3, null],
  ]);
});

it("rescue: the table keeps its columns; new fields and retyped values go to _rescued_data", { timeout: 60_000 }, async () => {
  await seed("keep");
  const handle = await start("keep", "keep", "rescue");
  try {
    await drift("keep");
    await applied("keep");
  } finally {
    await handle.stop();
  }
  expect(handle.query.exception).toBeUndefined();
  const columns = (await peers.admin.query("DESCRIBE TABLE main.cdcdrift.keep")).map((r) => String(r["col_name"]));
  expect(columns).not.toContain("color");
  expect(columns).not.toContain("size");
  const rows = await table("keep", ["_key", "qty", "tag", "_rescued_data"]);
  expect(rows.map((r) => [r["_key"], r["qty"] === null ? null : Number(r["qty"]), r["tag"], json(r["_rescued_data"])])).toEqual([
    ["k1", 10, "new-field", { color: "red", _messageId: expect.any(String) }],
    ["k2", null, "retyped", { qty: "lots", _messageId: expect.any(String) }],
    ["k3", 30, null, null],
    ["k4", 4, "seed", null],
    ["k5", 5, "seed", { note: "odd", _key: "k5" }],
    ["k9", 90, "inserted", { size: 3, _messageId: expect.any(String) }],
  ]);
});
