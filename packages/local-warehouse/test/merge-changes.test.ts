/**
 * MERGE's change log when DuckDB moves updated rows, through the real driver. In a table with a nested
 * column DuckDB's MERGE rewrites an updated row at the end of the table, so the rows appended by the
 * MERGE are no longer just its inserts: src/delta/merge-changes.ts then takes the updates' post-images
 * back out of them (instead of logging the appended rows as inserts, its cheap path). What the feed
 * must hold is Delta's: one `insert` per inserted row as stored (column DEFAULTs filled in), one
 * `update_preimage` and one `update_postimage` per updated row — "Use Delta Lake change data feed on
 * Databricks" (https://docs.databricks.com/aws/en/delta/delta-change-data-feed, "Change data event
 * schema"); column defaults: docs.delta.io "Delta default column values".
 */
import { describe, expect, it } from "vitest";
import { sql, useWarehouseSession } from "./client.js";

const ws = useWarehouseSession();

const PROPERTIES = "TBLPROPERTIES (delta.enableChangeDataFeed = true, 'delta.feature.allowColumnDefaults' = 'supported')";

/** The MERGE's version (2: CREATE is 0, the seeding INSERT 1), without the commit timestamp. */
async function mergeChanges(table: string): Promise<unknown[][]> {
  const rows = await sql(ws.session, `SELECT * FROM table_changes('${table}', 2) ORDER BY _change_type, k, v`);
  expect(rows.every((r) => r._commit_version === 2)).toBe(true);
  return rows.map((r) => [r._change_type, r.k, r.v, r.n, r.status]);
}

describe("MERGE's change log when updated rows move", () => {
  it("takes the moved post-images out of the appended rows as a bag: an insert equal to one stays", async () => {
    await sql(ws.session, `CREATE TABLE mc1 (k INT, v STRING, n ARRAY<INT>, status STRING DEFAULT 'new') ${PROPERTIES}`);
    await sql(ws.session, "INSERT INTO mc1 (k, v, n, status) VALUES (1, 'x', array(1), 'old'), (2, 'y', array(2), 'old')");
    // Source row 1 updates k = 1; source row 9 is not matched and inserts a row equal to that
    // post-image (k 1 given explicitly, status by its DEFAULT): a set difference would drop it.
    const merged = await sql(
      ws.session,
      `MERGE INTO mc1 t USING (VALUES (1, 'z', array(5)), (9, 'z', array(5))) s(k, v, n) ON t.k = s.k
       WHEN MATCHED THEN UPDATE SET v = s.v, n = s.n, status = 'new'
       WHEN NOT MATCHED THEN INSERT (k, v, n) VALUES (1, s.v, s.n)`,
    );
    expect(merged).toEqual([{ num_affected_rows: 2, num_updated_rows: 1, num_deleted_rows: 0, num_inserted_rows: 1 }]);
    expect(await mergeChanges("mc1")).toEqual([
      ["insert", 1, "z", [5], "new"],
      ["update_postimage", 1, "z", [5], "new"],
      ["update_preimage", 1, "x", [1], "old"],
    ]);
    expect(await sql(ws.session, "SELECT k, v, n, status FROM mc1 ORDER BY k, status")).toEqual([
      { k: 1, v: "z", n: [5], status: "new" },
      { k: 1, v: "z", n: [5], status: "new" },
      { k: 2, v: "y", n: [2], status: "old" },
    ]);
  });

  it("logs inserted rows as stored when only some updated rows moved (MATCHED and NOT MATCHED BY SOURCE updates)", async () => {
    await sql(ws.session, `CREATE TABLE mc2 (k INT, v STRING, n ARRAY<INT>, status STRING DEFAULT 'new') ${PROPERTIES}`);
    await sql(ws.session, "INSERT INTO mc2 (k, v, n, status) VALUES (1, 'a', array(1), 'old'), (2, 'b', array(2), 'old'), (4, 'd', array(4), 'old')");
    const merged = await sql(
      ws.session,
      `MERGE INTO mc2 t USING (VALUES (1, 'A', array(10)), (3, 'c', array(3))) s(k, v, n) ON t.k = s.k
       WHEN MATCHED THEN UPDATE SET n = s.n
       WHEN NOT MATCHED THEN INSERT (k, v, n) VALUES (s.k, s.v, s.n)
       WHEN NOT MATCHED BY SOURCE AND t.k = 4 THEN UPDATE SET v = 'gone'`,
    );
    expect(merged).toEqual([{ num_affected_rows: 3, num_updated_rows: 2, num_deleted_rows: 0, num_inserted_rows: 1 }]);
    expect(await mergeChanges("mc2")).toEqual([
      ["insert", 3, "c", [3], "new"],
      ["update_postimage", 1, "a", [10], "old"],
      ["update_postimage", 4, "gone", [4], "old"],
      ["update_preimage", 1, "a", [1], "old"],
      ["update_preimage", 4, "d", [4], "old"],
    ]);
    expect(await sql(ws.session, "SELECT k, status FROM mc2 WHERE k = 3")).toEqual([{ k: 3, status: "new" }]);
  });
});
