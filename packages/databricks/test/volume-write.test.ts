/**
 * What only the `volume` write method promises, through the real @databricks/sql driver and the
 * Files API against local-warehouse: exactly-once plain streaming appends (COPY INTO skips files it
 * loaded — Databricks docs, "COPY INTO": "files in the source location that have already been loaded
 * are skipped"), no staging table, nothing left in the volume, leftovers of killed runs removed,
 * every Spark type stored exactly, and statements retried through a lost reply.
 */
import {
  ArrayType,
  BinaryType,
  BooleanType,
  CaseInsensitiveOptions,
  DateType,
  DecimalType,
  DoubleType,
  FloatType,
  IntegerType,
  JobMetrics,
  LongType,
  MapType,
  StringType,
  StructField,
  StructType,
  TimestampType,
  silentLogger,
  type Row,
  type SaveMode,
  type StreamingWrite,
} from "@macrometa-spark/core";
import { startLocalWarehouse } from "@macrometa-spark/local-warehouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { epoch } from "./support.js";
import { DatabricksConnection, DatabricksError, DatabricksTableProvider, FilesClient, parseConnectionOptions } from "../src/index.js";

type Warehouse = Awaited<ReturnType<typeof startLocalWarehouse>>;
let wh: Warehouse;
let admin: DatabricksConnection;
let files: FilesClient;
let base: Record<string, unknown>;
const SCHEMA = "vol";
const VOLUME = `/Volumes/main/${SCHEMA}/staging`;
const provider = new DatabricksTableProvider({ retryPolicy: { maxAttempts: 3, initialDelayMs: 10 } });
const people = new StructType([new StructField("id", LongType, false), new StructField("name", StringType)]);

function ctx(metrics = new JobMetrics()) {
  return { logger: silentLogger, metrics };
}

async function write(table: string, schema: StructType, rows: Row[], mode: SaveMode, extra: Record<string, unknown> = {}, metrics = new JobMetrics()): Promise<void> {
  const opts = new CaseInsensitiveOptions({ ...base, table, ...extra }, "databricks");
  const t = await provider.getTable(undefined, opts, ctx(metrics));
  const bw = await t.newWriteBuilder!({ queryId: "batch", schema, options: opts, mode }).buildForBatch!();
  const w = await bw.createWriter(0);
  await w.write(rows);
  await bw.commit([await w.commit()]);
}

async function streaming(table: string, queryId: string, extra: Record<string, unknown> = {}): Promise<StreamingWrite> {
  const opts = new CaseInsensitiveOptions({ ...base, table, ...extra }, "databricks");
  const t = await provider.getTable(undefined, opts, ctx());
  return t.newWriteBuilder!({ queryId, schema: people, options: opts, mode: "append" }).buildForStreaming!();
}


async function ids(table: string): Promise<number[]> {
  return (await admin.query(`SELECT id FROM ${SCHEMA}.${table} ORDER BY id`)).map((r) => Number(r["id"]));
}

/** Every file below a folder of the volume (recursively). */
async function filesUnder(path: string): Promise<string[]> {
  const entries = await files.list(path);
  if (!entries) return [];
  const out: string[] = [];
  for (const e of entries) out.push(...(e.isDirectory ? await filesUnder(e.path) : [e.path]));
  return out;
}

beforeAll(async () => {
  wh = await startLocalWarehouse({ port: 0 });
  const connection = { host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: false };
  base = { ...connection, schema: SCHEMA, stagingVolume: VOLUME };
  admin = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions(connection)));
  await admin.execute(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
  await admin.execute(`CREATE VOLUME IF NOT EXISTS main.${SCHEMA}.staging`);
  files = new FilesClient({ host: wh.host, port: wh.port, useTls: false, token: wh.token });
});

afterAll(async () => {
  await files?.close();
  await admin?.close();
  await wh?.close();
});

