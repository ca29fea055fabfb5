/**
 * Arrow results through the real driver. The JS values expected here are what @databricks/sql 2.1
 * decodes from a Databricks warehouse's Arrow batches (../shared/reference/databricks-volumes-cdf-arrow.md
 * §7; the driver's ArrowResultConverter): Date for DATE and TIMESTAMP (milliseconds), native nested
 * values with converted leaves, bigint and exact decimal text with `preserveBigNumericPrecision`.
 */
import { describe, expect, it } from "vitest";
import { startLocalWarehouse } from "../src/index.js";
import { connectClient, sql, sqlError, useWarehouseSession } from "./client.js";

// The suite's client keeps exact numbers (BIGINT as bigint, DECIMAL as text); other choices connect their own.
const ws = useWarehouseSession({ client: { exactNumbers: true } });

describe("Arrow results", () => {
  it("keeps every digit of BIGINT and DECIMAL with preserveBigNumericPrecision", async () => {
    const [row] = await sql(
      ws.session,
      `SELECT CAST(9007199254740993 AS BIGINT) AS big, CAST(-9223372036854775808 AS BIGINT) AS lo,
              CAST('12345678901234567890.123456' AS DECIMAL(38, 6)) AS wide, CAST('-0.05' AS DECIMAL(4, 2)) AS neg,
              CAST(7 AS DECIMAL(10, 0)) AS whole`,
    );
    expect(row).toEqual({ big: 9007199254740993n, lo: -9223372036854775808n, wide: "12345678901234567890.123456", neg: "-0.05", whole: "7" });
  });

  it("decodes dates and timestamps (also before 1970 and timestamp_ntz) as Date objects", async () => {
    const [row] = await sql(
      ws.session,
      `SELECT DATE '1969-12-31' AS d, TIMESTAMP '1969-12-31 23:59:59.5' AS t, TIMESTAMP_NTZ '2024-02-29 12:00:00' AS ntz,
              TIMESTAMP '2024-05-06 07:08:09.123456' AS micros`,
    );
    expect(row).toEqual({
      d: new Date("1969-12-31T00:00:00Z"),
      t: new Date("1969-12-31T23:59:59.500Z"),
      ntz: new Date("2024-02-29T12:00:00Z"),
      // The driver's Date keeps milliseconds; Databricks sends the microseconds, as here.
      micros: new Date("2024-05-06T07:08:09.123Z"),
    });
  });

  it("sends nested values natively, converting their leaves as the driver does", async () => {
    const [row] = await sql(
      ws.session,
      `SELECT named_struct('at', TIMESTAMP '2024-01-01 00:00:01', 'n', 5L, 'price', CAST('1.10' AS DECIMAL(5, 2)), 'tags', array('a', NULL)) AS s,
              map('x', array(1L, NULL), 'y', CAST(NULL AS ARRAY<BIGINT>)) AS m,
              array(named_struct('k', 1), CAST(NULL AS STRUCT<k: INT>)) AS a,
              array(array(DATE '2024-01-02')) AS dd, CAST(NULL AS MAP<STRING, INT>) AS nm, array() AS empty`,
    );
    expect(row).toEqual({
      s: { at: new Date("2024-01-01T00:00:01Z"), n: 5n, price: "1.10", tags: ["a", null] },
      m: { x: [1n, null], y: null },
      a: [{ k: 1 }, null],
      dd: [[new Date("2024-01-02T00:00:00Z")]],
      nm: null,
      empty: [],
    });
  });

  it("pages a large result in record batches whose row counts add up", async () => {
    const op = await ws.session.executeStatement("SELECT id, CAST(id AS STRING) AS s, id % 3 = 0 AS b FROM range(250000) ORDER BY id", { maxRows: 40000 });
    let rows = 0;
    let sum = 0n;
    let chunks = 0;
    let last = -1n;
    let inOrder = true;
    do {
      const chunk = (await op.fetchChunk({ maxRows: 40000 })) as { id: bigint; s: string; b: boolean }[];
      chunks++;
      for (const r of chunk) {
        inOrder &&= r.id === last + 1n && r.b === (r.id % 3n === 0n);
        last = r.id;
        sum += r.id;
        rows++;
      }
      expect(chunk.at(-1)?.s ?? String(last)).toBe(String(last));
    } while (await op.hasMoreRows());
    await op.close();
    expect(inOrder).toBe(true);
    expect(rows).toBe(250000);
    expect(sum).toBe((249999n * 250000n) / 2n);
    expect(chunks).toBeGreaterThanOrEqual(6);
  });

  it("answers an empty result and errors the same way as without Arrow", async () => {
    expect(await sql(ws.session, "SELECT 1 AS x WHERE false")).toEqual([]);
    const err = await sqlError(ws.session, "SELECT * FROM no_such_table");
    expect(err.sqlState).toBe("42P01");
  });

  it("sends decimals, timestamps and nested values as text when the driver does not ask for native types", async () => {
    const plain = await connectClient(ws.warehouse, { nativeTypes: false });
    const s = await plain.openSession();
    const [row] = await sql(s, "SELECT CAST('1.25' AS DECIMAL(5, 2)) AS dec, TIMESTAMP '2024-01-02 03:04:05' AS ts, DATE '2024-01-02' AS d, array(1, 2) AS a, map('k', named_struct('x', 1)) AS m");
    await s.close();
    await plain.close();
    // Utf8 columns: the driver converts DECIMAL text to a number and parses nested JSON; DATE stays Date32.
    expect(row).toEqual({ dec: 1.25, ts: "2024-01-02 03:04:05", d: new Date("2024-01-02T00:00:00Z"), a: [1, 2], m: { k: { x: 1 } } });
  });

  it("answers in the column format when the warehouse is started with arrowResults: false", async () => {
    const columnar = await startLocalWarehouse({ port: 0, arrowResults: false });
    try {
      const c = await connectClient(columnar);
      const s = await c.openSession();
      const [row] = await sql(s, "SELECT DATE '2024-01-02' AS d, TIMESTAMP '2024-01-02 03:04:05' AS ts");
      await s.close();
      await c.close();
      expect(row).toEqual({ d: "2024-01-02", ts: "2024-01-02 03:04:05" });
    } finally {
      await columnar.close();
    }
  });
});
