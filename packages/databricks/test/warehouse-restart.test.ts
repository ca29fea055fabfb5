/**
 * A streaming sink keeps running through a warehouse restart: local-warehouse runs as its own
 * process on a database file, is killed with SIGKILL while an epoch is in flight, and is started
 * again on the same file and port. The sink's statements that are safe to repeat are retried over
 * retryBudgetMs, the session the new process does not know ("Invalid SessionHandle", as Spark's
 * Thrift server says) is reopened, and the table ends with every row exactly once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CaseInsensitiveOptions, JobMetrics, LongType, StringType, StructField, StructType, silentLogger, type Row } from "@macrometa-spark/core";
import { afterAll, describe, expect, it } from "vitest";
import { epoch } from "./support.js";
import { DatabricksConnection, DatabricksTableProvider, parseConnectionOptions } from "../src/index.js";

const BIN = fileURLToPath(new URL("../../local-warehouse/dist/bin.js", import.meta.url));
const TOKEN = "restart-test-token";
const dir = mkdtempSync(join(tmpdir(), "mm-wh-restart-"));
const people = new StructType([new StructField("id", LongType, false), new StructField("name", StringType)]);
const children: ChildProcess[] = [];

/** Starts the warehouse process; resolves with its port once it prints that it listens. */
function startWarehouse(port: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [BIN, "--port", String(port), "--db", join(dir, "wh.duckdb"), "--token", TOKEN], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => reject(new Error(`local-warehouse exited (${code}) before listening: ${out}`)));
  });
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});


describe("warehouse restart under a running streaming sink", () => {
  for (const [method, extra] of [
    ["volume", (schema: string) => ({ stagingVolume: `/Volumes/main/${schema}/staging` })],
    ["insert", () => ({ writeMethod: "insert", batchIdColumn: "_mm_batch" })],
  ] as const) {
    it(`${method} method: SIGKILL mid-epoch, restart on the same file; every row once`, async () => {
      let wh = await startWarehouse(0);
      const port = wh.port;
      const schema = `restart_${method}`;
      const connection = { host: "127.0.0.1", port, httpPath: "/sql/1.0/warehouses/local", token: TOKEN, useTls: false };
      const admin = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions(connection)));
      await admin.execute(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await admin.execute(`CREATE VOLUME IF NOT EXISTS main.${schema}.staging`);
      await admin.close();

      const provider = new DatabricksTableProvider();
      const opts = new CaseInsensitiveOptions({ ...connection, schema, table: "events", retryBudgetMs: 60_000, ...extra(schema) }, "databricks");
      const t = await provider.getTable(undefined, opts, { logger: silentLogger, metrics: new JobMetrics() });
      const sw = await t.newWriteBuilder!({ queryId: `q-${method}`, schema: people, options: opts, mode: "append" }).buildForStreaming!();
      const rowsOf = (e: number): Row[] => Array.from({ length: 50 }, (_, i) => [e * 50 + i, `e${e}`]);
      for (let e = 0; e < 3; e++) await epoch(sw, e, rowsOf(e));
      // Kill while epoch 3 is in flight, restart on the same database and port; the epoch must finish.
      const inFlight = epoch(sw, 3, rowsOf(3));
      await kill9(wh.child);
      wh = await startWarehouse(port);
      await inFlight;
      for (let e = 4; e < 6; e++) await epoch(sw, e, rowsOf(e));
      await sw.close!();

      const check = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions(connection)));
      const [counts] = await check.query(`SELECT count(*) AS n, count(DISTINCT id) AS d, min(id) AS lo, max(id) AS hi FROM ${schema}.events`);
      await check.close();
      await kill9(wh.child);
      expect(Object.fromEntries(Object.entries(counts!).map(([k, v]) => [k, Number(v)]))).toEqual({ n: 300, d: 300, lo: 0, hi: 299 });
    });
  }
});
