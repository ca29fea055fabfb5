/**
 * CDC job script: a collection's snapshot, then its change stream, merged into a Delta table by
 * `_key` (updates upsert, deletes delete). The subscription is created before the snapshot, so
 * nothing changed during the snapshot is missed; re-applied events are harmless (full documents,
 * in order). The checkpoint folder remembers that the snapshot is done.
 *
 *   npx tsx examples/cdc-sync.ts
 */
import { join } from "node:path";
import type { CollectionOptions, DatabricksOptions } from "@macrometa-spark/cli";
import { startSync } from "@macrometa-spark/cli";
import { createSession } from "@macrometa-spark/core";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { isMain, runExample, type ExampleEnv } from "./env.js";

export async function main(env: ExampleEnv, collection = "orders"): Promise<{ snapshotRows: number; changes: number; deltaCount: number }> {
  const spark = createSession();
  try {
    const sync = await startSync({
      name: `${collection}-sync`,
      collection: { ...env.gdn, collection } satisfies CollectionOptions,
      delta: { ...env.databricks, table: collection } satisfies DatabricksOptions,
      checkpointLocation: join(env.workDir, `${collection}-sync`),
      // Apply what the change stream holds now, then stop; { processingTime: "1 second" } follows it forever.
      trigger: { availableNow: true },
      session: spark,
    });
    await sync.query.awaitTermination();
    const deltaCount = await (await spark.read.format("databricks").options({ ...env.databricks, table: collection }).load()).count();
    return { snapshotRows: sync.snapshot.rows, changes: sync.changesApplied, deltaCount };
  } finally {
    await spark.stop();
  }
}

export async function seed(env: ExampleEnv, collection = "orders"): Promise<void> {
  const http = new GdnHttpClient({ url: env.gdn.regionUrl, apiKey: env.gdn.apiKey });
  try {
    await http.createCollection(collection, { stream: true });
    await http.importDocuments(collection, [1, 2, 3, 4, 5].map((i) => ({ _key: `o${i}`, amount: i * 10, status: "new" })));
  } finally {
    await http.close();
  }
}

if (isMain(import.meta.url)) await runExample((env) => main(env), (env) => seed(env));
