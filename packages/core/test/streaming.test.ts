import { withCommitHook } from "./commit-hook.js";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  FormatRegistry,
  LongType,
  type QueryProgress,
  type Row,
  StringType,
  StructField,
  StructType,
  type TableProvider,
  createSession,
  memoryProvider,
  memoryTable,
  registerBuiltinFormats,
} from "../src/index.js";

const schema = new StructType([new StructField("id", LongType), new StructField("s", StringType)]);
const rowsFrom = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => [from + i, `r${from + i}`]);

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "mmspark-stream-test-"));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function setup() {
  const registry = registerBuiltinFormats(new FormatRegistry());
  const mem = memoryProvider(registry);
  mem.createTable("in", schema, rowsFrom(0, 5));
  return { registry, mem, s: createSession({ registry }) };
}

/**
 * A sink wrapping the memory sink whose epoch commit fails once for `failEpoch`, AFTER the memory
 * sink has applied the epoch: the crash window between the sink write and commits/N.
 */
function faultySink(registry: FormatRegistry, failEpoch: number): { provider: TableProvider; failures: number[] } {
  const failures: number[] = [];
  const provider = withCommitHook(memoryProvider(registry), "faulty-memory", (epochId) => {
    if (epochId === failEpoch && failures.length === 0) {
      failures.push(epochId);
      throw new Error(`injected crash after sink commit of epoch ${epochId}`);
    }
  });
  return { provider, failures };
}

/**
 * The memory source, but once it has nothing new its latestOffset waits until the source is
 * stopped (a source blocking for data, e.g. for the next message of a subscription).
 */
function waitingSource(registry: FormatRegistry): { provider: TableProvider; waiting: Promise<void>; events: string[] } {
  const inner = memoryProvider(registry);
  const events: string[] = [];
  let entered!: () => void;
  const waiting = new Promise<void>((r) => (entered = r));
  const provider: TableProvider = {
    formats: ["waiting-memory"],
    inferSchema: (o) => inner.inferSchema(o),
    getTable: async (sch, o, c) => {
      const t = await inner.getTable(sch, o, c);
      return {
        name: t.name,
        schema: t.schema,
        capabilities: t.capabilities,
        newScanBuilder: (opts) => {
          const scan = t.newScanBuilder!(opts).build();
          return {
            build: () => ({
              readSchema: () => scan.readSchema(),
              toMicroBatchStream: (cp: string) => {
                const st = scan.toMicroBatchStream!(cp);
                let release: (() => void) | undefined;
                return {
                  initialOffset: () => st.initialOffset(),
                  latestOffset: async (start, limit) => {
                    const end = await st.latestOffset(start, limit);
                    if (end !== start) return end;
                    events.push("waiting for data");
                    entered();
                    await new Promise<void>((r) => (release = r));
                    events.push("wait ended");
                    return start;
                  },
                  planInputPartitions: (a, b) => st.planInputPartitions(a, b),
                  createReader: (p) => st.createReader(p),
                  commit: (e) => st.commit(e),
                  stop: async () => {
                    events.push("source stop");
                    release?.();
                    await st.stop();
                  },
                };
              },
            }),
          };
        },
      };
    },
  };
  return { provider, waiting, events };
}

