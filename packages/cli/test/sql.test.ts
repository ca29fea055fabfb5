/**
 * `mmspark sql` against the local warehouse over its Thrift endpoint: flags or DATABRICKS_* env,
 * Spark's show() table (right-aligned cells, "only showing top N rows"), --json rows, a statement
 * without a result set, and usage errors for a missing connection setting.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalWarehouse } from "@macrometa-spark/local-warehouse";
import { afterAll, beforeAll, expect, it } from "vitest";
import "../src/commands/register.js";
import { main } from "../src/main.js";
import { capture } from "./support/capture.js";

let wh: Awaited<ReturnType<typeof startLocalWarehouse>>;
let env: Record<string, string>;

beforeAll(async () => {
  wh = await startLocalWarehouse({ port: 0 });
  // A plain-HTTP warehouse (`mmspark local up --plain-http`): useTls=false on localhost.
  env = { DATABRICKS_HOST: wh.host, DATABRICKS_PORT: String(wh.port), DATABRICKS_HTTP_PATH: wh.path, DATABRICKS_TOKEN: wh.token, DATABRICKS_USE_TLS: "false" };
});
afterAll(async () => {
  await wh?.close();
});


const sql = async (args: string[], vars: Record<string, string> = env) => {
  const c = capture({ env: vars });
  const code = await main(["sql", ...args], c.io, new AbortController().signal);
  return { code, out: c.out(), err: c.err() };
};

it("runs DDL and DML, then prints a query as Spark's show() table", async () => {
  expect((await sql(["CREATE SCHEMA IF NOT EXISTS main.sqlverb"])).code).toBe(0);
  expect((await sql(["CREATE TABLE main.sqlverb.people (id BIGINT, name STRING, score DOUBLE)"])).code).toBe(0);
  expect((await sql(["INSERT INTO main.sqlverb.people VALUES (1, 'alice', 1.5), (2, 'bob', NULL), (3, 'a much longer name than twenty', 3.0)"])).code).toBe(0);

  const r = await sql(["SELECT id, name, score FROM main.sqlverb.people ORDER BY id"]);
  expect(r.code).toBe(0);
  expect(r.out).toBe(
    [
      "+---+--------------------+-----+",
      "| id|                name|score|",
      "+---+--------------------+-----+",
      "|  1|               alice|  1.5|",
      "|  2|                 bob| null|", // Spark 3's show() spelling, as core's showString
      "|  3|a much longer nam...|  3.0|",
      "+---+--------------------+-----+",
      "",
    ].join("\n"),
  );
  const top = await sql(["SELECT id FROM main.sqlverb.people ORDER BY id", "--rows", "2"]);
  expect(top.out).toContain("|  2|\n+---+\nonly showing top 2 rows\n");
  expect(top.out).not.toContain("|  3|");
});

it("prints every row as JSON with --json, and takes flags over the environment", async () => {
  const flags = ["--host", wh.host, "--port", String(wh.port), "--http-path", wh.path, "--token", wh.token, "--use-tls", "false"];
  const r = await sql(["SELECT id, name FROM main.sqlverb.people ORDER BY id", "--json", ...flags], {});
  expect(r.code).toBe(0);
  expect(r.out.trim().split("\n").map((l) => JSON.parse(l))).toEqual([
    { id: 1, name: "alice" },
    { id: 2, name: "bob" },
    { id: 3, name: "a much longer name than twenty" },
  ]);
  const wrong = await sql(["SELECT 1", ...flags], { ...env, DATABRICKS_TOKEN: "not-the-token" });
  expect(wrong.code).toBe(0); // the flag's token, not the environment's
});

it("fails with the warehouse's error for a bad statement, and exits 2 without a connection setting", async () => {
  const bad = await sql(["SELECT * FROM main.sqlverb.missing"]);
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(/missing/i);
  expect(bad.err).not.toContain(wh.token);

  const { DATABRICKS_TOKEN: _t, ...noToken } = env;
  const usage = await sql(["SELECT 1"], noToken);
  expect(usage.code).toBe(2);
  expect(usage.err).toContain("option 'token'");
  expect((await sql([])).code).toBe(2);
});

it("reaches an HTTPS warehouse through the CA file `mmspark local up` writes (--ca-cert-file or DATABRICKS_CA_CERT_FILE)", async () => {
  const tls = await startLocalWarehouse({ port: 0, tls: true });
  const dir = mkdtempSync(join(tmpdir(), "mmspark-sql-tls-"));
  try {
    const ca = join(dir, "warehouse-ca.pem");
    writeFileSync(ca, tls.caCertificate!);
    const vars = { DATABRICKS_HOST: tls.host, DATABRICKS_PORT: String(tls.port), DATABRICKS_HTTP_PATH: tls.path, DATABRICKS_TOKEN: tls.token };
    const viaEnv = await sql(["SELECT 1 AS one", "--json"], { ...vars, DATABRICKS_CA_CERT_FILE: ca });
    expect(viaEnv).toMatchObject({ code: 0, out: '{"one":1}\n' });
    const viaFlag = await sql(["SELECT 2 AS two", "--json", "--ca-cert-file", ca], vars);
    expect(viaFlag).toMatchObject({ code: 0, out: '{"two":2}\n' });
    // Without the CA the certificate is not trusted.
    const refused = await sql(["SELECT 1"], vars);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/unable to verify the first certificate/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await tls.close();
  }
});
