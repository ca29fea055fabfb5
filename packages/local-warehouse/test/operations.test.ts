/**
 * The TCLIService metadata calls (JDBC DatabaseMetaData columns, as the Spark Thrift server answers them:
 * https://docs.oracle.com/en/java/javase/17/docs/api/java.sql/java/sql/DatabaseMetaData.html) and the
 * operation life cycle: a long statement answers RUNNING, is polled, can be cancelled, and fails with
 * QUERY_EXECUTION_TIMEOUT_EXCEEDED (57KD0) past STATEMENT_TIMEOUT
 * (https://docs.databricks.com/sql/language-manual/parameters/statement_timeout.html) or the driver's
 * queryTimeout. All through the real driver.
 */
import { describe, expect, it } from "vitest";
import { sql, useWarehouseSession } from "./client.js";

const ws = useWarehouseSession({
  setup: async ({ session }) => {
    await sql(session, "CREATE SCHEMA meta_s");
    await sql(session, "CREATE TABLE meta_s.orders (id BIGINT NOT NULL COMMENT 'key', amount DECIMAL(10, 2), at TIMESTAMP, tags ARRAY<STRING>) USING DELTA");
    await sql(session, "CREATE TABLE meta_s.order_lines (id BIGINT) USING DELTA");
    await sql(session, "CREATE VIEW meta_s.big_orders AS SELECT * FROM meta_s.orders WHERE amount > 100");
  },
});

const rows = async (op: Promise<{ fetchAll(): Promise<unknown[]>; close(): Promise<unknown> }>) => {
  const o = await op;
  try {
    return (await o.fetchAll()) as Record<string, unknown>[];
  } finally {
    await o.close();
  }
};

/** A statement that keeps DuckDB busy for many seconds unless stopped. */
const LONG = "SELECT sum(a.id * b.id) AS s FROM range(200000) a, range(200000) b";

describe("metadata calls", () => {
  it("lists catalogs, schemas and table types", async () => {
    expect(await rows(ws.session.getCatalogs())).toEqual([{ TABLE_CAT: "main" }]);
    expect(await rows(ws.session.getSchemas({ catalogName: "main", schemaName: "meta%" }))).toEqual([{ TABLE_SCHEM: "meta_s", TABLE_CATALOG: "main" }]);
    const all = await rows(ws.session.getSchemas({}));
    expect(all.map((r) => r["TABLE_SCHEM"])).toEqual(expect.arrayContaining(["default", "meta_s"]));
    expect(await rows(ws.session.getTableTypes())).toEqual([{ TABLE_TYPE: "TABLE" }, { TABLE_TYPE: "VIEW" }]);
  });

  it("lists tables by LIKE pattern and type, with JDBC's ten columns", async () => {
    const tables = await rows(ws.session.getTables({ catalogName: "main", schemaName: "meta_s", tableName: "order%" }));
    expect(tables.map((t) => [t["TABLE_NAME"], t["TABLE_TYPE"]])).toEqual([["order_lines", "TABLE"], ["orders", "TABLE"]]);
    expect(Object.keys(tables[0]!)).toEqual([
      "TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE", "REMARKS", "TYPE_CAT", "TYPE_SCHEM", "TYPE_NAME", "SELF_REFERENCING_COL_NAME", "REF_GENERATION",
    ]);
    // `_` matches one character and `\\_` a literal underscore.
    expect((await rows(ws.session.getTables({ schemaName: "meta\\_s", tableName: "order_" }))).map((t) => t["TABLE_NAME"])).toEqual(["orders"]);
    const views = await rows(ws.session.getTables({ schemaName: "meta_s", tableTypes: ["VIEW"] }));
    expect(views.map((t) => t["TABLE_NAME"])).toEqual(["big_orders"]);
  });

  it("describes columns with java.sql.Types codes, sizes and nullability", async () => {
    const columns = await rows(ws.session.getColumns({ schemaName: "meta_s", tableName: "orders" }));
    expect(columns.map((c) => [c["COLUMN_NAME"], c["DATA_TYPE"], c["TYPE_NAME"], c["COLUMN_SIZE"], c["DECIMAL_DIGITS"], c["NULLABLE"], c["IS_NULLABLE"], c["ORDINAL_POSITION"]])).toEqual([
      ["id", -5, "BIGINT", 19, 0, 0, "NO", 1],
      ["amount", 3, "DECIMAL(10,2)", 10, 2, 1, "YES", 2],
      ["at", 93, "TIMESTAMP", 29, 6, 1, "YES", 3],
      ["tags", 2003, "ARRAY<STRING>", null, null, 1, "YES", 4],
    ]);
    expect(columns[0]!["REMARKS"]).toBe("key");
    expect(Object.keys(columns[0]!)).toHaveLength(23);
    expect((await rows(ws.session.getColumns({ schemaName: "meta_s", tableName: "orders", columnName: "am%" }))).map((c) => c["COLUMN_NAME"])).toEqual(["amount"]);
  });

  it("lists type info and the Spark functions the warehouse runs", async () => {
    const types = await rows(ws.session.getTypeInfo());
    expect(types.find((t) => t["TYPE_NAME"] === "BIGINT")).toMatchObject({ DATA_TYPE: -5, PRECISION: 19, NUM_PREC_RADIX: 10 });
    expect(types.find((t) => t["TYPE_NAME"] === "DECIMAL")).toMatchObject({ DATA_TYPE: 3, CREATE_PARAMS: "PRECISION,SCALE", MAXIMUM_SCALE: 38 });
    const fns = await rows(ws.session.getFunctions({ functionName: "date%" }));
    expect(fns.map((f) => f["FUNCTION_NAME"])).toEqual(["date", "date_add", "date_format", "date_sub", "date_trunc", "datediff"]);
    expect(await rows(ws.session.getPrimaryKeys({ schemaName: "meta_s", tableName: "orders" }))).toEqual([]);
  });
});

describe("operation life cycle", () => {
  it("answers a long statement RUNNING, and cancel stops it in DuckDB", async () => {
    const own = await ws.client.openSession();
    const op = await own.executeStatement(LONG);
    expect((await op.status()).operationState).toBe(1); // RUNNING_STATE
    await op.cancel();
    await expect(op.fetchAll()).rejects.toThrow(/canceled/i);
    // The session's connection is free again: the next statement runs at once instead of queueing behind it.
    expect(await sql(own, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    await own.close();
  });

  it("stops a statement past STATEMENT_TIMEOUT with QUERY_EXECUTION_TIMEOUT_EXCEEDED", async () => {
    const own = await ws.client.openSession();
    await sql(own, "SET STATEMENT_TIMEOUT = 1");
    const err = await sql(own, LONG).then(
      () => undefined,
      (e: { message: string; response?: { sqlState?: string } }) => e,
    );
    expect(err?.message).toMatch(/^\[QUERY_EXECUTION_TIMEOUT_EXCEEDED\] Query execution was cancelled due to exceeding the timeout \(1s\)/);
    expect(err?.response?.sqlState).toBe("57KD0");
    expect(await sql(own, "SELECT 2 AS two")).toEqual([{ two: 2 }]);
    await own.close();
  });

  it("honours the driver's queryTimeout the same way", async () => {
    const op = await ws.session.executeStatement(LONG, { queryTimeout: 1 });
    await expect(op.fetchAll()).rejects.toMatchObject({ response: { sqlState: "57KD0" } });
    await op.close();
  });
});
