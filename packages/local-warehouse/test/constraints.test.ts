/**
 * CHECK constraints, generated columns, identity columns and column DEFAULTs through the real driver.
 * Error classes, SQLSTATEs and message texts: delta-io/delta spark/src/main/resources/error/
 * delta-error-classes.json; behaviour: alterDeltaTableCommands.scala (ADD CONSTRAINT checks existing
 * rows, false or NULL counts as a violation), CheckDeltaInvariant.scala (a row whose CHECK is false or
 * NULL fails the write), InvariantViolationException.scala (" - col : value" lines sorted by column),
 * ColumnWithDefaultExprUtils.scala (a given generated value is checked as constraint
 * "Generated Column" `(col <=> expr)`), docs.databricks.com "Use identity columns in Delta Lake" and
 * docs.delta.io "Delta default column values" (the allowColumnDefaults table feature).
 */
import { describe, expect, it } from "vitest";
import { sql, sqlError, useWarehouseSession } from "./client.js";
import { upload } from "./volume-fixtures.js";

const ws = useWarehouseSession();

/** The error as Databricks words it, without the " SQLSTATE: xxxxx" the driver's message ends with (checked here once). */
const fails = async (statement: string) => {
  const e = await sqlError(ws.session, statement);
  expect(e.message.endsWith(` SQLSTATE: ${e.sqlState}`)).toBe(true);
  return { sqlState: e.sqlState, message: e.message.slice(0, -` SQLSTATE: ${e.sqlState}`.length) };
};

const count = async (table: string) => Number((await sql(ws.session, `SELECT count(*) AS n FROM ${table}`))[0]!["n"]);

