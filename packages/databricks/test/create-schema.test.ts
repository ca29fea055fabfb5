/**
 * With createTable on (the default), a write into a schema that does not exist yet creates it
 * (CREATE SCHEMA IF NOT EXISTS) before the table; with createTable off nothing is created.
 */
import { CaseInsensitiveOptions, JobMetrics, LongType, StructField, StructType, silentLogger, type Row } from "@macrometa-spark/core";
import { startLocalWarehouse } from "@macrometa-spark/local-warehouse";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DatabricksConnection, DatabricksTableProvider, parseConnectionOptions } from "../src/index.js";

let wh: Awaited<ReturnType<typeof startLocalWarehouse>>;
let admin: DatabricksConnection;
let base: Record<string, unknown>;
const provider = new DatabricksTableProvider({ retryPolicy: { maxAttempts: 2, initialDelayMs: 10 } });
const schema = new StructType([new StructField("id", LongType, false)]);

beforeAll(async () => {
  wh = await startLocalWarehouse({ port: 0 });
  base = { host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: false, writeMethod: "insert" };
  admin = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions(base)));
});

afterAll(async () => {
  await admin?.close();
  await wh?.close();
});

async function write(options: Record<string, unknown>, rows: Row[]): Promise<void> {
  const opts = new CaseInsensitiveOptions({ ...base, ...options }, "databricks");
  const ctx = { logger: silentLogger, metrics: new JobMetrics() };
  const t = await provider.getTable(undefined, opts, ctx);
  const bw = await t.newWriteBuilder!({ queryId: "batch", schema, options: opts, mode: "append" }).buildForBatch!();
  const w = await bw.createWriter(0);
  await w.write(rows);
  await bw.commit([await w.commit()]);
}

it("creates a missing schema, then the table, then writes", async () => {
  await write({ catalog: "main", schema: "fresh_schema", table: "t" }, [[1], [2]]);
  expect(await admin.query("SELECT count(*) AS n FROM main.fresh_schema.t")).toEqual([{ n: 2n }]);
});

it("with createTable=false the write fails and creates no schema", async () => {
  const err = await write({ catalog: "main", schema: "absent_schema", table: "t", createTable: false }, [[1]]).catch((e: Error) => e);
  expect(err).toBeInstanceOf(Error);
  // Databricks' error class for the session's missing default schema, never the local warehouse's own names.
  expect((err as Error).message).toMatch(/SCHEMA_NOT_FOUND.*`main`\.`absent_schema`/);
  expect((err as Error).message).not.toContain("uc_main");
  const schemas = await admin.query("SHOW SCHEMAS IN main");
  expect(JSON.stringify(schemas)).not.toContain("absent_schema");
  expect(JSON.stringify(schemas)).toContain("fresh_schema");
});
