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
  registerBuiltinFormats,
  showString,
  treeString,
} from "../src/index.js";
import { javaDoubleString } from "../src/display.js";

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

describe("Spark's escaping, widths and map trees (review fixes)", () => {
  const s1 = (name: string) => new StructType([new StructField(name, StringType)]);

  it("escapes exactly Spark's meta characters (LF CR TAB FF BS VT BEL) and leaves words alone", () => {
    const name = "a\nb\rc\td\fe\bf\u000Bg\u0007h i\\j";
    expect(treeString(s1(name))).toBe("root\n |-- a\\nb\\rc\\td\\fe\\bf\\vg\\ah i\\j: string (nullable = true)\n");
    expect(treeString(s1("plain words"))).toBe("root\n |-- plain words: string (nullable = true)\n");
    expect(showString(s1("a\nb"), [["x\ty\bz"], ["w w"]])).toBe(
      ["+-------+", "|   a\\nb|", "+-------+", "|x\\ty\\bz|", "|    w w|", "+-------+", ""].join("\n"),
    );
  });

  it("never truncates column names, only cells", () => {
    const name = "a_very_long_column_name_here";
    const long = "0123456789012345678901234";
    expect(showString(s1(name), [[long]])).toBe(
      [`+${"-".repeat(28)}+`, `|${name}|`, `+${"-".repeat(28)}+`, `|        01234567890123456...|`, `+${"-".repeat(28)}+`, ""].join("\n"),
    );
    expect(showString(s1("abcdef"), [["x"]], 20, 3)).toBe(["+------+", "|abcdef|", "+------+", "|     x|", "+------+", ""].join("\n"));
  });

  it("measures cells as Spark's stringHalfWidth: UTF-16 length plus one per fullWidthRegex unit", () => {
    // An emoji is two UTF-16 units and not full width: 3 emoji are 6 columns.
    expect(showString(s1("e"), [["😀😀😀"]])).toBe(["+------+", "|     e|", "+------+", "|😀😀😀|", "+------+", ""].join("\n"));
    // CJK counts 2; so do U+303F and U+FE10..FE19 / U+FE50..FE6F, which are in Spark's ranges.
    expect(showString(s1("c"), [["日本語"], ["\u303F\uFE10\uFE50"], ["ab"]])).toBe(
      ["+------+", "|     c|", "+------+", "|日本語|", `|${"\u303F\uFE10\uFE50"}|`, "|    ab|", "+------+", ""].join("\n"),
    );
    // Truncation is by UTF-16 units, as Java's substring (it may split a surrogate pair, as Spark does).
    const emoji = "😀".repeat(12);
    const cutEmoji = "😀".repeat(8) + "\uD83D" + "...";
    expect(showString(s1("e"), [[emoji]])).toBe([`+${"-".repeat(20)}+`, `|${" ".repeat(19)}e|`, `+${"-".repeat(20)}+`, `|${cutEmoji}|`, `+${"-".repeat(20)}+`, ""].join("\n"));
    const cjk = "漢".repeat(25);
    const cutCjk = "漢".repeat(17) + "...";
    expect(showString(s1("k"), [[cjk]])).toBe([`+${"-".repeat(37)}+`, `|${" ".repeat(36)}k|`, `+${"-".repeat(37)}+`, `|${cutCjk}|`, `+${"-".repeat(37)}+`, ""].join("\n"));
  });

  it("prints a map's key tree before its value line", () => {
    const m = new StructType([new StructField("m", new MapType(new ArrayType(LongType), new StructType([new StructField("a", LongType)])))]);
    expect(treeString(m)).toBe(
      [
        "root",
        " |-- m: map (nullable = true)",
        " |    |-- key: array",
        " |    |    |-- element: long (containsNull = true)",
        " |    |-- value: struct (valueContainsNull = true)",
        " |    |    |-- a: long (nullable = true)",
        "",
      ].join("\n"),
    );
  });
});
