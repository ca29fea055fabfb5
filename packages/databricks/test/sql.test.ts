import { ArrayType, CaseInsensitiveOptions, DecimalType, DoubleType, LongType, MapType, StringType, StructField, StructType, TimestampType, BooleanType, DateType } from "@macrometa-spark/core";
import { describe, expect, it } from "vitest";
import { DatabricksError, statementKind, wrapDriverError } from "../src/errors.js";
import { quoteIdent, resolveTableName, splitMultipartName, checkColumnName } from "../src/identifiers.js";
import { parseWriteOptions, parseReadOptions } from "../src/options.js";
import { createTableSql, insertStatements } from "../src/sql.js";
import { mergeSql } from "../src/sql-apply.js";
import { decimalText, literal, parameterValue, parseDatabricksType, sqlType, stringLiteral, toDeltaSchema } from "../src/sql-types.js";

const nested = new StructType([
  new StructField("id", LongType, false),
  new StructField("tags", new ArrayType(StringType)),
  new StructField("addr", new StructType([new StructField("city", StringType), new StructField("geo", new ArrayType(DoubleType))])),
  new StructField("attrs", new MapType(StringType, LongType)),
  new StructField("price", new DecimalType(12, 2)),
]);

describe("identifiers", () => {
  it("quotes by doubling backticks", () => {
    expect(quoteIdent("a`b")).toBe("`a``b`");
    expect(quoteIdent("x`; DROP TABLE y; --")).toBe("`x``; DROP TABLE y; --`");
  });
  it("splits 1-, 2- and 3-part names, honouring backticks", () => {
    expect(splitMultipartName("c.s.t", "table")).toEqual(["c", "s", "t"]);
    expect(splitMultipartName("`a``b`.t", "table")).toEqual(["a`b", "t"]);
    expect(resolveTableName("t", "main", "sales")).toEqual({ catalog: "main", schema: "sales", table: "t" });
    expect(resolveTableName("s.t", undefined, undefined)).toEqual({ schema: "s", table: "t" });
  });
  it("refuses UC-illegal names and conflicting parts, naming the option", () => {
    expect(() => resolveTableName("a b", undefined, undefined)).toThrow(/option 'table'.*spaces/);
    expect(() => resolveTableName("a/b", undefined, undefined)).toThrow(/option 'table'/);
    expect(() => resolveTableName("a.b.c.d", undefined, undefined)).toThrow(/4 parts/);
    expect(() => resolveTableName("x.t", undefined, "y")).toThrow(/option 'schema'/);
    expect(() => resolveTableName("`unterminated", undefined, undefined)).toThrow(/unterminated/);
  });
  it("refuses or renames Delta-invalid column names", () => {
    expect(() => checkColumnName("a b", "refuse")).toThrow(/columnNameMode=rename/);
    expect(checkColumnName("a b;c=(d)", "rename")).toBe("a_b_c__d_");
    expect(checkColumnName("ok`name", "refuse")).toBe("ok`name");
    const s = toDeltaSchema(new StructType([new StructField("x", new StructType([new StructField("in ner", LongType)]))]), "rename");
    expect(sqlType(s)).toBe("STRUCT<`x`: STRUCT<`in_ner`: BIGINT>>");
    expect(() => toDeltaSchema(new StructType([new StructField("a b", LongType), new StructField("a_b", LongType)]), "rename")).toThrow(/same Delta column/);
  });
});

