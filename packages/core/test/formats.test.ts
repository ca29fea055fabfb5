import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  FormatRegistry,
  LongType,
  type Row,
  StringType,
  StructField,
  StructType,
  createSession,
  jsonDataFiles,
  memoryProvider,
  memoryTable,
  registerBuiltinFormats,
} from "../src/index.js";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "mmspark-formats-test-"));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function setup() {
  const printed: string[] = [];
  const registry = registerBuiltinFormats(new FormatRegistry(), { console: { write: (t) => printed.push(t) } });
  return { registry, printed, s: createSession({ registry }) };
}

const LINES = ['{"a": 1, "b": "x"}', "", '{"a": 12345678901234567890, "c": [1.5]}', "{not json", '{"a": 2, "b": "y"}'];

describe("json format", () => {
  it("infers Spark's schema (merge) and reads PERMISSIVE with the corrupt-record column", async () => {
    const { s } = setup();
    const dir = await tempDir();
    const file = join(dir, "in.json");
    await writeFile(file, LINES.join("\n") + "\n");
    const df = await s.read.json(file);
    expect(df.schema.simpleString()).toBe("struct<_corrupt_record:string,a:decimal(20,0),b:string,c:array<double>>");
    const rows = await df.toArray();
    expect(rows).toHaveLength(4);
    expect(rows[2]).toEqual({ _corrupt_record: "{not json", a: null, b: null, c: null });
    expect(rows[0]!.b).toBe("x");
    expect(rows[1]!.a).toBe("12345678901234567890");
  });

  it("DROPMALFORMED drops and counts; FAILFAST fails; a user schema skips inference", async () => {
    const { s } = setup();
    const dir = await tempDir();
    const file = join(dir, "in.json");
    await writeFile(file, ['{"a": 1}', '{"a": "zz"}', "{broken", '{"a": 3}'].join("\n"));
    const schema = new StructType([new StructField("a", LongType)]);
    const dropped = await s.read.format("json").schema(schema).option("mode", "DROPMALFORMED").load(file);
    expect((await dropped.collect()).map((r) => r.a)).toEqual([1, 3]);
    expect(dropped.metrics!.get("rejectedRecords")).toBe(2);
    expect(dropped.metrics!.samplesOf("rejectedRecords").length).toBeGreaterThan(0);
    const strict = await s.read.format("json").schema("a BIGINT").option("mode", "FAILFAST").load(file);
    await expect(strict.collect()).rejects.toThrow();
    await expect(s.read.format("json").option("mode", "LENIENT").load(file)).rejects.toThrow(/mode/);
    await expect(s.read.format("json").option("multiLine", true).load(file)).rejects.toThrow(/multiLine/);
    await expect(s.read.json(join(dir, "nope"))).rejects.toThrow(/does not exist/);
  });

  it("writes with save modes (part files + _SUCCESS) and reads the folder back", async () => {
    const { s } = setup();
    const dir = join(await tempDir(), "out");
    const schema = new StructType([new StructField("id", LongType), new StructField("s", StringType)]);
    const df = s.createDataFrame([{ id: 1, s: "a" }, { id: 2, s: null }, { id: 3, s: "c" }], schema);
    expect(await df.write.format("json").save(dir)).toBe(3);
    const names = await readdir(dir);
    expect(names).toContain("_SUCCESS");
    expect(names).not.toContain("_temporary");
    expect(await readFile(join(dir, (await jsonDataFiles(dir))[0]!), "utf8")).toBe('{"id":1,"s":"a"}\n{"id":2}\n{"id":3,"s":"c"}\n');
    await expect(df.write.format("json").save(dir)).rejects.toThrow(/already exists/);
    await df.write.format("json").mode("ignore").save(dir);
    expect(await (await s.read.json(dir)).count()).toBe(3);
    await df.write.format("json").mode("append").save(dir);
    expect(await (await s.read.json(dir)).count()).toBe(6);
    await df.limit(1).write.format("json").mode("overwrite").save(dir);
    const back = await s.read.format("json").schema(schema).load(dir);
    expect(await back.toArray()).toEqual([{ id: 1, s: "a" }]);
    expect(await jsonDataFiles(dir)).toHaveLength(1);
  });

  it("streaming sink: a replayed epoch (crash before commits/N, or between its renames and its log) leaves each row once, in order", async () => {
    const { s, registry } = setup();
    const base = await tempDir();
    const out = join(base, "out");
    const ckpt = join(base, "ckpt");
    const schema = new StructType([new StructField("id", LongType)]);
    const mem = memoryProvider(registry);
    mem.createTable("in", schema, Array.from({ length: 6 }, (_, i): Row => [i]));
    const run = async () => {
      const df = await s.readStream.format("memory").option("maxMessagesPerTrigger", 2).load("in");
      const q = await df.writeStream.format("json").option("checkpointLocation", ckpt).trigger({ availableNow: true }).start(out);
      await q.awaitTermination();
      return q;
    };
    const q1 = await run();
    expect(q1.recentProgress).toHaveLength(3);
    const readIds = async () => (await (await s.read.format("json").schema(schema).load(out)).collect()).map((r) => r.id);
    expect(await readIds()).toEqual([0, 1, 2, 3, 4, 5]);

    // Crash after the sink committed epoch 2 but before commits/2.
    await rm(join(ckpt, "commits", "2"));
    const q2 = await run();
    expect(q2.recentProgress.map((p) => [p.batchId, p.replayed])).toEqual([[2, true]]);
    expect(await readIds()).toEqual([0, 1, 2, 3, 4, 5]);

    // Crash after epoch 2's files were renamed into place but before its sink log entry.
    await rm(join(ckpt, "commits", "2"));
    await rm(join(out, "_spark_metadata", q1.id, "2"));
    mem.appendRows("in", [[6]]);
    const q3 = await run();
    expect(q3.recentProgress.map((p) => p.batchId)).toEqual([2, 3]);
    expect(await readIds()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe("console format", () => {
  it("prints each micro-batch as Spark's console sink", async () => {
    const { s, registry, printed } = setup();
    const schema = new StructType([new StructField("id", LongType), new StructField("s", StringType)]);
    memoryProvider(registry).createTable("in", schema, [[1, "a"], [2, "b"], [3, "c"]]);
    const df = await s.readStream.format("memory").load("in");
    const q = await df.writeStream.format("console").option("numRows", 2).trigger({ once: true }).start();
    await q.awaitTermination();
    expect(printed.join("")).toBe(
      [
        "-------------------------------------------",
        "Batch: 0",
        "-------------------------------------------",
        "+---+---+",
        "| id|  s|",
        "+---+---+",
        "|  1|  a|",
        "|  2|  b|",
        "+---+---+",
        "only showing top 2 rows",
        "",
        "",
      ].join("\n"),
    );
    printed.length = 0;
    await (await s.read.format("memory").load("in")).write.format("console").option("truncate", false).save();
    expect(printed.join("")).toContain("|1  |a  |");
  });
});

describe("rate format", () => {
  it("batch rows are deterministic: value v at start + v·1000/rowsPerSecond, spread over partitions", async () => {
    const { s } = setup();
    const df = await s.read.format("rate").options({ rowsPerSecond: 4, numRows: 6, numPartitions: 2, startTimestampMs: 1000 }).load();
    expect(df.schema.simpleString()).toBe("struct<timestamp:timestamp,value:bigint>");
    const rows = await df.collect();
    expect(rows.map((r) => r.value)).toEqual([0, 2, 4, 1, 3, 5]);
    expect(rows.map((r) => (r.timestamp as Date).getTime())).toEqual([1000, 1500, 2000, 1250, 1750, 2250]);
  });

  it("streams contiguous values across a restart on the same checkpoint", async () => {
    const { s, registry } = setup();
    const ckpt = await tempDir();
    const run = async () => {
      const df = await s.readStream.format("rate").options({ rowsPerSecond: 2000, numPartitions: 3 }).load();
      const q = await df.writeStream.format("memory").queryName("rates").option("checkpointLocation", ckpt).start();
      await new Promise<void>((resolve) => q.on("progress", () => resolve()));
      await q.stop();
      return q;
    };
    await run();
    await run();
    const values = memoryTable("rates", registry)!.rows.map((r) => r[1] as number).sort((a, b) => a - b);
    expect(values.length).toBeGreaterThan(0);
    expect(values).toEqual(Array.from({ length: values.length }, (_, i) => i));
  });
});
