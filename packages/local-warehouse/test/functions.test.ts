/**
 * Spark SQL meaning through the real driver: one test per row of the function table (its example and
 * the result the Spark SQL function reference documents, https://spark.apache.org/docs/latest/api/sql/),
 * and the operators where DuckDB's meaning differs from Spark's in ANSI mode (Databricks SQL default,
 * https://docs.databricks.com/en/sql/language-manual/sql-ref-ansi-compliance.html).
 */
import { describe, expect, it } from "vitest";
import { SPARK_FUNCTIONS } from "../src/sql/functions.js";
import { sql, sqlError, useWarehouseSession } from "./client.js";

const ws = useWarehouseSession();

const value = async (expr: string): Promise<unknown> => (await sql(ws.session, `SELECT ${expr} AS v`))[0]!["v"];

describe("the Spark function table", () => {
  it.each(Object.entries(SPARK_FUNCTIONS))("%s", async (_name, row) => {
    const [call, expected] = row.example;
    const got = await value(call);
    if (typeof expected === "number" && !Number.isInteger(expected)) expect(got).toBeCloseTo(expected, 12);
    else expect(got).toEqual(expected);
  });

  it("refuses a function it does not have with UNRESOLVED_ROUTINE, never DuckDB's meaning", async () => {
    // list_sum and strftime are DuckDB functions Spark does not have; initcap is a Spark one missing here.
    for (const call of ["list_sum(array(1, 2))", "strftime(current_date(), '%Y')", "initcap('spark sql')"]) {
      const err = await sqlError(ws.session, `SELECT ${call}`);
      expect(err.sqlState, call).toBe("42883");
      expect(err.message, call).toMatch(/^\[UNRESOLVED_ROUTINE\] Cannot resolve routine `\w+` on search path/);
    }
  });

  it("reads a table alias's column list as names, not a call (FROM range(3) AS r(id), Spark's table alias grammar)", async () => {
    const rows = await sql(ws.session, "SELECT sum(id) AS s FROM range(3) AS r(id)");
    expect(rows.map((r) => Number(r["s"]))).toEqual([3]);
  });

  it("checks argument counts as Spark does", async () => {
    const err = await sqlError(ws.session, "SELECT nvl(1)");
    expect(err.sqlState).toBe("42605");
    expect(err.message).toContain("[WRONG_NUM_ARGS.WITHOUT_SUGGESTION]");
  });

  it("refuses datetime patterns and options it cannot honour instead of guessing", async () => {
    expect((await sqlError(ws.session, "SELECT date_format(current_date(), 'Q')")).sqlState).toBe("0A000");
    expect((await sqlError(ws.session, "SELECT sha2('x', 512)")).sqlState).toBe("0A000");
  });

  it("rounds HALF_EVEN in bround on every numeric type, keeping the type (Spark SQL reference: bround(25, -1) is 20)", async () => {
    expect(await value("bround(25, -1)")).toBe(20);
    expect(await value("bround(35, -1)")).toBe(40);
    expect(await value("bround(-25, -1)")).toBe(-20);
    // A DOUBLE is rounded by its decimal text, as Spark's BigDecimal(Double.toString(x)) reads it: 0.125 is a tie.
    expect(await value("bround(0.125D, 2)")).toBe(0.12);
    expect(await value("bround(0.135D, 2)")).toBe(0.14);
    expect(await value("round(0.125D, 2)")).toBe(0.13);
    expect((await sqlError(ws.session, "SELECT bround(127Y, -1)")).message).toMatch(/^\[ARITHMETIC_OVERFLOW\]/);
  });

  it("pads by characters and compares binaries by whole bytes", async () => {
    expect(await value("lpad('héllo', 7, 'ü')")).toBe("üühéllo");
    expect(await value("rpad(x'aa', 3, x'01')")).toEqual(Buffer.from([0xaa, 0x01, 0x01]));
    // Bytes 1A 2B: the hex text 1A2B contains A2, the bytes do not.
    expect(await value("contains(x'1a2b', x'a2')")).toBe(false);
    expect(await value("contains(x'1a2b', x'2b')")).toBe(true);
    expect(await value("split('a,b,,', ',', 3)")).toEqual(["a", "b", ","]);
  });

  it("counts the tuples with no NULL member for count(a, b) and count(DISTINCT a, b)", async () => {
    // Spark's golden file group-by-filter.sql.out: COUNT(DISTINCT 2, 3) over rows is 1; a NULL member drops the tuple.
    const rows = await sql(ws.session, "SELECT count(a, b) AS n, count(DISTINCT a, b) AS d FROM VALUES (1, 1), (1, 1), (1, NULL), (2, 1) AS t(a, b)");
    expect(rows.map((r) => [Number(r["n"]), Number(r["d"])])).toEqual([[3, 2]]);
  });

  it("names nested types as Spark's typeof does", async () => {
    // Spark's DataType.simpleString / catalogString: array<int>, map<string,decimal(2,1)>, timestamp, void.
    expect(await value("typeof(array(array(1L)))")).toBe("array<array<bigint>>");
    expect(await value("typeof(map('a', 1.5))")).toBe("map<string,decimal(2,1)>");
    expect(await value("typeof(current_timestamp())")).toBe("timestamp");
    expect(await value("typeof(NULL)")).toBe("void");
  });

  it("reads any and some as aggregates without breaking LIKE ANY / LIKE SOME", async () => {
    // Spark SQL reference: any(expr)/some(expr) are bool_or; LIKE ANY (patterns) is a quantified LIKE.
    const rows = await sql(ws.session, "SELECT any(v) AS a, some(v) AS s, every(v) AS e FROM VALUES (true), (false), (NULL) AS t(v)");
    expect(rows).toEqual([{ a: true, s: true, e: false }]);
    expect(await value("'abc' LIKE ANY ('%b%', 'x')")).toBe(true);
    expect(await value("'abc' LIKE SOME ('x', 'y')")).toBe(false);
  });

  it("orders grouping_id's bits as Spark does: the first column is the highest bit", async () => {
    // Spark SQL reference, grouping_id: (grouping(c1) << (n-1)) + … + grouping(cn).
    const rows = await sql(ws.session, "SELECT a, b, grouping_id(a, b) AS g FROM VALUES (1, 2) AS t(a, b) GROUP BY CUBE(a, b) ORDER BY g");
    expect(rows.map((r) => [r["a"], r["b"], Number(r["g"])])).toEqual([[1, 2, 0], [1, null, 1], [null, 2, 2], [null, null, 3]]);
  });

  it("formats dates with Java patterns, including quoted text", async () => {
    expect(await value("date_format(TIMESTAMP '2024-03-05 07:08:09.123456', 'yyyy-MM-dd''T''HH:mm:ss.SSS')")).toBe("2024-03-05T07:08:09.123");
    expect(await value("date_format(DATE '2024-03-05', 'd MMM yy')")).toBe("5 Mar 24");
  });
});

