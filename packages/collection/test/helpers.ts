/** Drives the provider through the core contracts (what the session does), for tests and benches. */
import { CaseInsensitiveOptions, JobMetrics, createMemoryLogger, type ProviderContext, type Row, type SaveMode, type StructType } from "@macrometa-spark/core";
import { collectionProvider } from "../src/index.js";

export function context(): ProviderContext & { logger: ReturnType<typeof createMemoryLogger> } {
  return { logger: createMemoryLogger(), metrics: new JobMetrics() };
}

export async function readAll(options: Record<string, unknown>, ctx = context(), userSchema?: StructType): Promise<{ schema: StructType; rows: Row[]; ctx: typeof ctx }> {
  const opts = new CaseInsensitiveOptions(options as never, "com.macrometa.spark.collection");
  const schema = userSchema ?? (await collectionProvider.inferSchema(opts, ctx));
  const table = await collectionProvider.getTable(schema, opts, ctx);
  try {
    const scan = table.newScanBuilder!(opts).build();
    const batch = scan.toBatch!();
    const parts = await batch.planInputPartitions();
    const rows: Row[] = [];
    const chunks = await Promise.all(
      parts.map(async (p) => {
        const out: Row[] = [];
        for await (const b of batch.createReader(p)) out.push(...b);
        return out;
      }),
    );
    for (const c of chunks) rows.push(...c);
    return { schema: scan.readSchema(), rows, ctx };
  } finally {
    await table.close?.();
  }
}

export async function writeAll(options: Record<string, unknown>, schema: StructType, rows: Row[], mode: SaveMode = "append", ctx = context(), writers = 1) {
  const opts = new CaseInsensitiveOptions(options as never, "com.macrometa.spark.collection");
  const table = await collectionProvider.getTable(undefined, opts, ctx);
  try {
    const bw = await table.newWriteBuilder!({ queryId: "q", schema, options: opts, mode }).buildForBatch!();
    const per = Math.ceil(rows.length / writers);
    const messages = await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const dw = await bw.createWriter(w);
        try {
          const mine = rows.slice(w * per, (w + 1) * per);
          for (let i = 0; i < mine.length; i += 500) await dw.write(mine.slice(i, i + 500));
          return await dw.commit();
        } catch (err) {
          await dw.abort();
          throw err;
        }
      }),
    );
    await bw.commit(messages);
    return { messages, ctx };
  } finally {
    await table.close?.();
  }
}
