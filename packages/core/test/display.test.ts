import { describe, expect, it } from "vitest";
import {
  ArrayType,
  BooleanType,
  DoubleType,
  FormatRegistry,
  LongType,
  MapType,
  StringType,
  StructField,
  StructType,
  TimestampType,
  createSession,
  javaDoubleString,
  registerBuiltinFormats,
  showString,
  treeString,
} from "../src/index.js";

const nested = new StructType([
  new StructField("a", LongType),
  new StructField("b", new ArrayType(StringType)),
  new StructField("c", new StructType([new StructField("d", DoubleType), new StructField("e", new ArrayType(new StructType([new StructField("f", BooleanType, false)]), false))])),
  new StructField("m", new MapType(StringType, LongType)),
]);

describe("printSchema", () => {
  it("prints Spark's tree for nested types", () => {
    expect(treeString(nested)).toBe(
      [
        "root",
        " |-- a: long (nullable = true)",
        " |-- b: array (nullable = true)",
        " |    |-- element: string (containsNull = true)",
        " |-- c: struct (nullable = true)",
        " |    |-- d: double (nullable = true)",
        " |    |-- e: array (nullable = true)",
        " |    |    |-- element: struct (containsNull = false)",
        " |    |    |    |-- f: boolean (nullable = false)",
        " |-- m: map (nullable = true)",
        " |    |-- key: string",
        " |    |-- value: long (valueContainsNull = true)",
        "",
      ].join("\n"),
    );
  });

  it("printSchema prints the tree and a blank line, as Spark's println does", () => {
    const printed: string[] = [];
    const s = createSession({ registry: registerBuiltinFormats(new FormatRegistry()), print: (t) => printed.push(t) });
    s.createDataFrame([], new StructType([new StructField("x", StringType, false)])).printSchema();
    expect(printed.join("")).toBe("root\n |-- x: string (nullable = false)\n\n");
  });
});

describe("show", () => {
  const flat = new StructType([new StructField("id", LongType), new StructField("name", StringType), new StructField("score", DoubleType)]);

  it("prints Spark's right-aligned table with nulls", () => {
    expect(showString(flat, [[1, "alice", 1], [22, null, 2.5]])).toBe(
      ["+---+-----+-----+", "| id| name|score|", "+---+-----+-----+", "|  1|alice|  1.0|", "| 22| null|  2.5|", "+---+-----+-----+", ""].join("\n"),
    );
  });

  it("truncates at 20 characters with ..., and left-aligns when truncate is off", () => {
    const one = new StructType([new StructField("s", StringType)]);
    const long = "abcdefghijklmnopqrstuvwxyz";
    expect(showString(one, [[long]], 20, 20)).toBe(["+--------------------+", "|                   s|", "+--------------------+", "|abcdefghijklmnopq...|", "+--------------------+", ""].join("\n"));
    expect(showString(one, [[long], ["x"]], 20, 0)).toBe(
      ["+--------------------------+", "|s                         |", "+--------------------------+", `|${long}|`, "|x                         |", "+--------------------------+", ""].join("\n"),
    );
    expect(showString(one, [[long]], 20, 3)).toBe(["+---+", "|  s|", "+---+", "|abc|", "+---+", ""].join("\n"));
  });

  it("prints nested values as Spark does and the footer when there are more rows", () => {
    const rows = [
      [1, ["x", null], [1.5, [[true]]], { k: 1 }],
      [2, null, null, null],
    ];
    expect(showString(nested, rows, 1)).toBe(
      ["+---+---------+---------------+--------+", "|  a|        b|              c|       m|", "+---+---------+---------------+--------+", "|  1|[x, null]|{1.5, [{true}]}|{k -> 1}|", "+---+---------+---------------+--------+", "only showing top 1 row", ""].join("\n"),
    );
  });

  it("df.show prints through the session and shows 20 rows by default", async () => {
    const printed: string[] = [];
    const s = createSession({ registry: registerBuiltinFormats(new FormatRegistry()), print: (t) => printed.push(t) });
    const df = s.createDataFrame(Array.from({ length: 25 }, (_, i) => [i, new Date(Date.UTC(2024, 0, 1, 0, 0, i))]), new StructType([new StructField("i", LongType), new StructField("ts", TimestampType)]));
    await df.show();
    const text = printed.join("");
    expect(text.split("\n").filter((l) => l.startsWith("|"))).toHaveLength(21);
    expect(text).toContain("|  0|2024-01-01 00:00:00|");
    expect(text.endsWith("only showing top 20 rows\n")).toBe(true);
    expect(await df.limit(0).showString()).toBe("+---+---+\n|  i| ts|\n+---+---+\n+---+---+\n");
  });

  it("formats doubles as Java does", () => {
    expect([1, 0.1, 1e7, 1.5e-4, -0, NaN, 123456.75, 1e21].map(javaDoubleString)).toEqual(["1.0", "0.1", "1.0E7", "1.5E-4", "-0.0", "NaN", "123456.75", "1.0E21"]);
  });
});
