/**
 * Section 4 of `mmspark demo`: an aggregate computed in Delta goes back to Macrometa. The order
 * totals per status are computed from the Delta table the CDC sync filled, into a table with its
 * change data feed on; the reverse sync (the table's changes → the collection's streaming sink)
 * puts them into a collection; then the report is refreshed in Delta and a second run of the same
 * query moves only those new commits.
 * @packageDocumentation
 */
import type { SparkSession } from "@macrometa-spark/core";
import type { CollectionOptions, DatabricksOptions } from "../generated/job-types.js";
import { watchStream } from "../runner/watch.js";
import type { Out, Peers } from "./demo.js";

export interface ReverseSummary {
  aggregateRows: number;
  firstRunChanges: number;
  secondRunChanges: number;
  collectionCount: number;
  matches: boolean;
}

const TOTALS = "main.demo.status_totals";

/** One availableNow run of the reverse sync on `checkpoint`; returns the change rows it moved. */
async function runOnce(p: Peers, session: SparkSession, out: Out, checkpoint: string): Promise<number> {
  const source = { ...p.dbx, table: "status_totals", readChangeFeed: true } satisfies DatabricksOptions;
  const df = await session.readStream.format("databricks").options(source).load();
  const sink = { ...p.gdnOpts, collection: "status_totals" } satisfies CollectionOptions;
  const query = await df.writeStream.format("com.macrometa.spark.collection").options(sink).option("checkpointLocation", checkpoint).trigger({ availableNow: true }).start();
  const unwatch = watchStream(query, out.progress);
  try {
    await query.awaitTermination();
  } finally {
    unwatch();
    out.progress.done();
  }
  if (query.exception) throw query.exception;
  return query.recentProgress.reduce((n, x) => n + x.numInputRows, 0);
}

async function collectionRows(p: Peers): Promise<string[]> {
  const rows: string[] = [];
  for await (const page of p.http.query("FOR d IN status_totals SORT d._key RETURN d", { batchSize: 100 })) {
    for (const t of page.items) {
      const d = JSON.parse(t) as Record<string, unknown>;
      rows.push(`${String(d["_key"])}: ${String(d["orders"])} orders, ${String(d["amount"])}`);
    }
  }
  return rows;
}

export async function reverseSync(p: Peers, session: SparkSession, out: Out, checkpoint: string): Promise<ReverseSummary> {
  out.text("\n== 4. Delta -> collection: an aggregate computed in Delta, sent back by its change feed ==\n");
  await p.admin.execute(`CREATE TABLE ${TOTALS} (_key STRING, orders BIGINT, amount BIGINT) TBLPROPERTIES (delta.enableChangeDataFeed = true)`);
  await p.admin.execute(`INSERT INTO ${TOTALS} SELECT status, count(*), sum(amount) FROM main.demo.orders GROUP BY status`);
  const [agg] = await p.admin.query(`SELECT count(*) AS n FROM ${TOTALS}`);
  const aggregateRows = Number(agg?.["n"]);
  out.text(`computed ${TOTALS} in Delta (orders per status, change data feed on): ${aggregateRows} rows\n`);
  const firstRunChanges = await runOnce(p, session, out, checkpoint);
  out.text(`reverse sync: ${firstRunChanges} changes -> collection 'status_totals'\n`);

  // The report is refreshed in Delta: a late order on one status, another status retired.
  await p.admin.execute(`UPDATE ${TOTALS} SET orders = orders + 1, amount = amount + 990 WHERE _key = 'new'`);
  await p.admin.execute(`DELETE FROM ${TOTALS} WHERE _key = 'refunded'`);
  const secondRunChanges = await runOnce(p, session, out, checkpoint);
  out.text(`refreshed in Delta (an UPDATE and a DELETE); the same query's next run moved only those: ${secondRunChanges} changes (update pre/post image, delete)\n`);

  const coll = await collectionRows(p);
  const delta = (await p.admin.query(`SELECT _key, orders, amount FROM ${TOTALS} ORDER BY _key`)).map((r) => `${String(r["_key"])}: ${String(r["orders"])} orders, ${String(r["amount"])}`);
  const matches = JSON.stringify(coll) === JSON.stringify(delta);
  out.text(`collection 'status_totals' (${coll.length} documents) ${matches ? "equals" : "DIFFERS FROM"} ${TOTALS}:\n${coll.map((l) => `  ${l}\n`).join("")}`);
  const summary = { aggregateRows, firstRunChanges, secondRunChanges, collectionCount: coll.length, matches };
  out.event("reverseDone", { table: TOTALS, collection: "status_totals", ...summary });
  return summary;
}
