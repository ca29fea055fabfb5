/**
 * Indexes over HTTP: definitions stored and listed with the GDN API spec's envelopes
 * (`/_fabric/{fabric}/_api/index`: `{indexes, identifiers}`, 201 `isNewlyCreated`, 404 on an unknown
 * handle), `unique` enforced with 1210 on every write path, and TTL expiry removing documents and
 * emitting the change-stream delete. Expiry runs on a ManualClock: the test moves time, never sleeps.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock, startLocalGdn, type LocalGdn } from "../src/index.js";
import { openFrameSocket } from "./frames.js";
import { api } from "./support.js";

let gdn: LocalGdn;
let call: ReturnType<typeof api>;
const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, clock });
  call = api(gdn);
});
afterAll(async () => {
  await gdn.close();
});

describe("index definitions", () => {
  it("creates, lists, describes and drops persistent, hash, skiplist, ttl and fulltext indexes", async () => {
    await call("POST", "collection", { name: "ix" });
    const made = await call("POST", "index?collection=ix", { type: "persistent", fields: ["a", "b.c"], unique: false, sparse: true });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ error: false, code: 201, type: "persistent", fields: ["a", "b.c"], unique: false, sparse: true, isNewlyCreated: true });
    expect(made.json.id).toMatch(/^ix\/\d+$/);
    expect(made.json.name).toMatch(/^idx_\d+$/);
    // The same definition again: 200, not newly created.
    const again = await call("POST", "index?collection=ix", { type: "persistent", fields: ["a", "b.c"], sparse: true });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: made.json.id, isNewlyCreated: false });
    expect((await call("POST", "index/hash?collection=ix", { fields: ["h"], name: "byH" })).json).toMatchObject({ type: "hash", name: "byH" });
    expect((await call("POST", "index?collection=ix", { type: "skiplist", fields: ["s"] })).json.type).toBe("skiplist");
    expect((await call("POST", "index?collection=ix", { type: "ttl", fields: ["at"], expireAfter: 60 })).json).toMatchObject({ type: "ttl", expireAfter: 60 });
    expect((await call("POST", "index?collection=ix", { type: "fulltext", fields: ["text"], minLength: 3 })).json).toMatchObject({ type: "fulltext", minLength: 3 });

    const list = await call("GET", "index?collection=ix");
    expect(list.status).toBe(200);
    expect(list.json.indexes.map((i: { type: string }) => i.type)).toEqual(["primary", "persistent", "hash", "skiplist", "ttl", "fulltext"]);
    expect(list.json.indexes[0]).toMatchObject({ id: "ix/0", name: "primary", fields: ["_key"], unique: true, sparse: false });
    expect(list.json.identifiers[made.json.id]).toMatchObject({ type: "persistent" });

    expect((await call("GET", `index/${made.json.id}`)).json).toMatchObject({ id: made.json.id, code: 200 });
    expect((await call("GET", "index/ix/byH")).json.type).toBe("hash");
    const dropped = await call("DELETE", "index/ix/byH");
    expect(dropped.json).toMatchObject({ error: false, code: 200 });
    expect(dropped.json.id).toMatch(/^ix\/\d+$/);
    const gone = await call("GET", "index/ix/byH");
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ error: true, code: 404, errorNum: 1212 });
    expect((await call("GET", "collection/ix/figures")).json.figures.indexes.count).toBe(5);
  });

  it("refuses what the server refuses: unknown type, a second ttl index, a unique index over repeated values", async () => {
    await call("POST", "collection", { name: "ixbad" });
    expect((await call("POST", "index?collection=ixbad", { type: "nope", fields: ["a"] })).json).toMatchObject({ code: 400, errorNum: 10 });
    expect((await call("POST", "index?collection=ixbad", { type: "persistent", fields: [] })).status).toBe(400);
    expect((await call("POST", "index?collection=ixbad", { type: "ttl", fields: ["t"], expireAfter: 1 })).status).toBe(201);
    expect((await call("POST", "index?collection=ixbad", { type: "ttl", fields: ["u"], expireAfter: 1 })).status).toBe(400);
    await call("POST", "document/ixbad", [{ e: 1 }, { e: 1 }]);
    const dup = await call("POST", "index?collection=ixbad", { type: "persistent", fields: ["e"], unique: true });
    expect(dup.json).toMatchObject({ error: true, errorNum: 1210 });
    expect((await call("GET", "index?collection=ixbad")).json.indexes).toHaveLength(2);
    expect((await call("GET", "index?collection=missing")).json.errorNum).toBe(1203);
  });
});

describe("unique indexes", () => {
  it("refuse a repeated value with 1210 on insert, bulk insert, import, replace and update", async () => {
    await call("POST", "collection", { name: "users" });
    const ix = await call("POST", "index?collection=users", { type: "persistent", fields: ["email"], unique: true, name: "byEmail" });
    expect(ix.status).toBe(201);
    expect((await call("POST", "document/users", { _key: "a", email: "a@x" })).status).toBe(202);
    const dup = await call("POST", "document/users", { _key: "b", email: "a@x" });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ error: true, code: 409, errorNum: 1210 });
    expect(dup.json.errorMessage).toContain("byEmail");

    const bulk = await call("POST", "document/users", [{ _key: "c", email: "c@x" }, { _key: "d", email: "c@x" }]);
    expect(bulk.json[1]).toMatchObject({ error: true, errorNum: 1210 });
    expect(bulk.headers.get("x-c8-error-codes")).toBe('{"1210":1}');

    const imp = await call("POST", "import/users", { data: [{ _key: "e", email: "e@x" }, { _key: "f", email: "a@x" }], details: true });
    expect(imp.json.result).toMatchObject({ created: 1, errors: 1 });
    expect(imp.json.result.details.errors[0]).toMatchObject({ errorNumber: 1210 });
    expect(imp.json.result.details.errors[0].errorMessage).toContain("unique constraint violated - in index byEmail");

    expect((await call("PATCH", "document/users/e", { email: "a@x" })).json.errorNum).toBe(1210);
    expect((await call("PUT", "document/users/e", { email: "c@x" })).json.errorNum).toBe(1210);
    // A document may keep its own value, and a freed value can be taken.
    expect((await call("PATCH", "document/users/a", { name: "A" })).status).toBe(202);
    expect((await call("DELETE", "document/users/a")).status).toBe(202);
    expect((await call("PATCH", "document/users/e", { email: "a@x" })).status).toBe(202);
    // C8QL writes go through the same check.
    const q = await call("POST", "cursor", { query: "INSERT { email: 'c@x' } INTO users" });
    expect(q.json).toMatchObject({ error: true, errorNum: 1210 });
    expect((await call("GET", "collection/users/count")).json.count).toBe(2);
  });

  it("leave documents without the attribute out of a sparse unique index, and compare 1 and 1.0 as equal", async () => {
    await call("POST", "collection", { name: "sp" });
    await call("POST", "index?collection=sp", { type: "hash", fields: ["n"], unique: true, sparse: true });
    expect((await call("POST", "document/sp", [{}, {}, { n: null }])).headers.get("x-c8-error-codes")).toBeNull();
    expect((await call("POST", "document/sp", '{"n":1}')).status).toBe(202);
    expect((await call("POST", "document/sp", '{"n":1.0}')).json.errorNum).toBe(1210);
  });
});

describe("ttl indexes", () => {
  it("expire documents once attribute + expireAfter has passed, and the change stream gets the delete", async () => {
    await call("POST", "collection", { name: "sessions", stream: true });
    await call("POST", "index?collection=sessions", { type: "ttl", fields: ["createdAt"], expireAfter: 600 });
    const now = clock.now() / 1000;
    await call("POST", "document/sessions", [
      { _key: "old", createdAt: now - 700 },
      { _key: "soon", createdAt: new Date(clock.now() - 500_000).toISOString() },
      { _key: "never", createdAt: "not a date" },
      { _key: "none" },
    ]);
    const consumer = await openFrameSocket(`${gdn.wsUrl}/_ws/ws/v2/consumer/persistent/${gdn.tenant}/c8local._system/sessions/ttl?subscriptionType=Shared`, { authorization: `apikey ${gdn.apiKey}` });
    // The sweep runs every 30 s (ArangoDB's --ttl.frequency default): nothing goes before it.
    clock.advance(29_999);
    expect((await call("GET", "collection/sessions/count")).json.count).toBe(4);
    clock.advance(1);
    expect((await call("GET", "document/sessions/old")).status).toBe(404);
    expect((await call("GET", "document/sessions/soon")).status).toBe(200);
    const [del] = await consumer.until(1);
    expect(JSON.parse(Buffer.from(String(del!.payload), "base64").toString())).toEqual({ _key: "old", _delete: true });
    // "soon" turns 600 s old at +100 s, before the next periodic sweep (+120 s): trigger one directly.
    clock.advance(69_999);
    expect(gdn.sweepExpired()).toBe(0);
    clock.advance(1);
    expect(gdn.sweepExpired()).toBe(1);
    expect((await call("GET", "collection/sessions/count")).json.count).toBe(2);
    consumer.ws.close();
  });
});

describe("persistence", () => {
  it("keeps index definitions and unique enforcement across a restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "local-gdn-ix-"));
    try {
      const apiKeys = ["acme.k1.s3cret"];
      const first = await startLocalGdn({ dataDir, apiKeys });
      const a = api(first);
      await a("POST", "collection", { name: "p" });
      await a("POST", "index?collection=p", { type: "persistent", fields: ["u"], unique: true, name: "byU" });
      await a("POST", "document/p", { u: 1 });
      await first.close();
      const second = await startLocalGdn({ dataDir, apiKeys });
      const b = api(second);
      expect((await b("GET", "index?collection=p")).json.indexes.map((i: { name: string }) => i.name)).toEqual(["primary", "byU"]);
      expect((await b("POST", "document/p", { u: 1 })).json.errorNum).toBe(1210);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
