/**
 * Delta → Macrometa: a Delta table's Change Data Feed (local-warehouse, through the real
 * @databricks/sql driver) read as a stream by format("databricks") and applied to a collection
 * (local-gdn) by the collection's streaming sink.
 *
 * Delta semantics checked here, from Delta's docs (docs.delta.io "Change data feed", "Table
 * streaming reads and writes") and error classes (delta-error-classes.json):
 * - change rows carry `_change_type` STRING, `_commit_version` BIGINT, `_commit_timestamp` TIMESTAMP;
 * - a stream's offsets are table versions; a restarted query picks up only commits after its last;
 * - without readChangeFeed a stream reads appends only and fails on a data update
 *   (DELTA_SOURCE_TABLE_IGNORE_CHANGES) unless skipChangeCommits;
 * - a range where CDF was off fails with DELTA_MISSING_CHANGE_DATA (SQLSTATE KD002).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import "@macrometa-spark/collection";
import type { QueryProgress } from "@macrometa-spark/core";
import { isDatabricksError } from "@macrometa-spark/databricks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usePeers } from "../../packages/cli/test/support/peers.js";

const bin = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url));

const peers = usePeers({ schema: "rev", dir: "mmspark-reverse-", session: true });
let gdnOpts: Record<string, string | number>;
const children = new Set<ChildProcess>();

beforeAll(() => {
  gdnOpts = { regionUrl: peers.gdn.url, apiKey: `apikey ${peers.gdn.apiKey}` };
});

afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
});

async function cdfTable(name: string): Promise<void> {
  await peers.admin.execute(`CREATE TABLE main.rev.${name} (_key STRING, total BIGINT, region STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)`);
}

/** The table's rows, as the collection should hold them, sorted by key. */
async function tableRows(name: string): Promise<Record<string, unknown>[]> {
  const rows = await peers.admin.query(`SELECT _key, CAST(total AS STRING) AS total, region FROM main.rev.${name} ORDER BY _key`);
  return rows.map((r) => ({ _key: r["_key"], total: r["total"] === null ? null : Number(r["total"]), region: r["region"] }));
}

async function collectionRows(name: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const page of peers.http.query(`FOR d IN ${name} SORT d._key RETURN UNSET(d, "_id", "_rev")`, { batchSize: 1000 })) {
    for (const t of page.items) out.push(JSON.parse(t) as Record<string, unknown>);
  }
  return out;
}

/** One availableNow run of the reverse sync; returns its progress reports. */
async function runOnce(table: string, collection: string, checkpoint: string, extra: Record<string, unknown> = {}): Promise<QueryProgress[]> {
  const df = await peers.session.readStream.format("databricks").options({ ...peers.dbx, table, readChangeFeed: true, ...extra } as never).load();
  const q = await df.writeStream.format("com.macrometa.spark.collection").options({ ...gdnOpts, collection }).option("checkpointLocation", checkpoint).trigger({ availableNow: true }).start();
  await q.awaitTermination(60_000);
  expect(q.exception).toBeUndefined();
  return [...q.recentProgress];
}

