/**
 * Rows/s into local-warehouse through the real @databricks/sql driver: INSERT batches with named
 * parameters (⌊256/columns⌋ rows per statement) against escaped literals (1 MiB per
 * statement), the full staged write through each write method (insert: staging tables + one
 * INSERT ... SELECT; volume: Parquet files through the Files API + one COPY INTO), and, as
 * baselines, the same rows generated server-side by one INSERT ... SELECT over range(), and DuckDB's
 * own `INSERT INTO t SELECT * FROM read_parquet(...)` of the very files the volume method encodes.
 * Plus Parquet encoding against JSON.stringify of the same rows.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BooleanType,
  CaseInsensitiveOptions,
  DoubleType,
  JobMetrics,
  LongType,
  StringType,
  StructField,
  StructType,
  TimestampType,
  silentLogger,
  type Row,
} from "@macrometa-spark/core";
import { DatabricksConnection, DatabricksTableProvider, FilesClient, ParquetFileBuffer, createTableSql, insertStatements, parseConnectionOptions } from "@macrometa-spark/databricks";
import { connectClient } from "../../packages/local-warehouse/test/client.js";
import { startLocalWarehouse } from "@macrometa-spark/local-warehouse";
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ratio, recordBench, type BenchRow } from "./report.js";

const ROWS = Number(process.env["MM_BENCH_ROWS"] ?? 20_000);
const schema = new StructType([
  new StructField("id", LongType),
  new StructField("name", StringType),
  new StructField("city", StringType),
  new StructField("note", StringType),
  new StructField("score", DoubleType),
  new StructField("ratio", DoubleType),
  new StructField("count", LongType),
  new StructField("total", LongType),
  new StructField("active", BooleanType),
  new StructField("at", TimestampType),
]);
const rows: Row[] = Array.from({ length: ROWS }, (_, i) => [
  i,
  `name-${i}`,
  ["Paris", "Lyon", "Nice", "O'Hare"][i % 4],
  i % 10 === 0 ? null : `note ${i} with some text`,
  i / 7,
  (i % 100) / 100,
  i * 3,
  i * 1000,
  i % 2 === 0,
  new Date(Date.UTC(2024, 0, 1) + i * 1000),
]);

let wh: Awaited<ReturnType<typeof startLocalWarehouse>>;
let conn: DatabricksConnection;
let base: Record<string, unknown>;

beforeAll(async () => {
  wh = await startLocalWarehouse({ port: 0 });
  base = { host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: false };
  conn = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions(base)));
  await conn.execute("CREATE SCHEMA IF NOT EXISTS bench");
  await conn.execute("CREATE VOLUME IF NOT EXISTS main.bench.staging");
});

afterAll(async () => {
  await conn?.close();
  await wh?.close();
});

async function count(table: string): Promise<number> {
  const r = await conn.query(`SELECT count(*) AS n FROM bench.${table}`);
  return Number(r[0]!["n"]);
}

async function timeInserts(table: string, strategy: "parameters" | "literals"): Promise<{ rowsPerSec: number; statements: number }> {
  await conn.execute(createTableSql({ table: { schema: "bench", table }, fields: schema.fields, ifNotExists: false }));
  const started = performance.now();
  let statements = 0;
  for (const stmt of insertStatements({ schema: "bench", table }, schema, rows, strategy, { maxStatementBytes: 1_048_576, maxParameters: 256 })) {
    await conn.execute(stmt);
    statements++;
  }
  const secs = (performance.now() - started) / 1000;
  console.log(`[bench databricks] ${strategy}: ${statements} statements in ${secs.toFixed(2)} s`);
  expect(await count(table)).toBe(ROWS);
  return { rowsPerSec: Math.round(ROWS / secs), statements };
}

/** Appends `rows` through the provider with these options; rows/s, checked by count. */
async function providerAppend(table: string, extra: Record<string, unknown>): Promise<number> {
  const provider = new DatabricksTableProvider();
  const opts = new CaseInsensitiveOptions({ ...base, table: `bench.${table}`, ...extra }, "databricks");
  const ctx = { logger: silentLogger, metrics: new JobMetrics() };
  const started = performance.now();
  const t = await provider.getTable(undefined, opts, ctx);
  const bw = await t.newWriteBuilder!({ queryId: "bench", schema, options: opts, mode: "append" }).buildForBatch!();
  const w = await bw.createWriter(0);
  await w.write(rows);
  await bw.commit([await w.commit()]);
  const rate = Math.round(ROWS / ((performance.now() - started) / 1000));
  expect(await count(table)).toBe(ROWS);
  return rate;
}

async function stagedFiles(): Promise<Uint8Array[]> {
  const buffer = new ParquetFileBuffer(schema, { maxRows: 1_000_000, maxBytes: 64 * 1024 * 1024 });
  const out: Promise<Uint8Array>[] = [];
  for (const r of rows) {
    buffer.add(r);
    if (buffer.full) out.push(buffer.finish());
  }
  if (buffer.rowCount > 0) out.push(buffer.finish());
  return Promise.all(out);
}

