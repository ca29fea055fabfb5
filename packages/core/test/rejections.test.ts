/**
 * Rejections are loud (issue 12): every action leaves its counters in `df.metrics` (show() and
 * take() included, which run on a limited copy), and the session's logger, a stderr logger by
 * default, warns once per action with the count, the first keys and a reason.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { FormatRegistry, createMemoryLogger, createSession, registerBuiltinFormats } from "../src/index.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function dataFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "mmspark-rejections-"));
  dirs.push(dir);
  const file = join(dir, "docs.json");
  await writeFile(file, ['{"_key":"k1","a":1}', '{"_key":"k2","a":"x"}', '{"_key":"k3","a":true}', '{"_key":"k4","a":4}'].join("\n") + "\n");
  return file;
}

const registry = () => registerBuiltinFormats(new FormatRegistry(), { console: { write: () => {} } });

it("fills df.metrics after show(), take(), count() and collect(), and warns once per action with the first keys", async () => {
  const logger = createMemoryLogger();
  const printed: string[] = [];
  const s = createSession({ registry: registry(), logger, print: (t) => printed.push(t) });
  const df = await s.read.format("json").schema("_key STRING, a BIGINT").option("mode", "DROPMALFORMED").load(await dataFile());
  expect(df.metrics).toBeUndefined();

  await df.show();
  expect(printed.join("")).toContain("|  k4|  4|");
  expect(df.metrics?.get("rejectedRecords")).toBe(2);
  const warnings = () => logger.events.filter((e) => e.level === "warn");
  expect(warnings()).toHaveLength(1);
  expect(warnings()[0]!.message).toMatch(/2 rejectedRecords \(first keys: k2, k3; e\.g\. a: expected bigint, found string\)/);

  for (const action of [() => df.count(), () => df.collect(), () => df.take(10)]) {
    const before = df.metrics;
    await action();
    expect(df.metrics).not.toBe(before);
    expect(df.metrics?.get("rejectedRecords")).toBe(2);
  }
  expect(warnings()).toHaveLength(4);
  await s.stop();
});

it("warns about malformed records PERMISSIVE kept, and stays quiet when nothing was refused", async () => {
  const logger = createMemoryLogger();
  const s = createSession({ registry: registry(), logger });
  const file = await dataFile();
  const permissive = await s.read.format("json").schema("_key STRING, a BIGINT").load(file);
  expect(await permissive.count()).toBe(4);
  expect(logger.events.filter((e) => e.level === "warn").map((e) => e.message)).toEqual([expect.stringMatching(/^records did not match the schema: 2 malformedRecords \(first keys: k2, k3/)]);
  const clean = await s.read.format("json").schema("_key STRING, a STRING").load(file);
  await clean.count();
  expect(logger.events.filter((e) => e.level === "warn")).toHaveLength(1);
  await s.stop();
});

it("prints the warning to stderr with the default logger", async () => {
  const s = createSession({ registry: registry() });
  const df = await s.read.format("json").schema("_key STRING, a BIGINT").option("mode", "DROPMALFORMED").load(await dataFile());
  const written: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  // Observes what the default logger writes; the text still reaches stderr.
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    written.push(String(chunk));
    return original(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    expect(await df.count()).toBe(2);
  } finally {
    process.stderr.write = original;
  }
  expect(written.join("")).toMatch(/\[warn\] records did not match the schema: 2 rejectedRecords \(first keys: k2, k3/);
  await s.stop();
});