describe("types and literals", () => {
  it("renders nested DDL", () => {
    expect(createTableSql({ table: { schema: "s", table: "t" }, fields: nested.fields, ifNotExists: true })).toBe(
      "CREATE TABLE IF NOT EXISTS `s`.`t` (`id` BIGINT NOT NULL, `tags` ARRAY<STRING>, `addr` STRUCT<`city`: STRING, `geo`: ARRAY<DOUBLE>>, `attrs` MAP<STRING, BIGINT>, `price` DECIMAL(12,2)) USING DELTA",
    );
  });
  it("escapes backslashes and quotes the Databricks way", () => {
    expect(stringLiteral("it's")).toBe("'it\\'s'");
    expect(stringLiteral("a\\'; DROP TABLE t; --")).toBe("'a\\\\\\'; DROP TABLE t; --'");
    expect(stringLiteral("end\\")).toBe("'end\\\\'");
  });
  it("renders nested literals and validates scalars", () => {
    expect(literal([1, ["x", "y'"], ["NYC", [1.5, 2]], { k: 3 }, "12.30"], nested, "row")).toBe(
      "named_struct('id', 1, 'tags', array('x', 'y\\''), 'addr', named_struct('city', 'NYC', 'geo', array(1.5E0, 2E0)), 'attrs', map('k', 3), 'price', CAST('12.30' AS DECIMAL(12,2)))",
    );
    expect(() => literal("1; DROP TABLE t", LongType, "id")).toThrow(/column "id".*not a valid bigint/);
    expect(() => literal("1e3); --", new DecimalType(10, 2), "p")).toThrow(/not a valid decimal/);
    expect(() => literal("yes", BooleanType, "b")).toThrow(/not a valid boolean/);
    expect(literal(2n ** 62n, LongType, "x")).toBe("4611686018427387904");
    expect(() => literal(2n ** 63n, LongType, "x")).toThrow(/out of range/);
    expect(literal(NaN, DoubleType, "d")).toBe("CAST('NaN' AS DOUBLE)");
    expect(literal("2024-03-01T10:00:00.123456+02:00", TimestampType, "ts")).toBe("TIMESTAMP '2024-03-01 08:00:00.123456Z'");
    expect(literal(new Date(Date.UTC(2024, 0, 2)), DateType, "d")).toBe("DATE '2024-01-02'");
  });
  it("refuses impossible dates and times instead of rolling them over (literals and parameters)", () => {
    const render = { literals: literal, parameters: parameterValue };
    for (const [strategy, f] of Object.entries(render)) {
      expect(() => f("2024-02-30T10:00:00Z", TimestampType, "ts"), strategy).toThrow(/column "ts": "2024-02-30T10:00:00Z" is not a valid timestamp \(no such day\)/);
      expect(() => f("2024-02-30 10:00:00+02:00", TimestampType, "ts"), strategy).toThrow(/no such day/);
      expect(() => f("2023-02-29", TimestampType, "ts"), strategy).toThrow(/no such day/);
      expect(() => f("2024-04-31T00:00:00", TimestampType, "ts"), strategy).toThrow(/no such day/);
      expect(() => f("2024-13-01T00:00:00Z", TimestampType, "ts"), strategy).toThrow(/no such day/);
      expect(() => f("2024-01-01T24:00:00Z", TimestampType, "ts"), strategy).toThrow(/no such time of day/);
      expect(() => f("2023-02-29", DateType, "d"), strategy).toThrow(/column "d": "2023-02-29" is not a valid date \(no such day\)/);
      expect(() => f("1900-02-29", DateType, "d"), strategy).toThrow(/no such day/);
      expect(() => f("2024-06-00", DateType, "d"), strategy).toThrow(/no such day/);
    }
    // Real days still pass, including leap days and an offset that crosses midnight.
    expect(literal("2024-02-29", DateType, "d")).toBe("DATE '2024-02-29'");
    expect(parameterValue("2000-02-29", DateType, "d")).toBe("2000-02-29");
    expect(literal("2024-03-01T01:00:00+02:00", TimestampType, "ts")).toBe("TIMESTAMP '2024-02-29 23:00:00Z'");
    expect(parameterValue("2024-12-31T23:59:59Z", TimestampType, "ts")).toBe("2024-12-31 23:59:59Z");
  });

  it("expands decimal exponents into plain digits exactly (literals and parameters)", () => {
    const t = new DecimalType(10, 4);
    expect(literal("1.5e-3", t, "p")).toBe("CAST('0.0015' AS DECIMAL(10,4))");
    expect(parameterValue("1.5e-3", t, "p")).toBe("0.0015");
    expect(parameterValue("-2.5E+3", t, "p")).toBe("-2500");
    expect(parameterValue("12345678901234567890123e-20", new DecimalType(38, 20), "p")).toBe("123.45678901234567890123");
    expect(decimalText(".5e1", t, "p")).toBe("5");
    expect(decimalText("0.000e2", t, "p")).toBe("0.0");
    expect(decimalText(1e-7, t, "p")).toBe("0.0000001");
    expect(decimalText(1.5e21, new DecimalType(38, 0), "p")).toBe("1500000000000000000000");
    expect(decimalText("12.30", t, "p")).toBe("12.30");
    expect(() => decimalText("1e999999", t, "p")).toThrow(/exponent out of range/);
  });

  it("parses Databricks type names", () => {
    expect(parseDatabricksType("array<struct<a:int,b:string>>").simpleString()).toBe("array<struct<a:int,b:string>>");
    expect(parseDatabricksType("STRUCT<`a b`: BIGINT NOT NULL, c: MAP<STRING, DECIMAL(10,2)>>").simpleString()).toBe("struct<a b:bigint,c:map<string,decimal(10,2)>>");
    expect(() => parseDatabricksType("interval", "x")).toThrow(/column "x"/);
  });
});