describe("operators with Spark's meaning (ANSI mode)", () => {
  it("counts array subscripts from 0 and fails out of bounds with INVALID_ARRAY_INDEX", async () => {
    expect(await value("array(10, 20, 30)[0]")).toBe(10);
    expect(await value("array(10, 20, 30)[1 + 1]")).toBe(30);
    expect(await value("size(array(array(1), array(2, 3))[1])")).toBe(2);
    expect(await value("array(array(1), array(2, 3))[1][0]")).toBe(2);
    expect(await value("map('k', 5)['k']")).toBe(5);
    expect(await value("true AND (array(true, false))[0]")).toBe(true);
    expect(await value("named_struct('a', array(7, 8)).a[1]")).toBe(8);
    const err = await sqlError(ws.session, "SELECT array(1, 2)[2]");
    expect(err.sqlState).toBe("22003");
    expect(err.message).toMatch(/^\[INVALID_ARRAY_INDEX\]/);
  });

  it("fails a division by zero with DIVIDE_BY_ZERO (22012); try_divide gives NULL", async () => {
    for (const expr of ["1 / 0", "10 % (5 - 5)", "7 div 0", "1.5 / CAST(0 AS DOUBLE)", "mod(3, 0)"]) {
      const err = await sqlError(ws.session, `SELECT ${expr}`);
      expect(err.sqlState, expr).toBe("22012");
      expect(err.message, expr).toMatch(/^\[DIVIDE_BY_ZERO\] Division by zero/);
    }
    expect(await value("6 / 4 * 2")).toBe(3);
    expect(await value("try_divide(1, 0)")).toBeNull();
    expect(await value("CAST(NULL AS INT) / 2")).toBeNull();
    // Spark evaluates the dividend first: NULL / 0 is NULL, not an error.
    expect(await value("CAST(NULL AS INT) / 0")).toBeNull();
    expect(await value("(CAST(NULL AS INT) + 1) % 0")).toBeNull();
    expect(await value("CAST('7' AS INT) / (2 - 1)")).toBe(7);
    expect(await value("CASE WHEN true THEN 6 END / 3")).toBe(2);
    expect(await value("24 / 4 / 3")).toBe(2);
    expect((await sqlError(ws.session, "SELECT 24 / 4 / 0")).sqlState).toBe("22012");
  });

  it("gives NULL for concat with a NULL argument", async () => {
    expect(await value("concat('a', CAST(NULL AS STRING), 'b')")).toBeNull();
    expect(await value("'a' || 'b'")).toBe("ab");
  });

  it("takes substring positions as Spark does (0 and 1 both start at the first character)", async () => {
    expect(await value("substring('hello', 0, 2)")).toBe("he");
    expect(await value("substring('hello', 1, 2)")).toBe("he");
    expect(await value("substring('hello', -3, 2)")).toBe("ll");
    expect(await value("substring('hello', -10, 3)")).toBe("");
    expect(await value("substring('hello', 2)")).toBe("ello");
  });

  it("truncates when casting fractions to integers and refuses malformed text (CAST_INVALID_INPUT)", async () => {
    expect(await value("CAST(2.5 AS INT)")).toBe(2);
    expect(await value("CAST(-2.7 AS INT)")).toBe(-2);
    expect(await value("CAST(CAST(2.9 AS DOUBLE) AS BIGINT)")).toBe(2);
    expect(await value("CAST(' 42 ' AS INT)")).toBe(42);
    const malformed = await sqlError(ws.session, "SELECT CAST('2.5' AS INT)");
    expect(malformed.sqlState).toBe("22018");
    expect(malformed.message).toMatch(/^\[CAST_INVALID_INPUT\]/);
    const overflow = await sqlError(ws.session, "SELECT CAST(3e10 AS INT)");
    expect(overflow.sqlState).toBe("22003");
    expect(overflow.message).toMatch(/^\[CAST_OVERFLOW\]/);
  });

  it("truncates in TRY_CAST too, and gives NULL where CAST fails", async () => {
    expect(await value("try_cast(2.5 AS INT)")).toBe(2);
    expect(await value("try_cast(-2.7 AS BIGINT)")).toBe(-2);
    expect(await value("try_cast('2.5' AS INT)")).toBeNull();
    expect(await value("try_cast('x' AS INT)")).toBeNull();
    expect(await value("try_cast(' 12 ' AS SMALLINT)")).toBe(12);
    expect(await value("try_cast(3e10 AS INT)")).toBeNull();
  });

  it("prints timestamps as Spark does when cast to STRING", async () => {
    expect(await value("CAST(TIMESTAMP '2024-01-02 03:04:05.120' AS STRING)")).toBe("2024-01-02 03:04:05.12");
    expect(await value("CAST(TIMESTAMP '2024-01-02 03:04:05' AS STRING)")).toBe("2024-01-02 03:04:05");
    expect(await value("CAST(DATE '2024-01-02' AS STRING)")).toBe("2024-01-02");
  });

  it("reports overflow with Databricks' classes", async () => {
    const add = await sqlError(ws.session, "SELECT CAST(2147483647 AS INT) + CAST(1 AS INT)");
    expect(add.sqlState).toBe("22003");
    expect(add.message).toMatch(/^\[ARITHMETIC_OVERFLOW\]/);
    const dec = await sqlError(ws.session, "SELECT CAST(12345.6 AS DECIMAL(4, 1))");
    expect(dec.sqlState).toBe("22003");
    expect(dec.message).toMatch(/^\[NUMERIC_VALUE_OUT_OF_RANGE\]/);
  });
});
