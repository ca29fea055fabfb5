import { describe, expect, it } from "vitest";
import {
  createDocumentDecoder,
  objectToRow,
  rowToJson,
  rowToObject,
  withCorruptRecordColumn,
  type DocumentDecoderOptions,
} from "../src/codec/index.js";
import { MalformedRecordError, parseJsonLossless } from "@macrometa-spark/kit";
import { inferSchema } from "../src/infer.js";
import { JobMetrics } from "../src/metrics.js";
import { parseDDL } from "../src/type-parsers.js";
import type { StructType } from "../src/types.js";

const decoder = (ddl: string | StructType, options: DocumentDecoderOptions = {}) =>
  createDocumentDecoder(typeof ddl === "string" ? parseDDL(ddl) : ddl, options);

/** Decodes under FAILFAST and returns the error's field path, or "ok". */
function failure(ddl: string, doc: unknown, options: DocumentDecoderOptions = {}): string {
  try {
    decoder(ddl, { ...options, mode: "FAILFAST" }).decode(doc);
    return "ok";
  } catch (err) {
    if (!(err instanceof MalformedRecordError)) throw err;
    return String(err.context.field);
  }
}

describe("three shapes: schema from the most common, other shapes per parse mode", () => {
  const shapeA = (i: number) => `{"_key":"a${i}","name":"n${i}","qty":${i},"tags":["x"]}`;
  const shapeB = (i: number) => `{"_key":"b${i}","name":"n${i}","price":${i}.5}`;
  const shapeC = (i: number) => `{"_key":"c${i}","name":"n${i}","qty":${i},"tags":["x"],"extra":true}`;
  const docs = [
    ...Array.from({ length: 30 }, (_, i) => shapeA(i)),
    ...Array.from({ length: 15 }, (_, i) => shapeB(i)),
    ...Array.from({ length: 5 }, (_, i) => shapeC(i)),
  ];
  const schema = inferSchema(docs);

  it("infers shape A", () => {
    expect(schema.simpleString()).toBe("struct<_key:string,name:string,qty:bigint,tags:array<string>>");
  });

  it("DROPMALFORMED returns only shape A and counts the others with their keys", () => {
    const metrics = new JobMetrics();
    const d = createDocumentDecoder(schema, { mode: "DROPMALFORMED", metrics });
    const rows = docs.map((t) => d.decode(t)).filter((r) => r !== undefined);
    expect(rows).toHaveLength(30);
    expect(rows[3]).toEqual(["a3", "n3", 3, ["x"]]);
    expect(metrics.get("rejectedRecords")).toBe(20);
    expect(metrics.samplesOf("rejectedRecords")[0]).toEqual({ key: "b0", reason: "qty: field is missing" });
    const extraReason = (() => {
      const m = new JobMetrics();
      createDocumentDecoder(schema, { mode: "DROPMALFORMED", metrics: m, rejectedMetric: "dropped" }).decode(shapeC(1));
      return m.samplesOf("dropped")[0];
    })();
    expect(extraReason).toEqual({ key: "c1", reason: "extra: field is not in the schema" });
  });

  it("PERMISSIVE keeps them with nulls for mismatching fields and the whole text in _corrupt_record", () => {
    const metrics = new JobMetrics();
    const d = createDocumentDecoder(withCorruptRecordColumn(schema), { mode: "PERMISSIVE", metrics });
    const rows = docs.map((t) => d.decode(t));
    expect(rows).toHaveLength(50);
    expect(rows[0]).toEqual(["a0", "n0", 0, ["x"], null]);
    expect(rows[31]).toEqual(["b1", "n1", null, null, shapeB(1)]);
    expect(rows[46]).toEqual(["c1", "n1", 1, ["x"], shapeC(1)]);
    expect(metrics.get("malformedRecords")).toBe(20);
  });

  it("FAILFAST throws naming the _key and the field", () => {
    const d = createDocumentDecoder(schema, { mode: "FAILFAST" });
    expect(d.decode(shapeA(1))).toEqual(["a1", "n1", 1, ["x"]]);
    let error: unknown;
    try {
      d.decode(shapeB(7));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MalformedRecordError);
    expect((error as MalformedRecordError).message).toMatch(/'b7'.*qty/);
    expect((error as MalformedRecordError).context).toMatchObject({ documentKey: "b7", field: "qty" });
  });

  it("every document matches its own inferred schema", () => {
    const odd = [
      '{"a":[{"x":1},{"y":"z"}],"e":{},"":5,"f":[{}],"n":null,"s":""}',
      '{"arr":[{"a":1},{"A":2}]}',
      '{"big":123456789012345678901234,"d":1.5e300,"i":-9223372036854775808}',
    ];
    for (const doc of odd) {
      const s = inferSchema([doc]);
      expect(failure(s.toDDL(), doc), doc).toBe("ok");
    }
  });
});

