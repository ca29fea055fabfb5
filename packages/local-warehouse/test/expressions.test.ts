/**
 * Expressions translated from a tree (src/sql/expression-parser.ts, expression-render.ts), through the
 * real driver. Each expected value is the one Spark gives; the sources are
 * - the operator precedence table: https://spark.apache.org/docs/latest/sql-ref-operators.html
 * - the built-in function reference: https://spark.apache.org/docs/latest/api/sql/index.html
 * - the grammar: sql/api/src/main/antlr4/org/apache/spark/sql/catalyst/parser/SqlBaseParser.g4
 *   (`booleanExpression`, `predicate`, `valueExpression`, `stringLit+`).
 */
import { describe, expect, it } from "vitest";
import { sql, sqlError, useWarehouseSession } from "./client.js";

const ws = useWarehouseSession();

const value = async (expr: string): Promise<unknown> => (await sql(ws.session, `SELECT ${expr} AS v`))[0]!["v"];

describe("precedence as in Spark's grammar", () => {
  it.each([
    // `*` binds tighter than `+`; AND tighter than OR.
    ["2 + 3 * 4", 14],
    ["true OR false AND false", true],
    // NOT takes a whole comparison: NOT (1 = 2), not (NOT 1) = 2.
    ["NOT 1 = 2", true],
    // NOT stops at AND: (NOT false) AND false.
    ["NOT false AND false", false],
    // A predicate applies to the whole value expression, the comparison included: (1 = 1) IS NULL.
    ["1 = 1 IS NULL", false],
    // BETWEEN's bounds stop at AND; the next AND joins the whole predicate.
    ["2 BETWEEN 1 AND 3 AND false", false],
    ["NOT 1 BETWEEN 2 AND 3", true],
    // Unary minus binds tighter than `*` and `/`.
    ["-2 * 3", -6],
    ["- (2 + 3) * 2", -10],
    // `^` is bitwise XOR in Spark (DuckDB reads it as a power): the reference gives 3 ^ 5 = 6.
    ["3 ^ 5", 6],
    ["3 | 5", 7],
    ["3 & 5", 1],
    // `div` truncates towards zero and returns BIGINT: 3 div 2 = 1 in the reference.
    ["3 div 2", 1],
    ["-7 div 2", -3],
    ["CASE WHEN 1 > 0 THEN 1 ELSE 2 END + 1", 2],
  ])("%s is %s", async (expr, expected) => {
    expect(await value(expr)).toEqual(expected);
  });

  it("keeps a long OR chain flat and correct", async () => {
    const chain = Array.from({ length: 2000 }, (_, k) => `${k} = 1999`).join(" OR ");
    expect(await value(chain)).toBe(true);
  });
});

describe("ANSI division checks the real dividend", () => {
  it("fails a product divided by zero, and gives NULL when the product is NULL", async () => {
    for (const expr of ["2 * 3 / 0", "abs(-4) / (1 - 1)", "array(1, 2)[1] / 0", "(1 + 1) % 0", "2 * 3 div 0"]) {
      const err = await sqlError(ws.session, `SELECT ${expr}`);
      expect(err.message, expr).toMatch(/^\[DIVIDE_BY_ZERO\]/);
      expect(err.sqlState, expr).toBe("22012");
    }
    // Spark evaluates the dividend first: NULL * 2 is NULL, and NULL / 0 is NULL.
    expect(await value("CAST(NULL AS INT) * 2 / 0")).toBeNull();
    expect(await value("upper(CAST(NULL AS STRING)) || 'x'")).toBeNull();
    expect(await value("12 / 2 / 3")).toBe(2);
  });
});

describe("postfix operators inside any expression", () => {
  it("counts array subscripts from 0 inside calls and chains them", async () => {
    expect(await value("abs(array(-1, 2)[0])")).toBe(1);
    expect(await value("array(array(1, 2), array(3))[1][0]")).toBe(3);
    expect(await value("array(named_struct('a', 5))[0].a")).toBe(5);
    expect(await value("named_struct('s', named_struct('t', 'deep')).s.t")).toBe("deep");
    expect(await value("map('k', array(7, 8))['k'][1]")).toBe(8);
    const err = await sqlError(ws.session, "SELECT upper(array('a')[1])");
    expect(err.message).toMatch(/^\[INVALID_ARRAY_INDEX\]/);
  });

  it("casts with `::` as CAST does: fractions truncate, malformed text fails", async () => {
    expect(await value("2.7::int")).toBe(2);
    expect(await value("'12'::bigint + 1")).toBe(13);
    expect((await sqlError(ws.session, "SELECT 'x'::int")).message).toMatch(/^\[CAST_INVALID_INPUT\]/);
  });
});

