import { describe, expect, it } from "vitest";
import { MalformedRecordError, JsonNumber } from "@macrometa-spark/kit";
import {
  canonicalizeType,
  inferSchema,
  inferTextType,
  inferValueType,
  schemaFingerprint,
  vanishesInSchema,
} from "../src/infer.js";
import { compatibleType, equalsIgnoreCase } from "../src/type-coercion.js";
import {
  ArrayType,
  BooleanType,
  DateType,
  DecimalType,
  DoubleType,
  FloatType,
  IntegerType,
  LongType,
  NullType,
  StringType,
  StructField,
  StructType,
  TimestampType,
} from "../src/types.js";

const merge = (...docs: unknown[]): string => inferSchema(docs, { strategy: "merge" }).simpleString();
const one = (doc: string): string => inferTextType(doc).simpleString();
const struct = (...fields: [string, ReturnType<typeof inferValueType>][]): StructType =>
  new StructType(fields.map(([n, t]) => new StructField(n, t)));

describe("inferField (per record)", () => {
  it("tells integers, big integers and fractional numbers apart by lexeme", () => {
    expect(one('{"a":1,"b":1.0,"c":1e3,"d":-0,"e":NaN,"f":-Infinity}')).toBe(
      "struct<a:bigint,b:double,c:double,d:bigint,e:double,f:double>",
    );
  });

  it("uses bigint up to the long range, then decimal(digits,0) up to 38 digits, then double", () => {
    expect(one('{"a":9223372036854775807}')).toBe("struct<a:bigint>"); // 19 digits, fits
    expect(one('{"a":-9223372036854775808}')).toBe("struct<a:bigint>");
    expect(one('{"a":9223372036854775808}')).toBe("struct<a:decimal(19,0)>"); // 19 digits, overflows
    expect(one('{"a":-9223372036854775809}')).toBe("struct<a:decimal(19,0)>");
    expect(one('{"a":12345678901234567890}')).toBe("struct<a:decimal(20,0)>");
    expect(one(`{"a":${"9".repeat(38)}}`)).toBe("struct<a:decimal(38,0)>");
    expect(one(`{"a":${"1".repeat(39)}}`)).toBe("struct<a:double>");
  });

  it("treats null and the empty string as NullType, other strings as string", () => {
    expect(inferTextType('""')).toBe(NullType);
    expect(inferTextType("null")).toBe(NullType);
    expect(one('{"a":"","b":null,"c":" "}')).toBe("struct<a:void,b:void,c:string>");
  });

  it("sorts struct fields by UTF-16 code units: Z < _corrupt_record < a, emoji before U+FB01", () => {
    expect(one('{"a":1,"_corrupt_record":"x","Z":true}')).toBe("struct<Z:boolean,_corrupt_record:string,a:bigint>");
    expect(one('{"\uFB01":1,"\u{1F600}":2}')).toBe("struct<\u{1F600}:bigint,\uFB01:bigint>");
  });

  it("folds array elements from NullType with compatibleType", () => {
    expect(one('{"a":[1,2.5],"b":[],"c":[null,"x"],"d":[1,true],"e":[[1],[2.0]]}')).toBe(
      "struct<a:array<double>,b:array<void>,c:array<string>,d:array<string>,e:array<array<double>>>",
    );
  });

  it("gives repeated keys one field each, in input order (stable sort)", () => {
    expect(one('{"b":1,"a":1,"a":"x"}')).toBe("struct<a:bigint,a:string,b:bigint>");
  });

  it("infers parsed JS values: integral numbers as bigint, others double, bigint by digits", () => {
    expect(inferValueType(3)).toBe(LongType);
    expect(inferValueType(3.5)).toBe(DoubleType);
    expect(inferValueType(1e20).simpleString()).toBe("decimal(21,0)");
    expect(inferValueType(2n ** 70n).simpleString()).toBe("decimal(22,0)");
    expect(inferValueType(new JsonNumber("1.0"))).toBe(DoubleType);
    expect(inferValueType(new Date())).toBe(TimestampType);
    expect(inferValueType({ b: [1, "x"], a: { c: null } }).simpleString()).toBe("struct<a:struct<c:void>,b:array<string>>");
  });
});

