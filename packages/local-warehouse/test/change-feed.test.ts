/**
 * The change data feed through the real driver: `delta.enableChangeDataFeed` on CREATE/ALTER TABLE, and
 * `table_changes('<table>', start[, end])` (https://docs.databricks.com/sql/language-manual/functions/table_changes.html):
 * the table's columns plus `_change_type`, `_commit_version` BIGINT, `_commit_timestamp` TIMESTAMP.
 * Range rules and error classes are Delta's (delta-io/delta commands/cdc/CDCReader.scala;
 * spark/src/main/resources/error/delta-error-classes.json: DELTA_MISSING_CHANGE_DATA KD002,
 * DELTA_CDC_START_VERSION_AFTER_LATEST 22003, DELTA_INVALID_CDC_RANGE 22003,
 * DELTA_TIMESTAMP_GREATER_THAN_COMMIT 42816, DELTA_CDC_READ_NULL_RANGE_BOUNDARY 22004).
 */
import { describe, expect, it } from "vitest";
import { sql, sqlError, useWarehouseSession } from "./client.js";

const ws = useWarehouseSession();

/** The changes as `[version, change type, ...columns]`, in the order the feed gives them. */
async function changes(query: string, columns: string[]): Promise<unknown[][]> {
  const rows = await sql(ws.session, query);
  return rows.map((r) => [r._commit_version, r._change_type, ...columns.map((c) => r[c])]);
}