describe("values and widening without loss", () => {
  it("keeps integers beyond 2^53 as bigint and safe ones as numbers, and writes them back exactly", () => {
    const d = decoder("a BIGINT, b BIGINT, c BIGINT, d ARRAY<BIGINT>");
    const text = '{"a":9007199254740991,"b":9007199254740993,"c":-9223372036854775808,"d":[1,18446744073709551615]}';
    expect(failure("a BIGINT", '{"a":9223372036854775808}')).toBe("a");
    const row = d.decode(text)!;
    // PERMISSIVE nulls the innermost value that did not fit.
    expect(row).toEqual([9007199254740991, 9007199254740993n, -9223372036854775808n, [1, null]]);
    expect(failure("d ARRAY<BIGINT>", '{"d":[1,18446744073709551615]}')).toBe("d[]");
    const ok = d.decode('{"a":1,"b":9007199254740993,"c":-9223372036854775808,"d":[1,-9007199254740993]}')!;
    expect(rowToJson(d.schema, ok)).toBe('{"a":1,"b":9007199254740993,"c":-9223372036854775808,"d":[1,-9007199254740993]}');
  });

  it("accepts integral values whatever their spelling, and refuses fractions, in integer fields", () => {
    expect(decoder("a BIGINT, b INT").decode('{"a":1.0,"b":2e3}')).toEqual([1, 2000]);
    expect(decoder("a BIGINT").decode('{"a":1.5e40}')).toBeDefined(); // PERMISSIVE: still a row
    expect(failure("a BIGINT", '{"a":1.5}')).toBe("a");
    expect(failure("a BIGINT", '{"a":"1"}')).toBe("a");
    expect(failure("a INT", '{"a":2147483648}')).toBe("a");
    expect(failure("a INT", '{"a":-2147483648}')).toBe("ok");
  });

  it("reads any number into double as Spark does (inference widens bigint and decimal to double)", () => {
    const d = decoder("a DOUBLE");
    expect(d.decode('{"a":3}')).toEqual([3]);
    expect(d.decode('{"a":9007199254740992}')).toEqual([9007199254740992]);
    // Jackson's getDoubleValue: the nearest double (round half even), Infinity past the range.
    expect(d.decode('{"a":9007199254740993}')).toEqual([9007199254740992]);
    expect(d.decode('{"a":123456789012345678901234567890123456789012}')).toEqual([1.2345678901234568e41]);
    expect(d.decode('{"a":1e400}')).toEqual([Infinity]);
    expect(failure("a FLOAT", '{"a":9007199254740993}')).toBe("a");
    expect(failure("a DOUBLE", '{"a":"1"}')).toBe("a");
    expect(d.decode('{"a":NaN}')).toEqual([NaN]);
    expect(d.decode('{"a":-Infinity}')).toEqual([-Infinity]);
    expect(decoder("a DOUBLE").decode({ a: 10n ** 20n })).toEqual([1e20]);
  });

  it("decodes decimals exactly to their scale and refuses what would round", () => {
    const d = decoder("a DECIMAL(10,2), b DECIMAL(20,0), c DECIMAL(5,5)");
    expect(d.decode('{"a":1.5,"b":12345678901234567890,"c":0.12345}')).toEqual(["1.50", "12345678901234567890", "0.12345"]);
    expect(d.decode('{"a":-0.0,"b":1.2e3,"c":-1E-5}')).toEqual(["0.00", "1200", "-0.00001"]);
    expect(failure("a DECIMAL(10,2)", '{"a":1.234}')).toBe("a");
    expect(failure("a DECIMAL(10,2)", '{"a":123456789.5}')).toBe("a");
    expect(failure("a DECIMAL(10,2)", '{"a":1.230}')).toBe("ok");
    expect(failure("a DECIMAL(10,2)", '{"a":"1.5"}')).toBe("a");
    expect(failure("a DECIMAL(10,2)", '{"a":"1.5"}', { matching: "spark" })).toBe("ok");
    expect(rowToJson(d.schema, ["1.50", "12345678901234567890", null])).toBe('{"a":1.50,"b":12345678901234567890,"c":null}');
  });

  it("reads a non-string value into a string field as its raw JSON text, under both rules", () => {
    for (const matching of ["shape", "spark"] as const) {
      const d = decoder("s STRING, t STRING, u STRING, v STRING, w ARRAY<STRING>", { matching, mode: "FAILFAST" });
      expect(d.decode('{"s":1.0,"t":{"x":[1,2.50]},"u":true,"v":12345678901234567890,"w":["x",1,null,[]]}')).toEqual([
        "1.0",
        '{"x":[1,2.50]}',
        "true",
        "12345678901234567890",
        ["x", "1", null, "[]"],
      ]);
    }
  });

  it("keeps documents whose conflicting values inference widened to string (issue 12)", () => {
    const docs = ['{"tags":["x",1]}', '{"tags":["y",2]}', '{"tags":["z",true,{"a":1}]}'];
    const schema = inferSchema(docs, { strategy: "merge" });
    expect(schema.simpleString()).toBe("struct<tags:array<string>>");
    const metrics = new JobMetrics();
    const d = decoder(schema, { mode: "DROPMALFORMED", metrics });
    expect(docs.map((t) => d.decode(t))).toEqual([[["x", "1"]], [["y", "2"]], [["z", "true", '{"a":1}']]]);
    expect(metrics.get("rejectedRecords")).toBe(0);
  });

  it("reads booleans, timestamps, dates and binary", () => {
    const d = decoder("b BOOLEAN, t TIMESTAMP, u TIMESTAMP, v TIMESTAMP, d DATE, x BINARY");
    const row = d.decode(
      '{"b":true,"t":"2024-01-02T03:04:05.678+02:00","u":"2024-01-02 03:04","v":1700000000,"d":"2024-02-29","x":"AAEC/w=="}',
    )!;
    expect(row[0]).toBe(true);
    expect((row[1] as Date).toISOString()).toBe("2024-01-02T01:04:05.678Z");
    expect((row[2] as Date).toISOString()).toBe("2024-01-02T03:04:00.000Z");
    expect((row[3] as Date).toISOString()).toBe("2023-11-14T22:13:20.000Z");
    expect(row[4]).toBe("2024-02-29");
    expect([...(row[5] as Uint8Array)]).toEqual([0, 1, 2, 255]);
    expect(rowToJson(d.schema, row)).toBe(
      '{"b":true,"t":"2024-01-02T01:04:05.678Z","u":"2024-01-02T03:04:00.000Z","v":"2023-11-14T22:13:20.000Z","d":"2024-02-29","x":"AAEC/w=="}',
    );
    expect(failure("t TIMESTAMP", '{"t":"2024-01-02T03:04:05.0001Z"}')).toBe("t");
    expect(failure("t TIMESTAMP", '{"t":"2024-01-02T03:04:05.000000Z"}')).toBe("ok");
    expect(failure("t TIMESTAMP", '{"t":"yesterday"}')).toBe("t");
    expect(failure("d DATE", '{"d":"2023-02-29"}')).toBe("d");
    expect(failure("x BINARY", '{"x":"not base64!"}')).toBe("x");
    expect(failure("b BOOLEAN", '{"b":"true"}')).toBe("b");
    // Inference reads "" as null (JIS 154): under the shape rule it is null in any field; Spark 3 refuses it.
    expect(failure("b BOOLEAN", '{"b":""}', { matching: "spark" })).toBe("b");
    expect(decoder("b BOOLEAN, n BIGINT, s STRUCT<x: BIGINT>").decode('{"b":"","n":"","s":""}')).toEqual([null, null, null]);
  });

  it("decodes nested structs to positional rows, maps to objects, arrays elementwise", () => {
    const d = decoder("s STRUCT<x: BIGINT, y: ARRAY<STRUCT<p: STRING, q: DOUBLE>>>, m MAP<STRING, BIGINT>");
    const row = d.decode('{"s":{"x":1,"y":[{"p":"a","q":1},{"q":2.5},null]},"m":{"k":1,"__proto__":2}}')!;
    expect(row[0]).toEqual([1, [["a", 1], [null, 2.5], null]]);
    expect(Object.getPrototypeOf(row[1])).toBe(Object.prototype);
    expect(Object.entries(row[1] as object)).toEqual([
      ["k", 1],
      ["__proto__", 2],
    ]);
    expect(failure(d.schema.toDDL(), '{"s":{"x":1},"m":{}}')).toBe("s.y");
    expect(failure(d.schema.toDDL(), '{"s":{"x":1,"y":[{"q":"1"}]},"m":{}}')).toBe("s.y[].q");
    expect(failure(d.schema.toDDL(), '{"s":{"x":1,"y":[{"z":1}]},"m":{}}')).toBe("s.y[].z");
    expect(failure(d.schema.toDDL(), '{"s":{"x":1,"y":[]},"m":{"k":"v"}}')).toBe("m{}");
    expect(failure(d.schema.toDDL(), '{"s":[1],"m":{}}')).toBe("s");
  });
});