describe("compatibleType", () => {
  const d = (p: number, s: number) => new DecimalType(p, s);
  it.each([
    [LongType, NullType, "bigint"],
    [LongType, DoubleType, "double"],
    [IntegerType, LongType, "bigint"],
    [LongType, FloatType, "float"],
    [LongType, d(20, 0), "decimal(20,0)"], // wide enough for a long: tightest common type
    [d(25, 2), LongType, "decimal(25,2)"],
    [LongType, d(19, 0), "decimal(20,0)"], // narrower: retried as decimal(20,0)
    [LongType, d(10, 5), "decimal(25,5)"],
    [DoubleType, d(20, 0), "double"],
    [d(10, 2), d(5, 4), "decimal(12,4)"],
    [d(38, 0), d(10, 2), "double"], // 38 integer digits + 2 scale > 38
    [BooleanType, LongType, "string"],
    [DateType, TimestampType, "timestamp"],
    [struct(["a", LongType]), new ArrayType(LongType), "string"],
    [new ArrayType(LongType), new ArrayType(BooleanType), "array<string>"],
    [new ArrayType(LongType), new ArrayType(DoubleType), "array<double>"],
  ])("%s + %s → %s", (a, b, expected) => {
    expect(compatibleType(a, b).simpleString()).toBe(expected);
    expect(compatibleType(b, a).simpleString()).toBe(expected);
  });

  it("merges same-length structs case-insensitively keeping the first spelling", () => {
    expect(compatibleType(struct(["a", LongType]), struct(["A", DoubleType])).simpleString()).toBe("struct<a:double>");
    expect(compatibleType(struct(["A", LongType]), struct(["a", LongType])).simpleString()).toBe("struct<A:bigint>");
  });

  it("falls back to the case-sensitive sorted union when a pair has no tightest type", () => {
    expect(compatibleType(struct(["a", LongType]), struct(["A", StringType])).simpleString()).toBe("struct<A:string,a:bigint>");
    expect(compatibleType(struct(["a", LongType], ["c", LongType]), struct(["b", BooleanType], ["c", DoubleType])).simpleString()).toBe(
      "struct<a:bigint,b:boolean,c:double>",
    );
  });
});

describe("canonicalisation", () => {
  it("turns null into string at any depth and removes empty structs, arrays of them and empty names", () => {
    expect(merge('{"a":null,"b":[],"c":[[null]],"d":{"e":null}}')).toBe(
      "struct<a:string,b:array<string>,c:array<array<string>>,d:struct<e:string>>",
    );
    expect(merge('{"a":{},"b":[{}],"c":[[{}]],"d":{"e":{}},"":1,"f":1}')).toBe("struct<f:bigint>");
    expect(merge('{"a":{}}')).toBe("struct<>");
    expect(canonicalizeType(NullType)).toBe(StringType);
    expect(vanishesInSchema({})).toBe(true);
    expect(vanishesInSchema([{}, { a: {} }])).toBe(true);
    expect(vanishesInSchema([])).toBe(false);
    expect(vanishesInSchema({ a: null })).toBe(false);
  });
});

