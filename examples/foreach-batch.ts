/**
 * foreachBatch job script: each micro-batch arrives as a DataFrame with its epoch id; here the
 * batch is split — page views appended to one Delta table, and a per-batch summary row to another.
 * The function may run again for the same epoch after a crash, so the summary is keyed by epoch
 * (a MERGE on `epoch` makes the replay a no-op).
 *
 *   npx tsx examples/foreach-batch.ts
 */
import { join } from "node:path";
import "@macrometa-spark/databricks";
import "@macrometa-spark/stream";
import type { DatabricksOptions, StreamOptions } from "@macrometa-spark/cli";
import { createSession } from "@macrometa-spark/core";
import { isMain, runExample, type ExampleEnv } from "./env.js";
import { seed } from "./stream-to-delta.js";

export async function main(env: ExampleEnv, stream = "clicks"): Promise<{ batches: number; rows: number; views: number }> {
  const spark = createSession();
  let batches = 0;
  let rows = 0;
  let views = 0;
  try {
    const events = await spark.readStream
      .format("com.macrometa.spark.stream")
      .schema("id BIGINT, user STRING, page STRING")
      .options({ ...env.gdn, stream, replication: "local", subscriptionName: "clicks-foreach" } satisfies StreamOptions)
      .load();
    const query = await events.writeStream
      .foreachBatch(async (batch, epochId) => {
        const n = await batch.count();
        const pageViews = batch.filter((r) => String(r.get("page")).startsWith("/p1"));
        views += await pageViews.write.format("databricks").mode("append").options({ ...env.databricks, table: `${stream}_p1`, mergeKeys: "id" } satisfies DatabricksOptions).save();
        const summary = spark.createDataFrame([{ epoch: BigInt(epochId), rows: BigInt(n) }], "epoch BIGINT, rows BIGINT");
        await summary.write.format("databricks").mode("append").options({ ...env.databricks, table: `${stream}_batches`, mergeKeys: "epoch" } satisfies DatabricksOptions).save();
        batches++;
        rows += n;
      })
      .option("checkpointLocation", join(env.workDir, `${stream}-foreach`))
      .trigger({ availableNow: true })
      .start();
    await query.awaitTermination();
    return { batches, rows, views };
  } finally {
    await spark.stop();
  }
}

if (isMain(import.meta.url)) await runExample((env) => main(env), (env) => seed(env));
