import { describe, expect, it } from "vitest";
import { SchemaError } from "@macrometa-spark/kit";
import { toJsonSchema } from "../src/json-schema.js";
import { parseDDL, parseJsonSchema, parseSimpleString, toStructType } from "../src/type-parsers.js";
import {
  ArrayType,
  BinaryType,
  BooleanType,
  DataType,
  DateType,
  DecimalType,
  DoubleType,
  FloatType,
  IntegerType,
  LongType,
  MapType,
  NullType,
  StringType,
  StructField,
  StructType,
  TimestampType,
} from "../src/types.js";

const nested = new StructType([
  new StructField("id", LongType, false),
  new StructField("name", StringType),
  new StructField("tags", new ArrayType(StringType)),
  new StructField("price", new DecimalType(12, 2)),
  new StructField("attrs", new MapType(StringType, new ArrayType(DoubleType, false), false)),
  new StructField(
    "inner",
    new StructType([
      new StructField("flag", BooleanType),
      new StructField("when", TimestampType),
      new StructField("day", DateType),
      new StructField("blob", BinaryType),
      new StructField("n", IntegerType),
      new StructField("f", FloatType),
      new StructField("deep", new ArrayType(new StructType([new StructField("x", LongType)]))),
    ]),
  ),
]);

describe("DataType as a union discriminated by kind", () => {
  it("narrows in a switch on kind, so parameters are read without casts", () => {
    // Compiles only because each case narrows `t` to its class (type-checked by tsconfig.tests.json).
    const shape = (t: DataType): string => {
      switch (t.kind) {
        case "decimal":
          return `decimal ${t.precision}.${t.scale}`;
        case "array":
          return `[${shape(t.elementType)}${t.containsNull ? "?" : ""}]`;
        case "map":
          return `{${shape(t.keyType)}: ${shape(t.valueType)}}`;
        case "struct":
          return `(${t.fields.map((f) => `${f.name} ${shape(f.dataType)}`).join(", ")})`;
        default:
          return t.typeName;
      }
    };
    expect(shape(nested)).toBe(
      "(id long, name string, tags [string?], price decimal 12.2, attrs {string: [double]}, inner (flag boolean, when timestamp, day date, blob binary, n integer, f float, deep [(x long)?]))",
    );
  });

  it("keeps instanceof DataType for every type", () => {
    for (const t of [StringType, new DecimalType(5, 2), new ArrayType(LongType), new MapType(StringType, LongType), nested]) expect(t instanceof DataType).toBe(true);
    expect({ kind: "string" } instanceof DataType).toBe(false);
  });
});

describe("printed forms", () => {
  it("prints Spark's simpleString and JSON schema", () => {
    expect(nested.simpleString()).toBe(
      "struct<id:bigint,name:string,tags:array<string>,price:decimal(12,2),attrs:map<string,array<double>>," +
        "inner:struct<flag:boolean,when:timestamp,day:date,blob:binary,n:int,f:float,deep:array<struct<x:bigint>>>>",
    );
    const json = JSON.parse(nested.json()) as { fields: unknown[] };
    expect(json.fields[0]).toEqual({ name: "id", type: "long", nullable: false, metadata: {} });
    expect(json.fields[4]).toEqual({
      name: "attrs",
      type: { type: "map", keyType: "string", valueType: { type: "array", elementType: "double", containsNull: false }, valueContainsNull: false },
      nullable: true,
      metadata: {},
    });
    expect(NullType.simpleString()).toBe("void");
    expect(NullType.json()).toBe('"null"');
  });

  it("round-trips nested types through simpleString, JSON and DDL", () => {
    const simple = parseSimpleString(nested.simpleString());
    // simpleString does not carry nullability; compare what it does carry.
    expect(simple.simpleString()).toBe(nested.simpleString());
    expect(parseJsonSchema(nested.json()).equals(nested)).toBe(true);
    expect(parseJsonSchema(JSON.parse(nested.json())).equals(nested)).toBe(true);
    const ddl = parseDDL(nested.toDDL());
    expect(ddl.toDDL()).toBe(nested.toDDL());
    expect(ddl.fields[0]!.nullable).toBe(false);
    expect(ddl.simpleString()).toBe(nested.simpleString());
    expect(parseSimpleString(nested.sql()).simpleString()).toBe(nested.simpleString());
  });

  it("prints DDL with quoted names where needed and COMMENT from metadata", () => {
    const s = new StructType([
      new StructField("a b", LongType),
      new StructField("we`ird", StringType, true, { comment: "it's \\ here" }),
      new StructField("ok_1", new ArrayType(StringType), false),
    ]);
    expect(s.toDDL()).toBe("`a b` BIGINT,`we``ird` STRING COMMENT 'it\\'s \\\\ here',ok_1 ARRAY<STRING> NOT NULL");
    const back = parseDDL(s.toDDL());
    expect(back.fieldNames).toEqual(["a b", "we`ird", "ok_1"]);
    expect(back.fields[1]!.metadata).toEqual({ comment: "it's \\ here" });
    expect(back.equals(s)).toBe(true);
  });
});

