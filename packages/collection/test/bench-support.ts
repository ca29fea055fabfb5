/**
 * Shared by the collection benchmark and its child processes (peak-RSS runs): document generator,
 * seeding through our client, and a full read through the provider contracts.
 */
import { CaseInsensitiveOptions, JobMetrics, silentLogger } from "@macrometa-spark/core";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { collectionProvider } from "../src/index.js";

const WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"];

/** A ~1 KB document with mixed types; `i` decides every value so runs are repeatable. */
export function benchDoc(i: number): string {
  const w = (n: number) => WORDS[(i * 7 + n) % WORDS.length]!;
  const text = Array.from({ length: 70 }, (_, n) => w(n)).join(" ").slice(0, 480);
  return JSON.stringify({
    _key: `k${String(i).padStart(8, "0")}`,
    seq: i,
    name: `${w(1)} ${w(2)}`,
    email: `${w(3)}.${i}@example.com`,
    score: (i % 1000) / 7,
    active: i % 3 === 0,
    tags: [w(4), w(5), w(6)],
    address: { street: `${i % 999} ${w(7)} street`, city: w(8), zip: String(10000 + (i % 89999)) },
    counts: [i % 10, i % 100, i % 1000],
    text,
    created: "2024-05-01T10:00:00Z",
  });
}

/** Imports `n` bench documents into `collection` (created if missing), `inFlight` calls at a time. */
export async function seedBench(client: GdnHttpClient, collection: string, n: number, chunk = 1000, inFlight = 4): Promise<void> {
  if (!(await client.findCollection(collection))) await client.createCollection(collection);
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (;;) {
        const start = next;
        next += chunk;
        if (start >= n) return;
        const docs: string[] = [];
        for (let i = start; i < Math.min(n, start + chunk); i++) docs.push(benchDoc(i));
        const r = await client.importDocuments(collection, docs, { details: true });
        if (r.errors || r.created !== docs.length) throw new Error(`seed: ${r.errors} errors`);
      }
    }),
  );
}

/** Reads a whole collection through the provider contracts; returns the row count. */
export async function readThroughProvider(options: Record<string, unknown>): Promise<number> {
  const ctx = { logger: silentLogger, metrics: new JobMetrics() };
  const opts = new CaseInsensitiveOptions(options as never, "com.macrometa.spark.collection");
  const schema = await collectionProvider.inferSchema(opts, ctx);
  const table = await collectionProvider.getTable(schema, opts, ctx);
  try {
    const batch = table.newScanBuilder!(opts).build().toBatch!();
    const parts = await batch.planInputPartitions();
    const counts = await Promise.all(
      parts.map(async (p) => {
        let n = 0;
        for await (const b of batch.createReader(p)) n += b.length;
        return n;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  } finally {
    await table.close?.();
  }
}
