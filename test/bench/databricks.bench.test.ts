/**
 * Rows/s into local-warehouse through the real @databricks/sql driver: INSERT batches with named
 * parameters (⌊256/columns⌋ rows per statement) against escaped literals (1 MiB per
 * statement), the full staged write (stage + one INSERT ... SELECT), and, as the baseline, the
 * same rows generated server-side by one INSERT ... SELECT over range() in the same warehouse.
 */
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
import { DatabricksConnection, DatabricksTableProvider, createTableSql, insertStatements, parseConnectionOptions } from "@macrometa-spark/databricks";
import { startLocalWarehouse } from "@macrometa-spark/local-warehouse";
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

it(`inserts ${ROWS} rows x ${schema.length} columns: parameters vs literals vs server-side`, async () => {
  const literals = await timeInserts("lit", "literals");
  const params = await timeInserts("par", "parameters");

  // The full provider path with the default strategy: stage, then one INSERT ... SELECT.
  const provider = new DatabricksTableProvider();
  const opts = new CaseInsensitiveOptions({ ...base, table: "bench.full" }, "databricks");
  const ctx = { logger: silentLogger, metrics: new JobMetrics() };
  const started = performance.now();
  const table = await provider.getTable(undefined, opts, ctx);
  const bw = await table.newWriteBuilder!({ queryId: "bench", schema, options: opts, mode: "append" }).buildForBatch!();
  const w = await bw.createWriter(0);
  await w.write(rows);
  await bw.commit([await w.commit()]);
  const fullRate = Math.round(ROWS / ((performance.now() - started) / 1000));
  expect(await count("full")).toBe(ROWS);

  // Server-side baseline: DuckDB generating and inserting the same number of rows by itself.
  await conn.execute(createTableSql({ table: { schema: "bench", table: "server" }, fields: schema.fields, ifNotExists: false }));
  const s0 = performance.now();
  await conn.execute(
    "INSERT INTO bench.server SELECT id, concat('name-', id), 'Paris', concat('note ', id, ' with some text'), id / 7, (id % 100) / 100, id * 3, id * 1000, id % 2 = 0, current_timestamp() FROM range(" + ROWS + ") AS r(id)",
  );
  const serverRate = Math.round(ROWS / ((performance.now() - s0) / 1000));
  expect(await count("server")).toBe(ROWS);

  const baseline = { name: "server-side INSERT ... SELECT range()", value: serverRate };
  const out: BenchRow[] = [
    { metric: `INSERT literals (${literals.statements} statements, 1 MiB budget), ${ROWS}x${schema.length}`, value: literals.rowsPerSec, unit: "rows/s", baseline, ratio: ratio(literals.rowsPerSec, serverRate) },
    { metric: `INSERT named parameters (${params.statements} statements, ${Math.floor(256 / schema.length)} rows each), ${ROWS}x${schema.length}`, value: params.rowsPerSec, unit: "rows/s", baseline, ratio: ratio(params.rowsPerSec, serverRate) },
    { metric: `provider append (staged, default strategy), ${ROWS}x${schema.length}`, value: fullRate, unit: "rows/s", baseline, ratio: ratio(fullRate, serverRate) },
    { metric: "literals vs parameters", value: ratio(literals.rowsPerSec, params.rowsPerSec), unit: "x", note: "auto strategy = literals" },
  ];
  recordBench("databricks", out);
});
