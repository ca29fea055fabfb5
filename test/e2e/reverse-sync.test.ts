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
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import "@macrometa-spark/collection";
import { CaseInsensitiveOptions, createSession, type QueryProgress, type SparkSession } from "@macrometa-spark/core";
import { DatabricksConnection, isDatabricksError, parseConnectionOptions } from "@macrometa-spark/databricks";
import { startLocalGdn } from "@macrometa-spark/local-gdn";
import { startLocalWarehouse } from "@macrometa-spark/local-warehouse";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url));

let gdn: Awaited<ReturnType<typeof startLocalGdn>>;
let wh: Awaited<ReturnType<typeof startLocalWarehouse>>;
let client: GdnHttpClient;
let sql: DatabricksConnection;
let session: SparkSession;
let dir: string;
let gdnOpts: Record<string, string | number>;
let dbOpts: Record<string, string | number | boolean>;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  wh = await startLocalWarehouse({ port: 0 });
  client = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey });
  gdnOpts = { regionUrl: gdn.url, apiKey: `apikey ${gdn.apiKey}` };
  dbOpts = { host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: false, catalog: "main", schema: "rev" };
  sql = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions({ ...dbOpts, schema: undefined })));
  await sql.execute("CREATE SCHEMA IF NOT EXISTS main.rev");
  session = createSession();
  dir = await mkdtemp(join(tmpdir(), "mmspark-reverse-"));
});

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await session?.stop();
  await sql?.close();
  await client?.close();
  await gdn?.close();
  await wh?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function cdfTable(name: string): Promise<void> {
  await sql.execute(`CREATE TABLE main.rev.${name} (_key STRING, total BIGINT, region STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)`);
}

/** The table's rows, as the collection should hold them, sorted by key. */
async function tableRows(name: string): Promise<Record<string, unknown>[]> {
  const rows = await sql.query(`SELECT _key, CAST(total AS STRING) AS total, region FROM main.rev.${name} ORDER BY _key`);
  return rows.map((r) => ({ _key: r["_key"], total: r["total"] === null ? null : Number(r["total"]), region: r["region"] }));
}

async function collectionRows(name: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const page of client.query(`FOR d IN ${name} SORT d._key RETURN UNSET(d, "_id", "_rev")`, { batchSize: 1000 })) {
    for (const t of page.items) out.push(JSON.parse(t) as Record<string, unknown>);
  }
  return out;
}

/** One availableNow run of the reverse sync; returns its progress reports. */
async function runOnce(table: string, collection: string, checkpoint: string, extra: Record<string, unknown> = {}): Promise<QueryProgress[]> {
  const df = await session.readStream.format("databricks").options({ ...dbOpts, table, readChangeFeed: true, ...extra } as never).load();
  const q = await df.writeStream.format("com.macrometa.spark.collection").options({ ...gdnOpts, collection }).option("checkpointLocation", checkpoint).trigger({ availableNow: true }).start();
  await q.awaitTermination(60_000);
  expect(q.exception).toBeUndefined();
  return [...q.recentProgress];
}

describe("reverse sync through the session", () => {
  it("keeps the collection equal to the table after inserts, updates and deletes; a second run reads only new commits", async () => {
    await cdfTable("totals");
    await sql.execute("INSERT INTO main.rev.totals VALUES ('eu', 10, 'EU'), ('us', 20, 'US'), ('ap', 30, 'AP')");
    const checkpoint = join(dir, "totals");
    const first = await runOnce("totals", "totals", checkpoint);
    expect(await collectionRows("totals")).toEqual(await tableRows("totals"));
    expect(first.reduce((n, p) => n + p.numInputRows, 0)).toBe(3);
    const firstEnd = first.at(-1)!.sources[0]!.endOffset;

    await sql.execute("UPDATE main.rev.totals SET total = total + 1 WHERE _key = 'eu'");
    await sql.execute("DELETE FROM main.rev.totals WHERE _key = 'us'");
    await sql.execute("INSERT INTO main.rev.totals VALUES ('sa', 5, 'SA')");
    await sql.execute("MERGE INTO main.rev.totals t USING (SELECT 'ap' AS k, 99 AS v UNION ALL SELECT 'me', 7) s ON t._key = s.k WHEN MATCHED THEN UPDATE SET total = s.v WHEN NOT MATCHED THEN INSERT (_key, total, region) VALUES (s.k, s.v, 'ME')");
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
    await sql.execute("INSERT INTO main.rev.replay VALUES ('a', 1, 'X'), ('b', 2, 'X')");
    const checkpoint = join(dir, "replay");
    await runOnce("replay", "replay", checkpoint);
    await sql.execute("DELETE FROM main.rev.replay WHERE _key = 'a'");
    await sql.execute("UPDATE main.rev.replay SET total = 3 WHERE _key = 'b'");
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
    for (let i = 0; i < 4; i++) await sql.execute(`INSERT INTO main.rev.paced VALUES ('k${i}', ${i}, 'R'), ('x${i}', ${i}, 'R')`);
    const p = await runOnce("paced", "paced", join(dir, "paced"), { startingVersion: 1, maxFilesPerTrigger: 1 });
    expect(p.map((b) => b.numInputRows)).toEqual([2, 2, 2, 2]);
    expect(await collectionRows("paced")).toEqual(await tableRows("paced"));
    // No startingVersion: the table as of its latest version first, as inserts.
    const snap = await runOnce("paced", "paced_snapshot", join(dir, "paced-snapshot"));
    expect(snap.map((b) => b.numInputRows)).toEqual([8]);
    expect(await collectionRows("paced_snapshot")).toEqual(await tableRows("paced"));
  });
});

