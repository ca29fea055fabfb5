/**
 * Delta → collection: change rows per second from a Delta table's change data feed (local-warehouse,
 * real @databricks/sql driver) applied to a collection (local-gdn) by the collection's streaming sink,
 * against the raw import rate of the same documents into a collection, in the same run.
 * The table gets N inserts (one commit), then an UPDATE of a tenth of the rows (pre + post images)
 * and a DELETE of a twentieth: the change rows a reverse sync moves.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import "@macrometa-spark/collection";
import { CaseInsensitiveOptions, createSession, silentLogger } from "@macrometa-spark/core";
import { DatabricksConnection, parseConnectionOptions } from "@macrometa-spark/databricks";
import { startLocalGdn } from "@macrometa-spark/local-gdn";
import { startLocalWarehouse } from "@macrometa-spark/local-warehouse";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { type BenchRow, ratio, recordBench } from "./report.js";

const N = Number(process.env["REVERSE_BENCH_ROWS"] ?? 50_000);
const BATCH = 1000;
const IN_FLIGHT = 4;

let gdn: Awaited<ReturnType<typeof startLocalGdn>>;
let wh: Awaited<ReturnType<typeof startLocalWarehouse>>;
let client: GdnHttpClient;
let sql: DatabricksConnection;
let dir: string;
let dbOpts: Record<string, string | number | boolean>;

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  wh = await startLocalWarehouse({ port: 0 });
  client = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey, requestTimeoutMs: 300_000 });
  dbOpts = { host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: false, catalog: "main", schema: "bench" };
  sql = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions({ ...dbOpts, schema: undefined })));
  dir = await mkdtemp(join(tmpdir(), "mmspark-reverse-bench-"));
});
afterAll(async () => {
  await sql?.close();
  await client?.close();
  await gdn?.close();
  await wh?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const perSec = (n: number, ms: number) => Math.round((n / ms) * 1000);

it(`changes/s from a Delta change feed into a collection vs raw import, ${N} rows`, async () => {
  await sql.execute("CREATE SCHEMA IF NOT EXISTS main.bench");
  await sql.execute("CREATE TABLE main.bench.totals (_key STRING, n BIGINT, region STRING, note STRING, amount DOUBLE) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
  await sql.execute(`INSERT INTO main.bench.totals SELECT concat('k', id), id, concat('region-', id % 10), concat('note ', id, ' with some text to carry'), id / 7 FROM range(${N}) AS r(id)`);
  await sql.execute("UPDATE main.bench.totals SET amount = amount + 1 WHERE n % 10 = 0");
  await sql.execute("DELETE FROM main.bench.totals WHERE n % 20 = 1");
  const changes = N + 2 * Math.ceil(N / 10) + Math.ceil((N - 1) / 20);

  // Baseline: the final table's documents, serialised beforehand, imported BATCH at a time, IN_FLIGHT in flight.
  const docs = (await sql.query("SELECT _key, CAST(n AS STRING) AS n, region, note, amount FROM main.bench.totals")).map((r) =>
    JSON.stringify({ _key: r["_key"], n: Number(r["n"]), region: r["region"], note: r["note"], amount: r["amount"] }),
  );
  await client.createCollection("raw_import");
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < docs.length) {
        const chunk = docs.slice(next, (next += BATCH));
        const r = await client.importDocuments("raw_import", chunk, { details: false, replace: true });
        expect(r.errors).toBe(0);
      }
    }),
  );
  const rawMs = performance.now() - t0;

  const session = createSession({ logger: silentLogger });
  try {
    const t1 = performance.now();
    const df = await session.readStream.format("databricks").options({ ...dbOpts, table: "totals", readChangeFeed: true, startingVersion: 1 } as never).load();
    const q = await df.writeStream.format("com.macrometa.spark.collection").options({ regionUrl: gdn.url, apiKey: gdn.apiKey, collection: "reverse", batchSize: BATCH }).option("checkpointLocation", join(dir, "cp")).trigger({ availableNow: true }).start();
    await q.awaitTermination();
    const ms = performance.now() - t1;
    expect(q.exception).toBeUndefined();
    const moved = q.recentProgress.reduce((n, p) => n + p.numInputRows, 0);
    expect(moved).toBe(changes);
    expect(await client.collectionCount("reverse")).toBe(docs.length);
    const rawRate = perSec(docs.length, rawMs);
    const rate = perSec(moved, ms);
    const rows: BenchRow[] = [
      {
        metric: `reverse sync: Delta change feed -> collection, ${moved} change rows (${N} inserts, then updates and deletes)`,
        value: rate,
        unit: "rows/s",
        baseline: { name: `raw import of the same ${docs.length} documents (pre-serialised, ${IN_FLIGHT} in flight)`, value: rawRate },
        ratio: ratio(rate, rawRate),
      },
    ];
    recordBench("reverse", rows);
  } finally {
    await session.stop();
  }
});
