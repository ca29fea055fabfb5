/**
 * The change data feed through the real driver: `delta.enableChangeDataFeed` on CREATE/ALTER TABLE, and
 * `table_changes('<table>', start[, end])` (https://docs.databricks.com/sql/language-manual/functions/table_changes.html):
 * the table's columns plus `_change_type`, `_commit_version` BIGINT, `_commit_timestamp` TIMESTAMP.
 * Range rules and error classes are Delta's (delta-io/delta commands/cdc/CDCReader.scala;
 * spark/src/main/resources/error/delta-error-classes.json: DELTA_MISSING_CHANGE_DATA KD002,
 * DELTA_CDC_START_VERSION_AFTER_LATEST 22003, DELTA_INVALID_CDC_RANGE 22003,
 * DELTA_TIMESTAMP_GREATER_THAN_COMMIT 42816, DELTA_CDC_READ_NULL_RANGE_BOUNDARY 22004).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DBSQLClient } from "@databricks/sql";
import { startLocalWarehouse, type LocalWarehouse } from "../src/index.js";
import { connectClient, sql, sqlError, type Session } from "./client.js";

let warehouse: LocalWarehouse;
let client: DBSQLClient;
let session: Session;

beforeAll(async () => {
  warehouse = await startLocalWarehouse({ port: 0 });
  client = await connectClient(warehouse);
  session = await client.openSession();
});

afterAll(async () => {
  await session?.close();
  await client?.close();
  await warehouse?.close();
});

/** The changes as `[version, change type, ...columns]`, in the order the feed gives them. */
async function changes(query: string, columns: string[]): Promise<unknown[][]> {
  const rows = await sql(session, query);
  return rows.map((r) => [r._commit_version, r._change_type, ...columns.map((c) => r[c])]);
}

describe("change data feed", () => {
  it("records inserts per version with the feed's three columns", async () => {
    await sql(session, "CREATE TABLE f1 (id INT, s STRING) USING DELTA TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    await sql(session, "INSERT INTO f1 VALUES (1, 'a'), (2, 'b')");
    await sql(session, "INSERT INTO f1 VALUES (3, 'c')");
    const rows = await sql(session, "SELECT * FROM table_changes('main.default.f1', 0)");
    expect(Object.keys(rows[0]!)).toEqual(["id", "s", "_change_type", "_commit_version", "_commit_timestamp"]);
    expect(rows.map((r) => [r._commit_version, r._change_type, r.id, r.s])).toEqual([
      [1, "insert", 1, "a"],
      [1, "insert", 2, "b"],
      [2, "insert", 3, "c"],
    ]);
    const history = await sql(session, "DESCRIBE HISTORY f1");
    const ts = new Map(history.map((h) => [h.version, (h.timestamp as Date).getTime()]));
    for (const r of rows) expect((r._commit_timestamp as Date).getTime()).toBe(ts.get(r._commit_version));
    expect(await changes("SELECT * FROM table_changes('f1', 2, 2)", ["id"])).toEqual([[2, "insert", 3]]);
    expect(await changes("SELECT * FROM table_changes('`f1`', 1, 1) WHERE id > 1", ["id"])).toEqual([[1, "insert", 2]]);
  });

  it("types _commit_version as BIGINT and _commit_timestamp as TIMESTAMP", async () => {
    await sql(session, "CREATE TABLE f2 (id INT) TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')");
    await sql(session, "INSERT INTO f2 VALUES (1)");
    await sql(session, "CREATE TABLE f2c AS SELECT * FROM table_changes('f2', 0)");
    const described = await sql(session, "DESCRIBE f2c");
    expect(described.map((d) => [d.col_name, d.data_type])).toEqual([
      ["id", "int"],
      ["_change_type", "string"],
      ["_commit_version", "bigint"],
      ["_commit_timestamp", "timestamp"],
    ]);
  });

  it("selects versions by timestamp: the first at or after the start, the last at or before the end", async () => {
    await sql(session, "CREATE TABLE f3 (id INT) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    for (const id of [1, 2, 3]) await sql(session, `INSERT INTO f3 VALUES (${id})`);
    const ts = (await sql(session, "DESCRIBE HISTORY f3")).reverse().map((h) => (h.timestamp as Date).getTime());
    const text = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace("Z", "");
    expect(await changes(`SELECT * FROM table_changes('f3', '${text(ts[1]! + 1)}', '${text(ts[3]! - 1)}')`, ["id"])).toEqual([[2, "insert", 2]]);
    expect(await changes(`SELECT * FROM table_changes('f3', TIMESTAMP '${text(ts[3]!)}')`, ["id"])).toEqual([[3, "insert", 3]]);
    const late = await sqlError(session, `SELECT * FROM table_changes('f3', '${text(ts[3]! + 60_000)}')`);
    expect(late.sqlState).toBe("42816");
    expect(late.message).toMatch(/^\[DELTA_TIMESTAMP_GREATER_THAN_COMMIT\]/);
  });

  it("refuses ranges Delta refuses", async () => {
    await sql(session, "CREATE TABLE f4 (id INT) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    await sql(session, "INSERT INTO f4 VALUES (1)");
    const after = await sqlError(session, "SELECT * FROM table_changes('f4', 5)");
    expect(after.sqlState).toBe("22003");
    expect(after.message).toContain("[DELTA_CDC_START_VERSION_AFTER_LATEST] Start version 5 for change data feed exceeds the latest table version 1.");
    const backwards = await sqlError(session, "SELECT * FROM table_changes('f4', 1, 0)");
    expect(backwards.sqlState).toBe("22003");
    expect(backwards.message).toContain("[DELTA_INVALID_CDC_RANGE] CDC range from start 1 to end 0 was invalid. End cannot be before start.");
    const nulls = await sqlError(session, "SELECT * FROM table_changes('f4', NULL)");
    expect(nulls.sqlState).toBe("22004");
    expect((await sqlError(session, "SELECT * FROM table_changes('missing_table', 0)")).sqlState).toBe("42P01");
    // An end past the latest version reads to the latest.
    expect(await changes("SELECT * FROM table_changes('f4', 0, 99)", ["id"])).toEqual([[1, "insert", 1]]);
  });

  it("fails with DELTA_MISSING_CHANGE_DATA for versions committed while the feed was off", async () => {
    await sql(session, "CREATE TABLE f5 (id INT)");
    await sql(session, "INSERT INTO f5 VALUES (1)");
    const off = await sqlError(session, "SELECT * FROM table_changes('f5', 0)");
    expect(off.sqlState).toBe("KD002");
    expect(off.message).toContain(
      "[DELTA_MISSING_CHANGE_DATA] Error getting change data for range [0 , 1] as change data was not recorded for version [0].",
    );
  });
});