describe("field matching", () => {
  it("shape: explicit null matches, a missing field or an unknown one does not; empty objects and names are ignored", () => {
    expect(failure("a BIGINT, b STRING", '{"a":null,"b":null}')).toBe("ok");
    expect(failure("a BIGINT, b STRING", '{"a":1}')).toBe("b");
    expect(failure("a BIGINT", '{"a":1,"z":null}')).toBe("z");
    expect(failure("a BIGINT", '{"a":1,"e":{},"f":[{}],"":3}')).toBe("ok");
    expect(failure("a BIGINT, _corrupt_record STRING", '{"a":1}')).toBe("ok");
  });

  it("spark: missing fields are null and unknown ones ignored", () => {
    const d = decoder("a BIGINT, b STRING", { matching: "spark", mode: "FAILFAST" });
    expect(d.decode('{"b":"x","z":[1,{"q":true}]}')).toEqual([null, "x"]);
  });

  it("matches a case-variant name when no field has the exact name; the first schema field wins", () => {
    expect(decoder("name STRING, Qty BIGINT").decode('{"NAME":"x","qty":2}')).toEqual(["x", 2]);
    expect(decoder("a BIGINT, A BIGINT", { mode: "FAILFAST" }).decode('{"a":1,"A":2}')).toEqual([1, 2]);
  });

  it("does not read inherited properties as fields", () => {
    expect(failure("toString STRING, constructor STRING", '{"toString":"x","constructor":null}')).toBe("ok");
    expect(failure("toString STRING, constructor STRING", '{"toString":"x"}')).toBe("constructor");
    expect(decoder("toString STRING", { matching: "spark" }).decode("{}")).toEqual([null]);
  });
});