describe("reverse sync through the session", () => {
  it("keeps the collection equal to the table after inserts, updates and deletes; a second run reads only new commits", async () => {
    await cdfTable("totals");
    await peers.admin.execute("INSERT INTO main.rev.totals VALUES ('eu', 10, 'EU'), ('us', 20, 'US'), ('ap', 30, 'AP')");
    const checkpoint = join(peers.dir, "totals");
    const first = await runOnce("totals", "totals", checkpoint);
    expect(await collectionRows("totals")).toEqual(await tableRows("totals"));
    expect(first.reduce((n, p) => n + p.numInputRows, 0)).toBe(3);
    const firstEnd = first.at(-1)!.sources[0]!.endOffset;

    await peers.admin.execute("UPDATE main.rev.totals SET total = total + 1 WHERE _key = 'eu'");
    await peers.admin.execute("DELETE FROM main.rev.totals WHERE _key = 'us'");
    await peers.admin.execute("INSERT INTO main.rev.totals VALUES ('sa', 5, 'SA')");
    await peers.admin.execute("MERGE INTO main.rev.totals t USING (SELECT 'ap' AS k, 99 AS v UNION ALL SELECT 'me', 7) s ON t._key = s.k WHEN MATCHED THEN UPDATE SET total = s.v WHEN NOT MATCHED THEN INSERT (_key, total, region) VALUES (s.k, s.v, 'ME')");
    const second = await runOnce("totals", "totals", checkpoint);
    expect(await collectionRows("totals")).toEqual(await tableRows("totals"));
    expect(second[0]!.sources[0]!.startOffset).toEqual(firstEnd);
    // update: pre + post image; delete: 1; insert: 1; merge: pre + post of ap, insert of me.
    expect(second.reduce((n, p) => n + p.numInputRows, 0)).toBe(2 + 1 + 1 + 3);

    const third = await runOnce("totals", "totals", checkpoint);
    expect(third.reduce((n, p) => n + p.numInputRows, 0)).toBe(0);
  });

  it("replays an epoch written but not in commits/N (a kill between the write and commits/N) harmlessly", async () => {
    await cdfTable("replay");
    await peers.admin.execute("INSERT INTO main.rev.replay VALUES ('a', 1, 'X'), ('b', 2, 'X')");
    const checkpoint = join(peers.dir, "replay");
    await runOnce("replay", "replay", checkpoint);
    await peers.admin.execute("DELETE FROM main.rev.replay WHERE _key = 'a'");
    await peers.admin.execute("UPDATE main.rev.replay SET total = 3 WHERE _key = 'b'");
    const second = await runOnce("replay", "replay", checkpoint);
    // The state a kill right after the sink's write leaves: offsets/N present, commits/N not.
    const last = second.at(-1)!.batchId;
    await rm(join(checkpoint, "commits", String(last)));
    const replay = await runOnce("replay", "replay", checkpoint);
    expect(replay[0]!.replayed).toBe(true);
    expect(replay[0]!.batchId).toBe(last);
    expect(await collectionRows("replay")).toEqual(await tableRows("replay"));
    expect(await collectionRows("replay")).toEqual([{ _key: "b", total: 3, region: "X" }]);
  });

  it("admits whole commits: maxFilesPerTrigger 1 gives one commit per micro-batch, and a new query starts with the table's snapshot", async () => {
    await cdfTable("paced");
    for (let i = 0; i < 4; i++) await peers.admin.execute(`INSERT INTO main.rev.paced VALUES ('k${i}', ${i}, 'R'), ('x${i}', ${i}, 'R')`);
    const p = await runOnce("paced", "paced", join(peers.dir, "paced"), { startingVersion: 1, maxFilesPerTrigger: 1 });
    expect(p.map((b) => b.numInputRows)).toEqual([2, 2, 2, 2]);
    expect(await collectionRows("paced")).toEqual(await tableRows("paced"));
    // No startingVersion: the table as of its latest version first, as inserts.
    const snap = await runOnce("paced", "paced_snapshot", join(peers.dir, "paced-snapshot"));
    expect(snap.map((b) => b.numInputRows)).toEqual([8]);
    expect(await collectionRows("paced_snapshot")).toEqual(await tableRows("paced"));
  });
});

describe("Delta table reads", () => {
  it("reads the change feed as a batch with Delta's columns and types", async () => {
    await cdfTable("batch");
    await peers.admin.execute("INSERT INTO main.rev.batch VALUES ('a', 1, 'X')");
    await peers.admin.execute("UPDATE main.rev.batch SET total = 2 WHERE _key = 'a'");
    const df = await peers.session.read.format("databricks").options({ ...peers.dbx, table: "batch", readChangeFeed: true, startingVersion: 1 } as never).load();
    expect(df.schema.simpleString()).toBe("struct<_key:string,total:bigint,region:string,_change_type:string,_commit_version:bigint,_commit_timestamp:timestamp>");
    const rows = (await df.collect()).map((r) => r.asDict() as Record<string, unknown>);
    expect(rows.map((r) => [r["_change_type"], r["_commit_version"], r["total"]])).toEqual([
      ["insert", 1, 1],
      ["update_preimage", 2, 1],
      ["update_postimage", 2, 2],
    ]);
    expect(String(rows[0]!["_commit_timestamp"])).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const ranged = await peers.session.read.format("databricks").options({ ...peers.dbx, table: "batch", readChangeFeed: true, startingVersion: 2, endingVersion: 2 } as never).load();
    expect((await ranged.collect()).length).toBe(2);
    const noStart = await peers.session.read.format("databricks").options({ ...peers.dbx, table: "batch", readChangeFeed: true } as never).load();
    await expect(noStart.collect()).rejects.toThrow(/DELTA_NO_START_FOR_CDC_READ/);
  });

  it("fails with the warehouse's DELTA_MISSING_CHANGE_DATA (KD002) where CDF was off", async () => {
    await peers.admin.execute("CREATE TABLE main.rev.nocdf (_key STRING, total BIGINT)");
    await peers.admin.execute("INSERT INTO main.rev.nocdf VALUES ('a', 1)");
    const df = await peers.session.read.format("databricks").options({ ...peers.dbx, table: "nocdf", readChangeFeed: true, startingVersion: 0 } as never).load();
    const err = await df.collect().catch((e: unknown) => e);
    expect(isDatabricksError(err)).toBe(true);
    expect((err as Error).message).toMatch(/DELTA_MISSING_CHANGE_DATA/);
    expect(isDatabricksError(err) && err.sqlState).toBe("KD002");
  });

  it("streams appended rows without readChangeFeed, fails on a data update, and skips it with skipChangeCommits", async () => {
    await peers.admin.execute("CREATE TABLE main.rev.plain (_key STRING, total BIGINT)");
    await peers.admin.execute("INSERT INTO main.rev.plain VALUES ('a', 1)");
    await peers.admin.execute("INSERT INTO main.rev.plain VALUES ('b', 2), ('c', 3)");
    const read = async (checkpoint: string, extra: Record<string, unknown> = {}) => {
      const df = await peers.session.readStream.format("databricks").options({ ...peers.dbx, table: "plain", startingVersion: 1, ...extra } as never).load();
      const q = await df.writeStream.format("memory").queryName(`plain_${checkpoint}`).option("checkpointLocation", join(peers.dir, checkpoint)).trigger({ availableNow: true }).start();
      // A failed query rejects here; the failure is asserted from `exception`.
      await q.awaitTermination(60_000).catch(() => undefined);
      return q;
    };
    const ok = await read("plain1");
    expect(ok.exception).toBeUndefined();
    expect(ok.recentProgress.reduce((n, p) => n + p.numInputRows, 0)).toBe(3);
    await peers.admin.execute("UPDATE main.rev.plain SET total = 20 WHERE _key = 'b'");
    await peers.admin.execute("INSERT INTO main.rev.plain VALUES ('d', 4)");
    const failed = await read("plain1");
    expect(String((failed.exception as Error | undefined)?.message)).toMatch(/DELTA_SOURCE_TABLE_IGNORE_CHANGES.*version 3/);
    const skipped = await read("plain2", { skipChangeCommits: true });
    expect(skipped.exception).toBeUndefined();
    // Versions 1, 2 and 4 appended a, b, c and d; version 3's update is skipped.
    expect(skipped.recentProgress.reduce((n, p) => n + p.numInputRows, 0)).toBe(4);
  });
});

