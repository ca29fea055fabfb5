/**
 * The rescuing decoder and the new-field finder of schema evolution. What goes into the rescued
 * JSON follows Databricks Auto Loader's rescued data column (docs.databricks.com → Auto Loader →
 * "Configure schema inference and evolution" → "What is the rescued data column?"): fields not in
 * the schema, values of another type and case-variants, with the record's origin.
 */
import { describe, expect, it } from "vitest";
import { JobMetrics, MalformedRecordError, appendFields, createRescuingDecoder, findNewFields, parseDDL, withRescuedDataColumn } from "../src/index.js";

const schema = withRescuedDataColumn(parseDDL("id BIGINT, name STRING, tags ARRAY<STRUCT<k: STRING>>, attrs MAP<STRING, BIGINT>, addr STRUCT<city: STRING, geo: STRUCT<lat: DOUBLE>>"));

describe("createRescuingDecoder", () => {
  it("keeps what fits and rescues the rest, at any depth, with the locator", () => {
    const metrics = new JobMetrics();
    const d = createRescuingDecoder(schema, { metrics, locatorName: "_messageId" });
    const row = d.decodeWithLocator('{"id":"x1","name":"n","addr":{"city":"Oslo","geo":{"lat":1.0,"alt":12},"zip":"0150"},"extra":[1,2.50]}', "7:1");
    expect(row!.slice(0, 5)).toEqual([null, "n", null, null, ["Oslo", [1]]]);
    expect(row![5]).toBe('{"id":"x1","addr":{"geo":{"alt":12},"zip":"0150"},"extra":[1,2.50],"_messageId":"7:1"}');
    expect(metrics.get("rescuedRecords")).toBe(1);
    expect(metrics.samplesOf("rescuedRecords")[0]).toEqual({ key: "7:1", reason: "rescued id, addr, extra" });
  });

  it("rescues a whole array or map whose element does not fit, or holds a field the element lacks, keeping what converted", () => {
    const d = createRescuingDecoder(schema);
    const arr = d.decode('{"_key":"a","tags":[{"k":"x"},{"k":"y","v":1}],"attrs":{"p":1,"q":"two"}}');
    expect(arr![2]).toEqual([["x"], ["y"]]); // Spark's reader keeps the struct's own fields
    expect(arr![3]).toBeNull(); // "two" is no bigint: the map does not convert
    expect(JSON.parse(String(arr![5]))).toEqual({ tags: [{ k: "x" }, { k: "y", v: 1 }], attrs: { p: 1, q: "two" }, _key: "a" });
  });

  it("rescues case-variants and never the GDN's _id, _rev, _key; nulls outside the schema lose nothing and are not rescued", () => {
    const d = createRescuingDecoder(schema);
    const row = d.decode({ _id: "c/a", _rev: "r1", _key: "a", Name: "N", gone: null, id: 3 });
    expect(row![0]).toBe(3);
    expect(row![1]).toBeNull();
    expect(JSON.parse(String(row![5]))).toEqual({ Name: "N", _key: "a" });
    expect(d.decode({ _key: "b", id: 4, gone: null })![5]).toBeNull();
  });

  it("keeps an attribute named __proto__ as data", () => {
    const d = createRescuingDecoder(schema);
    const row = d.decode('{"__proto__":{"polluted":true},"id":1}');
    expect(row![5]).toBe('{"__proto__":{"polluted":true}}');
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("leaves payloads that are not objects to the parse mode", () => {
    const metrics = new JobMetrics();
    const drop = createRescuingDecoder(schema, { mode: "DROPMALFORMED", metrics });
    expect(drop.decode("not json")).toBeUndefined();
    expect(drop.decode("[1,2]")).toBeUndefined();
    expect(metrics.get("rejectedRecords")).toBe(2);
    expect(drop.decode("   ")).toBeUndefined();
    expect(metrics.get("emptyRecords")).toBe(1);
    expect(() => createRescuingDecoder(schema, { mode: "FAILFAST" }).decode("42")).toThrow(MalformedRecordError);
  });

  it("needs the column to be a string column of the schema", () => {
    expect(() => createRescuingDecoder(parseDDL("id BIGINT"))).toThrow(/no string column '_rescued_data'/);
    expect(() => createRescuingDecoder(parseDDL("id BIGINT, _rescued_data BIGINT"))).toThrow(/no string column/);
  });
});

describe("findNewFields", () => {
  const current = parseDDL("id BIGINT, Name STRING, _rescued_data STRING");
  it("finds top-level fields the schema lacks (ignoring case, nulls, _id/_rev and reserved names), typed by inference over the batch", () => {
    const found = findNewFields(
      current,
      [
        { text: '{"id":1,"name":"case-variant","_id":"c/1","_rev":"x","n":null}', origin: "1:0" },
        { text: '{"id":2,"region":"eu","score":1}', origin: "1:1" },
        { text: '{"id":3,"score":2.5,"meta":{"a":1},"_messageId":"m"}', origin: "1:2" },
        { text: "not json", origin: "1:3" },
      ],
      ["_messageId"],
    );
    expect(found.fields.map((f) => `${f.name}:${f.dataType.simpleString()}`)).toEqual(["meta:struct<a:bigint>", "region:string", "score:double"]);
    expect(Object.fromEntries(found.firstSeen)).toEqual({ region: "1:1", score: "1:1", meta: "1:2" });
    expect(appendFields(current, found.fields).fieldNames).toEqual(["id", "Name", "_rescued_data", "meta", "region", "score"]);
  });

  it("finds nothing when every field is known", () => {
    expect(findNewFields(current, [{ text: '{"id":1,"NAME":"x"}', origin: "a" }]).fields).toEqual([]);
  });
});