describe("merge strategy (spark.read.json)", () => {
  it("widens numbers across documents: bigint/double/decimal", () => {
    expect(merge('{"a":1}', '{"a":2.5}')).toBe("struct<a:double>");
    expect(merge('{"a":1}', '{"a":12345678901234567890}')).toBe("struct<a:decimal(20,0)>");
    expect(merge('{"a":9223372036854775808}', '{"a":1}')).toBe("struct<a:decimal(20,0)>");
    expect(merge('{"a":12345678901234567890}', '{"a":1.5}')).toBe("struct<a:double>");
    expect(merge(`{"a":${"9".repeat(38)}}`, '{"a":12345678901234567890}')).toBe("struct<a:decimal(38,0)>");
  });

  it("makes boolean + number and struct + array a string; empty strings do not decide a type", () => {
    expect(merge('{"a":true}', '{"a":1}')).toBe("struct<a:string>");
    expect(merge('{"a":{"b":1}}', '{"a":[1]}')).toBe("struct<a:string>");
    expect(merge('{"a":""}', '{"a":1}')).toBe("struct<a:bigint>");
    expect(merge('{"a":""}', '{"a":null}')).toBe("struct<a:string>");
  });

  it("unions fields and merges case-variant struct fields inside arrays", () => {
    expect(merge('{"b":1}', '{"a":"x"}', '{"c":[{"x":1}]}', '{"c":[{"y":true}]}')).toBe(
      "struct<a:string,b:bigint,c:array<struct<x:bigint,y:boolean>>>",
    );
    expect(merge('{"arr":[{"a":1},{"A":2}]}')).toBe("struct<arr:array<struct<a:bigint>>>");
    expect(merge('{"arr":[{"A":1},{"a":2.5}]}')).toBe("struct<arr:array<struct<A:double>>>");
    expect(merge('{"arr":[{"A":1},{"a":"x"}]}')).toBe("struct<arr:array<struct<A:bigint,a:string>>>");
  });

  it("keeps the first spelling of case-variant top-level fields", () => {
    expect(merge('{"a":1}', '{"A":2}')).toBe("struct<a:bigint>");
    expect(merge('{"A":2}', '{"a":1}')).toBe("struct<A:bigint>");
  });

  it("handles roots: arrays unwrapped, nulls dropped, scalars and malformed lines add _corrupt_record", () => {
    expect(merge('[{"a":1},{"b":2}]', '{"c":3}')).toBe("struct<a:bigint,b:bigint,c:bigint>");
    expect(merge("null", "", "  ", '""', "[]", '{"a":1}')).toBe("struct<a:bigint>");
    expect(merge("null", "[]")).toBe("struct<>");
    expect(merge('{"a":1}', "5")).toBe("struct<_corrupt_record:string,a:bigint>");
    expect(merge("1", '"x"', "[1,2]")).toBe("struct<_corrupt_record:string>");
    expect(merge('{"a":1}', '{"a":')).toBe("struct<_corrupt_record:string,a:bigint>");
    expect(merge('{"Z":1}', "true", '{"a":1}')).toBe("struct<Z:bigint,_corrupt_record:string,a:bigint>");
    expect(merge('{"a":1} trailing', "{'b':'x'}", '{"c":NaN}')).toBe("struct<a:bigint,b:string,c:double>");
    expect(merge("{a:1}", '{"a":01}', '{"a":1 /*c*/}')).toBe("struct<_corrupt_record:string>");
  });

  it("names the corrupt column as asked, and follows DROPMALFORMED / FAILFAST", () => {
    expect(inferSchema(['{"a":1}', "x"], { strategy: "merge", columnNameOfCorruptRecord: "bad" }).simpleString()).toBe(
      "struct<a:bigint,bad:string>",
    );
    expect(inferSchema(['{"a":1}', "x", "5"], { strategy: "merge", mode: "DROPMALFORMED" }).simpleString()).toBe("struct<a:bigint>");
    expect(() => inferSchema(['{"a":1}', "x"], { strategy: "merge", mode: "FAILFAST" })).toThrow(MalformedRecordError);
    expect(() => inferSchema(['{"a":1}', "5"], { strategy: "merge", mode: "FAILFAST" })).toThrow(MalformedRecordError);
  });

  it("accepts parsed values and looks at sampleSize documents only", () => {
    expect(inferSchema([{ a: 1 }, { a: 2 ** 60 }, { b: 10n ** 20n }], { strategy: "merge" }).simpleString()).toBe(
      "struct<a:bigint,b:decimal(21,0)>",
    );
    expect(inferSchema(['{"a":1}', '{"b":1}', '{"c":1}'], { strategy: "merge", sampleSize: 2 }).simpleString()).toBe(
      "struct<a:bigint,b:bigint>",
    );
  });
});

