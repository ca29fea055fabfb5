import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalGdn, type LocalGdn } from "../src/index.js";
import { api } from "./support.js";

let gdn: LocalGdn;
let call: ReturnType<typeof api>;

async function q(query: string, bindVars?: Record<string, unknown>) {
  return call("POST", "cursor", bindVars ? { query, bindVars, batchSize: 1000 } : { query, batchSize: 1000 });
}

beforeAll(async () => {
  gdn = await startLocalGdn();
  call = api(gdn);
  await call("POST", "collection", { name: "people" });
  await call("POST", "import/people", {
    data: [
      { _key: "a", name: "Ann", age: 31, city: "Oslo", tags: ["x", "y"], nested: { "x y": 1 } },
      { _key: "b", name: "Bob", age: 25, city: "Rome", tags: [] },
      { _key: "c", name: "Cid", age: null, city: "Oslo" },
      { _key: "d", name: "Dee", age: 40, city: "Lima" },
    ],
  });
});
afterAll(async () => {
  await gdn.close();
});

describe("C8QL subset", () => {
  it("filters, sorts and limits", async () => {
    const r = await q("FOR p IN people FILTER p.age >= 25 && p.city != 'Lima' SORT p.age DESC LIMIT 0, 5 RETURN p.name");
    expect(r.json.result).toEqual(["Ann", "Bob"]);
    const l = await q("FOR p IN people SORT p._key LIMIT 1, 2 RETURN p._key");
    expect(l.json.result).toEqual(["b", "c"]);
  });

  it("projects objects and arrays, with bracket access and nested attributes", async () => {
    const r = await q('FOR p IN people FILTER p._key == "a" RETURN {n: p.name, first: p.tags[0], last: p.tags[-1], odd: p.nested["x y"], pair: [p.age, p.missing.deeper]}');
    expect(r.json.result).toEqual([{ n: "Ann", first: "x", last: "y", odd: 1, pair: [31, null] }]);
  });

  it("supports IN, NOT IN, LIKE, NOT, OR, == null and type ordering", async () => {
    expect((await q("FOR p IN people FILTER p.city IN ['Oslo', 'Lima'] SORT p._key RETURN p._key")).json.result).toEqual(["a", "c", "d"]);
    expect((await q("FOR p IN people FILTER p.city NOT IN ['Oslo'] SORT p._key RETURN p._key")).json.result).toEqual(["b", "d"]);
    expect((await q("FOR p IN people FILTER p.name LIKE '_o%' RETURN p._key")).json.result).toEqual(["b"]);
    expect((await q("FOR p IN people FILTER p.age == null RETURN p._key")).json.result).toEqual(["c"]);
    expect((await q("FOR p IN people FILTER NOT (p.age > 30) OR p.name == 'Dee' SORT p._key RETURN p._key")).json.result).toEqual(["b", "c", "d"]);
    // null sorts below numbers, strings above them.
    expect((await q("FOR p IN people FILTER p.age < 26 SORT p._key RETURN p._key")).json.result).toEqual(["b", "c"]);
    expect((await q("FOR p IN people FILTER p._key > 0 RETURN p._key")).json.result).toHaveLength(4);
  });

  it("binds values and collections; missing and undeclared binds are 1551/1552", async () => {
    const r = await q("FOR p IN @@c FILTER p.city == @city SORT p._key RETURN p._key", { "@c": "people", city: "Oslo" });
    expect(r.json.result).toEqual(["a", "c"]);
    const missing = await q("FOR p IN people FILTER p.city == @city RETURN p");
    expect(missing.status).toBe(400);
    expect(missing.json.errorNum).toBe(1551);
    const extra = await q("FOR p IN people RETURN p", { city: "Oslo" });
    expect(extra.json.errorNum).toBe(1552);
  });

  it("answers 404/1203 for an unknown collection", async () => {
    const r = await q("FOR p IN nobody RETURN p");
    expect(r.status).toBe(404);
    expect(r.json.errorNum).toBe(1203);
  });

  it("refuses constructs outside the subset with 400/1501 naming them", async () => {
    const cases: [string, RegExp][] = [
      ["FOR p IN people COLLECT c = p.city INTO g KEEP p RETURN c", /KEEP/],
      ["FOR p IN people RETURN REGEX_TEST(p.name, 'A')", /function REGEX_TEST/],
      ["FOR p IN people RETURN p.tags[**]", /\[\*\*\]/],
      ["FOR p IN people RETURN (FOR x IN people REMOVE x IN people)", /subquer/],
      ["FOR p IN people WINDOW { preceding: 1 } AGGREGATE s = SUM(p.age) RETURN s", /WINDOW/],
      ["FOR p IN people COLLECT AGGREGATE s = CONCAT(p.name) RETURN s", /AGGREGATE/],
      ["FOR p IN people RETURN {[p.name]: 1}", /computed attribute names/],
      ["FOR p IN people FILTER p.name =~ 'A' RETURN p", /regular-expression/],
      ["FOR v IN 1..3 OUTBOUND 'people/a' GRAPH 'g' RETURN v", /graph/],
      ["FOR p IN people UPDATE p WITH {} IN people OPTIONS {mystery: 1}", /mystery/],
      ["INVALID QUERY", /syntax error, unexpected identifier near 'INVALID QUERY' at position 1:1/],
    ];
    for (const [query, message] of cases) {
      const r = await q(query);
      expect(r.status, query).toBe(400);
      expect(r.json.errorNum, query).toBe(1501);
      expect(r.json.errorMessage, query).toMatch(message);
    }
  });

  it("runs INSERT, UPDATE, REPLACE, UPSERT and REMOVE", async () => {
    await call("POST", "collection", { name: "w" });
    const unknownVar = await q("FOR i IN 1..3 INSERT {_key: nope, n: i} INTO w");
    expect(unknownVar.json.errorNum).toBe(1512);
    expect((await call("GET", "collection/w/count")).json.count).toBe(0);
    const ins2 = await q("FOR i IN 1..3 INSERT {n: i, k: 'x'} INTO w RETURN NEW.n");
    expect(ins2.json.result).toEqual([1, 2, 3]);
    expect(ins2.json.extra.stats.writesExecuted).toBe(3);
    await q("INSERT {_key: 'one', n: 1, o: {a: 1}} INTO w");
    const upd = await q("FOR d IN w FILTER d._key == 'one' UPDATE d WITH {o: {b: 2}, m: true} IN w RETURN [OLD.o, NEW.o, NEW.m]");
    expect(upd.json.result).toEqual([[{ a: 1 }, { a: 1, b: 2 }, true]]);
    const byExpr = await q("FOR d IN w FILTER d._key == 'one' UPDATE {_key: d._key, z: @z} IN w RETURN NEW.z", { z: 42 });
    expect(byExpr.json.result).toEqual([42]);
    const rep = await q("REPLACE 'one' WITH {only: 1} IN w RETURN NEW");
    expect(Object.keys(rep.json.result[0]).sort()).toEqual(["_id", "_key", "_rev", "only"]);
    const ups1 = await q("UPSERT {k: 'new'} INSERT {k: 'new', c: 1} UPDATE {c: OLD.c + 1} IN w RETURN NEW.c");
    const ups2 = await q("UPSERT {k: 'new'} INSERT {k: 'new', c: 1} UPDATE {c: OLD.c + 1} IN w RETURN NEW.c");
    expect([ups1.json.result, ups2.json.result]).toEqual([[1], [2]]);
    const rem = await q("FOR d IN w FILTER d.k == 'x' REMOVE d IN w RETURN OLD.n");
    expect(rem.json.result.sort()).toEqual([1, 2, 3]);
    await q('REMOVE "one" IN w');
    expect((await call("GET", "collection/w/count")).json.count).toBe(1);
    const dup = await q("INSERT {_key: 'dup'} INTO w");
    expect(dup.status).toBe(201);
    const again = await q("INSERT {_key: 'dup'} INTO w");
    expect(again.status).toBe(409);
    expect(again.json.errorNum).toBe(1210);
  });

  it("validates queries on _api/query", async () => {
    const ok = await call("POST", "query", { query: "FOR d IN people FILTER d.a == @x RETURN d" });
    expect(ok.json).toMatchObject({ error: false, parsed: true, collections: ["people"], bindVars: ["x"] });
    const bad = await call("POST", "query", { query: "FOR d IN" });
    expect(bad.json.errorNum).toBe(1501);
  });
});
