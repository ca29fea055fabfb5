/**
 * Write rules (CHECK constraints, generated, identity and DEFAULT columns) together with table versions
 * and the change data feed, through the real driver.
 * - A write that breaks a rule fails as a whole: Delta checks constraints before the commit
 *   (CheckDeltaInvariant.scala in delta-io/delta), so no version is committed and nothing reaches the
 *   change feed (https://docs.databricks.com/aws/en/delta/delta-change-data-feed: the feed holds the
 *   row changes of committed versions).
 * - The feed carries rows as the table stores them, so an identity column's generated values and a
 *   generated column's computed values appear in it (https://docs.databricks.com/aws/en/delta/generated-columns,
 *   "Use identity columns in Delta Lake").
 * - ADD CONSTRAINT / DROP CONSTRAINT are commits of their own, `ADD CONSTRAINT` with parameters name
 *   and expr, `DROP CONSTRAINT` with name, expr and existed (DeltaOperations.scala in delta-io/delta).
 */
import { describe, expect, it } from "vitest";
import { sql, sqlError, useWarehouseSession } from "./client.js";

const ws = useWarehouseSession();

const history = async (table: string) =>
  (await sql(ws.session, `DESCRIBE HISTORY ${table}`)).map((h) => [h.version, h.operation, h.operationParameters]);