describe("decoder state", () => {
  it("keeps each decoder's mismatch its own when one decoder runs inside another", () => {
    // A getter on the document runs a second decoder mid-document. With state shared between
    // decoders the inner run would clear the outer document's mismatch and let it pass as valid.
    const inner = decoder("x BIGINT", { mode: "FAILFAST" });
    const outer = decoder("a BIGINT, b BIGINT", { mode: "FAILFAST" });
    const doc = {
      a: "not a number",
      get b() {
        return (inner.decode('{"x":1}') as unknown[])[0];
      },
    };
    expect(() => outer.decode(doc)).toThrow(/at a: expected bigint, found string/);
  });
});

describe("documents that are not objects", () => {
  const schema = withCorruptRecordColumn(parseDDL("a BIGINT"));

  it("PERMISSIVE turns malformed text, scalars, arrays and null into corrupt rows", () => {
    const metrics = new JobMetrics();
    const d = createDocumentDecoder(schema, { metrics });
    expect(d.decode('{"a":')).toEqual([null, '{"a":']);
    expect(d.decode("42")).toEqual([null, "42"]);
    expect(d.decode("null")).toEqual([null, "null"]);
    expect(d.decode('[{"a":1}]')).toEqual([null, '[{"a":1}]']);
    expect(d.decode({ a: "x", _key: "k" })).toEqual([null, '{"a":"x","_key":"k"}']);
    expect(metrics.get("malformedRecords")).toBe(5);
  });

  it("accepts what Jackson accepts but JSON.parse does not", () => {
    const d = createDocumentDecoder(schema, { mode: "FAILFAST" });
    expect(d.decode("{'a':1}")).toEqual([1, null]);
    expect(d.decode('{"a":2} and then some')).toEqual([2, null]);
    expect(d.decode(Buffer.from('{"a":3}'))).toEqual([3, null]);
  });

  it("gives no row for a blank line and counts it", () => {
    const metrics = new JobMetrics();
    const d = createDocumentDecoder(schema, { mode: "FAILFAST", metrics });
    expect(d.decode("   ")).toBeUndefined();
    expect(metrics.get("emptyRecords")).toBe(1);
  });

  it("names the _key of an unparsable document under FAILFAST", () => {
    const d = createDocumentDecoder(schema, { mode: "FAILFAST" });
    expect(() => d.decode('{"_key":"k9","a":tru}')).toThrow(/'k9'.*malformed JSON/);
  });

  it("decodeAll unwraps a top-level array into rows, as Spark reads a JSON line", () => {
    const d = createDocumentDecoder(schema);
    expect(d.decodeAll('[{"a":1},{"a":9007199254740993},5]')).toEqual([
      [1, null],
      [9007199254740993n, null],
      [null, "5"],
    ]);
    expect(d.decodeAll("[]")).toEqual([]);
    expect(d.decodeAll('{"a":4}')).toEqual([[4, null]]);
  });

  it("decodes lossless values and plain objects as well as text", () => {
    const d = decoder("a BIGINT, b DECIMAL(30,1)", { mode: "FAILFAST" });
    expect(d.decode(parseJsonLossless('{"a":12345678901234567,"b":12345678901234567890.5}'))).toEqual([
      12345678901234567n,
      "12345678901234567890.5",
    ]);
    expect(d.decode({ a: 5, b: 2.5 })).toEqual([5, "2.5"]);
  });

  it("refuses an unknown mode", () => {
    expect(() => createDocumentDecoder(schema, { mode: "LENIENT" as never })).toThrow(/parse mode/);
  });
});

