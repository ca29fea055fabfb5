import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalWarehouse } from "../src/index.js";
import { connectClient, sql, useWarehouseSession } from "./client.js";

describe("the endpoint", () => {
  // No suite session: the tests open their own and check that none is left open.
  const ws = useWarehouseSession({ warehouse: { token: "s3cret-token", warehouseId: "abc123" }, session: false });

  it("serves the warehouse path on the chosen port", () => {
    expect(ws.warehouse.path).toBe("/sql/1.0/warehouses/abc123");
    expect(ws.warehouse.port).toBeGreaterThan(0);
    expect(ws.warehouse.url).toBe(`http://127.0.0.1:${ws.warehouse.port}/sql/1.0/warehouses/abc123`);
    expect(ws.warehouse.url).not.toContain("s3cret");
  });

  it("refuses a wrong or missing token with HTTP 401, and never echoes the token", async () => {
    const intruder = await connectClient(ws.warehouse, "wrong-token");
    let failure: { message?: string; statusCode?: number } | undefined;
    try {
      await intruder.openSession();
    } catch (error) {
      failure = error as typeof failure;
    } finally {
      await intruder.close();
    }
    expect(failure?.statusCode).toBe(401);
    expect(failure?.message).toContain("401");
    expect(failure?.message).not.toContain("wrong-token");

    const bare = await fetch(`http://127.0.0.1:${ws.warehouse.port}${ws.warehouse.path}`, { method: "POST", body: "x" });
    expect(bare.status).toBe(401);
    expect(bare.headers.get("x-thriftserver-error-message")).toMatch(/credential/i);
    const elsewhere = await fetch(`http://127.0.0.1:${ws.warehouse.port}/sql/1.0/warehouses/other`, {
      method: "POST",
      headers: { authorization: "Bearer s3cret-token" },
    });
    expect(elsewhere.status).toBe(404);
  });

  it("pages a large result through FetchResults", async () => {
    const session = await ws.client.openSession();
    const op = await session.executeStatement("SELECT id, 'row-' || id AS label, id % 2 = 0 AS even FROM range(250000) ORDER BY id");
    let count = 0;
    let sum = 0;
    let chunks = 0;
    let last: Record<string, unknown> | undefined;
    // fetchChunk pulls FetchResults pages of at most maxRows; the first page came back with ExecuteStatement.
    while (await op.hasMoreRows()) {
      const rows = (await op.fetchChunk({ maxRows: 60_000 })) as Record<string, unknown>[];
      if (rows.length === 0) continue;
      chunks++;
      count += rows.length;
      for (const r of rows) sum += r.id as number;
      last = rows[rows.length - 1];
    }
    const before = ws.warehouse.stats();
    await op.close();
    expect(ws.warehouse.stats().operations).toBe(before.operations - 1);
    // The first 100 000 rows came with ExecuteStatement; the rest needed FetchResults calls.
    expect(before.rpcs.FetchResults).toBeGreaterThanOrEqual(3);
    expect(count).toBe(250_000);
    expect(sum).toBe((249_999 * 250_000) / 2);
    expect(chunks).toBeGreaterThan(2);
    expect(last).toEqual({ id: 249_999, label: "row-249999", even: false });
    // Another statement in the same session after a paged one still works.
    expect(await sql(session, "SELECT count(*) AS n FROM range(10)")).toEqual([{ n: 10 }]);
    await session.close();
  });

  it("answers the non-direct path: status, metadata, fetch and close", async () => {
    const session = await ws.client.openSession();
    // maxRows null turns direct results off, so the driver polls and fetches as separate RPCs.
    const op = await session.executeStatement("SELECT 7 AS x UNION ALL SELECT 8", { maxRows: null });
    expect((await op.status()).operationState).toBe(2);
    expect(await op.fetchAll()).toEqual([{ x: 7 }, { x: 8 }]);
    await op.close();
    await session.close();
    expect(ws.warehouse.stats().rpcs.GetOperationStatus).toBeGreaterThan(0);
    expect(ws.warehouse.stats().sessions).toBe(0);
  });
});

describe("a file database", () => {
  const dir = mkdtempSync(join(tmpdir(), "local-warehouse-"));
  const database = join(dir, "warehouse.duckdb");

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps catalogs, tables, rows and properties across a restart", async () => {
    const first = await startLocalWarehouse({ port: 0, database });
    const c1 = await connectClient(first);
    const s1 = await c1.openSession();
    await sql(s1, "CREATE CATALOG ops");
    await sql(s1, "CREATE SCHEMA ops.audit");
    await sql(s1, "CREATE TABLE ops.audit.log (id BIGINT, tags ARRAY<STRING>) USING DELTA TBLPROPERTIES ('owner' = 'me')");
    await sql(s1, "INSERT INTO ops.audit.log VALUES (1, array('a')), (2, array('b', 'c'))");
    await sql(s1, "CREATE TABLE main.default.kept (v STRING) USING DELTA");
    await sql(s1, "INSERT INTO kept VALUES ('still here')");
    await s1.close();
    await c1.close();
    await first.close();

    const second = await startLocalWarehouse({ port: 0, database });
    const c2 = await connectClient(second);
    const s2 = await c2.openSession();
    expect(await sql(s2, "SELECT * FROM ops.audit.log ORDER BY id")).toEqual([
      { id: 1, tags: ["a"] },
      { id: 2, tags: ["b", "c"] },
    ]);
    expect(await sql(s2, "SELECT v FROM kept")).toEqual([{ v: "still here" }]);
    expect(await sql(s2, "SHOW TBLPROPERTIES ops.audit.log")).toEqual([{ key: "owner", value: "me" }]);
    await s2.close();
    await c2.close();
    await second.close();
  });
});