describe("mostCommon strategy (the connector's rule)", () => {
  it("keeps the most frequent per-document schema", () => {
    const docs = [
      ...Array.from({ length: 5 }, (_, i) => `{"c":${i}}`),
      ...Array.from({ length: 30 }, (_, i) => `{"a":${i},"b":"x${i}"}`),
      ...Array.from({ length: 15 }, (_, i) => `{"a":${i}.5}`),
    ];
    expect(inferSchema(docs).simpleString()).toBe("struct<a:bigint,b:string>");
    expect(inferSchema(docs, { strategy: "merge" }).simpleString()).toBe("struct<a:double,b:string,c:bigint>");
  });

  it("breaks ties by the earliest first occurrence", () => {
    expect(inferSchema(['{"b":1}', '{"a":1}', '{"a":2}', '{"b":2}']).simpleString()).toBe("struct<b:bigint>");
    expect(inferSchema(['{"a":1}', '{"b":1}', '{"b":2}', '{"a":2}']).simpleString()).toBe("struct<a:bigint>");
    expect(inferSchema(['{"x":1}', '{"b":1}', '{"a":1}', '{"b":2}', '{"a":2}']).simpleString()).toBe("struct<b:bigint>");
  });

  it("fingerprints canonical schemas: key order, null vs empty string and empty structs do not split votes", () => {
    const docs = ['{"b":"x","a":1}', '{"a":2,"b":null,"e":{}}', '{"a":3,"b":""}', '{"a":1.5,"b":"y"}', '{"a":2.5,"b":"z"}'];
    expect(inferSchema(docs).simpleString()).toBe("struct<a:bigint,b:string>");
  });

  it("groups by the exact schema even when two schemas print the same simpleString", () => {
    const docs = ['{"x":1,"y":2}', '{"x:bigint,y":1}', '{"x:bigint,y":2}'];
    const s = inferSchema(docs);
    expect(s.fieldNames).toEqual(["x:bigint,y"]);
    expect(schemaFingerprint(s)).toBe('{"fields":[{"metadata":{},"name":"x:bigint,y","nullable":true,"type":"long"}],"type":"struct"}');
  });

  it("does not let null documents vote; malformed and scalar documents vote for struct<_corrupt_record>", () => {
    expect(inferSchema(["null", "", "[]", '{"a":1}']).simpleString()).toBe("struct<a:bigint>");
    expect(inferSchema(["x", "5", '{"a":1}']).simpleString()).toBe("struct<_corrupt_record:string>");
    expect(inferSchema(["x", "5", '{"a":1}'], { mode: "DROPMALFORMED" }).simpleString()).toBe("struct<a:bigint>");
    expect(inferSchema([]).simpleString()).toBe("struct<>");
  });

  it("samples 50 documents by default", () => {
    const docs = [...Array.from({ length: 50 }, () => '{"a":1}'), ...Array.from({ length: 60 }, () => '{"b":1}')];
    expect(inferSchema(docs).simpleString()).toBe("struct<a:bigint>");
    expect(inferSchema(docs, { sampleSize: 200 }).simpleString()).toBe("struct<b:bigint>");
  });

  it("rejects an unknown strategy", () => {
    expect(() => inferSchema([], { strategy: "union" as never })).toThrow(/strategy/);
  });
});

describe("case-insensitive field matching is Java's String.equalsIgnoreCase", () => {
  it("matches ſ with s and İ with i as Java does, keeping the first spelling", () => {
    expect(merge('{"x":[{"ſ":1},{"s":2}]}')).toBe("struct<x:array<struct<ſ:bigint>>>");
    expect(merge('{"x":[{"s":1},{"ſ":2}]}')).toBe("struct<x:array<struct<s:bigint>>>");
    // toUpperCase('i') = 'I' ≠ 'İ', but Character.toLowerCase('İ') = 'i' (one-character mapping).
    expect(merge('{"x":[{"İ":1},{"i":2}]}')).toBe("struct<x:array<struct<İ:bigint>>>");
    expect(merge('{"ſ":1}', '{"s":2.5}')).toBe("struct<ſ:double>");
    expect(compatibleType(struct(["\u212A", LongType]), struct(["k", LongType])).simpleString()).toBe("struct<\u212A:bigint>");
  });

  it("compares per UTF-16 unit with one-to-one mappings, and surrogate pairs as code points", () => {
    const yes: [string, string][] = [
      ["abc", "ABC"],
      ["ſ", "S"],
      ["İ", "i"],
      ["İ", "ı"],
      ["ı", "I"],
      ["\u212A", "k"], // KELVIN SIGN
      ["ǅ", "ǆ"],
      ["\u1FB3", "\u1FBC"], // simple mappings, where JS's full uppercase of U+1FB3 is "ΑΙ"
      ["\u1F80", "\u1F88"],
      ["\u{10400}", "\u{10428}"], // Deseret: a surrogate pair each
      ["ß", "ß"],
    ];
    const no: [string, string][] = [
      ["ß", "SS"],
      ["ß", "ss"],
      ["a", "b"],
      ["ab", "a"],
      ["ǰ", "J"],
      ["\uD801", "\uD802"],
    ];
    for (const [a, b] of yes) {
      expect([a, b, equalsIgnoreCase(a, b)]).toEqual([a, b, true]);
      expect([b, a, equalsIgnoreCase(b, a)]).toEqual([b, a, true]);
    }
    for (const [a, b] of no) {
      expect([a, b, equalsIgnoreCase(a, b)]).toEqual([a, b, false]);
      expect([b, a, equalsIgnoreCase(b, a)]).toEqual([b, a, false]);
    }
  });
});
