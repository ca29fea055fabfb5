/**
 * An interrupted write into a collection (`save({ signal })`, Ctrl-C in `mmspark run`): imports are
 * not transactional, so nothing is undone — the write stops at its next row batch, rejects with
 * ABORTED, and says how many documents stay (and that overwrite emptied the collection first).
 * The signal fires from inside the plan while the second row batch is computed, so the interrupt
 * lands at a known boundary without timing.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createMemoryLogger, createSession, hasErrorCode } from "@macrometa-spark/core";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { startLocalGdn } from "@macrometa-spark/local-gdn";
import "../src/index.js";

let gdn: Awaited<ReturnType<typeof startLocalGdn>>;
let client: GdnHttpClient;

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  client = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey });
});

afterAll(async () => {
  await client?.close();
  await gdn?.close();
});

it("stops at the next row batch, keeps what was imported and says so (overwrite: emptied first)", async () => {
  await client.createCollection("target");
  expect((await client.importDocuments("target", [{ _key: "old1" }, { _key: "old2" }])).errors).toBe(0);
  const logger = createMemoryLogger();
  const spark = createSession({ logger });
  try {
    const ctl = new AbortController();
    // createDataFrame yields batches of 1000 rows: row 1500 is in the second.
    const rows = Array.from({ length: 3000 }, (_, i) => ({ _key: `k${String(i).padStart(4, "0")}`, n: i }));
    const df = spark.createDataFrame(rows, "_key STRING, n BIGINT").withColumn("tag", (r) => {
      if (r.get("n") === 1500) ctl.abort();
      return "t";
    });
    const err = await df.write
      .format("com.macrometa.spark.collection")
      .mode("overwrite")
      .options({ regionUrl: gdn.url, apiKey: gdn.apiKey, collection: "target", batchSize: 1000 })
      .save({ signal: ctl.signal })
      .catch((e: unknown) => e);
    expect(hasErrorCode(err, "ABORTED")).toBe(true);
    expect((err as Error).message).toMatch(/interrupted: the write stopped at a batch boundary/);
    // The first batch was imported before the interrupt; the second never was. The old documents are gone.
    expect(await client.collectionCount("target")).toBe(1000);
    const warning = logger.events.find((e) => e.level === "warn" && e.message.startsWith("collection write aborted"));
    expect(warning?.message).toBe(
      "collection write aborted: 1000 documents already imported stay in collection 'target' (imports are not transactional; nothing is undone); it was emptied first (save mode overwrite), so its earlier documents are gone",
    );
    expect(warning?.fields).toMatchObject({ written: 1000, truncated: true });

    // A signal already aborted: nothing starts, nothing is truncated.
    const before = await client.collectionCount("target");
    const again = await df.write.format("com.macrometa.spark.collection").mode("overwrite").options({ regionUrl: gdn.url, apiKey: gdn.apiKey, collection: "target" }).save({ signal: ctl.signal }).catch((e: unknown) => e);
    expect(hasErrorCode(again, "ABORTED")).toBe(true);
    expect(await client.collectionCount("target")).toBe(before);
  } finally {
    await spark.stop();
  }
});
