import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CheckpointLog, parseInterval, writeAtomic } from "../src/index.js";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "mmspark-ckpt-test-"));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe("checkpoint log", () => {
  it("keeps the query id in metadata and lays out offsets/commits/sources", async () => {
    const dir = await tempDir();
    const log = new CheckpointLog(dir);
    const id = await log.queryId();
    expect(await new CheckpointLog(dir).queryId()).toBe(id);
    expect(JSON.parse(await readFile(join(dir, "metadata"), "utf8"))).toEqual({ id });
    expect((await readdir(dir)).sort()).toEqual(["commits", "metadata", "offsets", "sources"]);
    expect(log.sourceDir(0)).toBe(join(dir, "sources", "0"));
  });

  it("finds the latest planned batch and whether it was committed; numbers sort numerically", async () => {
    const dir = await tempDir();
    const log = new CheckpointLog(dir);
    await log.queryId();
    expect(await log.latestOffsets()).toBeUndefined();
    for (const n of [0, 1, 2, 9, 10]) await log.writeOffsets({ batchId: n, start: { p: n }, end: { p: n + 1 }, timestampMs: 1 });
    for (const n of [0, 1, 2, 9]) await log.writeCommit({ batchId: n, timestampMs: 1 });
    expect(await log.latestOffsets()).toMatchObject({ batchId: 10, start: { p: 10 }, end: { p: 11 } });
    expect(await log.latestCommit()).toBe(9);
    // A temporary file from an interrupted write never counts as an entry.
    await writeFile(join(dir, "offsets", ".11.abc.tmp"), "{");
    expect((await log.latestOffsets())!.batchId).toBe(10);
  });

  it("purges all but the last minBatchesToRetain batches", async () => {
    const dir = await tempDir();
    const log = new CheckpointLog(dir, { minBatchesToRetain: 3 });
    await log.queryId();
    for (let n = 0; n < 8; n++) {
      await log.writeOffsets({ batchId: n, start: n, end: n + 1, timestampMs: 0 });
      await log.writeCommit({ batchId: n, timestampMs: 0 });
      await log.purge(n);
    }
    expect((await readdir(join(dir, "offsets"))).sort()).toEqual(["5", "6", "7"]);
    expect((await readdir(join(dir, "commits"))).sort()).toEqual(["5", "6", "7"]);
  });

  it("names an unreadable file instead of guessing", async () => {
    const dir = await tempDir();
    const log = new CheckpointLog(dir);
    await log.queryId();
    await writeFile(join(dir, "offsets", "0"), "{torn");
    await expect(log.latestOffsets()).rejects.toThrow(/offsets.0 is unreadable/);
  });

  it("writeAtomic replaces a file whole and leaves no temporary behind", async () => {
    const dir = await tempDir();
    const f = join(dir, "x");
    await writeAtomic(f, "one");
    await writeAtomic(f, "two");
    expect(await readFile(f, "utf8")).toBe("two");
    expect(await readdir(dir)).toEqual(["x"]);
  });

  it("parses processingTime intervals", () => {
    expect(parseInterval("250 ms")).toBe(250);
    expect(parseInterval("2 seconds")).toBe(2000);
    expect(parseInterval("interval 1 minute")).toBe(60_000);
    expect(parseInterval(40)).toBe(40);
    expect(() => parseInterval("fast")).toThrow(/processingTime/);
  });
});
