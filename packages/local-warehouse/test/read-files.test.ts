/**
 * read_files(…) and parquet.`path` as table sources, through the real driver. Facts sheet §5:
 * read_files (docs.databricks.com/sql/language-manual/functions/read_files.html), the file-as-table
 * form (spark.apache.org/docs/latest/sql-ref-syntax-qry-select-file.html), and the Parquet → Spark
 * type mapping of Spark's ParquetSchemaConverter.
 */
import { describe, expect, it } from "vitest";
import { sql, sqlError } from "./client.js";
import { upload, useVolumeWarehouse } from "./volume-fixtures.js";

describe("read_files and parquet.`path`", () => {
  const fx = useVolumeWarehouse(async (v) => {
      await upload(v.warehouse, "/Volumes/main/s/v/q/run1/part-0-0.parquet", await v.writer.bytes("SELECT 1 AS a, 'one' AS b UNION ALL SELECT 2, 'two'"));
      await upload(v.warehouse, "/Volumes/main/s/v/q/run1/sub/part-1-0.parquet", await v.writer.bytes("SELECT 3 AS a, 'three' AS b"));
      await upload(v.warehouse, "/Volumes/main/s/v/q/run1/_committed", "{}");
  });

  it("reads a file, a directory (recursively) and a glob", async () => {
    const dir = await sql(fx.session, "SELECT a, b FROM read_files('/Volumes/main/s/v/q/run1', format => 'parquet') ORDER BY a");
    expect(dir).toEqual([
      { a: 1, b: "one" },
      { a: 2, b: "two" },
      { a: 3, b: "three" },
    ]);
    const file = await sql(fx.session, "SELECT count(*) AS n FROM read_files('dbfs:/Volumes/main/s/v/q/run1/part-0-0.parquet')");
    expect(file).toEqual([{ n: 2 }]);
    const glob = await sql(fx.session, "SELECT count(*) AS n FROM read_files('/Volumes/main/s/v/q/run1/part-*.parquet', format => 'parquet')");
    expect(glob).toEqual([{ n: 2 }]);
    const fileTable = await sql(fx.session, "SELECT max(a) AS m FROM parquet.`/Volumes/main/s/v/q/run1` AS src");
    expect(fileTable).toEqual([{ m: 3 }]);
    const joined = await sql(
      fx.session,
      "SELECT x.b FROM read_files('/Volumes/main/s/v/q/run1', format => 'parquet') x JOIN parquet.`/Volumes/main/s/v/q/run1/sub` y ON x.a = y.a",
    );
    expect(joined).toEqual([{ b: "three" }]);
  });

  it("maps Parquet types to Spark's", async () => {
    await upload(
      fx.warehouse,
      "/Volumes/main/s/v/types/t.parquet",
      await fx.writer.bytes(`SELECT 9007199254740993::BIGINT AS big, 7::INTEGER AS i, 12.34::DECIMAL(10,2) AS d, DATE '2024-02-29' AS dt,
        TIMESTAMPTZ '2024-01-01 10:00:00.123456+00' AS ts, [1, 2]::BIGINT[] AS arr, {'k': 'v'}::STRUCT(k VARCHAR) AS st,
        MAP {'x': 1} AS m, 'bin'::BLOB AS bin, 4000000000::UINTEGER AS u32, true AS flag, 1.5::DOUBLE AS dbl`),
    );
    await sql(fx.session, "CREATE TABLE main.s.typed AS SELECT * FROM read_files('/Volumes/main/s/v/types', format => 'parquet')");
    const described = await sql(fx.session, "DESCRIBE main.s.typed");
    expect(Object.fromEntries(described.map((r) => [r.col_name, r.data_type]))).toEqual({
      big: "bigint",
      i: "int",
      d: "decimal(10,2)",
      dt: "date",
      ts: "timestamp",
      arr: "array<bigint>",
      st: "struct<k:string>",
      m: "map<string,int>",
      bin: "binary",
      u32: "bigint",
      flag: "boolean",
      dbl: "double",
    });
    const [row] = await sql(fx.session, "SELECT CAST(big AS STRING) AS big, CAST(ts AS STRING) AS ts, u32, d FROM main.s.typed");
    expect(row).toEqual({ big: "9007199254740993", ts: "2024-01-01 10:00:00.123456", u32: 4000000000, d: 12.34 });

    await upload(fx.warehouse, "/Volumes/main/s/v/nanos/t.parquet", await fx.writer.bytes("SELECT TIMESTAMP_NS '2024-01-01 00:00:00.000000001' AS t"));
    const nanos = await sqlError(fx.session, "SELECT * FROM read_files('/Volumes/main/s/v/nanos', format => 'parquet')");
    expect(nanos.message).toContain("PARQUET_TYPE_ILLEGAL");
  });

  it("serves the sink's INSERT OVERWRITE and MERGE shapes", async () => {
    await sql(fx.session, "CREATE TABLE main.s.t (a BIGINT, b STRING)");
    await sql(fx.session, "INSERT INTO main.s.t VALUES (99, 'old')");
    const overwrite = await sql(
      fx.session,
      "INSERT OVERWRITE TABLE `main`.`s`.`t` (`a`, `b`) SELECT `a`, `b` FROM read_files('/Volumes/main/s/v/q/run1', format => 'parquet') AS `__mm_src`",
    );
    expect(overwrite[0]!.num_inserted_rows).toBe(3);
    expect(await sql(fx.session, "SELECT a FROM main.s.t ORDER BY a")).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);

    await upload(
      fx.warehouse,
      "/Volumes/main/s/v/q/7/part-0-0.parquet",
      await fx.writer.bytes(`SELECT * FROM (VALUES (1, 'uno', false, 1), (1, 'eins', false, 2), (2, NULL, true, 3), (5, 'five', false, 4)) v(k, b, _mm_deleted, _mm_seq)`),
    );
    const merged = await sql(
      fx.session,
      `MERGE INTO \`main\`.\`s\`.\`t\` AS \`__mm_t\` USING (SELECT \`k\`, \`b\`, \`_mm_deleted\` FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY \`k\` ORDER BY \`_mm_seq\` DESC) AS \`__mm_rn\`
         FROM read_files('/Volumes/main/s/v/q/7', format => 'parquet')) WHERE \`__mm_rn\` = 1) AS \`__mm_s\`
       ON \`__mm_t\`.\`a\` = \`__mm_s\`.\`k\`
       WHEN MATCHED AND \`__mm_s\`.\`_mm_deleted\` THEN DELETE
       WHEN MATCHED THEN UPDATE SET \`b\` = \`__mm_s\`.\`b\`
       WHEN NOT MATCHED AND NOT \`__mm_s\`.\`_mm_deleted\` THEN INSERT (\`a\`, \`b\`) VALUES (\`__mm_s\`.\`k\`, \`__mm_s\`.\`b\`)`,
    );
    expect(merged[0]).toMatchObject({ num_affected_rows: 3, num_updated_rows: 1, num_deleted_rows: 1, num_inserted_rows: 1 });
    expect(await sql(fx.session, "SELECT a, b FROM main.s.t ORDER BY a")).toEqual([
      { a: 1, b: "eins" },
      { a: 3, b: "three" },
      { a: 5, b: "five" },
    ]);
  });

  it("refuses unknown options, positional options, missing paths and paths outside volumes", async () => {
    const unknown = await sqlError(fx.session, "SELECT * FROM read_files('/Volumes/main/s/v/q/run1', format => 'parquet', colour => 'red')");
    expect(unknown.message).toContain("colour");
    const positional = await sqlError(fx.session, "SELECT * FROM read_files('/Volumes/main/s/v/q/run1', 'parquet')");
    expect(positional.message).toContain("by name");
    const missing = await sqlError(fx.session, "SELECT * FROM read_files('/Volumes/main/s/v/nothing', format => 'parquet')");
    expect(missing.message).toContain("PATH_NOT_FOUND");
    expect(missing.sqlState).toBe("42K03");
    const outside = await sqlError(fx.session, "SELECT * FROM read_files('/etc/passwd', format => 'csv')");
    expect(outside.message).toContain("INVALID_PARAMETER_VALUE");
    const noVolume = await sqlError(fx.session, "SELECT * FROM parquet.`/Volumes/main/s/absent/x`");
    expect(noVolume.message).toContain("VOLUME_NOT_FOUND");
  });
});