describe("streaming queries", () => {
  it("moves a source into the memory sink; processAllAvailable picks up appended rows; progress is reported", async () => {
    const { s, mem, registry } = setup();
    const df = await s.readStream.format("memory").option("maxMessagesPerTrigger", 2).load("in");
    expect(df.isStreaming).toBe(true);
    await expect(df.collect()).rejects.toThrow(/writeStream/);
    const progress: QueryProgress[] = [];
    const q = await df.filter((r) => (r.id as number) % 2 === 0 || (r.id as number) > 4).writeStream.format("memory").queryName("out").start();
    q.on("progress", (p: QueryProgress) => progress.push(p));
    await q.processAllAvailable(10_000);
    expect(memoryTable("out", registry)!.rows).toEqual([[0, "r0"], [2, "r2"], [4, "r4"]]);
    mem.appendRows("in", rowsFrom(5, 3));
    await q.processAllAvailable(10_000);
    expect(memoryTable("out", registry)!.rows.map((r) => r[0])).toEqual([0, 2, 4, 5, 6, 7]);
    expect(q.isActive).toBe(true);
    await q.stop();
    expect(q.isActive).toBe(false);
    expect(await q.awaitTermination(1000)).toBe(true);
    // 5 rows then 3 more, at most 2 per trigger.
    expect(progress.map((p) => p.batchId)).toEqual([0, 1, 2, 3, 4]);
    expect(progress.map((p) => p.numInputRows)).toEqual([2, 2, 1, 2, 1]);
    const last = q.lastProgress!;
    expect(last.id).toBe(q.id);
    expect(last.runId).toBe(q.runId);
    expect(last.sources[0]!.startOffset).toBe(7);
    expect(last.sources[0]!.endOffset).toBe(8);
    expect(last.sink.numOutputRows).toBe(1);
    expect(Object.keys(last.durationMs).sort()).toEqual(["addBatch", "commit", "commitOffsets", "latestOffset", "triggerExecution", "walCommit"]);
  });

  it("availableNow processes everything then stops; the query id is stable across restarts, runId is not", async () => {
    const { s, mem, registry } = setup();
    const ckpt = await tempDir();
    const run = async () => {
      const df = await s.readStream.format("memory").option("maxMessagesPerTrigger", 3).load("in");
      const q = await df.writeStream.format("memory").queryName("out").option("checkpointLocation", ckpt).trigger({ availableNow: true }).start();
      expect(await q.awaitTermination(10_000)).toBe(true);
      return q;
    };
    const q1 = await run();
    expect(q1.recentProgress.map((p) => p.numInputRows)).toEqual([3, 2]);
    mem.appendRows("in", rowsFrom(5, 1));
    const q2 = await run();
    expect(q2.id).toBe(q1.id);
    expect(q2.runId).not.toBe(q1.runId);
    expect(q2.recentProgress.map((p) => p.batchId)).toEqual([2]);
    expect(memoryTable("out", registry)!.rows.map((r) => r[0])).toEqual([0, 1, 2, 3, 4, 5]);
    expect((await readdir(join(ckpt, "offsets"))).sort()).toEqual(["0", "1", "2"]);
    expect((await readdir(join(ckpt, "commits"))).sort()).toEqual(["0", "1", "2"]);
  });

  it("once runs one batch; foreachBatch sees each batch as a DataFrame with its epoch id", async () => {
    const { s } = setup();
    const ckpt = await tempDir();
    const seen: [number, unknown[]][] = [];
    const df = await s.readStream.format("memory").load("in");
    const q = await df
      .select("id")
      .writeStream.foreachBatch(async (batch, epochId) => {
        expect(batch.isStreaming).toBe(false);
        seen.push([epochId, (await batch.collect()).map((r) => r.id)]);
        expect(await batch.count()).toBe(5);
      })
      .option("checkpointLocation", ckpt)
      .trigger({ once: true })
      .start();
    await q.awaitTermination();
    expect(seen).toEqual([[0, [0, 1, 2, 3, 4]]]);
    expect(q.lastProgress!.numInputRows).toBe(5);
  });

  it("CRASH TEST: a failure after the sink write and before commits/N; the restarted query leaves every row exactly once", async () => {
    const { s, mem, registry } = setup();
    const ckpt = await tempDir();
    const { provider, failures } = faultySink(registry, 1);
    registry.register(provider);
    const start = async () => {
      const df = await s.readStream.format("memory").option("maxMessagesPerTrigger", 2).load("in");
      return df.writeStream.format("faulty-memory").option("queryName", "sinkT").option("checkpointLocation", ckpt).start();
    };
    const q1 = await start();
    await expect(q1.awaitTermination(10_000)).rejects.toThrow(/injected crash/);
    expect(q1.isActive).toBe(false);
    expect(String(q1.exception)).toMatch(/injected crash/);
    expect(failures).toEqual([1]);
    // Epoch 1 is in the sink, but the checkpoint says it was planned and never committed.
    expect(memoryTable("sinkT", registry)!.rows.map((r) => r[0])).toEqual([0, 1, 2, 3]);
    expect((await readdir(join(ckpt, "offsets"))).sort()).toEqual(["0", "1"]);
    expect((await readdir(join(ckpt, "commits"))).sort()).toEqual(["0"]);

    mem.appendRows("in", rowsFrom(5, 2));
    const q2 = await start();
    await q2.processAllAvailable(10_000);
    await q2.stop();
    expect(q2.id).toBe(q1.id);
    expect(q2.recentProgress[0]).toMatchObject({ batchId: 1, replayed: true, sources: [{ startOffset: 2, endOffset: 4 }] });
    const ids = memoryTable("sinkT", registry)!.rows.map((r) => r[0]);
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("stop() during a batch finishes and commits that batch, then stops", async () => {
    const { s } = setup();
    const ckpt = await tempDir();
    let entered!: () => void;
    const inBatch = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const df = await s.readStream.format("memory").load("in");
    const got: number[] = [];
    const q = await df.writeStream
      .foreachBatch(async (b, epoch) => {
        entered();
        await gate;
        got.push(epoch, await b.count());
      })
      .option("checkpointLocation", ckpt)
      .start();
    await inBatch;
    const stopped = q.stop();
    expect(q.isActive).toBe(true);
    release();
    await stopped;
    expect(q.isActive).toBe(false);
    expect(got).toEqual([0, 5]);
    expect(await readdir(join(ckpt, "commits"))).toEqual(["0"]);
  });

  it("a failing foreachBatch stops the query with the exception; nothing is committed", async () => {
    const { s } = setup();
    const ckpt = await tempDir();
    const df = await s.readStream.format("memory").load("in");
    const q = await df.writeStream
      .foreachBatch(() => {
        throw new Error("user code failed");
      })
      .option("checkpointLocation", ckpt)
      .start();
    const terminated = new Promise((r) => q.once("terminated", r));
    await expect(q.awaitTermination()).rejects.toThrow(/user code failed/);
    expect(await terminated).toMatchObject({ id: q.id });
    await expect(q.processAllAvailable()).rejects.toThrow(/user code failed/);
    expect(await readdir(join(ckpt, "commits"))).toEqual([]);
  });

  it("refuses a second running query on the same checkpoint until the first stops", async () => {
    const { s } = setup();
    const ckpt = await tempDir();
    const df = await s.readStream.format("memory").load("in");
    const q1 = await df.writeStream.format("memory").queryName("a").option("checkpointLocation", ckpt).start();
    await expect(df.writeStream.format("memory").queryName("b").option("checkpointLocation", ckpt).start()).rejects.toThrow(/in use by running query a/);
    await q1.stop();
    const q2 = await df.writeStream.format("memory").queryName("b").option("checkpointLocation", ckpt).start();
    expect(q2.id).toBe(q1.id);
    await q2.stop();
  });

  it("keeps only the last minBatchesToRetain batches in the log and validates setup", async () => {
    const { s } = setup();
    const ckpt = await tempDir();
    const df = await s.readStream.format("memory").option("maxMessagesPerTrigger", 1).load("in");
    const q = await df.writeStream.format("memory").queryName("o").option("checkpointLocation", ckpt).option("minBatchesToRetain", 2).trigger({ availableNow: true }).start();
    await q.awaitTermination();
    expect(q.recentProgress).toHaveLength(5);
    expect((await readdir(join(ckpt, "offsets"))).sort()).toEqual(["3", "4"]);
    expect((await readdir(join(ckpt, "commits"))).sort()).toEqual(["3", "4"]);
    await expect(df.writeStream.format("memory").start()).rejects.toThrow(/queryName/);
    await expect(df.writeStream.format("json").start()).rejects.toThrow(/checkpointLocation/);
    expect(() => df.writeStream.trigger({ processingTime: "soon" })).toThrow(/processingTime/);
    expect(() => df.writeStream.outputMode("complete")).toThrow(/complete/);
    const batch = s.createDataFrame([], schema);
    await expect(batch.writeStream.format("memory").queryName("x").start()).rejects.toThrow(/streaming DataFrame/);
  });

  it("once after a crash replays the uncommitted batch and stops after it, though the source has more", async () => {
    const { s, mem, registry } = setup();
    const ckpt = await tempDir();
    const { provider, failures } = faultySink(registry, 0);
    registry.register(provider);
    const start = async () => {
      const df = await s.readStream.format("memory").option("maxMessagesPerTrigger", 2).load("in");
      return df.writeStream.format("faulty-memory").option("queryName", "onceT").option("checkpointLocation", ckpt).trigger({ once: true }).start();
    };
    const q1 = await start();
    await expect(q1.awaitTermination(10_000)).rejects.toThrow(/injected crash/);
    expect(failures).toEqual([0]);
    expect(await readdir(join(ckpt, "commits"))).toEqual([]);
    mem.appendRows("in", rowsFrom(5, 2));

    const q2 = await start();
    expect(await q2.awaitTermination(10_000)).toBe(true);
    expect(q2.recentProgress.map((p) => [p.batchId, p.replayed, p.numInputRows])).toEqual([[0, true, 2]]);
    expect((await readdir(join(ckpt, "offsets"))).sort()).toEqual(["0"]);
    expect((await readdir(join(ckpt, "commits"))).sort()).toEqual(["0"]);
    expect(memoryTable("onceT", registry)!.rows.map((r) => r[0])).toEqual([0, 1]);

    // The next one-time run plans the next batch.
    const q3 = await start();
    expect(await q3.awaitTermination(10_000)).toBe(true);
    expect(q3.recentProgress.map((p) => [p.batchId, p.replayed, p.numInputRows])).toEqual([[1, false, 2]]);
    expect(memoryTable("onceT", registry)!.rows.map((r) => r[0])).toEqual([0, 1, 2, 3]);
  });

  it("stop() does not wait out a source waiting for data: it stops the source, which ends the wait", async () => {
    const { s, registry } = setup();
    const ckpt = await tempDir();
    const { provider, waiting, events } = waitingSource(registry);
    registry.register(provider);
    const df = await s.readStream.format("waiting-memory").load("in");
    const q = await df.writeStream.format("memory").queryName("w").option("checkpointLocation", ckpt).start();
    await waiting; // batch 0 is committed and latestOffset now blocks until the source is stopped
    expect(q.isActive).toBe(true);
    await q.stop();
    expect(q.isActive).toBe(false);
    expect(q.exception).toBeUndefined();
    expect(events).toEqual(["waiting for data", "source stop", "wait ended"]);
    expect(memoryTable("w", registry)!.rows.map((r) => r[0])).toEqual([0, 1, 2, 3, 4]);
    expect(await readdir(join(ckpt, "offsets"))).toEqual(["0"]);
    expect(await readdir(join(ckpt, "commits"))).toEqual(["0"]);
  });
});
