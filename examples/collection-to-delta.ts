/**
 * Batch job script: a Macrometa collection into a Delta table, the Spark way.
 *
 *   npx tsx examples/collection-to-delta.ts     (local peers, or MM_REGION_URL / DATABRICKS_HOST ...)
 *
 * The schema is inferred with the connector's most-common rule; documents of another shape are
 * rejected and counted (df.metrics), never dropped silently.
 */
import "@macrometa-spark/collection";
import "@macrometa-spark/databricks";
import type { CollectionOptions, DatabricksOptions } from "@macrometa-spark/cli";
import { createSession } from "@macrometa-spark/core";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { isMain, runExample, type ExampleEnv } from "./env.js";

export async function main(env: ExampleEnv, collection = "customers"): Promise<{ schema: string; written: number; rejected: number; rejectedKeys: string[]; deltaCount: number }> {
  const spark = createSession();
  try {
    const df = await spark.read
      .format("com.macrometa.spark.collection")
      .options({ ...env.gdn, collection, batchSize: 1000 } satisfies CollectionOptions)
      .load();
    const sink = { ...env.databricks, table: collection } satisfies DatabricksOptions;
    const written = await df.write.format("databricks").mode("overwrite").options(sink).save();
    const rejected = df.metrics?.get("rejectedRecords") ?? 0;
    const rejectedKeys = (df.metrics?.samplesOf("rejectedRecords") ?? []).map((s) => s.key ?? "?");
    const back = await spark.read.format("databricks").options(sink).load();
    return { schema: df.schema.simpleString(), written, rejected, rejectedKeys, deltaCount: await back.count() };
  } finally {
    await spark.stop();
  }
}

/** A few documents for a local run: two shapes, so one document is rejected. */
export async function seed(env: ExampleEnv, collection = "customers"): Promise<void> {
  const http = new GdnHttpClient({ url: env.gdn.regionUrl, apiKey: env.gdn.apiKey });
  try {
    await http.createCollection(collection);
    await http.importDocuments(collection, [
      { _key: "1", name: "Ada", city: "London" },
      { _key: "2", name: "Grace", city: "New York" },
      { _key: "3", name: "Linus", city: "Helsinki" },
      { _key: "4", nickname: "odd one" },
    ]);
  } finally {
    await http.close();
  }
}

if (isMain(import.meta.url)) await runExample((env) => main(env), (env) => seed(env));
