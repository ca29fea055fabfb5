import { describe, expect, it } from "vitest";
import {
  ArrayType,
  FormatRegistry,
  LongType,
  type PartitionReader,
  type RowBatch,
  StringType,
  StructField,
  StructType,
  type TableProvider,
  createSession,
  registerBuiltinFormats,
  SparkRow,
} from "../src/index.js";
import { memoryProvider, memoryTable } from "../src/formats/memory.js";

const schema = new StructType([
  new StructField("id", LongType),
  new StructField("name", StringType),
  new StructField("tags", new ArrayType(StringType)),
  new StructField("inner", new StructType([new StructField("x", LongType), new StructField("y", StringType)])),
]);
const rows = [
  [1, "a", ["t1"], [10, "p"]],
  [2, "b", [], null],
  [3, null, null, [30, "r"]],
];

function session() {
  const registry = registerBuiltinFormats(new FormatRegistry());
  const printed: string[] = [];
  return { s: createSession({ registry, print: (t) => printed.push(t) }), registry, printed };
}

describe("DataFrame", () => {
  it("collects SparkRows readable by name, position and asDict", async () => {
    const { s } = session();
    const df = s.createDataFrame(rows, schema);
    const out = await df.collect();
    expect(out).toHaveLength(3);
    const r = out[0]!;
    expect(r).toBeInstanceOf(SparkRow);
    expect(r.get("name")).toBe("a");
    expect(r.name).toBe("a");
    expect(r[0]).toBe(1);
    expect(r.get(1)).toBe("a");
    expect((r.inner as SparkRow).get("y")).toBe("p");
    expect(r.asDict()).toEqual({ id: 1, name: "a", tags: ["t1"], inner: { x: 10, y: "p" } });
    expect(JSON.parse(JSON.stringify(out[1]))).toEqual({ id: 2, name: "b", tags: [], inner: null });
    expect(() => r.get("nope")).toThrow(/nope/);
  });

  it("select, filter, where, limit, withColumn, count, take, first", async () => {
    const { s } = session();
    const df = s.createDataFrame(rows, schema);
    expect(df.select("name", "id").columns).toEqual(["name", "id"]);
    expect((await df.select("name", "id").collect()).map((r) => r.toArray())).toEqual([["a", 1], ["b", 2], [null, 3]]);
    expect(() => df.select("zzz")).toThrow(/zzz/);
    expect(await df.filter((r) => (r.id as number) > 1).count()).toBe(2);
    expect((await df.where("name", "b").collect()).map((r) => r.id)).toEqual([2]);
    expect(await df.limit(2).count()).toBe(2);
    expect((await df.take(1))[0]!.id).toBe(1);
    expect((await df.first())!.name).toBe("a");
    expect(await df.filter(() => false).first()).toBeUndefined();
    const wc = df.withColumn("lit", 5).withColumn("up", (r) => (r.name as string | null)?.toUpperCase() ?? null);
    expect(wc.schema.simpleString()).toBe("struct<id:bigint,name:string,tags:array<string>,inner:struct<x:bigint,y:string>,lit:bigint,up:string>");
    expect((await wc.toArray()).map((o) => [o.lit, o.up])).toEqual([[5, "A"], [5, "B"], [5, null]]);
    const replaced = df.withColumn("id", 0);
    expect(replaced.columns).toEqual(df.columns);
    expect((await replaced.collect()).every((r) => r.id === 0)).toBe(true);
    const seen: unknown[] = [];
    for await (const r of df) seen.push(r.id);
    expect(seen).toEqual([1, 2, 3]);
  });

  it("writes and reads the memory format with save modes", async () => {
    const { s, registry } = session();
    const df = s.createDataFrame(rows, schema);
    expect(await df.write.format("memory").save("t")).toBe(3);
    await expect(df.write.format("memory").save("t")).rejects.toThrow(/already exists/);
    await df.write.format("memory").mode("ignore").save("t");
    expect(memoryTable("t", registry)!.rows).toHaveLength(3);
    await df.write.format("memory").mode("append").option("name", "t").save();
    expect(memoryTable("t", registry)!.rows).toHaveLength(6);
    await df.limit(1).write.format("memory").mode("overwrite").save("t");
    expect(memoryTable("t", registry)!.objects()).toEqual([{ id: 1, name: "a", tags: ["t1"], inner: { x: 10, y: "p" } }]);
    const back = await s.read.format("memory").load("t");
    expect(back.schema.simpleString()).toBe(schema.simpleString());
    expect((await back.collect()).map((r) => r.id)).toEqual([1]);
    await expect(df.select("id").write.format("memory").mode("append").save("t")).rejects.toThrow(/cannot append/);
    await expect(s.read.format("memory").load("missing")).rejects.toThrow(/does not exist/);
    await expect(s.read.format("nope").load()).rejects.toThrow(/not registered/);
    expect(() => df.write.mode("sideways" as never)).toThrow(/mode/);
  });

  it("reads partitions in order with bounded concurrency and closes readers on early exit", async () => {
    const registry = new FormatRegistry();
    const opened: number[] = [];
    const closed: number[] = [];
    let maxOpen = 0;
    const one = new StructType([new StructField("v", LongType)]);
    const provider: TableProvider = {
      formats: ["parts"],
      inferSchema: async () => one,
      getTable: async () => ({
        name: "parts",
        schema: one,
        capabilities: new Set(["BATCH_READ"]),
        newScanBuilder: () => ({
          build: () => ({
            readSchema: () => one,
            toBatch: () => ({
              planInputPartitions: async () => Array.from({ length: 6 }, (_, index) => ({ index })),
              createReader: (p): PartitionReader =>
                (async function* (): AsyncGenerator<RowBatch> {
                  opened.push(p.index);
                  maxOpen = Math.max(maxOpen, opened.length - closed.length);
                  try {
                    for (let b = 0; b < 50; b++) yield [[p.index * 1000 + b]];
                  } finally {
                    closed.push(p.index);
                  }
                })(),
            }),
          }),
        }),
      }),
    };
    registry.register(provider);
    const s = createSession({ registry, conf: { parallelism: 2 } });
    const df = await s.read.format("parts").load();
    const all = await df.collect();
    expect(all.map((r) => r.v)).toEqual(Array.from({ length: 6 }, (_, p) => Array.from({ length: 50 }, (_, b) => p * 1000 + b)).flat());
    expect(maxOpen).toBeLessThanOrEqual(2);
    expect(df.metrics!.get("rowsRead")).toBe(300);
    opened.length = 0;
    closed.length = 0;
    const first = await df.take(3);
    expect(first.map((r) => r.v)).toEqual([0, 1, 2]);
    expect(closed.sort()).toEqual(opened.sort());
    const df1 = await s.read.format("parts").option("PARALLELISM", 1).load();
    opened.length = 0;
    closed.length = 0;
    maxOpen = 0;
    expect(await df1.count()).toBe(300);
    expect(maxOpen).toBe(1);
  });

  it("aborts every writer when one partition fails and commits nothing", async () => {
    const { s, registry } = session();
    const events: string[] = [];
    const one = new StructType([new StructField("v", LongType)]);
    registry.register({
      formats: ["failing"],
      inferSchema: async () => one,
      getTable: async () => ({
        name: "f",
        schema: one,
        capabilities: new Set(["BATCH_WRITE"]),
        newWriteBuilder: () => ({
          buildForBatch: () => ({
            createWriter: (i) => ({
              write: async (b) => {
                if (b.some((r) => r[0] === 3)) throw new Error("boom at 3");
                events.push(`write${i}`);
              },
              commit: async () => ({ i }),
              abort: async () => void events.push(`abortWriter${i}`),
            }),
            commit: async () => void events.push("commit"),
            abort: async (m) => void events.push(`abort(${m.length})`),
          }),
        }),
      }),
    });
    memoryProvider(registry).createTable("src", one, [[1], [2], [3]]);
    const df = await s.read.format("memory").option("numPartitions", 3).load("src");
    await expect(df.write.format("failing").save()).rejects.toThrow(/boom at 3/);
    expect(events).toContain("abortWriter2");
    expect(events).not.toContain("commit");
    expect(events.at(-1)).toBe("abort(2)");
  });
});
