import { describe, expect, it } from "vitest";
import { DBSQLParameter, DBSQLParameterType } from "@databricks/sql";
import { connectClient, sql, sqlError, useWarehouseSession } from "./client.js";

const ws = useWarehouseSession();

/**
 * The same row in each result format the driver can ask for; the JS values differ exactly as they do
 * against Databricks (../shared/reference/databricks-volumes-cdf-arrow.md §7, from the driver's
 * ArrowResultConverter and JsonResultHandler): Arrow gives Date objects for DATE and (native) TIMESTAMP,
 * the column format gives text.
 */
const FORMATS = [
  { format: "Arrow with native types", choices: {}, dt: new Date("2024-02-29T00:00:00Z"), ts: new Date("2024-01-02T03:04:05.123Z") },
  { format: "Arrow without native types", choices: { nativeTypes: false }, dt: new Date("2024-02-29T00:00:00Z"), ts: "2024-01-02 03:04:05.123" },
  { format: "the column format", choices: { arrow: false }, dt: "2024-02-29", ts: "2024-01-02 03:04:05.123" },
];

describe("values of every type", () => {
  it.each(FORMATS)("selects scalars, nested values and NULLs with Databricks decoding ($format)", async ({ choices, dt, ts }) => {
    const own = await connectClient(ws.warehouse, choices);
    const ownSession = await own.openSession();
    const [row] = await sql(
      ownSession,
      `SELECT CAST(9007199254740991 AS BIGINT) AS big, 42 AS i, CAST(7 AS SMALLINT) AS sm, CAST(1.5 AS DOUBLE) AS d,
              CAST(2.5 AS FLOAT) AS f, true AS b, 'it''s \\'quoted\\'' AS s, CAST('12.30' AS DECIMAL(10,2)) AS dec,
              DATE '2024-02-29' AS dt, TIMESTAMP '2024-01-02 03:04:05.123' AS ts,
              array(1, 2, 3) AS arr, array(array('a'), array('b', NULL)) AS nested,
              named_struct('a', 1L, 'b', 'x', 'c', array(named_struct('d', true))) AS st,
              map('k1', 1, 'k2', 2) AS m, struct(42 AS answer, 'q') AS anon,
              CAST(NULL AS BIGINT) AS nb, CAST(NULL AS STRING) AS ns, CAST(NULL AS ARRAY<INT>) AS na,
              X'CAFE' AS bin`,
    );
    await ownSession.close();
    await own.close();
    expect(row).toEqual({
      big: 9007199254740991,
      i: 42,
      sm: 7,
      d: 1.5,
      f: 2.5,
      b: true,
      s: "it's 'quoted'",
      dec: 12.3,
      dt,
      ts,
      arr: [1, 2, 3],
      nested: [["a"], ["b", null]],
      st: { a: 1, b: "x", c: [{ d: true }] },
      m: { k1: 1, k2: 2 },
      anon: { answer: 42, col2: "q" },
      nb: null,
      ns: null,
      na: null,
      bin: Buffer.from([0xca, 0xfe]),
    });
  });

  it("reports Databricks type ids and names in the result metadata", async () => {
    const op = await ws.session.executeStatement(
      "SELECT 1L AS a, array('x') AS b, named_struct('k', 1) AS c, map(1, 'v') AS d, 1.50BD AS e, current_timestamp() AS f",
    );
    const meta = await op.getSchema();
    await op.close();
    const types = meta!.columns.map((c) => c.typeDesc.types[0]!.primitiveEntry!.type);
    // BIGINT_TYPE, ARRAY_TYPE, STRUCT_TYPE, MAP_TYPE, DECIMAL_TYPE, TIMESTAMP_TYPE
    expect(types).toEqual([4, 10, 12, 11, 15, 8]);
    expect(meta!.columns.map((c) => c.position)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe("DDL and DML", () => {
  it("creates a nested table and describes it with Spark type names", async () => {
    await sql(
      ws.session,
      `CREATE TABLE IF NOT EXISTS events (
         id BIGINT NOT NULL COMMENT 'the key',
         name STRING,
         score DOUBLE, ratio FLOAT, n INT, ok BOOLEAN, amount DECIMAL(12, 3), day DATE,
         at TIMESTAMP, local_at TIMESTAMP_NTZ, raw BINARY,
         tags ARRAY<STRING>,
         payload STRUCT<a: BIGINT, b: ARRAY<STRUCT<c: STRING, d: MAP<STRING, INT>>>>,
         attrs MAP<STRING, ARRAY<BIGINT>>
       ) USING DELTA COMMENT 'events table' TBLPROPERTIES ('delta.appendOnly' = 'false', delta.minReaderVersion = 1)`,
    );
    const rows = await sql(ws.session, "DESCRIBE TABLE events");
    expect(rows.map((r) => [r.col_name, r.data_type])).toEqual([
      ["id", "bigint"],
      ["name", "string"],
      ["score", "double"],
      ["ratio", "float"],
      ["n", "int"],
      ["ok", "boolean"],
      ["amount", "decimal(12,3)"],
      ["day", "date"],
      ["at", "timestamp"],
      ["local_at", "timestamp_ntz"],
      ["raw", "binary"],
      ["tags", "array<string>"],
      ["payload", "struct<a:bigint,b:array<struct<c:string,d:map<string,int>>>>"],
      ["attrs", "map<string,array<bigint>>"],
    ]);
    expect(rows[0]!.comment).toBe("the key");
    const extended = await sql(ws.session, "DESCRIBE TABLE EXTENDED events");
    const info = Object.fromEntries(extended.map((r) => [r.col_name, r.data_type]));
    expect(info.Comment).toBe("events table");
    expect(info.Provider).toBe("delta");
    expect(info["Table Properties"]).toBe("[delta.appendOnly=false,delta.minReaderVersion=1]");
    // IF NOT EXISTS on an existing table is a no-op; without it, an error.
    await sql(ws.session, "CREATE TABLE IF NOT EXISTS events (x INT) USING DELTA");
    const again = await sqlError(ws.session, "CREATE TABLE events (x INT) USING DELTA");
    expect(again.sqlState).toBe("42P07");
    expect(again.message).toContain("[TABLE_OR_VIEW_ALREADY_EXISTS]");
  });

  it("inserts nested values written with Spark functions and reads them back", async () => {
    await sql(
      ws.session,
      `INSERT INTO events (id, name, tags, payload, attrs, at) VALUES
         (1, 'one', array('a', 'b'), named_struct('a', 10, 'b', array(named_struct('c', 'x', 'd', map('k', 1)))), map('m', array(1L, 2L)), TIMESTAMP '2024-05-06 07:08:09'),
         (2, 'two', array(), NULL, NULL, NULL)`,
    );
    const rows = await sql(ws.session, "SELECT id, name, tags, payload, attrs, at FROM events ORDER BY id");
    expect(rows).toEqual([
      { id: 1, name: "one", tags: ["a", "b"], payload: { a: 10, b: [{ c: "x", d: { k: 1 } }] }, attrs: { m: [1, 2] }, at: new Date("2024-05-06T07:08:09Z") },
      { id: 2, name: "two", tags: [], payload: null, attrs: null, at: null },
    ]);
  });

  it("binds named parameters as data, never as SQL", async () => {
    await sql(ws.session, "CREATE TABLE notes (id BIGINT, body STRING, weight DOUBLE, flag BOOLEAN, at TIMESTAMP) USING DELTA");
    const nasty = [
      "Robert'); DROP TABLE notes; --",
      "back`tick` and \"double\" and 'single'",
      "semi;colon /* comment */ -- line",
      ":other_param and ? and $1",
      "\\'escaped\\' \\n newline",
    ];
    let id = 0;
    for (const body of nasty) {
      const [result] = await sql(ws.session, "INSERT INTO notes VALUES (:id, :body, :weight, :flag, :at)", {
        id: ++id,
        body,
        weight: 0.25,
        flag: id % 2 === 0,
        at: new Date("2024-03-04T05:06:07.000Z"),
      });
      expect(result).toEqual({ num_affected_rows: 1, num_inserted_rows: 1 });
    }
    const rows = await sql(ws.session, "SELECT id, body, weight, flag, at FROM notes WHERE id > :min ORDER BY id", { min: 0 });
    expect(rows.map((r) => r.body)).toEqual(nasty);
    expect(rows[1]).toMatchObject({ weight: 0.25, flag: true, at: new Date("2024-03-04T05:06:07Z") });
    const missing = await sqlError(ws.session, "SELECT :nope AS x");
    expect(missing.sqlState).toBe("42P02");
  });

  it("keeps parameters whose names differ only in punctuation or accents apart", async () => {
    // `a$`/`a_` and `é`/`è` once mapped to the same DuckDB placeholder, so both markers read one value.
    expect(await sql(ws.session, "SELECT :a$ AS x, :a_ AS y, :é AS e1, :è AS e2", { a$: "dollar", a_: "underscore", é: "acute", è: "grave" })).toEqual([
      { x: "dollar", y: "underscore", e1: "acute", e2: "grave" },
    ]);
  });

  it("refuses a parameter name given twice (names match case-insensitively)", async () => {
    await expect(sql(ws.session, "SELECT :a AS x", { a: "one", A: "two" })).rejects.toMatchObject({ response: { sqlState: "42K0E" } });
  });

  it("reads a DECIMAL parameter written with an exponent exactly, at the precision and scale its type names", async () => {
    const dec = (value: string, type = "DECIMAL") => new DBSQLParameter({ type: type as DBSQLParameterType, value });
    const rows = await sql(ws.session, "SELECT CAST(:a AS STRING) AS a, CAST(:b AS STRING) AS b, CAST(:c AS STRING) AS c, CAST(:d AS STRING) AS d", {
      a: dec("1.5e-3", "DECIMAL(10,4)"),
      b: dec("-2.5E+3", "DECIMAL(6,1)"),
      c: dec("12e0", "DECIMAL(2,0)"),
      d: dec("0.000123456E2", "DECIMAL(12,6)"),
    });
    expect(rows).toEqual([{ a: "0.0015", b: "-2500.0", c: "12", d: "0.012346" }]);
    await expect(sql(ws.session, "SELECT :a AS a", { a: dec("1e999999") })).rejects.toMatchObject({ response: { sqlState: "22018" } });
  });

  it("binds a bare DECIMAL parameter as DECIMAL(10,0), as Databricks does (Spark's default decimal type)", async () => {
    const dec = (value: string) => new DBSQLParameter({ type: DBSQLParameterType.DECIMAL, value });
    const rows = await sql(ws.session, "SELECT CAST(:a AS STRING) AS a, CAST(:b AS STRING) AS b", { a: dec("0.0015"), b: dec("-2.5E+3") });
    expect(rows).toEqual([{ a: "0", b: "-2500" }]);
  });

  it("upserts and deletes with MERGE, by column name", async () => {
    await sql(ws.session, "CREATE TABLE target (id BIGINT, v STRING, n INT) USING DELTA");
    await sql(ws.session, "INSERT INTO target VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)");
    const [counts] = await sql(
      ws.session,
      `MERGE INTO target t USING (SELECT 'B' AS v, 2 AS id, 20 AS n, false AS _delete
                                 UNION ALL SELECT 'D', 4, 40, false
                                 UNION ALL SELECT NULL, 3, NULL, true) s
       ON t.id = s.id
       WHEN MATCHED AND s._delete THEN DELETE
       WHEN MATCHED THEN UPDATE SET *
       WHEN NOT MATCHED AND NOT s._delete THEN INSERT *`,
    );
    expect(counts).toEqual({ num_affected_rows: 3, num_updated_rows: 1, num_deleted_rows: 1, num_inserted_rows: 1 });
    expect(await sql(ws.session, "SELECT * FROM target ORDER BY id")).toEqual([
      { id: 1, v: "a", n: 1 },
      { id: 2, v: "B", n: 20 },
      { id: 4, v: "D", n: 40 },
    ]);
    await sql(
      ws.session,
      `MERGE INTO target AS t USING (VALUES (1, 'one')) AS s(id, v) ON t.id = s.id
       WHEN MATCHED THEN UPDATE SET t.v = s.v || '!' WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v)`,
    );
    expect(await sql(ws.session, "SELECT v FROM target WHERE id = 1")).toEqual([{ v: "one!" }]);
    const dup = await sqlError(
      ws.session,
      "MERGE INTO target t USING (SELECT 1 AS id, 'x' AS v, 0 AS n UNION ALL SELECT 1, 'y', 0) s ON t.id = s.id WHEN MATCHED THEN UPDATE SET *",
    );
    expect(dup.message).toContain("DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE");
    const missing = await sqlError(ws.session, "MERGE INTO target t USING (SELECT 9 AS id) s ON t.id = s.id WHEN NOT MATCHED THEN INSERT *");
    expect(missing.message).toContain("DELTA_MERGE_UNRESOLVED_EXPRESSION");
  });

  it("evolves the schema with MERGE WITH SCHEMA EVOLUTION and ALTER TABLE ADD COLUMNS", async () => {
    await sql(
      ws.session,
      `MERGE WITH SCHEMA EVOLUTION INTO target t USING (SELECT 5 AS id, 'e' AS v, 50 AS n, array('x') AS extra) s
       ON t.id = s.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *`,
    );
    await sql(ws.session, "ALTER TABLE target ADD COLUMNS (note STRING COMMENT 'added', meta STRUCT<k: STRING>)");
    await sql(ws.session, "ALTER TABLE target ADD COLUMN last_seen TIMESTAMP");
    const described = await sql(ws.session, "DESCRIBE target");
    expect(described.map((r) => `${r.col_name}:${r.data_type}`)).toEqual([
      "id:bigint",
      "v:string",
      "n:int",
      "extra:array<string>",
      "note:string",
      "meta:struct<k:string>",
      "last_seen:timestamp",
    ]);
    expect(await sql(ws.session, "SELECT extra, note FROM target WHERE id IN (1, 5) ORDER BY id")).toEqual([
      { extra: null, note: null },
      { extra: ["x"], note: null },
    ]);
    const clash = await sqlError(ws.session, "ALTER TABLE target ADD COLUMNS (v STRING)");
    expect(clash.message).toContain("FIELDS_ALREADY_EXISTS");
  });

  it("truncates, overwrites and drops", async () => {
    await sql(ws.session, "INSERT OVERWRITE target SELECT * FROM target WHERE id = 1");
    expect(await sql(ws.session, "SELECT count(*) AS c FROM target")).toEqual([{ c: 1 }]);
    await sql(ws.session, "TRUNCATE TABLE target");
    expect(await sql(ws.session, "SELECT count(*) AS c FROM target")).toEqual([{ c: 0 }]);
    await sql(ws.session, "DROP TABLE target");
    await sql(ws.session, "DROP TABLE IF EXISTS target");
    const gone = await sqlError(ws.session, "SELECT * FROM target");
    expect(gone.sqlState).toBe("42P01");
    expect(gone.message).toContain("[TABLE_OR_VIEW_NOT_FOUND]");
  });
});

describe("names", () => {
  it("resolves catalogs, schemas, three-part names and backtick identifiers", async () => {
    await sql(ws.session, "CREATE CATALOG IF NOT EXISTS sales");
    await sql(ws.session, "CREATE SCHEMA IF NOT EXISTS sales.`eu-west`");
    await sql(ws.session, "CREATE TABLE sales.`eu-west`.`order lines` (`weird``name` STRING, `select` INT) USING DELTA TBLPROPERTIES ('delta.columnMapping.mode' = 'name')");
    await sql(ws.session, "INSERT INTO `sales`.`eu-west`.`order lines` VALUES ('a`b', 1)");
    expect(await sql(ws.session, "SELECT `weird``name` AS w, `select` FROM sales.`eu-west`.`order lines`")).toEqual([{ w: "a`b", select: 1 }]);
    expect(await sql(ws.session, "SHOW TABLES IN sales.`eu-west`")).toEqual([{ database: "eu-west", tableName: "order lines", isTemporary: false }]);
    expect((await sql(ws.session, "SHOW SCHEMAS IN sales")).map((r) => r.databaseName)).toEqual(["default", "eu-west"]);
    expect((await sql(ws.session, "SHOW CATALOGS")).map((r) => r.catalog)).toEqual(["main", "sales"]);
    const refused = await sqlError(ws.session, "CREATE TABLE sales.`eu-west`.bad (`a b` INT) USING DELTA");
    expect(refused.message).toContain("DELTA_INVALID_CHARACTERS_IN_COLUMN_NAMES");
  });

  it("follows USE and the initial namespace of a session", async () => {
    const other = await ws.client.openSession({ initialCatalog: "sales", initialSchema: "eu-west" });
    expect(await sql(other, "SELECT current_catalog() AS c, current_schema() AS s")).toEqual([{ c: "sales", s: "eu-west" }]);
    expect(await sql(other, "SELECT count(*) AS n FROM `order lines`")).toEqual([{ n: 1 }]);
    await sql(other, "USE CATALOG main");
    expect(await sql(other, "SHOW TABLES")).toEqual(
      expect.arrayContaining([{ database: "default", tableName: "events", isTemporary: false }]),
    );
    await sql(other, "USE SCHEMA sales.`eu-west`");
    expect(await sql(other, "SELECT count(*) AS n FROM `order lines`")).toEqual([{ n: 1 }]);
    await other.close();
  });
});

describe("more statements", () => {
  it("runs DELETE, UPDATE, views, SHOW … LIKE and explicit transactions", async () => {
    await sql(ws.session, "CREATE TABLE IF NOT EXISTS counters (k STRING, v BIGINT) USING DELTA");
    await sql(ws.session, "INSERT INTO counters VALUES ('a', 1), ('b', 2), ('c', 3)");
    expect(await sql(ws.session, "UPDATE counters SET v = v * 10 WHERE k <> 'a'")).toEqual([{ num_affected_rows: 2 }]);
    expect(await sql(ws.session, "DELETE FROM counters WHERE k = 'c'")).toEqual([{ num_affected_rows: 1 }]);
    await sql(ws.session, "CREATE OR REPLACE VIEW big_counters AS SELECT k FROM counters WHERE v >= 10");
    expect(await sql(ws.session, "SELECT * FROM big_counters")).toEqual([{ k: "b" }]);
    expect((await sql(ws.session, "SHOW TABLES LIKE 'count*|big*'")).map((r) => r.tableName)).toEqual(["big_counters", "counters"]);
    await sql(ws.session, "BEGIN TRANSACTION");
    await sql(ws.session, "INSERT INTO counters VALUES ('z', 26)");
    await sql(ws.session, "ROLLBACK");
    expect(await sql(ws.session, "SELECT count(*) AS n FROM counters WHERE k = 'z'")).toEqual([{ n: 0 }]);
    await sql(ws.session, "DROP VIEW big_counters");
    expect((await sqlError(ws.session, "DROP TABLE big_counters")).sqlState).toBe("42P01");
  });
});

describe("errors", () => {
  it("refuses statements outside the supported set with UNSUPPORTED_FEATURE", async () => {
    for (const statement of ["OPTIMIZE events", "COPY INTO events FROM 's3://x'", "SELECT from_json('{}', 'a INT')", "CREATE TABLE x (a INT) USING PARQUET"]) {
      const e = await sqlError(ws.session, statement);
      expect(e.sqlState, statement).toBe("0A000");
      expect(e.message).toContain("[UNSUPPORTED_FEATURE]");
    }
  });

  it("reports syntax errors and refuses several statements at once", async () => {
    expect((await sqlError(ws.session, "SELEC 1")).sqlState).toBe("42601");
    expect((await sqlError(ws.session, "SELECT 1 FROM")).sqlState).toBe("42601");
    expect((await sqlError(ws.session, "SELECT 1; DROP TABLE events")).sqlState).toBe("42601");
    expect(await sql(ws.session, "SELECT count(*) AS n FROM events")).toEqual([{ n: 2 }]);
  });

  it("accepts the listed warehouse parameters and refuses Spark confs", async () => {
    expect(await sql(ws.session, "SET ANSI_MODE = true")).toEqual([{ key: "ANSI_MODE", value: "true" }]);
    expect(await sql(ws.session, "SET TIME ZONE 'UTC'")).toEqual([{ key: "TIMEZONE", value: "UTC" }]);
    expect((await sqlError(ws.session, "SET spark.databricks.delta.schema.autoMerge.enabled = true")).sqlState).toBe("42K0I");
  });
});
