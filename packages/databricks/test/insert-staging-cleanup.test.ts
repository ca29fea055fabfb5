/**
 * The insert method's leftovers: `__mm_stage_*` tables a killed write (a second Ctrl-C, a crash)
 * left in the target's schema. A streaming query's next start drops its own whatever their age; a
 * batch write drops any older than `staleStagingAfterMs`; younger tables of other writes, and
 * tables this sink did not name, stay.
 */
import { CaseInsensitiveOptions, JobMetrics, LongType, StringType, StructField, StructType, createMemoryLogger } from "@macrometa-spark/core";
import { startLocalWarehouse } from "@macrometa-spark/local-warehouse";
import { afterAll, beforeAll, expect, it } from "vitest";
import { epoch } from "./support.js";
import { DatabricksConnection, DatabricksTableProvider, parseConnectionOptions } from "../src/index.js";

let wh: Awaited<ReturnType<typeof startLocalWarehouse>>;
let admin: DatabricksConnection;
let base: Record<string, unknown>;
const SCHEMA = "stg";
const provider = new DatabricksTableProvider();
const people = new StructType([new StructField("id", LongType, false), new StructField("name", StringType)]);

beforeAll(async () => {
  wh = await startLocalWarehouse({ port: 0 });
  const connection = { host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: false };
  base = { ...connection, catalog: "main", schema: SCHEMA };
  admin = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions(connection)));
  await admin.execute(`CREATE SCHEMA IF NOT EXISTS main.${SCHEMA}`);
});

afterAll(async () => {
  await admin?.close();
  await wh?.close();
});

const stageTables = async () => (await admin.query(`SHOW TABLES IN main.${SCHEMA} LIKE '__mm_stage_*'`)).map((r) => String(r["tableName"])).sort();
const leave = (name: string) => admin.execute(`CREATE TABLE main.${SCHEMA}.${name} (id BIGINT, name STRING, _mm_seq BIGINT)`);

it("a streaming query's start drops its own staging tables whatever their age, and no one else's young ones", async () => {
  const now = Date.now();
  const ours = `__mm_stage_${now}_0123456789ab_q1_e3_p0`; // query "q-1", epoch 3 of a killed run
  const theirs = `__mm_stage_${now}_ba9876543210_other_e1_p0`;
  const foreign = "__mm_stage_legacy";
  for (const t of [ours, theirs, foreign]) await leave(t);
  const logger = createMemoryLogger();
  const opts = new CaseInsensitiveOptions({ ...base, table: "s_target" }, "databricks");
  const table = await provider.getTable(undefined, opts, { logger, metrics: new JobMetrics() });
  const sw = await table.newWriteBuilder!({ queryId: "q-1", schema: people, options: opts, mode: "append" }).buildForStreaming!();
  await epoch(sw, 0, [[1, "a"]]);
  await sw.close!();
  expect(await stageTables()).toEqual([theirs, foreign].sort());
  expect(logger.events.some((e) => e.message === "dropped staging tables an earlier run left behind" && e.fields?.["tables"] === 1)).toBe(true);
  expect((await admin.query(`SELECT id FROM main.${SCHEMA}.s_target`)).map((r) => Number(r["id"]))).toEqual([1]);
  for (const t of [theirs, foreign]) await admin.execute(`DROP TABLE main.${SCHEMA}.${t}`);
});

it("a batch write drops staging tables older than staleStagingAfterMs and keeps younger ones", async () => {
  const now = Date.now();
  const old = `__mm_stage_${now - 2 * 3_600_000}_0123456789ab_p0`;
  const young = `__mm_stage_${now}_ba9876543210_p0`;
  for (const t of [old, young]) await leave(t);
  const opts = new CaseInsensitiveOptions({ ...base, table: "b_target" }, "databricks");
  const table = await provider.getTable(undefined, opts, { logger: createMemoryLogger(), metrics: new JobMetrics() });
  const bw = await table.newWriteBuilder!({ queryId: "b", schema: people, options: opts, mode: "append" }).buildForBatch!();
  const w = await bw.createWriter(0);
  await w.write([[1, "a"]]);
  await bw.commit([await w.commit()]);
  expect(await stageTables()).toEqual([young]);
});
