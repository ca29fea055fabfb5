import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FormatRegistry, createMemoryLogger, createSession, defaultRegistry, memoryProvider, registerBuiltinFormats, StructType } from "../src/index.js";

describe("session", () => {
  it("the default registry has the built-in formats once core is imported", () => {
    for (const f of ["memory", "json", "console", "rate"]) expect(defaultRegistry().has(f)).toBe(true);
    expect(createSession().registry).toBe(defaultRegistry());
  });

  it("createDataFrame takes objects or positional rows and a DDL schema, converting as Spark does", async () => {
    const s = createSession({ registry: registerBuiltinFormats(new FormatRegistry()) });
    const df = s.createDataFrame([{ id: 1, name: "a", inner: { x: 2 } }, { id: 2 }], "id BIGINT, name STRING, inner STRUCT<x: BIGINT>");
    expect(df.schema).toBeInstanceOf(StructType);
    expect(await df.toArray()).toEqual([
      { id: 1, name: "a", inner: { x: 2 } },
      { id: 2, name: null, inner: null },
    ]);
    const pos = s.createDataFrame([[1, "x", null]], df.schema);
    expect((await pos.first())!.name).toBe("x");
    expect(() => s.createDataFrame([[1]], df.schema)).toThrow(/1 values/);
    expect((await df.toJSON().collect())[0]).toBe('{"id":1,"name":"a","inner":{"x":2}}');
  });

  it("read.json infers and logs through the injected logger; stop() stops queries and rejects new reads", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mmspark-session-"));
    try {
      const file = join(dir, "a.json");
      await writeFile(file, '{"n": 1}\n{"n": 2}\n');
      const logger = createMemoryLogger();
      const registry = registerBuiltinFormats(new FormatRegistry());
      const s = createSession({ registry, logger, appName: "t" });
      const df = await s.read.json(file);
      expect(df.schema.simpleString()).toBe("struct<n:bigint>");
      await df.write.format("memory").save("copy");
      expect(logger.events.some((e) => e.message === "write committed")).toBe(true);
      memoryProvider(registry).createTable("src", df.schema, [[1]]);
      const q = await (await s.readStream.format("memory").load("src")).writeStream.format("memory").queryName("dst").start();
      expect(s.activeQueries).toEqual([q]);
      await s.stop();
      expect(q.isActive).toBe(false);
      expect(() => s.read).toThrow(/stopped/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
