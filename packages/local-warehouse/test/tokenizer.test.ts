import { describe, expect, it } from "vitest";
import { rewrite } from "../src/sql/dialect.js";
import { Parameters } from "../src/sql/parameters.js";
import { significant, splitStatements, tokenize } from "../src/sql/tokenizer.js";

const toDuck = (sql: string, params: { name: string; type: string; value: string }[] = []) =>
  rewrite(significant(tokenize(sql)), {
    catalogDb: (name) => (["main", "sales"].includes(name.toLowerCase()) ? `uc_${name.toLowerCase()}` : undefined),
    parameters: new Parameters(params.map((p) => ({ name: p.name, type: p.type, value: { stringValue: p.value } }))),
    currentCatalog: "main",
    currentSchema: "default",
  });

describe("tokenizer", () => {
  it("reads strings with '' and backslash escapes, and backticks with doubled backticks", () => {
    const tokens = significant(tokenize("SELECT 'it''s', 'a\\'b\\n', \"dq\", `we``ird`"));
    expect(tokens.map((t) => [t.kind, t.value])).toEqual([
      ["word", "SELECT"],
      ["string", "it's"],
      ["op", ","],
      ["string", "a'b\n"],
      ["op", ","],
      ["string", "dq"],
      ["op", ","],
      ["ident", "we`ird"],
    ]);
  });

  it("keeps quotes, semicolons, markers and comment openers inside literals as data", () => {
    const statements = splitStatements(tokenize("SELECT ';--', '/*', `a;b` -- trailing ; comment\n; SELECT :p /* ; */"));
    expect(statements).toHaveLength(2);
    expect(significant(statements[0]!).map((t) => t.value)).toEqual(["SELECT", ";--", ",", "/*", ",", "a;b"]);
    expect(significant(statements[1]!).map((t) => t.kind)).toEqual(["word", "param"]);
  });

  it("drops whitespace and comments unless asked to keep them", () => {
    const sql = "SELECT 1 -- one\n/* two */ ,2";
    expect(tokenize(sql).map((t) => t.value)).toEqual(["SELECT", "1", ",", "2"]);
    expect(tokenize(sql, true).map((t) => t.kind)).toEqual(["word", "space", "number", "space", "comment", "space", "comment", "space", "op", "number"]);
  });

  it("rejects unclosed literals and comments", () => {
    expect(() => tokenize("SELECT 'open")).toThrow(/PARSE_SYNTAX_ERROR/);
    expect(() => tokenize("SELECT `open")).toThrow(/PARSE_SYNTAX_ERROR/);
    expect(() => tokenize("SELECT /* open")).toThrow(/PARSE_SYNTAX_ERROR/);
  });
});

describe("rewrite to DuckDB", () => {
  it("quotes names, maps catalogs and leaves two-part names to DuckDB", () => {
    expect(toDuck("SELECT `a b`.x FROM sales.`eu`.t JOIN s.t2 ON 1 = 1").text).toBe(
      'SELECT "a b".x FROM "uc_sales"."eu".t JOIN s.t2 ON (1 = 1)',
    );
  });

  it("turns markers into placeholders with values beside the SQL", () => {
    const out = toDuck("SELECT :name, :n WHERE x = ':name'", [
      { name: "name", type: "STRING", value: "x'); DROP TABLE t; --" },
      { name: "n", type: "BIGINT", value: "12" },
    ]);
    expect(out.text).toBe("SELECT $n_6e616d65 , CAST($n_6e AS BIGINT) WHERE (x = ':name')");
    expect(out.values).toEqual({ n_6e616d65: "x'); DROP TABLE t; --", n_6e: "12" });
  });

  it("translates Spark constructors, casts and typed literals", () => {
    expect(toDuck("SELECT array(1, 2), map('k', 1), named_struct('a', 1), CAST(x AS ARRAY<STRUCT<a: INT>>), 1L, 2.50BD").text).toBe(
      `SELECT list_value(1, 2) AS "array(1, 2)" , map(list_value('k'), list_value(1)) AS "map(k, 1)" , struct_pack("a" := 1) AS "named_struct(a, 1)" , ` +
        `CAST(x AS STRUCT("a" INTEGER)[]) AS "CAST(x AS ARRAY<STRUCT<a: INT>>)" , CAST(1 AS BIGINT) AS "1" , CAST('2.50' AS DECIMAL(3,2)) AS "2.50"`,
    );
    expect(toDuck("SELECT TIMESTAMP '2024-01-01 00:00:00', x::map<string,int>, 7 DIV 2, a <=> b").text).toBe(
      "SELECT TIMESTAMPTZ '2024-01-01 00:00:00' AS \"TIMESTAMP '2024-01-01 00:00:00'\" , CAST(x AS MAP(VARCHAR, INTEGER)) AS \"CAST(x AS MAP<STRING, INT>)\" , " +
        'spark_quotient(7, 2) AS "(7 div 2)" , (a IS NOT DISTINCT FROM b) AS "(a <=> b)"',
    );
  });
});
