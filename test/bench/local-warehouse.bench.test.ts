/**
 * What the local warehouse costs per row: `INSERT … VALUES` batches sent through the real
 * @databricks/sql driver (Thrift over HTTP, dialect rewrite, DuckDB) against DuckDB inserting the very
 * same rows from the same batches of DuckDB SQL in-process, measured in the same run.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { connectOptionsFor, startLocalWarehouse, type LocalWarehouse } from "@macrometa-spark/local-warehouse";
import { type BenchRow, ratio, recordBench } from "./report.js";

// Both libraries are dependencies of local-warehouse only; borrow them from there.
const pkg = fileURLToPath(new URL("../../packages/local-warehouse/package.json", import.meta.url));
const requireFromPackage = createRequire(pkg);
const { DBSQLClient, DBSQLLogger, LogLevel } = requireFromPackage("@databricks/sql") as typeof import("@databricks/sql");
const { DuckDBInstance } = requireFromPackage("@duckdb/node-api") as typeof import("@duckdb/node-api");

const ROWS = 20_000;
const BATCH = 1_000;
const PARAM_ROWS = Math.floor(256 / 5);

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const row = (i: number) => `(${i}, ${quote(`name-${i} O'Hare`)}, ${i / 7}, ${i % 2 === 0}, TIMESTAMP '2024-01-01 00:00:00')`;
const batches = (sqlFor: (table: string, from: number, to: number) => string, table: string) => {
  const out: string[] = [];
  for (let from = 0; from < ROWS; from += BATCH) out.push(sqlFor(table, from, Math.min(ROWS, from + BATCH)));
  return out;
};
const values = (table: string, from: number, to: number) =>
  `INSERT INTO ${table} VALUES ${Array.from({ length: to - from }, (_, k) => row(from + k)).join(", ")}`;

let warehouse: LocalWarehouse;
let client: InstanceType<typeof DBSQLClient>;

beforeAll(async () => {
  warehouse = await startLocalWarehouse({ port: 0 });
  client = new DBSQLClient({ logger: new DBSQLLogger({ level: LogLevel.error }) });
  const c = client as unknown as { getConnectionOptions(o: unknown): Record<string, unknown> };
  const original = c.getConnectionOptions.bind(client);
  c.getConnectionOptions = (o) => ({ ...original(o), https: false });
  await client.connect({ ...connectOptionsFor(warehouse), telemetryEnabled: false });
});

afterAll(async () => {
  await client?.close();
  await warehouse?.close();
});

it(`inserts ${ROWS} rows through the driver and directly into DuckDB`, async () => {
  const session = await client.openSession();
  const run = async (statement: string, namedParameters?: Record<string, unknown>) => {
    const op = await session.executeStatement(statement, namedParameters ? { namedParameters: namedParameters as never } : {});
    const rows = await op.fetchAll();
    await op.close();
    return rows as Record<string, unknown>[];
  };
  const ddl = "(id BIGINT, name STRING, score DOUBLE, flag BOOLEAN, at TIMESTAMP)";
  await run(`CREATE TABLE lit ${ddl} USING DELTA`);
  await run(`CREATE TABLE par ${ddl} USING DELTA`);

  let t0 = performance.now();
  for (const statement of batches(values, "lit")) await run(statement);
  const literalRate = ROWS / ((performance.now() - t0) / 1000);

  t0 = performance.now();
  for (let from = 0; from < ROWS; from += PARAM_ROWS) {
    const n = Math.min(PARAM_ROWS, ROWS - from);
    const params: Record<string, unknown> = {};
    const tuples = Array.from({ length: n }, (_, k) => {
      const i = from + k;
      Object.assign(params, { [`a${k}`]: i, [`b${k}`]: `name-${i} O'Hare`, [`c${k}`]: i / 7 + 0.5, [`d${k}`]: i % 2 === 0, [`e${k}`]: new Date(Date.UTC(2024, 0, 1)) });
      return `(:a${k}, :b${k}, :c${k}, :d${k}, :e${k})`;
    });
    await run(`INSERT INTO par VALUES ${tuples.join(", ")}`, params);
  }
  const paramRate = ROWS / ((performance.now() - t0) / 1000);
  expect(await run("SELECT count(*) AS n FROM lit")).toEqual([{ n: ROWS }]);
  expect(await run("SELECT count(*) AS n FROM par")).toEqual([{ n: ROWS }]);
  await session.close();

  // Baseline: the same batches in DuckDB's own dialect, straight into an in-process DuckDB.
  const duck = await DuckDBInstance.create(":memory:");
  const conn = await duck.connect();
  await conn.run('CREATE TABLE lit (id BIGINT, name VARCHAR, score DOUBLE, flag BOOLEAN, "at" TIMESTAMPTZ)');
  t0 = performance.now();
  for (const statement of batches(values, "lit")) await conn.run(statement.replace(/TIMESTAMP '/g, "TIMESTAMPTZ '"));
  const duckRate = ROWS / ((performance.now() - t0) / 1000);
  const count = await conn.runAndReadAll("SELECT count(*) FROM lit");
  expect(Number(count.getRows()[0]![0])).toBe(ROWS);
  conn.closeSync();
  duck.closeSync();

  const baseline = { name: "DuckDB in-process, same INSERT batches", value: Math.round(duckRate) };
  const out: BenchRow[] = [
    { metric: `driver INSERT literals, ${BATCH} rows/statement, ${ROWS}x5`, value: Math.round(literalRate), unit: "rows/s", baseline, ratio: ratio(literalRate, duckRate) },
    { metric: `driver INSERT named params, ${PARAM_ROWS} rows/statement, ${ROWS}x5`, value: Math.round(paramRate), unit: "rows/s", baseline, ratio: ratio(paramRate, duckRate) },
  ];
  recordBench("local-warehouse", out);
});

const READ_ROWS = 1_000_000;

it(`reads ${READ_ROWS} rows with fetchAll in Arrow and in the column format`, async () => {
  const rate = async (arrow: boolean): Promise<number> => {
    const reader = new DBSQLClient({ logger: new DBSQLLogger({ level: LogLevel.error }) });
    const c = reader as unknown as { getConnectionOptions(o: unknown): Record<string, unknown> };
    const original = c.getConnectionOptions.bind(reader);
    c.getConnectionOptions = (o) => ({ ...original(o), https: false });
    // The driver reads Arrow by default; its config is the only switch for the column format.
    (reader.getConfig() as { arrowEnabled?: boolean }).arrowEnabled = arrow;
    await reader.connect({ ...connectOptionsFor(warehouse), telemetryEnabled: false });
    const session = await reader.openSession();
    const t0 = performance.now();
    const op = await session.executeStatement(
      `SELECT id, 'name-' || CAST(id AS STRING) AS name, id / 7 AS score, id % 2 = 0 AS flag, TIMESTAMP '2024-01-01 00:00:00' AS at FROM range(${READ_ROWS})`,
    );
    const rows = await op.fetchAll();
    const seconds = (performance.now() - t0) / 1000;
    await op.close();
    await session.close();
    await reader.close();
    expect(rows.length).toBe(READ_ROWS);
    return READ_ROWS / seconds;
  };
  const columns = await rate(false);
  const arrow = await rate(true);
  const baseline = { name: "column format (COLUMN_BASED_SET), same query", value: Math.round(columns) };
  recordBench("local-warehouse", [
    { metric: `driver fetchAll ${READ_ROWS} rows x5, Arrow results`, value: Math.round(arrow), unit: "rows/s", baseline, ratio: ratio(arrow, columns) },
  ]);
});

const FEED_ROWS = 10_000;

it(`reads a ${FEED_ROWS}-row commit from table_changes, against a plain read of the same rows`, async () => {
  const session = await client.openSession();
  const run = async (statement: string) => {
    const op = await session.executeStatement(statement);
    const rows = await op.fetchAll();
    await op.close();
    return rows as Record<string, unknown>[];
  };
  await run("CREATE TABLE feed (id BIGINT, name STRING, score DOUBLE, flag BOOLEAN, at TIMESTAMP) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
  for (let v = 1; v <= 10; v++)
    await run(`INSERT INTO feed SELECT id + ${v * FEED_ROWS}, concat('name-', CAST(id AS STRING)), id / 7, id % 2 = 0, TIMESTAMP '2024-01-01 00:00:00' FROM range(${FEED_ROWS})`);
  let t0 = performance.now();
  const changes = await run("SELECT * FROM table_changes('feed', 10, 10)");
  const feedMs = performance.now() - t0;
  t0 = performance.now();
  const plain = await run(`SELECT * FROM feed WHERE id >= ${10 * FEED_ROWS}`);
  const plainMs = performance.now() - t0;
  expect(changes.length).toBe(FEED_ROWS);
  expect(plain.length).toBe(FEED_ROWS);
  await session.close();
  const baseline = { name: "plain SELECT of the same rows (5 columns)", value: Math.round(FEED_ROWS / (plainMs / 1000)) };
  recordBench("local-warehouse", [
    { metric: `driver fetchAll table_changes of one ${FEED_ROWS}-row commit (5+3 columns), ${Math.round(feedMs)} ms`, value: Math.round(FEED_ROWS / (feedMs / 1000)), unit: "rows/s", baseline, ratio: ratio(plainMs, feedMs) },
  ]);
});
