/**
 * Table versions through the real driver: every committing statement makes the next version, visible
 * in DESCRIBE HISTORY with Databricks' 14 columns (https://docs.databricks.com/aws/en/tables/history-schema),
 * and readable again with `VERSION AS OF`, `TIMESTAMP AS OF` and `t@v<n>` (Delta's
 * docs/src/content/docs/delta-batch.mdx, "Query an older snapshot of a table").
 * Error classes, messages and SQLSTATEs are Delta's (delta-io/delta
 * spark/src/main/resources/error/delta-error-classes.json: DELTA_VERSION_NOT_FOUND 22003,
 * DELTA_TIMESTAMP_GREATER_THAN_COMMIT 42816, DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION 42816).
 */
import { describe, expect, it } from "vitest";
import { sql, sqlError, useWarehouseSession } from "./client.js";

const ws = useWarehouseSession();

const HISTORY_COLUMNS = [
  "version", "timestamp", "userId", "userName", "operation", "operationParameters", "job", "notebook",
  "clusterId", "readVersion", "isolationLevel", "isBlindAppend", "operationMetrics", "userMetadata",
];

interface HistoryRow {
  version: number;
  timestamp: Date;
  operation: string;
  operationParameters: Record<string, string>;
  operationMetrics: Record<string, string>;
  readVersion: number | null;
  isBlindAppend: boolean;
}

async function history(table: string): Promise<HistoryRow[]> {
  return (await sql(ws.session, `DESCRIBE HISTORY ${table}`)) as unknown as HistoryRow[];
}