describe("Delta table reads", () => {
  it("reads the change feed as a batch with Delta's columns and types", async () => {
    await cdfTable("batch");
    await sql.execute("INSERT INTO main.rev.batch VALUES ('a', 1, 'X')");
    await sql.execute("UPDATE main.rev.batch SET total = 2 WHERE _key = 'a'");
    const df = await session.read.format("databricks").options({ ...dbOpts, table: "batch", readChangeFeed: true, startingVersion: 1 } as never).load();
    expect(df.schema.simpleString()).toBe("struct<_key:string,total:bigint,region:string,_change_type:string,_commit_version:bigint,_commit_timestamp:timestamp>");
    const rows = (await df.collect()).map((r) => r.asDict() as Record<string, unknown>);
    expect(rows.map((r) => [r["_change_type"], r["_commit_version"], r["total"]])).toEqual([
      ["insert", 1, 1],
      ["update_preimage", 2, 1],
      ["update_postimage", 2, 2],
    ]);
    expect(String(rows[0]!["_commit_timestamp"])).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const ranged = await session.read.format("databricks").options({ ...dbOpts, table: "batch", readChangeFeed: true, startingVersion: 2, endingVersion: 2 } as never).load();
    expect((await ranged.collect()).length).toBe(2);
    const noStart = await session.read.format("databricks").options({ ...dbOpts, table: "batch", readChangeFeed: true } as never).load();
    await expect(noStart.collect()).rejects.toThrow(/DELTA_NO_START_FOR_CDC_READ/);
  });

  it("fails with the warehouse's DELTA_MISSING_CHANGE_DATA (KD002) where CDF was off", async () => {
    await sql.execute("CREATE TABLE main.rev.nocdf (_key STRING, total BIGINT)");
    await sql.execute("INSERT INTO main.rev.nocdf VALUES ('a', 1)");
    const df = await session.read.format("databricks").options({ ...dbOpts, table: "nocdf", readChangeFeed: true, startingVersion: 0 } as never).load();
    const err = await df.collect().catch((e: unknown) => e);
    expect(isDatabricksError(err)).toBe(true);
    expect((err as Error).message).toMatch(/DELTA_MISSING_CHANGE_DATA/);
    expect(isDatabricksError(err) && err.sqlState).toBe("KD002");
  });

  it("streams appended rows without readChangeFeed, fails on a data update, and skips it with skipChangeCommits", async () => {
    await sql.execute("CREATE TABLE main.rev.plain (_key STRING, total BIGINT)");
    await sql.execute("INSERT INTO main.rev.plain VALUES ('a', 1)");
    await sql.execute("INSERT INTO main.rev.plain VALUES ('b', 2), ('c', 3)");
    const read = async (checkpoint: string, extra: Record<string, unknown> = {}) => {
      const df = await session.readStream.format("databricks").options({ ...dbOpts, table: "plain", startingVersion: 1, ...extra } as never).load();
      const q = await df.writeStream.format("memory").queryName(`plain_${checkpoint}`).option("checkpointLocation", join(dir, checkpoint)).trigger({ availableNow: true }).start();
      // A failed query rejects here; the failure is asserted from `exception`.
      await q.awaitTermination(60_000).catch(() => undefined);
      return q;
    };
    const ok = await read("plain1");
    expect(ok.exception).toBeUndefined();
    expect(ok.recentProgress.reduce((n, p) => n + p.numInputRows, 0)).toBe(3);
    await sql.execute("UPDATE main.rev.plain SET total = 20 WHERE _key = 'b'");
    await sql.execute("INSERT INTO main.rev.plain VALUES ('d', 4)");
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
    await sql.execute("INSERT INTO main.rev.killed VALUES ('k0', 0, 'R')");
    const spec = join(dir, "killed.json");
    await writeFile(
      spec,
      JSON.stringify({
        name: "killed-reverse",
        kind: "reverse",
        reverse: { delta: { ...dbOpts, table: "killed", maxFilesPerTrigger: 10 }, collection: { ...gdnOpts, collection: "killed", batchSize: 3 } },
        checkpointLocation: join(dir, "killed-checkpoint"),
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
        if (op === 0) await sql.execute(`INSERT INTO main.rev.killed SELECT '${k}', ${n}, 'R' WHERE NOT EXISTS (SELECT 1 FROM main.rev.killed WHERE _key = '${k}')`);
        else if (op === 1) await sql.execute(`UPDATE main.rev.killed SET total = ${n} WHERE _key = '${k}'`);
        else await sql.execute(`DELETE FROM main.rev.killed WHERE _key = '${k}'`);
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
    expect((await readdir(join(dir, "killed-checkpoint", "commits"))).length).toBeGreaterThan(1);
  });
});