describe("parsers", () => {
  it("parses DDL with aliases, case-insensitive keywords, defaults and comments", () => {
    const s = parseDDL(
      "a BIGINT, b ARRAY<STRING>, c STRUCT<d: DOUBLE, `e f`: long NOT NULL>, g map<string,bigint>, h Decimal, i dec(5,2)," +
        " j varchar(10), k CHAR(3), l integer, m short, n tinyint, o real, p bool, q timestamp_ntz NOT NULL COMMENT 'when'",
    );
    expect(s.simpleString()).toBe(
      "struct<a:bigint,b:array<string>,c:struct<d:double,e f:bigint>,g:map<string,bigint>,h:decimal(10,0),i:decimal(5,2)," +
        "j:string,k:string,l:int,m:int,n:int,o:float,p:boolean,q:timestamp>",
    );
    expect(((s.field("c")!.dataType as StructType).field("e f")!).nullable).toBe(false);
    expect(s.field("q")!.nullable).toBe(false);
    expect(s.field("q")!.comment).toBe("when");
    expect(parseDDL("  ").length).toBe(0);
  });

  it("parses simpleString with raw names, backticks and the SQL struct form", () => {
    expect(parseSimpleString("bigint")).toBe(LongType);
    expect(parseSimpleString("decimal(38,18)").equals(DecimalType.SYSTEM_DEFAULT)).toBe(true);
    const raw = parseSimpleString("struct<a-b c:int,\u{1F600}:array<struct<>>,:string>") as StructType;
    expect(raw.fieldNames).toEqual(["a-b c", "\u{1F600}", ""]);
    expect((parseSimpleString("STRUCT<`a:b`: INT, c STRING>") as StructType).fieldNames).toEqual(["a:b", "c"]);
    expect(parseSimpleString("struct<>").simpleString()).toBe("struct<>");
  });

  it("parses Spark JSON atomic names, bare or quoted", () => {
    expect(parseJsonSchema('"long"')).toBe(LongType);
    expect(parseJsonSchema("integer")).toBe(IntegerType);
    expect(parseJsonSchema('"decimal(7,3)"').simpleString()).toBe("decimal(7,3)");
    expect(parseJsonSchema('"decimal"').simpleString()).toBe("decimal(10,0)");
    expect(parseJsonSchema('"null"')).toBe(NullType);
  });

  it.each([
    ["a BIGINT,", "dangling comma"],
    ["a FOO", "unknown type"],
    ["a ARRAY<INT", "unclosed bracket"],
    ["a DECIMAL(40,0)", "precision over 38"],
    ["a DECIMAL(5,6)", "scale over precision"],
    ["a INT NOT", "NOT without NULL"],
  ])("rejects DDL %s (%s) with a SchemaError", (ddl) => {
    expect(() => parseDDL(ddl)).toThrow(SchemaError);
  });

  it("rejects malformed JSON schemas", () => {
    expect(() => parseJsonSchema('{"type":"struct"}')).toThrow(SchemaError);
    expect(() => parseJsonSchema('{"type":"struct","fields":[{"type":"long"}]}')).toThrow(/name/);
    expect(() => parseJsonSchema("{oops")).toThrow(SchemaError);
    expect(() => parseJsonSchema('"decimal(39,0)"')).toThrow(SchemaError);
  });

  it("toStructType accepts StructType, DDL, simpleString and Spark JSON (text or object)", () => {
    const expected = "struct<a:bigint,b:array<string>>";
    expect(toStructType(parseDDL("a bigint, b array<string>")).simpleString()).toBe(expected);
    expect(toStructType("a bigint, b array<string>").simpleString()).toBe(expected);
    expect(toStructType(expected).simpleString()).toBe(expected);
    expect(toStructType("STRUCT<a: BIGINT, b: ARRAY<STRING>>").simpleString()).toBe(expected);
    const json = parseDDL("a bigint, b array<string>").json();
    expect(toStructType(json).simpleString()).toBe(expected);
    expect(toStructType(JSON.parse(json) as object).simpleString()).toBe(expected);
    expect(() => toStructType('"long"')).toThrow(/must be a struct/);
  });
});