describe("predicates with Spark's meaning", () => {
  it("escapes LIKE patterns with a backslash by default, and honours ESCAPE", async () => {
    // "escape: ... The default escape character is the '\'" (like, in the function reference).
    expect(await value("'a_c' LIKE 'a\\\\_c'")).toBe(true);
    expect(await value("'abc' LIKE 'a\\\\_c'")).toBe(false);
    expect(await value("'a%c' LIKE 'a/%c' ESCAPE '/'")).toBe(true);
    expect(await value("'ABC' ILIKE 'a%'")).toBe(true);
    expect(await value("'abc' NOT LIKE 'b%'")).toBe(true);
    expect(await value("'%SystemDrive%\\\\Users\\\\John' RLIKE '%SystemDrive%\\\\\\\\Users.*'")).toBe(true);
    expect((await sqlError(ws.session, "SELECT 'a' LIKE 'a' ESCAPE 'xy'")).message).toMatch(/^\[INVALID_ESCAPE_CHAR\]/);
  });

  it("reads IS [NOT] TRUE/FALSE/UNKNOWN and IS [NOT] DISTINCT FROM without NULL results", async () => {
    expect(await value("CAST(NULL AS BOOLEAN) IS TRUE")).toBe(false);
    expect(await value("CAST(NULL AS BOOLEAN) IS NOT FALSE")).toBe(true);
    expect(await value("CAST(NULL AS BOOLEAN) IS UNKNOWN")).toBe(true);
    expect(await value("NULL IS NOT DISTINCT FROM NULL")).toBe(true);
    expect(await value("1 <=> NULL")).toBe(false);
  });

  it("takes IN lists, IN subqueries and EXISTS", async () => {
    expect(await value("2 IN (1, 2)")).toBe(true);
    expect(await value("3 NOT IN (1, 2)")).toBe(true);
    expect(await value("2 IN (SELECT 2)")).toBe(true);
    expect(await value("EXISTS (SELECT 1 WHERE false)")).toBe(false);
  });
});

