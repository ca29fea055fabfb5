/**
 * Result schemas against Spark's SQL golden files: for a case of test/fixtures/spark-golden.json, the
 * `-- !query schema` line Spark wrote above its output (apache/spark,
 * sql/core/src/test/resources/sql-tests/results/, read at the commit the case's `source` names) gives the
 * name Spark gives each column and its type. The query runs unchanged through the real driver and the
 * names in the result's TTableSchema and the types in its Arrow schema (`Spark:DataType:SqlName`) must be
 * the same.
 *
 * Only cases the warehouse already names and types as Spark does are here; the others are listed, with
 * the cause, outside the repository by the helper that built this fixture.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useWarehouseSession } from "./client.js";
import type { GoldenCase } from "./spark-golden-case.js";
import { catalogString, parseSchemaLine, resultColumns, type GoldenSchema } from "./spark-golden-schema.js";

const schemas = JSON.parse(readFileSync(new URL("./fixtures/spark-golden-schema.json", import.meta.url), "utf8")) as GoldenSchema[];
const cases = JSON.parse(readFileSync(new URL("./fixtures/spark-golden.json", import.meta.url), "utf8")) as GoldenCase[];
const caseOf = (s: GoldenSchema) => cases.find((c) => c.source === s.source && c.query === s.query);

const ws = useWarehouseSession();

const label = (s: GoldenSchema) => `${s.source.replace(/^.*sql-tests\/results\//, "")}: ${s.query.replace(/\s+/g, " ")}`;

describe("reading a golden file's schema line", () => {
  it("splits fields at the ':' before a type, whatever the name holds", () => {
    // Names from the golden files: a '<' and parentheses, commas inside a call, ':' inside a literal.
    expect(parseSchemaLine("struct<CASE WHEN (1 < 2) THEN 1 ELSE (1 / 0) END:double>")).toEqual([
      { name: "CASE WHEN (1 < 2) THEN 1 ELSE (1 / 0) END", type: "double" },
    ]);
    expect(parseSchemaLine("struct<to_number(12,454, 00,000):decimal(5,0),b:int>")).toEqual([
      { name: "to_number(12,454, 00,000)", type: "decimal(5,0)" },
      { name: "b", type: "int" },
    ]);
    expect(parseSchemaLine("struct<year(TIMESTAMP '1582-10-15 13:10:15'):int>")).toEqual([
      { name: "year(TIMESTAMP '1582-10-15 13:10:15')", type: "int" },
    ]);
    expect(parseSchemaLine("struct<a:string,b:map<string,array<decimal(19,0)>>,c:struct<x:int,y:array<date>>>")).toEqual([
      { name: "a", type: "string" },
      { name: "b", type: "map<string,array<decimal(19,0)>>" },
      { name: "c", type: "struct<x:int,y:array<date>>" },
    ]);
  });

  it("gives up on a line that does not read as fields", () => {
    expect(parseSchemaLine("struct<(a:int>")).toBeUndefined();
    expect(parseSchemaLine("struct<a:integer>")).toBeUndefined();
    expect(parseSchemaLine("a:int")).toBeUndefined();
  });

  it("writes a SqlName in the golden files' type spelling", () => {
    expect(catalogString("MAP<STRING, ARRAY<DECIMAL(3,1)>>")).toBe("map<string,array<decimal(3,1)>>");
    expect(catalogString("STRUCT<a: INT, b: TIMESTAMP_NTZ>")).toBe("struct<a:int,b:timestamp_ntz>");
    expect(catalogString("INTERVAL DAY TO SECOND")).toBe("interval day to second");
  });
});

describe("Spark SQL golden files: result schemas", () => {
  it("has schemas for value cases of several golden files, each readable", () => {
    expect(schemas.length).toBeGreaterThanOrEqual(300);
    expect(new Set(schemas.map((s) => s.source)).size).toBeGreaterThanOrEqual(5);
    for (const s of schemas) {
      expect(caseOf(s)?.expected, label(s)).toHaveProperty("rows");
      expect(parseSchemaLine(s.schema), label(s)).toBeDefined();
    }
  });

  it.each(schemas.map((s) => [label(s), s] as const))("%s", async (_label, s) => {
    const c = caseOf(s)!;
    const outcome = await resultColumns(ws.client, ws.session, c.query, c.setup);
    expect(outcome).toEqual({ columns: parseSchemaLine(s.schema) });
  });
});