describe("table versions", () => {
  it("numbers each commit and shows it in DESCRIBE HISTORY, newest first", async () => {
    await sql(ws.session, "CREATE TABLE h1 (id INT, s STRING) USING DELTA COMMENT 'kept' TBLPROPERTIES ('owner' = 'me')");
    await sql(ws.session, "INSERT INTO h1 VALUES (1, 'a'), (2, 'b')");
    await sql(ws.session, "INSERT OVERWRITE h1 VALUES (3, 'c')");
    const rows = await history("h1");
    expect(Object.keys(rows[0]!)).toEqual(HISTORY_COLUMNS);
    expect(rows.map((r) => [r.version, r.operation, r.readVersion])).toEqual([
      [2, "WRITE", 1],
      [1, "WRITE", 0],
      [0, "CREATE TABLE", null],
    ]);
    expect(rows[0]!.operationParameters).toMatchObject({ mode: "Overwrite" });
    expect(rows[1]!.operationParameters).toMatchObject({ mode: "Append" });
    expect(rows[1]!.operationMetrics).toMatchObject({ numOutputRows: "2" });
    expect(rows[1]!.isBlindAppend).toBe(true);
    expect(rows[2]!.operationParameters).toMatchObject({ isManaged: "true", description: "kept", properties: '{"owner":"me"}' });
    // Commit timestamps increase strictly with the version.
    expect(rows[0]!.timestamp.getTime()).toBeGreaterThan(rows[1]!.timestamp.getTime());
    expect(rows[1]!.timestamp.getTime()).toBeGreaterThan(rows[2]!.timestamp.getTime());
    expect((await sql(ws.session, "DESCRIBE HISTORY h1 LIMIT 1")).map((r) => r.version)).toEqual([2]);
  });

  it("reads older versions with VERSION AS OF, @v and TIMESTAMP AS OF", async () => {
    await sql(ws.session, "CREATE TABLE tt (id INT, s STRING)");
    await sql(ws.session, "INSERT INTO tt VALUES (1, 'a'), (2, 'b')");
    await sql(ws.session, "INSERT INTO tt VALUES (3, 'c')");
    await sql(ws.session, "INSERT OVERWRITE tt VALUES (9, 'z')");
    expect(await sql(ws.session, "SELECT * FROM tt VERSION AS OF 0")).toEqual([]);
    expect(await sql(ws.session, "SELECT id FROM tt VERSION AS OF 1 ORDER BY id")).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await sql(ws.session, "SELECT id FROM tt@v2 ORDER BY id")).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(await sql(ws.session, "SELECT tt.id FROM main.default.tt FOR SYSTEM_VERSION AS OF 3")).toEqual([{ id: 9 }]);
    expect(await sql(ws.session, "SELECT x.id FROM tt VERSION AS OF 1 AS x WHERE x.s = 'b'")).toEqual([{ id: 2 }]);
    // A version read next to the current one, in one query.
    expect(await sql(ws.session, "SELECT count(*) AS n FROM tt VERSION AS OF 2 a JOIN tt b ON a.id < b.id")).toEqual([{ n: 3 }]);

    const versions = (await history("tt")).reverse();
    const at = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace("Z", "");
    expect(await sql(ws.session, `SELECT id FROM tt TIMESTAMP AS OF '${at(versions[1]!.timestamp.getTime())}' ORDER BY id`)).toEqual([{ id: 1 }, { id: 2 }]);
    // Between two commits: the older one is the version in force.
    const between = versions[2]!.timestamp.getTime() - 1;
    expect(await sql(ws.session, `SELECT id FROM tt TIMESTAMP AS OF :ts ORDER BY id`, { ts: at(between) })).toEqual([{ id: 1 }, { id: 2 }]);
    const stamp = (ms: number) => at(ms).replace(/[-: .]/g, "");
    expect(await sql(ws.session, `SELECT id FROM tt@${stamp(versions[3]!.timestamp.getTime())}`)).toEqual([{ id: 9 }]);
  });

  it("refuses versions and timestamps the table does not have, with Delta's errors", async () => {
    await sql(ws.session, "CREATE TABLE tv (id INT)");
    await sql(ws.session, "INSERT INTO tv VALUES (1)");
    const missing = await sqlError(ws.session, "SELECT * FROM tv VERSION AS OF 7");
    expect(missing.sqlState).toBe("22003");
    expect(missing.message).toContain("[DELTA_VERSION_NOT_FOUND] Cannot time travel Delta table to version 7. Available versions: [0, 1].");
    const [latest, first] = await history("tv");
    const after = await sqlError(ws.session, `SELECT * FROM tv TIMESTAMP AS OF '${new Date(latest!.timestamp.getTime() + 60_000).toISOString()}'`);
    expect(after.sqlState).toBe("42816");
    expect(after.message).toMatch(/^\[DELTA_TIMESTAMP_GREATER_THAN_COMMIT\] Timestamp .* is after the table's latest version/);
    const before = await sqlError(ws.session, `SELECT * FROM tv TIMESTAMP AS OF '${new Date(first!.timestamp.getTime() - 60_000).toISOString()}'`);
    expect(before.sqlState).toBe("42816");
    expect(before.message).toMatch(/^\[DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION\] The provided timestamp .* is before the earliest version available to this table/);
    expect((await sqlError(ws.session, "SELECT * FROM nope VERSION AS OF 0")).sqlState).toBe("42P01");
  });

  it("starts a new history when a dropped table is created again", async () => {
    await sql(ws.session, "CREATE TABLE again (id INT)");
    await sql(ws.session, "INSERT INTO again VALUES (1)");
    await sql(ws.session, "DROP TABLE again");
    await sql(ws.session, "CREATE TABLE again (id INT)");
    expect((await history("again")).map((r) => [r.version, r.operation])).toEqual([[0, "CREATE TABLE"]]);
  });

  it("keeps a replaced table's history; a replace with another schema ends what can be read back", async () => {
    await sql(ws.session, "CREATE TABLE rp (id INT) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    await sql(ws.session, "INSERT INTO rp VALUES (1)");
    await sql(ws.session, "CREATE OR REPLACE TABLE rp TBLPROPERTIES (delta.enableChangeDataFeed = true) AS SELECT 2 AS id");
    expect((await history("rp")).map((r) => [r.version, r.operation])).toEqual([
      [2, "CREATE OR REPLACE TABLE AS SELECT"],
      [1, "WRITE"],
      [0, "CREATE TABLE"],
    ]);
    expect(await sql(ws.session, "SELECT id FROM rp VERSION AS OF 1")).toEqual([{ id: 1 }]);
    const replaced = await sql(ws.session, "SELECT id, _change_type FROM table_changes('rp', 2) ORDER BY _change_type");
    expect(replaced).toEqual([
      { id: 1, _change_type: "delete" },
      { id: 2, _change_type: "insert" },
    ]);
    // Another schema: the old rows no longer fit, so versions before it are gone, as after a VACUUM.
    await sql(ws.session, "CREATE OR REPLACE TABLE rp (id STRING, extra INT) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    const gone = await sqlError(ws.session, "SELECT * FROM rp VERSION AS OF 1");
    expect(gone.sqlState).toBe("22003");
    expect(gone.message).toContain("Available versions: [3, 3].");
    const across = await sqlError(ws.session, "SELECT * FROM table_changes('rp', 1)");
    expect(across.sqlState).toBe("0AKDC");
    expect(across.message).toMatch(/^\[DELTA_CHANGE_DATA_FEED_INCOMPATIBLE_SCHEMA_CHANGE\]/);
    await sql(ws.session, "INSERT INTO rp VALUES ('x', 1)");
    expect(await sql(ws.session, "SELECT id, extra, _change_type FROM table_changes('rp', 3)")).toEqual([{ id: "x", extra: 1, _change_type: "insert" }]);
  });

  it("gives concurrent appends from several sessions consecutive versions", async () => {
    await sql(ws.session, "CREATE TABLE cc (id INT)");
    const sessions = await Promise.all([1, 2, 3, 4].map(() => ws.client.openSession()));
    await Promise.all(sessions.flatMap((s, k) => [0, 1, 2].map((j) => sql(s, `INSERT INTO cc VALUES (${k * 10 + j})`))));
    const rows = await history("cc");
    expect(rows.map((r) => r.version)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(await sql(ws.session, "SELECT count(*) AS n FROM cc VERSION AS OF 12")).toEqual([{ n: 12 }]);
    expect(await sql(ws.session, "SELECT count(*) AS n FROM cc VERSION AS OF 6")).toEqual([{ n: 6 }]);
    await Promise.all(sessions.map((s) => s.close()));
  });

  it("commits nothing when the statement fails or its transaction rolls back", async () => {
    await sql(ws.session, "CREATE TABLE rb (id INT NOT NULL)");
    expect((await sqlError(ws.session, "INSERT INTO rb VALUES (1), (NULL)")).sqlState).toBe("23502");
    await sql(ws.session, "BEGIN TRANSACTION");
    await sql(ws.session, "INSERT INTO rb VALUES (5)");
    await sql(ws.session, "ROLLBACK");
    expect((await history("rb")).map((r) => r.version)).toEqual([0]);
    await sql(ws.session, "INSERT INTO rb VALUES (7)");
    expect((await history("rb")).map((r) => r.version)).toEqual([1, 0]);
  });
});