describe("literal and call forms the grammar allows", () => {
  it("joins adjacent string literals", async () => {
    expect(await value("'Spark' ' ' 'SQL'")).toBe("Spark SQL");
  });

  it.each([
    // Examples from the function reference.
    ["trim(BOTH 'SL' FROM 'SSparkSQLS')", "parkSQ"],
    ["trim(LEADING 'SL' FROM 'SSparkSQLS')", "parkSQLS"],
    ["trim(TRAILING 'SL' FROM 'SSparkSQLS')", "SSparkSQ"],
    ["trim(BOTH FROM '  SparkSQL   ')", "SparkSQL"],
    ["position('bar' IN 'foobarbar')", 4],
    ["substring('Spark SQL' FROM 5 FOR 1)", "k"],
    ["substring('Spark SQL' FROM -3)", "SQL"],
    ["extract(YEAR FROM TIMESTAMP '2019-08-12 01:00:00.123456')", 2019],
    ["extract(week FROM TIMESTAMP '2019-08-12 01:00:00.123456')", 33],
    ["extract(doy FROM DATE '2019-08-12')", "unsupported"],
    ["transform(array(1, 2, 3), x -> x + 1)", [2, 3, 4]],
    ["transform(array(1, 2, 3), (x, i) -> x + i)", [1, 3, 5]],
    ["filter(array(1, 2, 3), x -> x % 2 == 1)", [1, 3]],
    ["filter(array(0, 2, 3), (x, i) -> x > i)", [2, 3]],
    ["transform(array(named_struct('a', 1)), s -> s.a * 10)", [10]],
    // exists/forall/aggregate: the Spark SQL function reference's examples (https://spark.apache.org/docs/latest/api/sql/).
    ["exists(array(1, 2, 3), x -> x % 2 == 0)", true],
    ["exists(array(1, 2, 3), x -> x % 2 == 10)", false],
    ["exists(array(1, null, 3), x -> x % 2 == 0)", null],
    ["exists(array(0, null, 2, 3, null), x -> x IS NULL)", true],
    ["forall(array(1, 2, 3), x -> x % 2 == 0)", false],
    ["forall(array(2, 4, 8), x -> x % 2 == 0)", true],
    ["forall(array(1, null, 3), x -> x % 2 == 0)", false],
    ["forall(array(2, null, 8), x -> x % 2 == 0)", null],
    ["aggregate(array(1, 2, 3), 0, (acc, x) -> acc + x)", 6],
    ["aggregate(array(1, 2, 3), 0, (acc, x) -> acc + x, acc -> acc * 10)", 60],
    ["reduce(array(1, 2, 3), 0, (acc, x) -> acc + x)", 6],
  ])("%s is %s", async (expr, expected) => {
    if (expected === "unsupported") {
      expect((await sqlError(ws.session, `SELECT ${expr}`)).message).toMatch(/^\[UNSUPPORTED_FEATURE\]/);
      return;
    }
    expect(await value(expr)).toEqual(expected);
  });

  it("gives EXTRACT(SECOND) as a decimal with the fraction, as Spark does", async () => {
    // extract(seconds FROM timestamp'2019-10-01 00:00:01.000001') is 1.000001 in the reference.
    const [row] = await sql(ws.session, "SELECT extract(SECONDS FROM TIMESTAMP '2019-10-01 00:00:01.000001') AS v");
    expect(Number(row!["v"])).toBeCloseTo(1.000001, 6);
  });

  it("adds interval literals with several units", async () => {
    expect(await value("CAST(TIMESTAMP '2024-01-01 00:00:00' + INTERVAL 1 DAY 2 HOURS AS STRING)")).toBe("2024-01-02 02:00:00");
    expect(await value("DATE '2024-01-31' + INTERVAL '1' MONTH")).toEqual(new Date("2024-02-29T00:00:00Z"));
  });
});