describe("every Spark type through Parquet", () => {
  const all = new StructType([
    new StructField("id", LongType, false),
    new StructField("i", IntegerType),
    new StructField("f", FloatType),
    new StructField("d", DoubleType),
    new StructField("b", BooleanType),
    new StructField("s", StringType),
    new StructField("big", LongType),
    new StructField("dec", new DecimalType(38, 18)),
    new StructField("small", new DecimalType(5, 2)),
    new StructField("day", DateType),
    new StructField("at", TimestampType),
    new StructField("bytes", BinaryType),
    new StructField("matrix", new ArrayType(new ArrayType(LongType))),
    new StructField("byName", new MapType(StringType, new StructType([new StructField("n", IntegerType), new StructField("tags", new ArrayType(StringType))]))),
  ]);
  it("stores each value exactly as the insert method would (checked in SQL, as text)", async () => {
    const rows: Row[] = [
      [1, -2147483648, 0.5, 1e-300, true, "ünïcødé 🚀 'q' \\", -9223372036854775808n, "-12345678901234567890.123456789012345678", "1.005", "0001-01-01", "2024-02-29T23:59:59.123456Z", new Uint8Array([0, 1, 254, 255]), [[1, 2], [], [3]], { a: [1, ["x"]], b: [null, null] }],
      [2, null, null, -0, false, "", 9223372036854775807n, "0.000000000000000001", "-999.99", "9999-12-31", "1970-01-01T00:00:00Z", new Uint8Array([]), [], {}],
      [3, null, null, null, null, null, null, null, null, null, null, null, null, null],
    ];
    const metrics = new JobMetrics();
    for (const [table, method] of [["types_volume", {}], ["types_insert", { writeMethod: "insert" }]] as const) {
      await write(table, all, rows, "overwrite", method, table === "types_volume" ? metrics : new JobMetrics());
    }
    expect(metrics.get("stagedFiles")).toBe(1);
    const text = (table: string) =>
      admin.query(
        `SELECT id, CAST(i AS STRING) AS i, CAST(f AS STRING) AS f, CAST(d AS STRING) AS d, CAST(b AS STRING) AS b, s, CAST(big AS STRING) AS big, CAST(dec AS STRING) AS dec, CAST(small AS STRING) AS small, ` +
          `CAST(day AS STRING) AS day, CAST(at AS STRING) AS at, hex(bytes) AS bytes, to_json(matrix) AS matrix, to_json(byName) AS byName FROM ${SCHEMA}.${table} ORDER BY id`,
      );
    const viaVolume = await text("types_volume");
    expect(viaVolume).toEqual(await text("types_insert"));
    expect(viaVolume[0]).toMatchObject({ i: "-2147483648", big: "-9223372036854775808", dec: "-12345678901234567890.123456789012345678", small: "1.01", day: "0001-01-01", bytes: "0001FEFF" });
    expect(String(viaVolume[0]!["at"])).toMatch(/^2024-02-29 23:59:59\.123456/);
    expect(viaVolume[1]).toMatchObject({ big: "9223372036854775807", dec: "0.000000000000000001", small: "-999.99", day: "9999-12-31" });
  });

  it("refuses a decimal that needs more digits than its type, before anything is loaded", async () => {
    const t = new StructType([new StructField("id", LongType), new StructField("p", new DecimalType(5, 2))]);
    const err = await write("too_wide", t, [[1, "12345.6"]], "append").catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/column "p": "12345.6" is not a valid decimal\(5,2\) \(needs more than 5 digits\)/);
    expect(await admin.query(`SHOW TABLES IN ${SCHEMA} LIKE 'too_wide'`)).toHaveLength(1);
    expect(await ids("too_wide")).toEqual([]);
  });
});

