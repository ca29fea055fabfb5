/**
 * COPY INTO from a volume, through the real driver. Syntax, FILES/PATTERN, COPY_OPTIONS and the result
 * columns: docs.databricks.com/sql/language-manual/delta-copy-into.html (facts sheet §4). Schema
 * mismatch text: estuary/connectors#1021; by-name matching and NULL for missing columns are Delta's
 * write semantics.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startLocalWarehouse } from "../src/index.js";
import { connectClient, sql, sqlError } from "./client.js";
import { FileWriter, upload, useVolumeWarehouse } from "./volume-fixtures.js";

describe("COPY INTO", () => {
  const fx = useVolumeWarehouse(async (v) => {
      await upload(v.warehouse, "/Volumes/main/s/v/q/3/part-0-0.parquet", await v.writer.bytes("SELECT 1::INTEGER AS a, 'one' AS b UNION ALL SELECT 2, 'two'"));
      await upload(v.warehouse, "/Volumes/main/s/v/q/3/part-1-0.parquet", await v.writer.bytes("SELECT 3::BIGINT AS a, 'three' AS b"));
      await upload(v.warehouse, "/Volumes/main/s/v/q/3/_SUCCESS", "");
  });

  it("loads the files the sink names, once: a replay is a no-op, force reloads", async () => {
    await sql(fx.session, "CREATE TABLE main.s.t (a BIGINT, b STRING, _mm_ingested_at TIMESTAMP)");
    const statement =
      "COPY INTO `main`.`s`.`t` FROM (SELECT `a`, `b`, current_timestamp() AS `_mm_ingested_at` FROM '/Volumes/main/s/v/q/3') FILEFORMAT = PARQUET FILES = ('part-0-0.parquet', 'part-1-0.parquet')";
    const first = await sql(fx.session, statement);
    expect(first).toEqual([{ num_affected_rows: 3, num_inserted_rows: 3, num_skipped_corrupt_files: 0 }]);
    const rows = await sql(fx.session, "SELECT a, b, _mm_ingested_at IS NOT NULL AS stamped FROM main.s.t ORDER BY a");
    expect(rows).toEqual([
      { a: 1, b: "one", stamped: true },
      { a: 2, b: "two", stamped: true },
      { a: 3, b: "three", stamped: true },
    ]);
    expect(await sql(fx.session, statement)).toEqual([{ num_affected_rows: 0, num_inserted_rows: 0, num_skipped_corrupt_files: 0 }]);
    expect(await sql(fx.session, "SELECT count(*) AS n FROM main.s.t")).toEqual([{ n: 3 }]);
    // One new file among loaded ones: only it is loaded.
    await upload(fx.warehouse, "/Volumes/main/s/v/q/3/part-2-0.parquet", await fx.writer.bytes("SELECT 4 AS a, 'four' AS b"));
    expect(await sql(fx.session, statement.replace("'part-1-0.parquet'", "'part-1-0.parquet', 'part-2-0.parquet'"))).toEqual([
      { num_affected_rows: 1, num_inserted_rows: 1, num_skipped_corrupt_files: 0 },
    ]);
    const forced = await sql(fx.session, `${statement} COPY_OPTIONS ('force' = 'true')`);
    expect(forced[0]!.num_inserted_rows).toBe(3);
    expect(await sql(fx.session, "SELECT count(*) AS n FROM main.s.t")).toEqual([{ n: 7 }]);
  });

  it("commits a version with its rows in the change feed when it loads files, and none when it loads nothing", async () => {
    await sql(fx.session, "CREATE TABLE main.s.cdf (a BIGINT, b STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    const statement = "COPY INTO main.s.cdf FROM '/Volumes/main/s/v/q/3' FILEFORMAT = PARQUET FILES = ('part-0-0.parquet', 'part-1-0.parquet')";
    await sql(fx.session, statement);
    await sql(fx.session, statement);
    const history = await sql(fx.session, "DESCRIBE HISTORY main.s.cdf");
    expect(history.map((h) => [h.version, h.operation, h.isBlindAppend])).toEqual([
      [1, "COPY INTO", true],
      [0, "CREATE TABLE", false],
    ]);
    expect(history[0]!.operationMetrics).toMatchObject({ numFiles: "2", numOutputRows: "3" });
    const changes = await sql(fx.session, "SELECT a, _change_type, _commit_version FROM table_changes('main.s.cdf', 0) ORDER BY a");
    expect(changes).toEqual([
      { a: 1, _change_type: "insert", _commit_version: 1 },
      { a: 2, _change_type: "insert", _commit_version: 1 },
      { a: 3, _change_type: "insert", _commit_version: 1 },
    ]);
  });

  it("loads a whole directory (skipping _ and . files) or a PATTERN, matching columns by name", async () => {
    await sql(fx.session, "CREATE TABLE main.s.dir (b STRING, extra_col DOUBLE, a BIGINT)");
    const r = await sql(fx.session, "COPY INTO main.s.dir FROM '/Volumes/main/s/v/q/3' FILEFORMAT = PARQUET");
    expect(r[0]!.num_inserted_rows).toBe(4);
    expect(await sql(fx.session, "SELECT a, b, extra_col FROM main.s.dir WHERE a = 3")).toEqual([{ a: 3, b: "three", extra_col: null }]);
    await sql(fx.session, "CREATE TABLE main.s.pat (a BIGINT, b STRING)");
    const p = await sql(fx.session, "COPY INTO main.s.pat FROM '/Volumes/main/s/v/q/3' FILEFORMAT = PARQUET PATTERN = 'part-[01]-*.parquet'");
    expect(p[0]!.num_inserted_rows).toBe(3);
    await sql(fx.session, "CREATE TABLE main.s.named (a BIGINT, b STRING)");
    const named = await sql(fx.session, "COPY INTO main.s.named FROM '/Volumes/main/s/v/q/3' FILEFORMAT = PARQUET FORMAT_OPTIONS ('pathGlobFilter' = '*-1-0.parquet')");
    expect(named[0]!.num_inserted_rows).toBe(1);
    const both = await sqlError(fx.session, "COPY INTO main.s.pat FROM '/Volumes/main/s/v/q/3' FILEFORMAT = PARQUET FILES = ('a') PATTERN = '*'");
    expect(both.sqlState).toBe("42601");
  });

  it("refuses new source columns unless mergeSchema, and incompatible types", async () => {
    await sql(fx.session, "CREATE TABLE main.s.evolve (a BIGINT)");
    await upload(fx.warehouse, "/Volumes/main/s/v/evolve/f.parquet", await fx.writer.bytes("SELECT 1 AS a, 'x' AS c, 2.5::DECIMAL(5,2) AS d"));
    const refused = await sqlError(fx.session, "COPY INTO main.s.evolve FROM '/Volumes/main/s/v/evolve' FILEFORMAT = PARQUET");
    expect(refused.message).toContain("A schema mismatch detected when writing to the Delta table");
    expect(await sql(fx.session, "SELECT count(*) AS n FROM main.s.evolve")).toEqual([{ n: 0 }]);
    await sql(fx.session, "COPY INTO main.s.evolve FROM '/Volumes/main/s/v/evolve' FILEFORMAT = PARQUET COPY_OPTIONS ('mergeSchema' = 'true')");
    expect(await sql(fx.session, "DESCRIBE main.s.evolve")).toEqual([
      { col_name: "a", data_type: "bigint", comment: null },
      { col_name: "c", data_type: "string", comment: null },
      { col_name: "d", data_type: "decimal(5,2)", comment: null },
    ]);
    await sql(fx.session, "CREATE TABLE main.s.typed (a BIGINT)");
    await upload(fx.warehouse, "/Volumes/main/s/v/typed/f.parquet", await fx.writer.bytes("SELECT 'not a number' AS a"));
    const cast = await sqlError(fx.session, "COPY INTO main.s.typed FROM '/Volumes/main/s/v/typed' FILEFORMAT = PARQUET");
    expect(cast.message).toContain("INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_SAFELY_CAST");
  });

  it("is atomic: a load that fails records nothing, so the next run loads the file", async () => {
    await sql(fx.session, "CREATE TABLE main.s.narrow (a INT)");
    await upload(fx.warehouse, "/Volumes/main/s/v/narrow/f.parquet", await fx.writer.bytes("SELECT 1 AS a UNION ALL SELECT 9000000000"));
    const overflow = await sqlError(fx.session, "COPY INTO main.s.narrow FROM '/Volumes/main/s/v/narrow' FILEFORMAT = PARQUET");
    expect(overflow.sqlState).toBeDefined();
    expect(await sql(fx.session, "SELECT count(*) AS n FROM main.s.narrow")).toEqual([{ n: 0 }]);
    await upload(fx.warehouse, "/Volumes/main/s/v/narrow/f.parquet", await fx.writer.bytes("SELECT 1 AS a UNION ALL SELECT 2"));
    const r = await sql(fx.session, "COPY INTO main.s.narrow FROM '/Volumes/main/s/v/narrow' FILEFORMAT = PARQUET");
    expect(r[0]!.num_inserted_rows).toBe(2);
  });

  it("loads a file once when two sessions copy it at the same time", async () => {
    await sql(fx.session, "CREATE TABLE main.s.race (a BIGINT)");
    await upload(fx.warehouse, "/Volumes/main/s/v/race/f.parquet", await fx.writer.bytes("SELECT range AS a FROM range(50000)"));
    const other = await fx.client.openSession({ initialCatalog: "main", initialSchema: "s" });
    try {
      const statement = "COPY INTO main.s.race FROM '/Volumes/main/s/v/race' FILEFORMAT = PARQUET FILES = ('f.parquet')";
      const outcomes = await Promise.allSettled([sql(fx.session, statement), sql(other, statement)]);
      const loaded = outcomes.map((o) => (o.status === "fulfilled" ? Number(o.value[0]!.num_inserted_rows) : 0));
      // Delta: concurrent loads of the same file conflict; whichever commits first wins, the other loads nothing or fails.
      expect(loaded.reduce((a, b) => a + b, 0)).toBe(50000);
      expect(await sql(fx.session, "SELECT count(*) AS n FROM main.s.race")).toEqual([{ n: 50000 }]);
      expect((await sql(other, statement))[0]!.num_inserted_rows).toBe(0);
    } finally {
      await other.close();
    }
  });

  it("loads every Spark type from Parquet exactly", async () => {
    await sql(
      fx.session,
      `CREATE TABLE main.s.types (b BOOLEAN, y TINYINT, sm SMALLINT, i INT, big BIGINT, f FLOAT, d DOUBLE, dec DECIMAL(38,18), s STRING,
        bin BINARY, dt DATE, ts TIMESTAMP, ntz TIMESTAMP_NTZ, arr ARRAY<BIGINT>, m MAP<STRING, INT>, st STRUCT<a: BIGINT, inner: STRUCT<t: TIMESTAMP, l: ARRAY<STRING>>>)`,
    );
    await upload(
      fx.warehouse,
      "/Volumes/main/s/v/types/all.parquet",
      await fx.writer.bytes(`SELECT true AS b, -7::TINYINT AS y, 300::SMALLINT AS sm, 70000 AS i, 9007199254740993 AS big, 1.5::FLOAT AS f, 0.1::DOUBLE AS d,
        12345678901234567890.123456789012345678::DECIMAL(38,18) AS dec, 'héllo' AS s, from_hex('CAFE') AS bin, DATE '1999-12-31' AS dt,
        TIMESTAMPTZ '2024-05-06 07:08:09.123456+00' AS ts, TIMESTAMP '2024-05-06 07:08:09.5' AS ntz, [1, 9007199254740993] AS arr,
        MAP {'k': 1} AS m, {'a': 5, 'inner': {'t': TIMESTAMPTZ '2001-01-01 00:00:00+00', 'l': ['x', NULL]}} AS st`),
    );
    const r = await sql(fx.session, "COPY INTO main.s.types FROM '/Volumes/main/s/v/types' FILEFORMAT = PARQUET");
    expect(r[0]!.num_inserted_rows).toBe(1);
    const [row] = await sql(
      fx.session,
      // Dates and timestamps as text: the driver hands them over as Date objects from Arrow, as text from columns.
      "SELECT b, y, sm, i, CAST(big AS STRING) AS big, f, d, CAST(dec AS STRING) AS dec, s, hex(bin) AS bin, CAST(dt AS STRING) AS dt, CAST(ts AS STRING) AS ts, " +
        "CAST(ntz AS STRING) AS ntz, to_json(arr) AS arr, m, st.a AS sa, CAST(st.inner.t AS STRING) AS st_t, to_json(st.inner.l) AS st_l FROM main.s.types",
    );
    expect(row).toEqual({
      b: true,
      y: -7,
      sm: 300,
      i: 70000,
      big: "9007199254740993",
      f: 1.5,
      d: 0.1,
      dec: "12345678901234567890.123456789012345678",
      s: "héllo",
      bin: "CAFE",
      dt: "1999-12-31",
      ts: "2024-05-06 07:08:09.123456",
      ntz: "2024-05-06 07:08:09.5",
      arr: "[1,9007199254740993]",
      m: { k: 1 },
      sa: 5,
      st_t: "2001-01-01 00:00:00",
      st_l: '["x",null]',
    });
  });

  it("reads JSON and CSV", async () => {
    await upload(fx.warehouse, "/Volumes/main/s/v/json/a.json", '{"id": 1, "name": "x", "at": "2024-01-02"}\n{"id": 2, "name": "y", "at": "2024-01-03"}\n');
    await sql(fx.session, "CREATE TABLE main.s.j (id BIGINT, name STRING, at STRING)");
    await sql(fx.session, "COPY INTO main.s.j FROM '/Volumes/main/s/v/json' FILEFORMAT = JSON");
    expect(await sql(fx.session, "SELECT * FROM main.s.j ORDER BY id")).toEqual([
      { id: 1, name: "x", at: "2024-01-02" },
      { id: 2, name: "y", at: "2024-01-03" },
    ]);
    await upload(fx.warehouse, "/Volumes/main/s/v/csv/a.csv", "id,name\n1,x\n2,y\n");
    await sql(fx.session, "CREATE TABLE main.s.c (id STRING, name STRING)");
    await sql(fx.session, "COPY INTO main.s.c FROM '/Volumes/main/s/v/csv' FILEFORMAT = CSV FORMAT_OPTIONS ('header' = 'true')");
    expect(await sql(fx.session, "SELECT * FROM main.s.c ORDER BY id")).toEqual([
      { id: "1", name: "x" },
      { id: "2", name: "y" },
    ]);
    const unknown = await sqlError(fx.session, "COPY INTO main.s.c FROM '/Volumes/main/s/v/csv' FILEFORMAT = CSV FORMAT_OPTIONS ('hedaer' = 'true')");
    expect(unknown.message).toContain("hedaer");
  });

  it("refuses paths outside a volume, missing volumes and missing files", async () => {
    await sql(fx.session, "CREATE TABLE main.s.err (a BIGINT)");
    const outside = await sqlError(fx.session, "COPY INTO main.s.err FROM '/tmp/x' FILEFORMAT = PARQUET");
    expect(outside.message).toContain("INVALID_PARAMETER_VALUE");
    const noVolume = await sqlError(fx.session, "COPY INTO main.s.err FROM '/Volumes/main/s/nope/x' FILEFORMAT = PARQUET");
    expect(noVolume.message).toContain("VOLUME_NOT_FOUND");
    const noFile = await sqlError(fx.session, "COPY INTO main.s.err FROM '/Volumes/main/s/v/q/3' FILEFORMAT = PARQUET FILES = ('missing.parquet')");
    expect(noFile.message).toContain("PATH_NOT_FOUND");
    const escape = await sqlError(fx.session, "COPY INTO main.s.err FROM '/Volumes/main/s/v/q/3' FILEFORMAT = PARQUET FILES = ('../../x.parquet')");
    expect(escape.message).toContain("INVALID_PARAMETER_VALUE");
  });
});

describe("volumes and COPY INTO across a restart", () => {
  it("keep the volume's files and the record of loaded files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lw-restart-"));
    const database = join(dir, "wh.duckdb");
    const writer = await FileWriter.open();
    const copy = "COPY INTO main.default.t FROM '/Volumes/main/default/stage' FILEFORMAT = PARQUET";
    try {
      let warehouse = await startLocalWarehouse({ port: 0, database });
      let client = await connectClient(warehouse);
      let session = await client.openSession();
      await sql(session, "CREATE VOLUME stage");
      await sql(session, "CREATE TABLE t (a BIGINT)");
      await upload(warehouse, "/Volumes/main/default/stage/p.parquet", await writer.bytes("SELECT 42 AS a"));
      expect((await sql(session, copy))[0]!.num_inserted_rows).toBe(1);
      await session.close();
      await client.close();
      await warehouse.close();
      // What an upload cut short by a crash leaves behind is cleared at start.
      writeFileSync(join(`${database}.volumes`, ".uploads", "torn-upload"), "partial");

      warehouse = await startLocalWarehouse({ port: 0, database });
      expect(readdirSync(join(`${database}.volumes`, ".uploads"))).toEqual([]);
      client = await connectClient(warehouse);
      session = await client.openSession();
      try {
        expect(await sql(session, "SHOW VOLUMES")).toEqual([{ database: "default", volumeName: "stage" }]);
        const head = await fetch(`http://127.0.0.1:${warehouse.port}/api/2.0/fs/files/Volumes/main/default/stage/p.parquet`, {
          method: "HEAD",
          headers: { authorization: `Bearer ${warehouse.token}` },
        });
        expect(head.status).toBe(200);
        expect((await sql(session, copy))[0]!.num_inserted_rows).toBe(0);
        expect(await sql(session, "SELECT a FROM t")).toEqual([{ a: 42 }]);
        // A table dropped and created again is a new table: it loads the file again.
        await sql(session, "DROP TABLE t");
        await sql(session, "CREATE TABLE t (a BIGINT)");
        expect((await sql(session, copy))[0]!.num_inserted_rows).toBe(1);
      } finally {
        await session.close();
        await client.close();
        await warehouse.close();
      }
    } finally {
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