describe("change data feed", () => {
  it("records inserts per version with the feed's three columns", async () => {
    await sql(ws.session, "CREATE TABLE f1 (id INT, s STRING) USING DELTA TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    await sql(ws.session, "INSERT INTO f1 VALUES (1, 'a'), (2, 'b')");
    await sql(ws.session, "INSERT INTO f1 VALUES (3, 'c')");
    const rows = await sql(ws.session, "SELECT * FROM table_changes('main.default.f1', 0)");
    expect(Object.keys(rows[0]!)).toEqual(["id", "s", "_change_type", "_commit_version", "_commit_timestamp"]);
    expect(rows.map((r) => [r._commit_version, r._change_type, r.id, r.s])).toEqual([
      [1, "insert", 1, "a"],
      [1, "insert", 2, "b"],
      [2, "insert", 3, "c"],
    ]);
    const history = await sql(ws.session, "DESCRIBE HISTORY f1");
    const ts = new Map(history.map((h) => [h.version, (h.timestamp as Date).getTime()]));
    for (const r of rows) expect((r._commit_timestamp as Date).getTime()).toBe(ts.get(r._commit_version));
    expect(await changes("SELECT * FROM table_changes('f1', 2, 2)", ["id"])).toEqual([[2, "insert", 3]]);
    expect(await changes("SELECT * FROM table_changes('`f1`', 1, 1) WHERE id > 1", ["id"])).toEqual([[1, "insert", 2]]);
    // Bounds and the name as named parameters, as a streaming reader sends them.
    expect((await sqlError(ws.session, "SELECT * FROM table_changes(:t, :s, :e)")).sqlState).toBe("42P02");
    const op = await ws.session.executeStatement("SELECT id, _commit_version FROM table_changes(:t, :s, :e) ORDER BY id", {
      namedParameters: { t: "main.default.f1", s: 2, e: 2 } as never,
    });
    expect(await op.fetchAll()).toEqual([{ id: 3, _commit_version: 2 }]);
    await op.close();
  });

  it("types _commit_version as BIGINT and _commit_timestamp as TIMESTAMP", async () => {
    await sql(ws.session, "CREATE TABLE f2 (id INT) TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')");
    await sql(ws.session, "INSERT INTO f2 VALUES (1)");
    await sql(ws.session, "CREATE TABLE f2c AS SELECT * FROM table_changes('f2', 0)");
    const described = await sql(ws.session, "DESCRIBE f2c");
    expect(described.map((d) => [d.col_name, d.data_type])).toEqual([
      ["id", "int"],
      ["_change_type", "string"],
      ["_commit_version", "bigint"],
      ["_commit_timestamp", "timestamp"],
    ]);
  });

  it("selects versions by timestamp: the first at or after the start, the last at or before the end", async () => {
    await sql(ws.session, "CREATE TABLE f3 (id INT) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    for (const id of [1, 2, 3]) await sql(ws.session, `INSERT INTO f3 VALUES (${id})`);
    const ts = (await sql(ws.session, "DESCRIBE HISTORY f3")).reverse().map((h) => (h.timestamp as Date).getTime());
    const text = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace("Z", "");
    expect(await changes(`SELECT * FROM table_changes('f3', '${text(ts[1]! + 1)}', '${text(ts[3]! - 1)}')`, ["id"])).toEqual([[2, "insert", 2]]);
    expect(await changes(`SELECT * FROM table_changes('f3', TIMESTAMP '${text(ts[3]!)}')`, ["id"])).toEqual([[3, "insert", 3]]);
    const late = await sqlError(ws.session, `SELECT * FROM table_changes('f3', '${text(ts[3]! + 60_000)}')`);
    expect(late.sqlState).toBe("42816");
    expect(late.message).toMatch(/^\[DELTA_TIMESTAMP_GREATER_THAN_COMMIT\]/);
  });

  it("refuses ranges Delta refuses", async () => {
    await sql(ws.session, "CREATE TABLE f4 (id INT) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    await sql(ws.session, "INSERT INTO f4 VALUES (1)");
    const after = await sqlError(ws.session, "SELECT * FROM table_changes('f4', 5)");
    expect(after.sqlState).toBe("22003");
    expect(after.message).toContain("[DELTA_CDC_START_VERSION_AFTER_LATEST] Start version 5 for change data feed exceeds the latest table version 1.");
    const backwards = await sqlError(ws.session, "SELECT * FROM table_changes('f4', 1, 0)");
    expect(backwards.sqlState).toBe("22003");
    expect(backwards.message).toContain("[DELTA_INVALID_CDC_RANGE] CDC range from start 1 to end 0 was invalid. End cannot be before start.");
    const nulls = await sqlError(ws.session, "SELECT * FROM table_changes('f4', NULL)");
    expect(nulls.sqlState).toBe("22004");
    expect((await sqlError(ws.session, "SELECT * FROM table_changes('missing_table', 0)")).sqlState).toBe("42P01");
    // An end past the latest version reads to the latest.
    expect(await changes("SELECT * FROM table_changes('f4', 0, 99)", ["id"])).toEqual([[1, "insert", 1]]);
  });

  it("fails with DELTA_MISSING_CHANGE_DATA for versions committed while the feed was off", async () => {
    await sql(ws.session, "CREATE TABLE f5 (id INT)");
    await sql(ws.session, "INSERT INTO f5 VALUES (1)");
    const off = await sqlError(ws.session, "SELECT * FROM table_changes('f5', 0)");
    expect(off.sqlState).toBe("KD002");
    expect(off.message).toContain(
      "[DELTA_MISSING_CHANGE_DATA] Error getting change data for range [0 , 1] as change data was not recorded for version [0].",
    );
  });

  it("records UPDATE as pre- and post-images, DELETE as deletes, each in its own version", async () => {
    await sql(ws.session, "CREATE TABLE f6 (id INT, s STRING, tags ARRAY<STRING>) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    await sql(ws.session, "INSERT INTO f6 VALUES (1, 'a', array('x')), (2, 'b', array('y')), (3, 'c', NULL)");
    expect(await sql(ws.session, "UPDATE f6 AS t SET s = upper(t.s), tags = array('z') WHERE id >= :min", { min: 2 })).toEqual([{ num_affected_rows: 2 }]);
    // A row set to the value it had is still rewritten, so it still has a pre- and a post-image.
    await sql(ws.session, "UPDATE f6 SET s = s WHERE id = 1");
    await sql(ws.session, "DELETE FROM f6 WHERE id = 3");
    const rows = await sql(ws.session, "SELECT * FROM table_changes('f6', 2) ORDER BY _commit_version, _change_type, id");
    expect(rows.map((r) => [r._commit_version, r._change_type, r.id, r.s, r.tags])).toEqual([
      [2, "update_postimage", 2, "B", ["z"]],
      [2, "update_postimage", 3, "C", ["z"]],
      [2, "update_preimage", 2, "b", ["y"]],
      [2, "update_preimage", 3, "c", null],
      [3, "update_postimage", 1, "a", ["x"]],
      [3, "update_preimage", 1, "a", ["x"]],
      [4, "delete", 3, "C", ["z"]],
    ]);
    expect((await sql(ws.session, "DESCRIBE HISTORY f6")).slice(0, 3).map((h) => [h.version, h.operation, h.operationMetrics])).toEqual([
      [4, "DELETE", { numDeletedRows: "1", numCopiedRows: "0" }],
      [3, "UPDATE", { numUpdatedRows: "1", numCopiedRows: "0" }],
      [2, "UPDATE", { numUpdatedRows: "2", numCopiedRows: "0" }],
    ]);
    // An UPDATE or DELETE that matches nothing still commits a version, with no changes.
    await sql(ws.session, "DELETE FROM f6 WHERE id = 42");
    expect(await sql(ws.session, "SELECT * FROM table_changes('f6', 5)")).toEqual([]);
    expect(await sql(ws.session, "SELECT id, s FROM f6 VERSION AS OF 1 ORDER BY id")).toEqual([
      { id: 1, s: "a" },
      { id: 2, s: "b" },
      { id: 3, s: "c" },
    ]);
    expect(await sql(ws.session, "SELECT id, s FROM f6 VERSION AS OF 3 ORDER BY id")).toEqual([
      { id: 1, s: "a" },
      { id: 2, s: "B" },
      { id: 3, s: "C" },
    ]);
  });

  it("records MERGE's updates, deletes and inserts, even when an update moves a nested column", async () => {
    await sql(ws.session, "CREATE TABLE f7 (id INT, v STRING, n ARRAY<INT>) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    await sql(ws.session, "INSERT INTO f7 VALUES (1, 'a', array(1)), (2, 'b', array(2)), (3, 'c', array(3)), (4, 'd', array(4))");
    const merged = await sql(
      ws.session,
      `MERGE INTO f7 t USING (VALUES (1, 'A', array(10)), (2, 'x', array(20)), (3, 'c', array(3)), (5, 'E', array(50))) s(id, v, n) ON t.id = s.id
       WHEN MATCHED AND s.v = 'x' THEN DELETE
       WHEN MATCHED AND t.id = 1 THEN UPDATE SET *
       WHEN NOT MATCHED THEN INSERT *
       WHEN NOT MATCHED BY SOURCE THEN UPDATE SET v = 'gone'`,
    );
    expect(merged).toEqual([{ num_affected_rows: 4, num_updated_rows: 2, num_deleted_rows: 1, num_inserted_rows: 1 }]);
    const rows = await sql(ws.session, "SELECT * FROM table_changes('f7', 2) ORDER BY _change_type, id");
    expect(rows.map((r) => [r._commit_version, r._change_type, r.id, r.v, r.n])).toEqual([
      [2, "delete", 2, "b", [2]],
      [2, "insert", 5, "E", [50]],
      [2, "update_postimage", 1, "A", [10]],
      [2, "update_postimage", 4, "gone", [4]],
      [2, "update_preimage", 1, "a", [1]],
      [2, "update_preimage", 4, "d", [4]],
    ]);
    const [merge] = await sql(ws.session, "DESCRIBE HISTORY f7 LIMIT 1");
    expect(merge!.operation).toBe("MERGE");
    expect(merge!.operationMetrics).toMatchObject({ numTargetRowsInserted: "1", numTargetRowsUpdated: "2", numTargetRowsDeleted: "1" });
    expect(await sql(ws.session, "SELECT id, v FROM f7 VERSION AS OF 1 ORDER BY id")).toEqual([
      { id: 1, v: "a" },
      { id: 2, v: "b" },
      { id: 3, v: "c" },
      { id: 4, v: "d" },
    ]);
  });

  it("records INSERT OVERWRITE and TRUNCATE as deletes and inserts", async () => {
    await sql(ws.session, "CREATE TABLE f8 (id INT) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    await sql(ws.session, "INSERT INTO f8 VALUES (1), (2)");
    await sql(ws.session, "INSERT OVERWRITE f8 SELECT id + 10 FROM f8");
    await sql(ws.session, "TRUNCATE TABLE f8");
    expect(await changes("SELECT * FROM table_changes('f8', 2) ORDER BY _commit_version, _change_type, id", ["id"])).toEqual([
      [2, "delete", 1],
      [2, "delete", 2],
      [2, "insert", 11],
      [2, "insert", 12],
      [3, "delete", 11],
      [3, "delete", 12],
    ]);
    expect((await sql(ws.session, "DESCRIBE HISTORY f8 LIMIT 2")).map((h) => [h.operation, h.operationParameters])).toEqual([
      ["TRUNCATE", {}],
      ["WRITE", { mode: "Overwrite", partitionBy: "[]" }],
    ]);
  });

  it("records an overwrite from another source (replaced in place, no staging copy) the same way", async () => {
    await sql(ws.session, "CREATE TABLE f8src (id INT)");
    await sql(ws.session, "INSERT INTO f8src VALUES (7), (8)");
    await sql(ws.session, "CREATE TABLE f8b (id INT) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    await sql(ws.session, "INSERT INTO f8b VALUES (1), (2)");
    await sql(ws.session, "INSERT OVERWRITE f8b SELECT id FROM f8src");
    expect(await sql(ws.session, "SELECT id FROM f8b ORDER BY id")).toEqual([{ id: 7 }, { id: 8 }]);
    expect(await changes("SELECT * FROM table_changes('f8b', 2) ORDER BY _commit_version, _change_type, id", ["id"])).toEqual([
      [2, "delete", 1],
      [2, "delete", 2],
      [2, "insert", 7],
      [2, "insert", 8],
    ]);
    // The version before the overwrite is still there to travel to.
    expect(await sql(ws.session, "SELECT id FROM f8b VERSION AS OF 1 ORDER BY id")).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it("follows ALTER TABLE: the feed turned on later, off again, and added columns", async () => {
    await sql(ws.session, "CREATE TABLE f9 (id INT)");
    await sql(ws.session, "INSERT INTO f9 VALUES (1)");
    await sql(ws.session, "ALTER TABLE f9 SET TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    await sql(ws.session, "INSERT INTO f9 VALUES (2)");
    await sql(ws.session, "ALTER TABLE f9 ADD COLUMNS (note STRING)");
    await sql(ws.session, "INSERT INTO f9 VALUES (3, 'n')");
    await sql(ws.session, "ALTER TABLE f9 SET TBLPROPERTIES (delta.enableChangeDataFeed = false)");
    await sql(ws.session, "INSERT INTO f9 VALUES (4, 'm')");
    expect((await sql(ws.session, "DESCRIBE HISTORY f9")).map((h) => h.operation)).toEqual([
      "WRITE", "SET TBLPROPERTIES", "WRITE", "ADD COLUMNS", "WRITE", "SET TBLPROPERTIES", "WRITE", "CREATE TABLE",
    ]);
    // From the version that turned it on up to the one before it was turned off.
    expect(await changes("SELECT * FROM table_changes('f9', 2, 5)", ["id", "note"])).toEqual([
      [3, "insert", 2, null],
      [5, "insert", 3, "n"],
    ]);
    expect((await sqlError(ws.session, "SELECT * FROM table_changes('f9', 1, 3)")).message).toContain("change data was not recorded for version [1]");
    expect((await sqlError(ws.session, "SELECT * FROM table_changes('f9', 2)")).message).toContain(
      "[DELTA_MISSING_CHANGE_DATA] Error getting change data for range [2 , 7] as change data was not recorded for version [6].",
    );
    // Time travel gives each version with the columns it had.
    expect(await sql(ws.session, "SELECT * FROM f9 VERSION AS OF 3 ORDER BY id")).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await sql(ws.session, "SELECT * FROM f9 VERSION AS OF 5 ORDER BY id")).toEqual([
      { id: 1, note: null },
      { id: 2, note: null },
      { id: 3, note: "n" },
    ]);
  });

  it("reads a 10 000-row commit's changes", async () => {
    await sql(ws.session, "CREATE TABLE f10 (id BIGINT, s STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    await sql(ws.session, "INSERT INTO f10 SELECT id, concat('row-', CAST(id AS STRING)) FROM range(10000)");
    await sql(ws.session, "UPDATE f10 SET s = 'changed' WHERE id % 2 = 0");
    const rows = await sql(ws.session, "SELECT _change_type, count(*) AS n FROM table_changes('f10', 1) GROUP BY _change_type ORDER BY _change_type");
    expect(rows).toEqual([
      { _change_type: "insert", n: 10000 },
      { _change_type: "update_postimage", n: 5000 },
      { _change_type: "update_preimage", n: 5000 },
    ]);
    expect(await sql(ws.session, "SELECT count(*) AS n FROM f10 VERSION AS OF 1 WHERE s = 'changed'")).toEqual([{ n: 0 }]);
  });

  it("records SET c = DEFAULT as the column's default (NULL without one)", async () => {
    await sql(ws.session, "CREATE TABLE f11 (id INT, s STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    await sql(ws.session, "INSERT INTO f11 VALUES (1, 'a')");
    await sql(ws.session, "UPDATE f11 SET s = DEFAULT WHERE id = 1");
    expect(await changes("SELECT * FROM table_changes('f11', 2) ORDER BY _change_type", ["s"])).toEqual([
      [2, "update_postimage", null],
      [2, "update_preimage", "a"],
    ]);
    expect(await sql(ws.session, "SELECT s FROM f11")).toEqual([{ s: null }]);
  });
});
