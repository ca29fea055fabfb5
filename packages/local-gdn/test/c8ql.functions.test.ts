/**
 * The C8QL that users write: one test per function and per construct, over `_api/cursor`.
 * Expected values follow the C8QL/AQL documentation (arangodb Documentation/Books/AQL: Functions/
 * String.md, Numeric.md, Array.md, Document.md, TypeCast.md, Date.md, Operators.md,
 * Operations/Collect.md, Advanced/ArrayOperators.md): type order null < bool < number < string <
 * array < object, null members ignored by aggregates, TO_NUMBER of junk is 0, ROUND(-2.5) is -2.
 * DATE_NOW() runs on a ManualClock, so its value is exact.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock, startLocalGdn, type LocalGdn } from "../src/index.js";
import { api } from "./support.js";

let gdn: LocalGdn;
let call: ReturnType<typeof api>;
const clock = new ManualClock(Date.parse("2026-05-06T07:08:09.010Z"));

async function q(query: string, bindVars?: Record<string, unknown>) {
  return call("POST", "cursor", bindVars ? { query, bindVars, batchSize: 1000 } : { query, batchSize: 1000 });
}
async function one(query: string): Promise<unknown> {
  const r = await q(query);
  expect(r.status, `${query}: ${r.text}`).toBe(201);
  return r.json.result[0];
}

beforeAll(async () => {
  gdn = await startLocalGdn({ clock });
  call = api(gdn);
  await call("POST", "collection", { name: "fx" });
  await call("POST", "import/fx", {
    data: [
      { _key: "a", name: "Ann", age: 31, city: "Oslo", tags: ["x", "y"], friends: [{ n: "Bob", age: 25 }, { n: "Cid", age: 50 }] },
      { _key: "b", name: "Bob", age: 25, city: "Rome", tags: [] },
      { _key: "c", name: "Cid", age: null, city: "Oslo" },
      { _key: "d", name: "Dee", age: 40, city: "Lima", tags: ["y"] },
    ],
  });
});
afterAll(async () => {
  await gdn.close();
});

const FUNCTION_CASES: [string, string, unknown][] = [
  ["LENGTH", "RETURN [LENGTH([1,2,3]), LENGTH('héllo'), LENGTH({a:1,b:2}), LENGTH(null), LENGTH(true), LENGTH(false), LENGTH(123.5), LENGTH(fx)]", [3, 5, 2, 0, 1, 0, 5, 4]],
  ["COUNT", "RETURN [COUNT([1,2]), COUNT(fx), COUNT('ab')]", [2, 4, 2]],
  ["CONCAT", "RETURN [CONCAT('a', 1, null, true), CONCAT(['x', 'y', null]), CONCAT('n=', {a:1})]", ["a1true", "xy", 'n={"a":1}']],
  ["LOWER", "RETURN [LOWER('AbC'), LOWER(12), LOWER(null)]", ["abc", "12", ""]],
  ["UPPER", "RETURN [UPPER('AbC'), UPPER(true)]", ["ABC", "TRUE"]],
  ["SUBSTRING", "RETURN [SUBSTRING('Hello World', 6), SUBSTRING('Hello World', 0, 5), SUBSTRING('Hello World', -5, 3), SUBSTRING('héllo', 1, 2)]", ["World", "Hello", "Wor", "él"]],
  ["CONTAINS", "RETURN [CONTAINS('foobarbaz', 'bar'), CONTAINS('foobarbaz', 'horse'), CONTAINS('foobarbaz', 'ba', true), CONTAINS('foobarbaz', 'horse', true)]", [true, false, 3, -1]],
  ["SPLIT", "RETURN [SPLIT('foo-bar-baz', '-'), SPLIT('foo-bar-baz', '-', 1), SPLIT('foo, bar & baz', [', ', ' & ']), SPLIT('abc', ''), SPLIT('abc')]", [["foo", "bar", "baz"], ["foo"], ["foo", "bar", "baz"], ["a", "b", "c"], ["abc"]]],
  ["TRIM", "RETURN TRIM('  a b \\n')", "a b"],
  ["TO_NUMBER", "RETURN [TO_NUMBER('  12.5 '), TO_NUMBER('abc'), TO_NUMBER(true), TO_NUMBER(null), TO_NUMBER([7]), TO_NUMBER([1,2]), TO_NUMBER({})]", [12.5, 0, 1, 0, 7, 0, 0]],
  ["TO_STRING", "RETURN [TO_STRING(null), TO_STRING(true), TO_STRING(1.5), TO_STRING([1,'a']), TO_STRING({a:1})]", ["", "true", "1.5", '[1,"a"]', '{"a":1}']],
  ["TO_BOOL", "RETURN [TO_BOOL(0), TO_BOOL(-1), TO_BOOL(''), TO_BOOL(' '), TO_BOOL([]), TO_BOOL({}), TO_BOOL(null)]", [false, true, false, true, true, true, false]],
  ["TO_ARRAY", "RETURN [TO_ARRAY(null), TO_ARRAY(1), TO_ARRAY([1]), TO_ARRAY({a:1,b:2})]", [[], [1], [1], [1, 2]]],
  ["HAS", "RETURN [HAS({a:null}, 'a'), HAS({a:1}, 'b'), HAS('x', 'a')]", [true, false, false]],
  ["KEEP", "RETURN [KEEP({a:1,b:2,c:3}, 'a', 'c'), KEEP({a:1,b:2}, ['b']), KEEP('x', 'a')]", [{ a: 1, c: 3 }, { b: 2 }, null]],
  ["UNSET", "RETURN [UNSET({a:1,b:2,c:3}, 'a', 'c'), UNSET({a:1,b:2}, ['b'])]", [{ b: 2 }, { a: 1 }]],
  ["MERGE", "RETURN [MERGE({a:1,b:1}, {b:2,c:3}), MERGE([{a:1}, {a:2}]), MERGE({a:1}, 2)]", [{ a: 1, b: 2, c: 3 }, { a: 2 }, null]],
  ["ATTRIBUTES", "RETURN [ATTRIBUTES({b:1,_key:'k',a:2}), ATTRIBUTES({b:1,_key:'k',a:2}, true, true)]", [["b", "_key", "a"], ["a", "b"]]],
  ["VALUES", "RETURN [VALUES({a:1,_key:'k'}), VALUES({a:1,_key:'k'}, true)]", [[1, "k"], [1]]],
  ["FIRST", "RETURN [FIRST([1,2]), FIRST([]), FIRST('x')]", [1, null, null]],
  ["LAST", "RETURN [LAST([1,2]), LAST([]), LAST(null)]", [2, null, null]],
  ["UNIQUE", "RETURN [LENGTH(UNIQUE([1,2,2,'2',1,null,null,1.0])), SORTED_UNIQUE([3,1,3,2]), COUNT_DISTINCT(['a','a','b'])]", [4, [1, 2, 3], 2]],
  ["PUSH", "RETURN [PUSH([1], 2), PUSH([1], 1, true), PUSH('x', 1)]", [[1, 2], [1], null]],
  ["SUM", "RETURN [SUM([1,2,3,4]), SUM([null,-5,6]), SUM([]), SUM('x'), SUM([1,'2'])]", [10, 1, 0, null, null]],
  ["MIN", "RETURN [MIN([5,null,2]), MIN(['b', 3, true]), MIN([]), MIN([null])]", [2, true, null, null]],
  ["MAX", "RETURN [MAX([5,null,2]), MAX([5,null,'a',[0]]), MAX([])]", [5, [0], null]],
  ["AVERAGE", "RETURN [AVERAGE([5,2,9,2]), AVERAGE([-3,-5,2]), AVERAGE([]), AVG([1,null,3])]", [4.5, -2, null, 2]],
  ["DATE_NOW", "RETURN DATE_NOW()", Date.parse("2026-05-06T07:08:09.010Z")],
  ["DATE_ISO8601", "RETURN [DATE_ISO8601(0), DATE_ISO8601('2026-03-04'), DATE_ISO8601('2026-03-04T05:06:07+01:00'), DATE_ISO8601('2026-03-04T05:06:07'), DATE_ISO8601(2026, 3, 4, 5, 6, 7, 8)]", ["1970-01-01T00:00:00.000Z", "2026-03-04T00:00:00.000Z", "2026-03-04T04:06:07.000Z", "2026-03-04T05:06:07.000Z", "2026-03-04T05:06:07.008Z"]],
  ["DATE_TIMESTAMP", "RETURN [DATE_TIMESTAMP('1970-01-01T00:00:01Z'), DATE_TIMESTAMP(2026, 1, 1), DATE_TIMESTAMP('2026-01-01T00:00:00.5Z')]", [1000, 1767225600000, 1767225600500]],
  ["ROUND", "RETURN [ROUND(2.49), ROUND(2.50), ROUND(-2.50), ROUND(-2.51), ROUND('3.7')]", [2, 3, -2, -3, 4]],
  ["FLOOR", "RETURN [FLOOR(2.49), FLOOR(-2.50), FLOOR(null)]", [2, -3, 0]],
  ["CEIL", "RETURN [CEIL(2.49), CEIL(-2.50)]", [3, -2]],
  ["ABS", "RETURN [ABS(-5), ABS(3.5), ABS('-2')]", [5, 3.5, 2]],
  ["IS_NULL", "RETURN [IS_NULL(null), IS_NULL(0), IS_NULL({}.missing)]", [true, false, true]],
  ["IS_* and TYPENAME", "RETURN [IS_BOOL(false), IS_NUMBER(1.5), IS_NUMBER('1'), IS_STRING('a'), IS_ARRAY([]), IS_LIST([]), IS_OBJECT({}), IS_DOCUMENT([]), TYPENAME(1), TYPENAME('a'), TYPENAME(null)]", [true, true, false, true, true, true, true, false, "number", "string", "null"]],
  ["NOT_NULL", "RETURN [NOT_NULL(null, 0, 1), NOT_NULL(null, null)]", [0, null]],
  ["DOCUMENT", "RETURN [DOCUMENT('fx/a').name, DOCUMENT(fx, 'b').name, DOCUMENT('fx', 'fx/c').name, DOCUMENT(['fx/a', 'fx/zz'])[*]._key, DOCUMENT('fx/zz')]", ["Ann", "Bob", "Cid", ["a"], null]],
];

describe("C8QL functions", () => {
  it.each(FUNCTION_CASES)("%s", async (_name, query, expected) => {
    expect(await one(query)).toEqual(expected);
  });

  it("answers an invalid date with null and a query warning", async () => {
    const r = await q("RETURN DATE_ISO8601('not a date')");
    expect(r.json.result).toEqual([null]);
    expect(r.json.extra.warnings[0].message).toContain("DATE_ISO8601");
  });

  it("refuses a wrong argument count with 1541 and an unknown function with 1501 naming it", async () => {
    expect((await q("RETURN SUBSTRING('a')")).json).toMatchObject({ code: 400, errorNum: 1541 });
    const r = await q("RETURN LEVENSHTEIN_DISTANCE('a', 'b')");
    expect(r.json).toMatchObject({ code: 400, errorNum: 1501 });
    expect(r.json.errorMessage).toContain("LEVENSHTEIN_DISTANCE()");
  });

  it("reaches a missing collection in DOCUMENT as 404/1203", async () => {
    expect((await q("RETURN DOCUMENT('nowhere/1')")).json).toMatchObject({ code: 404, errorNum: 1203 });
  });
});

describe("C8QL constructs", () => {
  it("evaluates the ternary operator and its ?: shorthand", async () => {
    const r = await q("FOR p IN fx SORT p._key RETURN p.age > 30 ? 'old' : (p.age == null ? 'unknown' : 'young')");
    expect(r.json.result).toEqual(["old", "young", "unknown", "old"]);
    expect((await q("FOR p IN fx SORT p._key RETURN p.age ?: -1")).json.result).toEqual([31, 25, -1, 40]);
  });

  it("expands arrays with [*], projections, inline FILTER/LIMIT/RETURN, and [] for non-arrays", async () => {
    expect(await one("RETURN DOCUMENT('fx/a').friends[*].n")).toEqual(["Bob", "Cid"]);
    expect(await one("RETURN DOCUMENT('fx/a').friends[* FILTER CURRENT.age > 30 RETURN UPPER(CURRENT.n)]")).toEqual(["CID"]);
    expect(await one("RETURN [1,2,3,4][* LIMIT 1, 2]")).toEqual([2, 3]);
    expect((await q("FOR p IN fx SORT p._key RETURN p.tags[*]")).json.result).toEqual([["x", "y"], [], [], ["y"]]);
    expect(await one("RETURN (FOR p IN fx SORT p._key RETURN p)[*].friends[*].n")).toEqual([["Bob", "Cid"], [], [], []]);
  });

  it("runs subqueries in LET, reading the enclosing row, with DISTINCT", async () => {
    const r = await q("FOR p IN fx FILTER p._key == 'a' LET older = (FOR o IN fx FILTER o.age > p.age SORT o.name RETURN o.name) RETURN {name: p.name, older}");
    expect(r.json.result).toEqual([{ name: "Ann", older: ["Dee"] }]);
    expect(await one("LET cities = (FOR p IN fx SORT p.city RETURN DISTINCT p.city) RETURN cities")).toEqual(["Lima", "Oslo", "Rome"]);
    expect(await one("RETURN LENGTH((FOR p IN fx FILTER p.city == 'Oslo' RETURN 1))")).toBe(2);
  });

  it("checks a subquery's collections up front, even when no row runs it, and lists them on validation", async () => {
    const r = await q("FOR p IN fx FILTER false LET x = (FOR n IN nowhere RETURN n) RETURN x");
    expect(r.json).toMatchObject({ code: 404, errorNum: 1203 });
    const v = await call("POST", "query", { query: "FOR p IN fx LET x = (FOR o IN other RETURN o) RETURN x" });
    expect(v.json.collections.sort()).toEqual(["fx", "other"]);
  });

  it("groups with COLLECT in ascending group order, with INTO, INTO projection and WITH COUNT INTO", async () => {
    const counts = await q("FOR p IN fx COLLECT city = p.city WITH COUNT INTO n RETURN {city, n}");
    expect(counts.json.result).toEqual([{ city: "Lima", n: 1 }, { city: "Oslo", n: 2 }, { city: "Rome", n: 1 }]);
    const into = await q("FOR p IN fx COLLECT city = p.city INTO g RETURN {city, keys: g[*].p._key}");
    expect(into.json.result).toEqual([{ city: "Lima", keys: ["d"] }, { city: "Oslo", keys: ["a", "c"] }, { city: "Rome", keys: ["b"] }]);
    const proj = await q("FOR p IN fx COLLECT city = p.city INTO names = p.name RETURN [city, names]");
    expect(proj.json.result[1]).toEqual(["Oslo", ["Ann", "Cid"]]);
    const multi = await q("FOR p IN fx COLLECT city = p.city, old = p.age > 30 RETURN [city, old]");
    expect(multi.json.result).toEqual([["Lima", true], ["Oslo", false], ["Oslo", true], ["Rome", false]]);
    expect((await q("FOR p IN fx FILTER p.nope COLLECT WITH COUNT INTO n RETURN n")).json.result).toEqual([0]);
    // Groups compare values, not their text: 1 and 1.0 are one group.
    expect((await q("FOR x IN [1, 1.0, 2, {a: 1, b: 2}, {b: 2, a: 1}] COLLECT v = x WITH COUNT INTO n RETURN n")).json.result).toEqual([2, 1, 2]);
  });

  it("aggregates with COLLECT … AGGREGATE (nulls ignored)", async () => {
    const r = await q("FOR p IN fx COLLECT city = p.city AGGREGATE total = SUM(p.age), oldest = MAX(p.age), avg = AVERAGE(p.age), n = LENGTH(1) RETURN {city, total, oldest, avg, n}");
    expect(r.json.result).toEqual([
      { city: "Lima", total: 40, oldest: 40, avg: 40, n: 1 },
      { city: "Oslo", total: 31, oldest: 31, avg: 31, n: 2 },
      { city: "Rome", total: 25, oldest: 25, avg: 25, n: 1 },
    ]);
    expect(await one("FOR p IN fx COLLECT AGGREGATE lo = MIN(p.age), hi = MAX(p.age), names = UNIQUE(p.city) RETURN [lo, hi, LENGTH(names)]")).toEqual([25, 40, 3]);
  });

  it("hides variables from before COLLECT (1512), as the server does", async () => {
    const r = await q("FOR p IN fx COLLECT city = p.city RETURN p.name");
    expect(r.json).toMatchObject({ code: 400, errorNum: 1512 });
  });

  it("propagates null: attribute access on null, arithmetic with null as 0, null sorted first", async () => {
    expect(await one("RETURN [null.a, {}.a.b, null + 1, CONCAT(null), LENGTH(null.a)]")).toEqual([null, null, 1, "", 0]);
    expect((await q("FOR p IN fx SORT p.age RETURN p._key")).json.result).toEqual(["c", "b", "a", "d"]);
  });
});