describe("rows to objects and JSON, objects to rows", () => {
  const schema = parseDDL("id BIGINT, name STRING, inner STRUCT<x: DOUBLE, tags: ARRAY<STRING>>, m MAP<STRING, STRUCT<v: INT>>");

  it("rowToObject nests structs as objects and keeps bigint", () => {
    const row = [2n ** 60n, "n", [1.5, ["t"]], { k: [7] }];
    expect(rowToObject(schema, row)).toEqual({ id: 2n ** 60n, name: "n", inner: { x: 1.5, tags: ["t"] }, m: { k: { v: 7 } } });
  });

  it("rowToJson writes schema order, exact integers, nulls unless asked not to", () => {
    const row = [2n ** 60n, null, [NaN, null], null];
    expect(rowToJson(schema, row)).toBe('{"id":1152921504606846976,"name":null,"inner":{"x":"NaN","tags":null},"m":null}');
    expect(rowToJson(schema, row, { ignoreNullFields: true })).toBe('{"id":1152921504606846976,"inner":{"x":"NaN"}}');
  });

  it("objectToRow converts JS values, fills missing with null and names the field it cannot convert", () => {
    expect(objectToRow(schema, { name: "x", inner: { tags: ["a"], x: 2 }, id: 3, other: 1 })).toEqual([3, "x", [2, ["a"]], null]);
    expect(objectToRow(schema, { id: 2n ** 63n - 1n })).toEqual([2n ** 63n - 1n, null, null, null]);
    expect(() => objectToRow(schema, { id: 1.5 })).toThrow(/id: 1.5 is not an integer/);
    expect(() => objectToRow(schema, { inner: { x: "no" } })).toThrow(MalformedRecordError);
  });

  it("round-trips document → row → JSON → row", () => {
    const text = '{"id":9007199254740993,"name":"é\\"","inner":{"x":-0.5,"tags":["a",null]},"m":{"k":{"v":-1}}}';
    const d = createDocumentDecoder(schema, { mode: "FAILFAST" });
    const row = d.decode(text)!;
    expect(rowToJson(schema, row)).toBe(text);
    expect(d.decode(rowToJson(schema, row))).toEqual(row);
  });
});