describe("staging", () => {
  it("bounds files by maxRecordsPerFile, never creates a staging table and leaves nothing in the volume", async () => {
    const metrics = new JobMetrics();
    const rows: Row[] = Array.from({ length: 25 }, (_, i) => [i, `n${i}`]);
    await write("bounded", people, rows, "append", { maxRecordsPerFile: 10 }, metrics);
    expect(metrics.get("stagedFiles")).toBe(3);
    expect(await ids("bounded")).toEqual(rows.map((r) => r[0]));
    const tables = (await admin.query(`SHOW TABLES IN ${SCHEMA}`)).map((r) => String(r["tableName"]));
    expect(tables.filter((n) => n.startsWith("__mm_stage"))).toEqual([]);
    expect(await filesUnder(VOLUME)).toEqual([]);
  });

  it("a plain append (COPY INTO) stamps the metadata columns in the same statement", async () => {
    await write("stamped", people, [[1, "a"], [2, "b"]], "append", { ingestedAtColumn: true, sourceTag: "orders's feed", batchIdColumn: "_b" });
    const rows = await admin.query(`SELECT id, _mm_source, _b, _mm_ingested_at IS NOT NULL AS stamped FROM ${SCHEMA}.stamped ORDER BY id`);
    expect(rows.map((r) => [Number(r["id"]), r["_mm_source"], r["_b"], r["stamped"]])).toEqual([
      [1, "orders's feed", "batch", true],
      [2, "orders's feed", "batch", true],
    ]);
  });

  it("a missing volume is a clear error naming the path and the privileges the method needs", async () => {
    const err = await write("no_volume", people, [[1, "a"]], "append", { stagingVolume: `/Volumes/main/${SCHEMA}/missing` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabricksError);
    expect((err as Error).message).toMatch(/\/Volumes\/main\/vol\/missing/);
    expect((err as Error).message).not.toContain(wh.token);
  });

  it("a streaming query removes what an earlier, killed run of it staged, before staging anything", async () => {
    // A killed run: its epoch-3 files uploaded, never applied.
    const leftover = `${VOLUME}/q-left/3/part-0-0.parquet`;
    await files.mkdirs(`${VOLUME}/q-left/3`);
    await files.put(leftover, new Uint8Array([1, 2, 3]));
    const sw = await streaming("leftovers", "q-left");
    await epoch(sw, 0, [[1, "a"]]);
    await sw.close!();
    expect(await filesUnder(`${VOLUME}/q-left`)).toEqual([]);
    expect(await ids("leftovers")).toEqual([1]);
  });

  it("a batch write removes run folders older than staleStagingAfterMs and keeps younger ones", async () => {
    // The folder is named after the table as the write names it (no catalog given here).
    const root = `${VOLUME}/write_${SCHEMA}.stale`;
    const old = `${root}/run-${Date.now() - 7_200_000}-dead/part-0-0.parquet`;
    const young = `${root}/run-${Date.now()}-alive/part-0-0.parquet`;
    for (const p of [old, young]) {
      await files.mkdirs(p.slice(0, p.lastIndexOf("/")));
      await files.put(p, new Uint8Array([1]));
    }
    await write("stale", people, [[1, "a"]], "append");
    expect(await filesUnder(root)).toEqual([young]);
  });
});

describe("exactly-once streaming append without batchIdColumn", () => {
  it("replaying an epoch that was loaded but not recorded loads nothing (COPY INTO skips its files)", async () => {
    const sw = await streaming("once", "q-once", { commitsTable: "commits_once" });
    await epoch(sw, 0, [[1, "a"], [2, "b"]]);
    await sw.close!();
    // The crash window: applied, then the process died before commits/N; its commits record is gone too.
    await admin.execute(`DROP TABLE ${SCHEMA}.commits_once`);
    const restarted = await streaming("once", "q-once", { commitsTable: "commits_once" });
    await epoch(restarted, 0, [[1, "a"], [2, "b"]]);
    await epoch(restarted, 1, [[3, "c"]]);
    await restarted.close!();
    expect(await ids("once")).toEqual([1, 2, 3]);
  });
});

describe("lost replies", () => {
  for (const [label, marker, extra] of [
    ["COPY INTO (append)", "COPY INTO", {}],
    ["MERGE (upsert)", "MERGE INTO", { mergeKeys: "id" }],
    ["INSERT OVERWRITE", "INSERT OVERWRITE", {}],
  ] as const) {
    it(`a ${label} whose reply is lost is run again and applied once`, async () => {
      const table = `lost_${marker.split(" ")[0]!.toLowerCase()}`;
      await write(table, people, [[0, "seed"]], "overwrite");
      wh.faults.dropReply(marker, 1);
      const mode: SaveMode = marker === "INSERT OVERWRITE" ? "overwrite" : "append";
      await write(table, people, [[1, "a"], [2, "b"]], mode, { ...extra, retryBudgetMs: 30_000 });
      expect(wh.faults.pending()).toBe(0);
      expect(await ids(table)).toEqual(mode === "overwrite" ? [1, 2] : [0, 1, 2]);
    });
  }
});