describe("write rules and table versions", () => {
  it("a CHECK violation commits no version and logs no change, whichever statement breaks it", async () => {
    await sql(ws.session, "CREATE TABLE rv1 (id INT, price INT) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    await sql(ws.session, "INSERT INTO rv1 VALUES (1, 10), (2, 20)");
    await sql(ws.session, "ALTER TABLE rv1 ADD CONSTRAINT positive CHECK (price > 0)");
    // A constraint existing rows break is refused, and is no commit either.
    expect((await sqlError(ws.session, "ALTER TABLE rv1 ADD CONSTRAINT big CHECK (price > 15)")).sqlState).toBe("23512");
    const before = await history("rv1");
    expect(before).toEqual([
      [2, "ADD CONSTRAINT", { name: "positive", expr: "price > 0" }],
      [1, "WRITE", { mode: "Append", partitionBy: "[]" }],
      [0, "CREATE TABLE", expect.any(Object)],
    ]);
    const feed = await sql(ws.session, "SELECT * FROM table_changes('rv1', 0) ORDER BY _commit_version, id");

    for (const statement of [
      "INSERT INTO rv1 VALUES (3, 30), (4, -4)",
      "INSERT OVERWRITE rv1 VALUES (5, 0)",
      "UPDATE rv1 SET price = price - 15",
      "MERGE INTO rv1 t USING (VALUES (1, -1), (9, 9)) s(id, price) ON t.id = s.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *",
    ]) {
      const e = await sqlError(ws.session, statement);
      expect(e.sqlState, statement).toBe("23001");
      expect(e.message).toContain("[DELTA_VIOLATE_CONSTRAINT_WITH_VALUES] CHECK constraint positive (price > 0) violated by row with values:");
    }
    expect(await history("rv1")).toEqual(before);
    expect(await sql(ws.session, "SELECT * FROM table_changes('rv1', 0) ORDER BY _commit_version, id")).toEqual(feed);
    expect(await sql(ws.session, "SELECT * FROM rv1 ORDER BY id")).toEqual([
      { id: 1, price: 10 },
      { id: 2, price: 20 },
    ]);

    // The next good write takes the next version number: the failed ones used none.
    await sql(ws.session, "INSERT INTO rv1 VALUES (3, 30)");
    await sql(ws.session, "ALTER TABLE rv1 DROP CONSTRAINT positive");
    await sql(ws.session, "ALTER TABLE rv1 DROP CONSTRAINT IF EXISTS positive");
    expect((await history("rv1")).slice(0, 3)).toEqual([
      [5, "DROP CONSTRAINT", { name: "positive", existed: "false" }],
      [4, "DROP CONSTRAINT", { name: "positive", expr: "price > 0", existed: "true" }],
      [3, "WRITE", { mode: "Append", partitionBy: "[]" }],
    ]);
    expect((await sql(ws.session, "SELECT * FROM table_changes('rv1', 3)")).map((r) => [r._commit_version, r._change_type, r.id, r.price])).toEqual([
      [3, "insert", 3, 30],
    ]);
  });

  it("the change feed carries identity and generated values as stored, for INSERT, UPDATE and MERGE", async () => {
    await sql(
      ws.session,
      `CREATE TABLE rv2 (id BIGINT GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 10), name STRING, price INT,
         doubled INT GENERATED ALWAYS AS (price * 2), tags ARRAY<STRING>)
       TBLPROPERTIES (delta.enableChangeDataFeed = true)`,
    );
    await sql(ws.session, "INSERT INTO rv2 (name, price, tags) VALUES ('a', 1, array('x')), ('b', 2, array('y'))");
    await sql(ws.session, "UPDATE rv2 SET price = 5 WHERE name = 'b'");
    // The table has a nested column, so DuckDB rewrites updated rows at the end of the table: the
    // MERGE's inserted rows must still be told apart from its updated ones.
    await sql(
      ws.session,
      `MERGE INTO rv2 t USING (VALUES ('a', 7, array('z')), ('c', 3, array('w'))) s(name, price, tags) ON t.name = s.name
       WHEN MATCHED THEN UPDATE SET price = s.price, tags = s.tags
       WHEN NOT MATCHED THEN INSERT (name, price, tags) VALUES (s.name, s.price, s.tags)`,
    );
    const stored = await sql(ws.session, "SELECT id, name, price, doubled FROM rv2 ORDER BY id");
    expect(stored).toEqual([
      { id: 100, name: "a", price: 7, doubled: 14 },
      { id: 110, name: "b", price: 5, doubled: 10 },
      { id: 120, name: "c", price: 3, doubled: 6 },
    ]);
    const rows = await sql(ws.session, "SELECT * FROM table_changes('rv2', 1) ORDER BY _commit_version, _change_type, id");
    expect(rows.map((r) => [r._commit_version, r._change_type, r.id, r.name, r.price, r.doubled, r.tags])).toEqual([
      [1, "insert", 100, "a", 1, 2, ["x"]],
      [1, "insert", 110, "b", 2, 4, ["y"]],
      [2, "update_postimage", 110, "b", 5, 10, ["y"]],
      [2, "update_preimage", 110, "b", 2, 4, ["y"]],
      [3, "insert", 120, "c", 3, 6, ["w"]],
      [3, "update_postimage", 100, "a", 7, 14, ["z"]],
      [3, "update_preimage", 100, "a", 1, 2, ["x"]],
    ]);
    // Time travel reads the same stored values back.
    expect(await sql(ws.session, "SELECT id, doubled FROM rv2 VERSION AS OF 2 ORDER BY id")).toEqual([
      { id: 100, doubled: 2 },
      { id: 110, doubled: 10 },
    ]);
  });

  it("a column DEFAULT appears in the change feed of INSERT and MERGE", async () => {
    await sql(
      ws.session,
      `CREATE TABLE rv3 (id INT, status STRING DEFAULT 'new')
       TBLPROPERTIES (delta.enableChangeDataFeed = true, 'delta.feature.allowColumnDefaults' = 'supported')`,
    );
    await sql(ws.session, "INSERT INTO rv3 (id) VALUES (1)");
    await sql(ws.session, "MERGE INTO rv3 t USING (VALUES (2)) s(id) ON t.id = s.id WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id)");
    await sql(ws.session, "ALTER TABLE rv3 ALTER COLUMN status SET DEFAULT 'fresh'");
    await sql(ws.session, "INSERT INTO rv3 (id) VALUES (3)");
    const rows = await sql(ws.session, "SELECT * FROM table_changes('rv3', 1) ORDER BY id");
    expect(rows.map((r) => [r._commit_version, r._change_type, r.id, r.status])).toEqual([
      [1, "insert", 1, "new"],
      [2, "insert", 2, "new"],
      [4, "insert", 3, "fresh"],
    ]);
    const [, change] = (await history("rv3")).slice(0, 2);
    expect(change![1]).toBe("CHANGE COLUMN");
    expect(JSON.parse((change![2] as Record<string, string>).column!)).toEqual({ name: "status", type: "string", nullable: true, metadata: { CURRENT_DEFAULT: "'fresh'" } });
  });
});
