/**
 * Streaming job script: a Macrometa stream into a Delta table, exactly once (the checkpoint records
 * offsets and commits; the Delta sink skips a replayed epoch). `availableNow` drains what is there
 * and stops; use `{ processingTime: "1 second" }` to keep running.
 *
 *   npx tsx examples/stream-to-delta.ts
 */
import { join } from "node:path";
import "@macrometa-spark/databricks";
import "@macrometa-spark/stream";
import type { DatabricksOptions, StreamOptions } from "@macrometa-spark/cli";
import { createSession } from "@macrometa-spark/core";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { isMain, runExample, type ExampleEnv } from "./env.js";

export async function main(env: ExampleEnv, stream = "clicks"): Promise<{ rows: number; batches: number; deltaCount: number }> {
  const spark = createSession();
  try {
    const events = await spark.readStream
      .format("com.macrometa.spark.stream")
      .schema("id BIGINT, user STRING, page STRING")
      .options({ ...env.gdn, stream, replication: "local", subscriptionName: "clicks-to-delta" } satisfies StreamOptions)
      .load();
    const sink = { ...env.databricks, table: stream, mergeKeys: "id" } satisfies DatabricksOptions;
    const query = await events.writeStream
      .format("databricks")
      .options(sink)
      .option("checkpointLocation", join(env.workDir, `${stream}-checkpoint`))
      .trigger({ availableNow: true })
      .start();
    query.on("progress", (p) => console.error(`batch ${p.batchId}: ${p.numInputRows} rows, ${p.processedRowsPerSecond.toFixed(0)} rows/s`));
    await query.awaitTermination();
    const rows = query.recentProgress.reduce((n, p) => n + p.numInputRows, 0);
    const batches = query.recentProgress.filter((p) => p.numInputRows > 0).length;
    const deltaCount = await (await spark.read.format("databricks").options({ ...env.databricks, table: stream }).load()).count();
    return { rows, batches, deltaCount };
  } finally {
    await spark.stop();
  }
}

export async function seed(env: ExampleEnv, stream = "clicks", n = 25): Promise<void> {
  const http = new GdnHttpClient({ url: env.gdn.regionUrl, apiKey: env.gdn.apiKey });
  try {
    const topic = await http.createStream(stream, false);
    for (let i = 1; i <= n; i++) await http.publish(topic, JSON.stringify({ id: i, user: `u${i % 4}`, page: `/p${i % 3}` }), false);
  } finally {
    await http.close();
  }
}

if (isMain(import.meta.url)) await runExample((env) => main(env), (env) => seed(env));