/** The same rows through hyparquet-writer, the fastest library measured before our own encoder. */
function hyparquetFile(): Uint8Array {
  const writer = new ByteWriter();
  const types: Record<string, { type: "INT64" | "BYTE_ARRAY" | "DOUBLE" | "BOOLEAN"; converted_type?: "UTF8"; logical_type?: { type: "TIMESTAMP"; isAdjustedToUTC: boolean; unit: "MICROS" } }> = {
    long: { type: "INT64" },
    string: { type: "BYTE_ARRAY", converted_type: "UTF8" },
    double: { type: "DOUBLE" },
    boolean: { type: "BOOLEAN" },
    timestamp: { type: "INT64", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" } },
  };
  const pw = new ParquetWriter({
    writer,
    statistics: false,
    schema: [{ name: "spark_schema", num_children: schema.fields.length }, ...schema.fields.map((f) => ({ name: f.name, repetition_type: "OPTIONAL" as const, ...types[f.dataType.kind]! }))],
  });
  const columnData = schema.fields.map((f, c) => ({
    name: f.name,
    offsetIndex: false,
    data: rows.map((r) => {
      const v = r[c];
      if (v === null || v === undefined) return null;
      if (f.dataType.kind === "long") return BigInt(v as number);
      if (v instanceof Date) return BigInt(v.getTime()) * 1000n;
      return v;
    }),
  }));
  void pw.write({ columnData, rowGroupSize: rows.length });
  pw.finish();
  return writer.getBytes();
}

/** DuckDB (the warehouse's engine, in this process) loading the same Parquet files; rows/s. */
async function duckDbParquetLoad(): Promise<number> {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  // @duckdb/node-api is local-warehouse's dependency; the baseline borrows it from there.
  const { DuckDBInstance } = createRequire(`${root}packages/local-warehouse/package.json`)("@duckdb/node-api") as typeof import("@duckdb/node-api");
  const dir = mkdtempSync(join(tmpdir(), "mm-bench-parquet-"));
  try {
    const files = (await stagedFiles()).map((bytes, i) => {
      const path = join(dir, `part-0-${i}.parquet`);
      writeFileSync(path, bytes);
      return path;
    });
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    await c.run("CREATE TABLE t AS SELECT * FROM read_parquet($1) LIMIT 0", [files[0]!]);
    const started = performance.now();
    await c.run(`INSERT INTO t SELECT * FROM read_parquet([${files.map((f) => `'${f}'`).join(", ")}])`);
    const rate = Math.round(ROWS / ((performance.now() - started) / 1000));
    const n = await c.runAndReadAll("SELECT count(*) FROM t");
    expect(Number(n.getRows()[0]![0])).toBe(ROWS);
    c.closeSync();
    return rate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The staged files uploaded one after another (as one partition writer does), best of 3 each way:
 * the Files API from memory, and the driver's staging PUT, which needs each file on local disk first.
 */
async function uploadRates(): Promise<{ files: number; mb: number; filesApi: number; stagingPut: number }> {
  const files = await stagedFiles();
  // Many small files, as a streaming sink stages them: one per partition and epoch.
  const small = Array.from({ length: 40 }, (_, i) => files[i % files.length]!.subarray(0, Math.min(files[i % files.length]!.byteLength, 256 * 1024)));
  const all = [...files, ...small];
  const bytes = all.reduce((n, f) => n + f.byteLength, 0);
  const mb = bytes / 1024 / 1024;
  const client = new FilesClient({ host: wh.host, port: wh.port, useTls: false, token: wh.token });
  const driver = await connectClient(wh);
  const session = await driver.openSession({ initialCatalog: "main", initialSchema: "bench" });
  const dir = mkdtempSync(join(tmpdir(), "mm-bench-put-"));
  const best = async (fn: () => Promise<void>) => {
    let ms = Infinity;
    for (let round = 0; round < 3; round++) {
      const t = performance.now();
      await fn();
      ms = Math.min(ms, performance.now() - t);
    }
    return Math.round((mb / (ms / 1000)) * 10) / 10;
  };
  try {
    await client.mkdirs("/Volumes/main/bench/staging/cmp");
    const filesApi = await best(async () => {
      for (let i = 0; i < all.length; i++) await client.put(`/Volumes/main/bench/staging/cmp/api-${i}.parquet`, all[i]!);
    });
    const stagingPut = await best(async () => {
      for (let i = 0; i < all.length; i++) {
        const local = join(dir, `part-${i}.parquet`);
        writeFileSync(local, all[i]!);
        const op = await session.executeStatement(`PUT '${local}' INTO '/Volumes/main/bench/staging/cmp/put-${i}.parquet' OVERWRITE`, { stagingAllowedLocalPath: [dir] });
        await op.close();
      }
    });
    const listed = (await client.list("/Volumes/main/bench/staging/cmp")) ?? [];
    expect(listed.filter((e) => e.name.startsWith("put-")).length).toBe(all.length);
    expect(listed.filter((e) => e.name.startsWith("api-")).length).toBe(all.length);
    await client.deleteTree("/Volumes/main/bench/staging/cmp");
    return { files: all.length, mb: Math.round(mb * 10) / 10, filesApi, stagingPut };
  } finally {
    await session.close();
    await driver.close();
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Our Parquet encoding vs hyparquet-writer's vs JSON text of the same rows (best of 3 each), rows/s. */
async function encodeRates(): Promise<{ parquet: number; hyparquet: number; json: number }> {
  const time = async (fn: () => unknown) => {
    let bestMs = Infinity;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await fn();
      bestMs = Math.min(bestMs, performance.now() - t);
    }
    return Math.round(ROWS / (bestMs / 1000));
  };
  const parquet = await time(() => stagedFiles());
  const hyparquet = await time(() => hyparquetFile());
  let chars = 0;
  const json = await time(() => {
    for (const r of rows) chars += JSON.stringify(r).length;
  });
  expect(chars).toBeGreaterThan(0);
  return { parquet, hyparquet, json };
}

it(`inserts ${ROWS} rows x ${schema.length} columns: parameters vs literals vs server-side`, async () => {
  const literals = await timeInserts("lit", "literals");
  const params = await timeInserts("par", "parameters");

  // The full provider path through each write method: stage, then one statement.
  const fullRate = await providerAppend("full", { writeMethod: "insert" });
  const volumeRate = await providerAppend("full_volume", { stagingVolume: "/Volumes/main/bench/staging" });

  // Server-side baseline: DuckDB generating and inserting the same number of rows by itself.
  await conn.execute(createTableSql({ table: { schema: "bench", table: "server" }, fields: schema.fields, ifNotExists: false }));
  const s0 = performance.now();
  await conn.execute(
    "INSERT INTO bench.server SELECT id, concat('name-', id), 'Paris', concat('note ', id, ' with some text'), id / 7, (id % 100) / 100, id * 3, id * 1000, id % 2 = 0, current_timestamp() FROM range(" + ROWS + ") AS r(id)",
  );
  const serverRate = Math.round(ROWS / ((performance.now() - s0) / 1000));
  expect(await count("server")).toBe(ROWS);

  // DuckDB's own load of the same Parquet files the volume method stages (same encoder, same bounds).
  const duck = await duckDbParquetLoad();
  // Encoding alone: Parquet vs JSON text of the same rows.
  const encode = await encodeRates();
  // Uploading the same files: the Files API (what the sink uses) vs the driver's staging PUT.
  const upload = await uploadRates();

  const baseline = { name: "server-side INSERT ... SELECT range()", value: serverRate };
  const out: BenchRow[] = [
    { metric: `INSERT literals (${literals.statements} statements, 1 MiB budget), ${ROWS}x${schema.length}`, value: literals.rowsPerSec, unit: "rows/s", baseline, ratio: ratio(literals.rowsPerSec, serverRate) },
    { metric: `INSERT named parameters (${params.statements} statements, ${Math.floor(256 / schema.length)} rows each), ${ROWS}x${schema.length}`, value: params.rowsPerSec, unit: "rows/s", baseline, ratio: ratio(params.rowsPerSec, serverRate) },
    { metric: `provider append (staged, default strategy), ${ROWS}x${schema.length}`, value: fullRate, unit: "rows/s", baseline, ratio: ratio(fullRate, serverRate) },
    { metric: "literals vs parameters", value: ratio(literals.rowsPerSec, params.rowsPerSec), unit: "x", note: "auto strategy = literals" },
    { metric: `provider append, volume method (Parquet + Files API + COPY INTO), ${ROWS}x${schema.length}`, value: volumeRate, unit: "rows/s", baseline, ratio: ratio(volumeRate, serverRate) },
    { metric: "volume vs insert method (provider append)", value: ratio(volumeRate, fullRate), unit: "x" },
    {
      metric: `provider append, volume method vs DuckDB loading the same Parquet files`,
      value: volumeRate,
      unit: "rows/s",
      baseline: { name: "DuckDB INSERT INTO t SELECT * FROM read_parquet(files)", value: duck },
      ratio: ratio(volumeRate, duck),
    },
    {
      metric: `upload ${upload.files} staged files (${upload.mb} MB): Files API PUT from memory`,
      value: upload.filesApi,
      unit: "MB/s",
      baseline: { name: "driver staging PUT … INTO '/Volumes/…' (file written to disk first)", value: upload.stagingPut },
      ratio: ratio(upload.filesApi, upload.stagingPut),
    },
    { metric: `Parquet encode (staging encoder, gzip), ${ROWS}x${schema.length}`, value: encode.parquet, unit: "rows/s", baseline: { name: "JSON.stringify of the same rows", value: encode.json }, ratio: ratio(encode.parquet, encode.json) },
    { metric: `Parquet encode (staging encoder, gzip), ${ROWS}x${schema.length}`, value: encode.parquet, unit: "rows/s", baseline: { name: "hyparquet-writer 0.17 (snappy) on the same rows", value: encode.hyparquet }, ratio: ratio(encode.parquet, encode.hyparquet) },
  ];
  recordBench("databricks", out);
});