describe("JSON Schema form", () => {
  it("maps every type for code generation", () => {
    const js = toJsonSchema(nested, "Product");
    expect(js["$schema"]).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(js["title"]).toBe("Product");
    expect(js["type"]).toBe("object");
    expect(js["required"]).toEqual(["id"]);
    expect(js["additionalProperties"]).toBe(false);
    const p = js["properties"] as Record<string, Record<string, unknown>>;
    expect(p["id"]).toMatchObject({ type: "integer" });
    expect(p["name"]).toEqual({ type: ["string", "null"] });
    expect(p["tags"]).toEqual({ type: ["array", "null"], items: { type: ["string", "null"] } });
    expect(p["price"]).toMatchObject({ type: ["string", "null"], pattern: "^-?[0-9]{1,10}(\\.[0-9]{1,2})?$" });
    expect(p["attrs"]).toEqual({
      type: ["object", "null"],
      additionalProperties: { type: "array", items: { type: "number" } },
    });
    const inner = p["inner"]!["properties"] as Record<string, Record<string, unknown>>;
    expect(inner["when"]).toEqual({ type: ["string", "null"], format: "date-time" });
    expect(inner["day"]).toEqual({ type: ["string", "null"], format: "date" });
    expect(inner["blob"]).toEqual({ type: ["string", "null"], contentEncoding: "base64" });
    expect(inner["n"]).toEqual({ type: ["integer", "null"], minimum: -2147483648, maximum: 2147483647 });
    expect(inner["flag"]).toEqual({ type: ["boolean", "null"] });
  });

  it("writes decimal patterns that accept exactly what fits", () => {
    const pattern = (p: number, s: number) =>
      new RegExp((toJsonSchema(new DecimalType(p, s)) as { pattern: string }).pattern);
    expect(pattern(5, 2).test("123.45")).toBe(true);
    expect(pattern(5, 2).test("-1234.5")).toBe(false);
    expect(pattern(5, 2).test("1.234")).toBe(false);
    expect(pattern(3, 0).test("999")).toBe(true);
    expect(pattern(3, 0).test("1.0")).toBe(false);
    expect(pattern(2, 2).test("0.99")).toBe(true);
    expect(pattern(2, 2).test("1.0")).toBe(false);
  });

  it("keeps a __proto__ field as a property and comments as descriptions", () => {
    const s = new StructType([new StructField("__proto__", LongType, true, { comment: "odd" })]);
    const p = toJsonSchema(s)["properties"] as Record<string, unknown>;
    expect(Object.keys(p)).toEqual(["__proto__"]);
    expect(Object.getOwnPropertyDescriptor(p, "__proto__")!.value).toMatchObject({ description: "odd" });
  });
});
