/**
 * Delta table rules through the real driver, with the error classes Delta documents:
 * table properties (https://docs.databricks.com/delta/table-properties.html; unknown keys are
 * DELTA_UNKNOWN_CONFIGURATION), append-only tables (DELTA_CANNOT_MODIFY_APPEND_ONLY,
 * https://docs.databricks.com/delta/table-properties.html#append-only), CHAR/VARCHAR lengths
 * (DELTA_EXCEED_CHAR_VARCHAR_LIMIT) and NOT NULL at any depth (DELTA_NOT_NULL_CONSTRAINT_VIOLATED,
 * https://docs.databricks.com/tables/constraints.html).
 */
import { describe, expect, it } from "vitest";
import { sql, sqlError, useWarehouseSession } from "./client.js";

const ws = useWarehouseSession();

describe("Delta table rules", () => {
  it("refuses unknown delta.* properties on CREATE and ALTER, and accepts user keys and feature flags", async () => {
    const created = await sqlError(ws.session, "CREATE TABLE p1 (id INT) USING DELTA TBLPROPERTIES ('delta.appendOnyl' = 'true')");
    expect(created.sqlState).toBe("F0000");
    expect(created.message).toMatch(/^\[DELTA_UNKNOWN_CONFIGURATION\] Unknown configuration was specified: delta\.appendOnyl\./);
    expect(await sql(ws.session, "SHOW TABLES LIKE 'p1'")).toEqual([]);
    await sql(ws.session, "CREATE TABLE p2 (id INT) USING DELTA TBLPROPERTIES ('owner.team' = 'etl', 'delta.feature.allowColumnDefaults' = 'supported', delta.enableChangeDataFeed = true)");
    expect((await sqlError(ws.session, "ALTER TABLE p2 SET TBLPROPERTIES ('delta.nope' = '1')")).sqlState).toBe("F0000");
    expect((await sqlError(ws.session, "ALTER TABLE p2 SET TBLPROPERTIES ('delta.appendOnly' = 'sometimes')")).message).toContain("must be true or false");
  });

  it("lets an append-only table take appends and refuses every change to existing rows", async () => {
    await sql(ws.session, "CREATE TABLE log (id INT, msg STRING) USING DELTA TBLPROPERTIES ('delta.appendOnly' = 'true')");
    await sql(ws.session, "INSERT INTO log VALUES (1, 'a'), (2, 'b')");
    await sql(ws.session, "MERGE INTO log t USING (SELECT 3 AS id, 'c' AS msg) s ON t.id = s.id WHEN NOT MATCHED THEN INSERT *");
    for (const statement of [
      "UPDATE log SET msg = 'x' WHERE id = 1",
      "DELETE FROM log WHERE id = 1",
      "INSERT OVERWRITE log VALUES (9, 'z')",
      "TRUNCATE TABLE log",
      "MERGE INTO log t USING (SELECT 1 AS id, 'x' AS msg) s ON t.id = s.id WHEN MATCHED THEN UPDATE SET *",
    ]) {
      const err = await sqlError(ws.session, statement);
      expect(err.sqlState, statement).toBe("42809");
      expect(err.message, statement).toMatch(/^\[DELTA_CANNOT_MODIFY_APPEND_ONLY\] This table is configured to only allow appends/);
    }
    expect(await sql(ws.session, "SELECT id, msg FROM log ORDER BY id")).toEqual([
      { id: 1, msg: "a" },
      { id: 2, msg: "b" },
      { id: 3, msg: "c" },
    ]);
    // Turning the property off allows changes again.
    await sql(ws.session, "ALTER TABLE log SET TBLPROPERTIES ('delta.appendOnly' = 'false')");
    await sql(ws.session, "DELETE FROM log WHERE id = 3");
    expect(await sql(ws.session, "SELECT count(*) AS n FROM log")).toEqual([{ n: 2 }]);
  });

  it("refuses a value longer than its VARCHAR(n) or CHAR(n), on INSERT and UPDATE", async () => {
    await sql(ws.session, "CREATE TABLE codes (code VARCHAR(3), flag CHAR(1)) USING DELTA");
    await sql(ws.session, "INSERT INTO codes VALUES ('abc', 'y'), (NULL, NULL)");
    for (const statement of ["INSERT INTO codes VALUES ('abcd', 'y')", "INSERT INTO codes VALUES ('ab', 'yes')", "UPDATE codes SET code = 'long one'"]) {
      const err = await sqlError(ws.session, statement);
      expect(err.sqlState, statement).toBe("22001");
      expect(err.message, statement).toMatch(/^\[DELTA_EXCEED_CHAR_VARCHAR_LIMIT\] Exceeds char\/varchar type length limitation/);
    }
    expect(await sql(ws.session, "SELECT code FROM codes ORDER BY code")).toEqual([{ code: null }, { code: "abc" }]);
  });

  it("enforces NOT NULL inside structs whenever the enclosing struct is present", async () => {
    await sql(ws.session, "CREATE TABLE people (id INT NOT NULL, addr STRUCT<city: STRING NOT NULL, geo: STRUCT<lat: DOUBLE NOT NULL, lon: DOUBLE>>) USING DELTA");
    await sql(ws.session, "INSERT INTO people VALUES (1, NULL), (2, named_struct('city', 'Paris', 'geo', NULL)), (3, named_struct('city', 'Oslo', 'geo', named_struct('lat', 59.9, 'lon', NULL)))");
    const city = await sqlError(ws.session, "INSERT INTO people VALUES (4, named_struct('city', CAST(NULL AS STRING), 'geo', NULL))");
    expect(city.sqlState).toBe("23502");
    expect(city.message).toMatch(/^\[DELTA_NOT_NULL_CONSTRAINT_VIOLATED\] NOT NULL constraint violated for column: addr\.city\./);
    const lat = await sqlError(ws.session, "INSERT INTO people VALUES (5, named_struct('city', 'Rome', 'geo', named_struct('lat', CAST(NULL AS DOUBLE), 'lon', 12.5)))");
    expect(lat.message).toMatch(/NOT NULL constraint violated for column: addr\.geo\.lat\./);
    const top = await sqlError(ws.session, "INSERT INTO people VALUES (NULL, NULL)");
    expect(top.sqlState).toBe("23502");
    expect(await sql(ws.session, "SELECT count(*) AS n FROM people")).toEqual([{ n: 3 }]);
  });
});