describe("insert batching", () => {
  const schema = new StructType([new StructField("id", LongType), new StructField("name", StringType), new StructField("tags", new ArrayType(StringType))]);
  const rows = Array.from({ length: 300 }, (_, i) => [i, i % 7 === 0 ? null : `n${i}`, ["a"]]);
  it("keeps named parameters within the cap and NULLs as literals", () => {
    const stmts = [...insertStatements({ table: "t" }, schema, rows, "parameters", { maxStatementBytes: 1 << 20, maxParameters: 256 })];
    expect(stmts.reduce((n, s) => n + s.rowCount, 0)).toBe(300);
    for (const s of stmts) {
      expect(Object.keys(s.params ?? {}).length).toBeLessThanOrEqual(256);
      for (const name of Object.keys(s.params ?? {})) expect(s.sql).toContain(`:${name}`);
    }
    expect(stmts[0]!.sql).toContain("(:p_0_0, NULL, array('a'))");
    expect(stmts.length).toBeGreaterThan(1);
  });
  it("keeps literal statements within the byte budget", () => {
    const stmts = [...insertStatements({ table: "t" }, schema, rows, "literals", { maxStatementBytes: 2048, maxParameters: 256 }, { start: 10n })];
    expect(stmts.reduce((n, s) => n + s.rowCount, 0)).toBe(300);
    for (const s of stmts) expect(Buffer.byteLength(s.sql)).toBeLessThanOrEqual(2048);
    expect(stmts[0]!.sql).toContain("(0, NULL, array('a'), 10)");
  });
});

describe("merge", () => {
  it("dedupes by the keys, deletes flagged rows and never inserts them", () => {
    const sql = mergeSql({ target: { table: "t" }, source: { stages: [{ table: "s1" }] }, columns: ["id", "v", "_delete"], keys: ["id"], deleteFlag: "_delete", metadata: { ingestedAt: false } });
    expect(sql).toContain("ROW_NUMBER() OVER (PARTITION BY `id` ORDER BY `_mm_seq` DESC)");
    expect(sql).toContain("WHEN MATCHED AND coalesce(`__mm_s`.`_delete`, FALSE) THEN DELETE");
    expect(sql).toContain("WHEN NOT MATCHED AND NOT coalesce(`__mm_s`.`_delete`, FALSE) THEN INSERT (`id`, `v`) VALUES (`__mm_s`.`id`, `__mm_s`.`v`)");
  });
});

describe("options and errors", () => {
  const base = { host: "localhost", httpPath: "/sql/1.0/warehouses/x", token: "dapi-secret-123", table: "s.t" };
  it("validates options up front, naming them", () => {
    expect(() => parseWriteOptions(new CaseInsensitiveOptions({ ...base, host: "https://x" }))).toThrow(/option 'host'/);
    expect(() => parseWriteOptions(new CaseInsensitiveOptions({ ...base, host: "adb.example.com", useTls: false }))).toThrow(/option 'useTls'/);
    expect(() => parseWriteOptions(new CaseInsensitiveOptions({ ...base, clientId: "x" }))).toThrow(/option 'token'/);
    expect(() => parseWriteOptions(new CaseInsensitiveOptions({ ...base, deleteFlagColumn: "_d" }))).toThrow(/option 'deleteFlagColumn'/);
    expect(() => parseWriteOptions(new CaseInsensitiveOptions({ ...base, insertStrategy: "fast" }))).toThrow(/option 'insertStrategy'/);
    expect(() => parseWriteOptions(new CaseInsensitiveOptions({ ...base, bogus: 1 }))).toThrow(/option 'bogus'/);
    const w = parseWriteOptions(new CaseInsensitiveOptions({ ...base, mergeKeys: "id, k" }));
    expect(w.mergeKeys).toEqual(["id", "k"]);
    expect(w.commitsTable).toEqual({ schema: "s", table: "_mm_commits" });
    expect(() => parseReadOptions(new CaseInsensitiveOptions({ ...base, query: "SELECT 1" }))).toThrow(/exactly one/);
  });
  it("wraps driver errors with statement kind and sqlState and scrubs the token", () => {
    const statusLike = { name: "OperationStateError", message: "bad thing dapi-secret-123", errorCode: "ERROR", response: { sqlState: "42P01" } };
    const e = wrapDriverError(statusLike, statementKind("  MERGE INTO x"), {}, ["dapi-secret-123"]);
    expect(e).toBeInstanceOf(DatabricksError);
    expect(e.sqlState).toBe("42P01");
    expect(e.statementKind).toBe("MERGE");
    expect(e.message).not.toContain("dapi-secret-123");
    const auth = wrapDriverError({ statusCode: 401, message: "Received a response with a bad HTTP status code: 401" }, "OPEN SESSION");
    expect(auth.code).toBe("DATABRICKS_AUTH");
    expect(wrapDriverError({ statusCode: 503, message: "x" }, "SELECT").retryable).toBe(true);
    expect(statementKind("INSERT OVERWRITE TABLE t SELECT 1")).toBe("INSERT OVERWRITE");
  });
});