describe("what the translator refuses, with Databricks' errors", () => {
  it.each([
    ["upper(no_such_function(1))", /^\[UNRESOLVED_ROUTINE\]/],
    ["zip_with(array(1), array(2), (x, y) -> x + y)", /^\[UNSUPPORTED_FEATURE\]/],
    ["exists(array(1), (x, i) -> x > i)", /^\[INVALID_LAMBDA_FUNCTION_CALL/],
    ["first(1) IGNORE NULLS", /^\[UNSUPPORTED_FEATURE\]/],
    ["transform(array(1), 5)", /^\[INVALID_LAMBDA_FUNCTION_CALL/],
    ["CAST(1 INT)", /^\[PARSE_SYNTAX_ERROR\]/],
    ["INTERVAL '1-2' YEAR TO MONTH", /^\[UNSUPPORTED_FEATURE\]/],
  ])("%s", async (expr, pattern) => {
    expect((await sqlError(ws.session, `SELECT ${expr}`)).message).toMatch(pattern);
  });
});

describe("statements around the expressions", () => {
  it("updates with expressions on the right of SET and a compound WHERE", async () => {
    await sql(ws.session, "CREATE TABLE expr_update (id BIGINT, qty INT, tags ARRAY<STRING>, note STRING)");
    await sql(ws.session, "INSERT INTO expr_update VALUES (1, 4, array('a', 'b'), 'abc'), (2, 9, array('c'), 'x_y'), (3, 1, array(), 'xzy')");
    await sql(ws.session, "UPDATE expr_update SET qty = qty * 10 / 2, note = concat(tags[0], '!') WHERE id IN (1, 2) AND NOT note LIKE 'x\\\\_%'");
    const rows = await sql(ws.session, "SELECT id, qty, note FROM expr_update ORDER BY id");
    // Row 2's note is 'x_y', which the escaped pattern matches, so only row 1 changes.
    expect(rows).toEqual([
      { id: 1, qty: 20, note: "a!" },
      { id: 2, qty: 9, note: "x_y" },
      { id: 3, qty: 1, note: "xzy" },
    ]);
  });

  it("selects * EXCEPT (columns), as Databricks SQL allows", async () => {
    // https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-qry-select.html (star clause)
    const rows = await sql(ws.session, "SELECT * EXCEPT (c2) FROM VALUES (1, 2, 3) AS t(c1, c2, c3)");
    expect(rows).toEqual([{ c1: 1, c3: 3 }]);
  });

  it("runs window functions with FILTER and frames, and grouping", async () => {
    const rows = await sql(
      ws.session,
      `SELECT k, v, sum(v) OVER (PARTITION BY k ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
              count(v) FILTER (WHERE v > 1) OVER (PARTITION BY k) AS big
       FROM VALUES ('a', 1), ('a', 2), ('b', 3) AS t(k, v) ORDER BY k, v`,
    );
    expect(rows).toEqual([
      { k: "a", v: 1, running: 1, big: 1 },
      { k: "a", v: 2, running: 3, big: 1 },
      { k: "b", v: 3, running: 3, big: 1 },
    ]);
  });
});

describe("inline tables and quantified LIKE", () => {
  it("names an inline table's columns col1, col2, … as Spark does, with or without parentheses", async () => {
    // "VALUES ... If no column aliases are given, the columns are named col1, col2, ..."
    // (https://spark.apache.org/docs/latest/sql-ref-syntax-qry-select-inline-table.html)
    expect(await sql(ws.session, "SELECT * FROM VALUES (1, 'a'), (2, 'b') ORDER BY col1")).toEqual([
      { col1: 1, col2: "a" },
      { col1: 2, col2: "b" },
    ]);
    expect(await sql(ws.session, "VALUES (7, 8)")).toEqual([{ col1: 7, col2: 8 }]);
    expect(await sql(ws.session, "SELECT count(*) AS n, sum(col1) AS s FROM VALUES 1, 2, 3")).toEqual([{ n: 3, s: 6 }]);
    expect(await sql(ws.session, "SELECT * FROM (VALUES (1, 2)) ORDER BY 1")).toEqual([{ col1: 1, col2: 2 }]);
    expect(await sql(ws.session, "SELECT t.x FROM VALUES (5) AS t(x)")).toEqual([{ x: 5 }]);
  });

  it("reads LIKE ANY / ALL and refuses an escape before an ordinary character", async () => {
    expect(await value("'google' LIKE ANY ('%oo%', 'x%')")).toBe(true);
    expect(await value("'google' LIKE ALL ('%oo%', 'x%')")).toBe(false);
    expect(await value("'google' NOT LIKE ANY ('%oo%', 'x%')")).toBe(true);
    // No pattern matches and one is NULL: the result is NULL, as with OR.
    expect(await value("'google' LIKE ANY ('x%', NULL)")).toBeNull();
    const err = await sqlError(ws.session, "SELECT 'maca' LIKE 'm%aca' ESCAPE '%'");
    expect(err.message).toMatch(/^\[INVALID_FORMAT\.ESC_IN_THE_MIDDLE\]/);
    expect(err.sqlState).toBe("42601");
    expect((await sqlError(ws.session, "SELECT 'a' LIKE 'a\\\\'")).message).toMatch(/^\[INVALID_FORMAT\.ESC_AT_THE_END\]/);
  });

  it("types cast errors as Spark does", async () => {
    // Spark refuses CAST(int AS BINARY) while analysing (DATATYPE_MISMATCH, 42K09); a number that does
    // not fit DECIMAL(4,2) is NUMERIC_VALUE_OUT_OF_RANGE (22003), not malformed input.
    expect((await sqlError(ws.session, "SELECT CAST(123 AS BINARY)")).sqlState).toBe("42K09");
    const range = await sqlError(ws.session, "SELECT CAST('123.45' AS DECIMAL(4, 2))");
    expect(range.message).toMatch(/^\[NUMERIC_VALUE_OUT_OF_RANGE\]/);
    expect((await sqlError(ws.session, "SELECT CAST('12x' AS DECIMAL(4, 2))")).message).toMatch(/^\[CAST_INVALID_INPUT\]/);
  });
});

describe("names of unaliased columns", () => {
  it("names them as Spark does, so a driver row has Databricks' keys", async () => {
    // The `-- !query schema` lines of sql-tests/results/ansi/string-functions.sql.out (apache/spark
    // cf1a80e): struct<concat(concat(a, b), c):string>, struct<replace(abc, b, 123):string>,
    // struct<contains(NULL, Spark):boolean>, struct<substr(Spark SQL, 5, 1):string>.
    const [row] = await sql(
      ws.session,
      "SELECT 'a' || 'b' || 'c', replace('abc', 'b', '123'), CONTAINS(null, 'Spark'), substr('Spark SQL', 5, 1), 1 + 2, CAST('7' AS INT), upper(x), 2 AS two, x FROM VALUES ('q') AS t(x)",
    );
    expect(row).toEqual({
      "concat(concat(a, b), c)": "abc",
      "replace(abc, b, 123)": "a123c",
      "contains(NULL, Spark)": null,
      "substr(Spark SQL, 5, 1)": "k",
      "(1 + 2)": 3,
      "CAST(7 AS INT)": 7,
      "upper(x)": "Q",
      two: 2,
      x: "q",
    });
    expect(await sql(ws.session, "SELECT count(*), max(x), a.x FROM VALUES ('q') AS a(x) GROUP BY a.x")).toEqual([{ "count(1)": 1, "max(x)": "q", x: "q" }]);
  });
});

describe("query forms Spark accepts and DuckDB spells differently", () => {
  it("reads LEFT SEMI/ANTI JOIN, MINUS, GROUP BY … WITH ROLLUP and a view's column list", async () => {
    await sql(ws.session, "CREATE OR REPLACE TEMPORARY VIEW qf(k, v) AS VALUES ('a', 1), ('b', 2), ('a', 3) tbl(x, y)");
    expect(await sql(ws.session, "SELECT k FROM qf LEFT SEMI JOIN VALUES ('a') AS o(k) USING (k) ORDER BY v")).toEqual([{ k: "a" }, { k: "a" }]);
    expect(await sql(ws.session, "SELECT k FROM qf LEFT ANTI JOIN VALUES ('a') AS o(k) USING (k)")).toEqual([{ k: "b" }]);
    expect(await sql(ws.session, "SELECT k FROM qf MINUS SELECT 'a'")).toEqual([{ k: "b" }]);
    expect(await sql(ws.session, "SELECT k, sum(v) AS s FROM qf GROUP BY k WITH ROLLUP ORDER BY k NULLS LAST")).toEqual([
      { k: "a", s: 4 },
      { k: "b", s: 2 },
      { k: null, s: 6 },
    ]);
  });

  it("names a column neither grouped nor aggregated MISSING_AGGREGATION (42803), as current Spark does", async () => {
    // common/utils/src/main/resources/error/error-conditions.json: MISSING_AGGREGATION, sqlState 42803.
    const err = await sqlError(ws.session, "SELECT a, count(*) FROM VALUES (1, 2) AS t(a, b) GROUP BY b");
    expect(err.message).toMatch(/^\[MISSING_AGGREGATION\]/);
    expect(err.sqlState).toBe("42803");
  });

  it("refuses rows of different widths in an inline table", async () => {
    const err = await sqlError(ws.session, "SELECT * FROM VALUES ('one', 2.0), ('two') AS data(a, b)");
    expect(err.message).toMatch(/^\[INVALID_INLINE_TABLE\.NUM_COLUMNS_MISMATCH\]/);
  });
});

describe("result types Spark gives", () => {
  it("types a sum of integers BIGINT and fails on its overflow; a literal past BIGINT is a DECIMAL", async () => {
    // Spark's Sum: integral inputs sum into a LongType, ANSI mode raises ARITHMETIC_OVERFLOW (Sum.scala);
    // an integer literal that does not fit a long is a BigDecimal literal (AstBuilder.visitIntegerLiteral).
    const op = await ws.session.executeStatement("SELECT sum(x) AS s FROM VALUES (1), (2) AS t(x)");
    const schema = await op.getSchema();
    await op.close();
    expect(schema?.columns?.[0]?.typeDesc.types[0]?.primitiveEntry?.type).toBe(4); // TTypeId.BIGINT_TYPE
    expect(await sql(ws.session, "SELECT sum(x) AS s FROM VALUES (1), (2) AS t(x)")).toEqual([{ s: 3 }]);
    const overflow = await sqlError(ws.session, "SELECT sum(x) FROM VALUES (9223372036854775807L), (1L) AS t(x)");
    expect(overflow.message).toMatch(/^\[ARITHMETIC_OVERFLOW\]/);
    expect(await value("9223372036854775808")).toBe(9223372036854775808);
  });
});