describe("reverse sync job killed with SIGKILL", () => {
  function startJob(spec: string, trigger?: string): { proc: ChildProcess; exited: Promise<number | null>; firstProgress: Promise<void>; err: () => string; out: () => string } {
    const proc = spawn(process.execPath, [bin, "run", spec, "--json", ...(trigger ? ["--trigger", trigger] : [])], { stdio: ["ignore", "pipe", "pipe"] });
    children.add(proc);
    let err = "";
    let out = "";
    proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      proc.once("exit", (code) => {
        children.delete(proc);
        resolve(code);
      }),
    );
    // The first micro-batch report (`--json`: one event per line), or a failure if the job ends first.
    const firstProgress = new Promise<void>((resolve, reject) => {
      proc.stdout!.on("data", () => {
        if (/"type":"stream-progress"/.test(out)) resolve();
      });
      void exited.then((code) => reject(new Error(`the job exited (${code}) before a batch committed: ${err.slice(-2000)}`)));
    });
    firstProgress.catch(() => undefined);
    return { proc, exited, firstProgress, err: () => err, out: () => out };
  }

  it("leaves the collection equal to the table after 10 kills at random points and a final run", { timeout: 420_000 }, async () => {
    await cdfTable("killed");
    await peers.admin.execute("INSERT INTO main.rev.killed VALUES ('k0', 0, 'R')");
    const spec = join(peers.dir, "killed.json");
    await writeFile(
      spec,
      JSON.stringify({
        name: "killed-reverse",
        kind: "reverse",
        reverse: { delta: { ...peers.dbx, table: "killed", maxFilesPerTrigger: 10 }, collection: { ...gdnOpts, collection: "killed", batchSize: 3 } },
        checkpointLocation: join(peers.dir, "killed-checkpoint"),
        trigger: { processingTime: "50 ms" },
      }),
    );
    // Commits keep landing while the job runs and dies: inserts, updates and deletes of a few keys.
    let mutating = true;
    let n = 0;
    const mutator = (async () => {
      while (mutating) {
        const k = `k${n % 7}`;
        const op = n % 3;
        if (op === 0) await peers.admin.execute(`INSERT INTO main.rev.killed SELECT '${k}', ${n}, 'R' WHERE NOT EXISTS (SELECT 1 FROM main.rev.killed WHERE _key = '${k}')`);
        else if (op === 1) await peers.admin.execute(`UPDATE main.rev.killed SET total = ${n} WHERE _key = '${k}'`);
        else await peers.admin.execute(`DELETE FROM main.rev.killed WHERE _key = '${k}'`);
        n++;
        await new Promise((r) => setTimeout(r, 100)); // pacing the feed (under 10 commits/s), not synchronising the test
      }
    })();
    for (let kill = 0; kill < 10; kill++) {
      const job = startJob(spec);
      // Killed once it has committed a batch, at a random moment after: mid-read, mid-write, between
      // the write and commits/N, while idle...
      await job.firstProgress;
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400))); // fault timing, not synchronisation
      job.proc.kill("SIGKILL");
      expect(await job.exited).toBe(null);
      expect(job.err()).not.toMatch(/failed/);
    }
    mutating = false;
    await mutator;
    const last = startJob(spec, "availableNow");
    const code = await last.exited;
    expect(code, last.err()).toBe(0);
    expect(n).toBeGreaterThan(10);
    expect(await collectionRows("killed")).toEqual(await tableRows("killed"));
    // The checkpoint holds more than one committed batch: the job made progress between kills.
    expect((await readdir(join(peers.dir, "killed-checkpoint", "commits"))).length).toBeGreaterThan(1);
  });
});