describe("CHECK constraints", () => {
  it("are added after checking existing rows, listed as delta.constraints.* properties, and dropped", async () => {
    await sql(ws.session, "CREATE TABLE items (id INT, price DOUBLE, name STRING)");
    await sql(ws.session, "INSERT INTO items VALUES (1, 2.5, 'a'), (2, -1.0, 'b'), (3, NULL, 'c')");
    const existing = await fails("ALTER TABLE items ADD CONSTRAINT positive CHECK (price > 0)");
    expect(existing.sqlState).toBe("23512");
    // NULL counts too: Or(Not(expr), IsUnknown(expr)) in AlterTableAddConstraintDeltaCommand.
    expect(existing.message).toBe("[DELTA_NEW_CHECK_CONSTRAINT_VIOLATION] 2 rows in main.default.items violate the new CHECK constraint (price > 0)");
    await sql(ws.session, "DELETE FROM items WHERE price IS NULL OR price <= 0");
    await sql(ws.session, "ALTER TABLE items ADD CONSTRAINT positive CHECK (price > 0)");
    expect(await sql(ws.session, "SHOW TBLPROPERTIES items")).toContainEqual({ key: "delta.constraints.positive", value: "price > 0" });
    // Writes before the constraint existed do not let later ones skip it.
    expect((await fails("INSERT INTO items VALUES (5, 0.0, 'e')")).sqlState).toBe("23001");

    const again = await fails("ALTER TABLE items ADD CONSTRAINT Positive CHECK (price > 1)");
    expect(again).toEqual({ sqlState: "42710", message: "[DELTA_CONSTRAINT_ALREADY_EXISTS] Constraint 'Positive' already exists. Please delete the old constraint first.\nOld constraint:\nprice > 0" });
    const notBoolean = await fails("ALTER TABLE items ADD CONSTRAINT p2 CHECK (price + 1)");
    expect(notBoolean).toEqual({ sqlState: "42621", message: "[DELTA_NON_BOOLEAN_CHECK_CONSTRAINT] CHECK constraint 'p2' (price + 1) should be a boolean expression." });
    const direct = await fails("ALTER TABLE items SET TBLPROPERTIES ('delta.constraints.p3' = 'price > 0')");
    expect(direct).toEqual({ sqlState: "0A000", message: "[DELTA_ADD_CONSTRAINTS] Please use ALTER TABLE ADD CONSTRAINT to add CHECK constraints." });

    await sql(ws.session, "ALTER TABLE items DROP CONSTRAINT positive");
    await sql(ws.session, "INSERT INTO items VALUES (4, -3.0, 'd')");
    expect(await count("items")).toBe(2);
    const missing = await fails("ALTER TABLE items DROP CONSTRAINT positive");
    expect(missing.sqlState).toBe("42704");
    expect(missing.message).toBe(
      "[DELTA_CONSTRAINT_DOES_NOT_EXIST] Cannot drop nonexistent constraint positive from table `main`.`default`.`items`. To avoid throwing an error, provide the parameter IF EXISTS or set the SQL session configuration spark.databricks.delta.constraints.assumesDropIfExists.enabled to true.",
    );
    await sql(ws.session, "ALTER TABLE items DROP CONSTRAINT IF EXISTS positive");
  });

  it("fail INSERT, UPDATE, MERGE and COPY INTO that leave a violating row, changing nothing", async () => {
    await sql(ws.session, "CREATE TABLE orders (id INT, qty INT, note STRING)");
    await sql(ws.session, "ALTER TABLE orders ADD CONSTRAINT qty_range CHECK (qty BETWEEN 1 AND 10)");
    await sql(ws.session, "INSERT INTO orders VALUES (1, 5, 'ok')");

    const insert = await fails("INSERT INTO orders VALUES (2, 3, 'fine'), (3, 11, 'too many')");
    expect(insert).toEqual({
      sqlState: "23001",
      message: "[DELTA_VIOLATE_CONSTRAINT_WITH_VALUES] CHECK constraint qty_range (qty BETWEEN 1 AND 10) violated by row with values:\n - qty : 11",
    });
    expect(await count("orders")).toBe(1);
    // NULL is a violation too (CheckDeltaInvariant: result == null || result == false).
    expect((await fails("INSERT INTO orders (id, note) VALUES (4, 'no qty')")).message).toContain(" - qty : null");

    expect((await fails("UPDATE orders SET qty = qty + 10 WHERE id = 1")).sqlState).toBe("23001");
    expect(await sql(ws.session, "SELECT qty FROM orders")).toEqual([{ qty: 5 }]);

    const merge = await fails("MERGE INTO orders t USING (SELECT 1 AS id, 0 AS qty, 'x' AS note) s ON t.id = s.id WHEN MATCHED THEN UPDATE SET *");
    expect(merge.message).toMatch(/^\[DELTA_VIOLATE_CONSTRAINT_WITH_VALUES\] CHECK constraint qty_range .* - qty : 0$/s);
    expect(await sql(ws.session, "SELECT qty FROM orders")).toEqual([{ qty: 5 }]);

    await sql(ws.session, "CREATE VOLUME main.default.landing");
    await upload(ws.warehouse, "/Volumes/main/default/landing/o.csv", "id,qty,note\n7,2,good\n8,99,bad\n");
    const copy = await fails("COPY INTO orders FROM '/Volumes/main/default/landing' FILEFORMAT = CSV FILES = ('o.csv') FORMAT_OPTIONS ('header' = 'true', 'inferSchema' = 'true')");
    expect(copy.message).toMatch(/ - qty : 99$/);
    expect(await count("orders")).toBe(1);
  });
});

describe("generated columns", () => {
  it("compute an omitted value, check a given one, and follow an UPDATE of their inputs", async () => {
    await sql(ws.session, "CREATE TABLE sales (id INT, price INT, doubled INT GENERATED ALWAYS AS (price * 2), day DATE GENERATED ALWAYS AS (CAST(ts AS DATE)), ts TIMESTAMP)");
    await sql(ws.session, "INSERT INTO sales (id, price, ts) VALUES (1, 5, TIMESTAMP'2024-03-01 10:00:00')");
    await sql(ws.session, "INSERT INTO sales (id, price, doubled, ts) VALUES (2, 7, 14, NULL)");
    const wrong = await fails("INSERT INTO sales (id, price, doubled) VALUES (3, 1, 5)");
    expect(wrong).toEqual({
      sqlState: "23001",
      message: "[DELTA_VIOLATE_CONSTRAINT_WITH_VALUES] CHECK constraint Generated Column (doubled <=> (price * 2)) violated by row with values:\n - doubled : 5\n - price : 1",
    });
    await sql(ws.session, "UPDATE sales SET price = 10 WHERE id = 1");
    expect(await sql(ws.session, "SELECT id, price, doubled, CAST(day AS STRING) AS day FROM sales ORDER BY id")).toEqual([
      { id: 1, price: 10, doubled: 20, day: "2024-03-01" },
      { id: 2, price: 7, doubled: 14, day: null },
    ]);
    expect((await fails("UPDATE sales SET doubled = 1 WHERE id = 2")).message).toContain("Generated Column (doubled <=> (price * 2))");
  });

  it("cannot refer to another generated column", async () => {
    const e = await fails("CREATE TABLE g2 (a INT, b INT GENERATED ALWAYS AS (a + 1), c INT GENERATED ALWAYS AS (b + 1))");
    expect(e).toEqual({ sqlState: "42621", message: "[DELTA_INVALID_GENERATED_COLUMN_REFERENCES] A generated column cannot use a non-existent column or another generated column" });
  });
});

describe("identity columns", () => {
  it("GENERATED ALWAYS numbers rows from START WITH by INCREMENT BY and refuses given values and updates", async () => {
    await sql(ws.session, "CREATE TABLE people (id BIGINT GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5), name STRING)");
    await sql(ws.session, "INSERT INTO people (name) VALUES ('a'), ('b')");
    await sql(ws.session, "INSERT INTO people (name) SELECT 'c'");
    expect(await sql(ws.session, "SELECT id, name FROM people ORDER BY id")).toEqual([
      { id: 10, name: "a" },
      { id: 15, name: "b" },
      { id: 20, name: "c" },
    ]);
    expect(await fails("INSERT INTO people (id, name) VALUES (1, 'x')")).toEqual({
      sqlState: "42808",
      message: "[DELTA_IDENTITY_COLUMNS_EXPLICIT_INSERT_NOT_SUPPORTED] Providing values for GENERATED ALWAYS AS IDENTITY column id is not supported.",
    });
    expect((await fails("INSERT INTO people VALUES (1, 'x')")).sqlState).toBe("42808");
    expect(await fails("UPDATE people SET id = 1 WHERE name = 'a'")).toEqual({
      sqlState: "42808",
      message: "[DELTA_IDENTITY_COLUMNS_UPDATE_NOT_SUPPORTED] UPDATE on IDENTITY column id is not supported.",
    });
    expect((await fails("MERGE INTO people t USING (SELECT 1 AS k) s ON t.name = 'a' WHEN MATCHED THEN UPDATE SET id = 2")).sqlState).toBe("42808");
    expect((await fails("MERGE INTO people t USING (SELECT 9 AS id, 'm' AS name) s ON t.id = s.id WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name)")).message).toContain(
      "Providing values for GENERATED ALWAYS AS IDENTITY column id",
    );
    await sql(ws.session, "MERGE INTO people t USING (SELECT 'm' AS name) s ON t.name = s.name WHEN NOT MATCHED THEN INSERT (name) VALUES (s.name)");
    expect(await sql(ws.session, "SELECT id FROM people WHERE name = 'm'")).toEqual([{ id: 25 }]);
    // Dropped and made again, the table starts over.
    await sql(ws.session, "DROP TABLE people");
    await sql(ws.session, "CREATE TABLE people (id BIGINT GENERATED ALWAYS AS IDENTITY, name STRING)");
    await sql(ws.session, "INSERT INTO people (name) VALUES ('z')");
    expect(await sql(ws.session, "SELECT id FROM people")).toEqual([{ id: 1 }]);
    await sql(ws.session, "CREATE OR REPLACE TABLE people (id BIGINT GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY -1 START WITH -1), name STRING)");
    await sql(ws.session, "INSERT INTO people (name) VALUES ('p'), ('q')");
    await sql(ws.session, "INSERT INTO people VALUES (100, 'given')");
    expect(await sql(ws.session, "SELECT id FROM people ORDER BY id")).toEqual([{ id: -2 }, { id: -1 }, { id: 100 }]);
  });

  it("refuses a step of 0, a type other than BIGINT, and an expression with IDENTITY", async () => {
    expect(await fails("CREATE TABLE i1 (id BIGINT GENERATED ALWAYS AS IDENTITY (INCREMENT BY 0))")).toEqual({
      sqlState: "42611",
      message: "[DELTA_IDENTITY_COLUMNS_ILLEGAL_STEP] IDENTITY column step cannot be 0.",
    });
    expect(await fails("CREATE TABLE i2 (id INT GENERATED ALWAYS AS IDENTITY)")).toEqual({
      sqlState: "428H2",
      message: "[DELTA_IDENTITY_COLUMNS_UNSUPPORTED_DATA_TYPE] DataType integer is not supported for IDENTITY columns.",
    });
    expect(await sql(ws.session, "SHOW TABLES LIKE 'i1|i2'")).toEqual([]);
  });
});

describe("column DEFAULTs", () => {
  it("need the allowColumnDefaults table feature, then fill omitted columns and DEFAULT", async () => {
    const off = await fails("CREATE TABLE d1 (id INT, status STRING DEFAULT 'new')");
    expect(off.sqlState).toBe("0AKDE");
    expect(off.message).toBe(
      "[WRONG_COLUMN_DEFAULTS_FOR_DELTA_FEATURE_NOT_ENABLED] Failed to execute CREATE TABLE command because it assigned a column DEFAULT value,\nbut the corresponding table feature was not enabled. Please retry the command again\nafter executing ALTER TABLE tableName SET\nTBLPROPERTIES('delta.feature.allowColumnDefaults' = 'supported').",
    );
    await sql(ws.session, "CREATE TABLE d1 (id INT, status STRING DEFAULT 'new', qty INT DEFAULT 1 + 1) TBLPROPERTIES ('delta.feature.allowColumnDefaults' = 'supported')");
    await sql(ws.session, "INSERT INTO d1 (id) VALUES (1)");
    await sql(ws.session, "INSERT INTO d1 VALUES (2, DEFAULT, 5)");
    await sql(ws.session, "ALTER TABLE d1 ALTER COLUMN status SET DEFAULT 'open'");
    await sql(ws.session, "INSERT INTO d1 (id, qty) VALUES (3, 0)");
    await sql(ws.session, "ALTER TABLE d1 ALTER COLUMN qty DROP DEFAULT");
    await sql(ws.session, "INSERT INTO d1 (id) VALUES (4)");
    expect(await sql(ws.session, "SELECT * FROM d1 ORDER BY id")).toEqual([
      { id: 1, status: "new", qty: 2 },
      { id: 2, status: "new", qty: 5 },
      { id: 3, status: "open", qty: 0 },
      { id: 4, status: "open", qty: null },
    ]);
    expect((await fails("ALTER TABLE d1 ADD COLUMN extra INT DEFAULT 0")).message).toMatch(
      /^\[WRONG_COLUMN_DEFAULTS_FOR_DELTA_ALTER_TABLE_ADD_COLUMN_NOT_SUPPORTED\] Failed to execute the command because DEFAULT values are not supported when adding new/,
    );
    await sql(ws.session, "CREATE TABLE d2 (id INT)");
    expect((await fails("ALTER TABLE d2 ALTER COLUMN id SET DEFAULT 0")).message).toContain("Failed to execute ALTER TABLE command because it assigned a column DEFAULT value");
  });
});
