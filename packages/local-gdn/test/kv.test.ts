/**
 * Key-value collections over HTTP, with the request and answer shapes of the GDN API spec
 * (`/_fabric/{fabric}/_api/kv/...`). `expireAt` expiry runs on a ManualClock (no sleeps).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock, startLocalGdn, type LocalGdn } from "../src/index.js";
import { openFrameSocket } from "./frames.js";
import { api } from "./support.js";

let gdn: LocalGdn;
let call: ReturnType<typeof api>;
const clock = new ManualClock(Date.parse("2026-03-01T00:00:00Z"));

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, clock });
  call = api(gdn);
});
afterAll(async () => {
  await gdn.close();
});

describe("key-value collections", () => {
  it("creates, lists, counts, puts, gets, pages keys and values, deletes and truncates", async () => {
    const made = await call("POST", "kv/cache?expiration=false", { stream: false });
    expect(made.status).toBe(200);
    expect(made.json).toEqual({ error: false, code: 200, name: "cache" });
    expect((await call("POST", "kv/cache", {})).json).toMatchObject({ code: 409, errorNum: 1207 });
    await call("POST", "collection", { name: "plain" });
    const list = await call("GET", "kv");
    expect(list.json.result).toEqual([{ name: "cache", expiration: false }]);
    expect((await call("GET", "collection/cache")).json.collectionModel).toBe("KV");

    const put = await call("PUT", "kv/cache/value", [
      { _key: "b", value: "two" },
      { _key: "a", value: { n: 1 }, groupID: "g1" },
      { _key: "c", value: 3, expireAt: 1900000000 },
    ]);
    expect(put.status).toBe(202);
    expect(put.json).toHaveLength(3);
    expect(put.json[0]).toMatchObject({ _id: "cache/b", _key: "b" });
    const again = await call("PUT", "kv/cache/value", [{ _key: "b", value: "TWO" }]);
    expect(again.json[0]._oldrev).toBe(put.json[0]._rev);

    const one = await call("GET", "kv/cache/value/b");
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ _id: "cache/b", _key: "b", value: "TWO", expireAt: -1 });
    expect((await call("GET", "kv/cache/value/zz")).json).toMatchObject({ code: 404, errorNum: 1202 });
    expect((await call("GET", "kv/cache/count")).json).toMatchObject({ error: false, code: 200, name: "cache", count: 3 });
    expect((await call("GET", "kv/cache/count?groupID=g1")).json.count).toBe(1);
    expect((await call("GET", "kv/cache/keys")).json.result).toEqual(["a", "b", "c"]);
    expect((await call("GET", "kv/cache/keys?order=desc&offset=1&limit=1")).json.result).toEqual(["b"]);
    const values = await call("POST", "kv/cache/values", ["c", "a", "missing"]);
    expect(values.json.result).toEqual([
      { _key: "c", value: 3, expireAt: 1900000000 },
      { _key: "a", value: { n: 1 }, expireAt: -1, groupID: "g1" },
    ]);
    expect((await call("POST", "kv/cache/values?limit=2", [])).json.result.map((p: { _key: string }) => p._key)).toEqual(["a", "b"]);
    expect((await call("POST", "kv/cache/values", Array.from({ length: 101 }, (_, i) => `k${i}`))).status).toBe(400);

    const del = await call("DELETE", "kv/cache/value/a");
    expect(del.status).toBe(202);
    expect(del.json).toMatchObject({ _id: "cache/a", _key: "a" });
    const dels = await call("DELETE", "kv/cache/values", ["b", "nope"]);
    expect(dels.status).toBe(202);
    expect(dels.json[0]).toMatchObject({ _key: "b" });
    expect(dels.json[1]).toMatchObject({ error: true, errorNum: 1202 });
    expect((await call("PUT", "kv/cache/truncate")).json).toMatchObject({ error: false, name: "cache" });
    expect((await call("GET", "kv/cache/count")).json.count).toBe(0);
    // A document collection is not a KV collection.
    expect((await call("GET", "kv/plain/count")).json).toMatchObject({ code: 404, errorNum: 1203 });
    expect((await call("DELETE", "kv/cache")).json).toEqual({ error: false, code: 200, name: "cache" });
    expect((await call("GET", "kv")).json.result).toEqual([]);
  });

  it("refuses pairs without _key or value and non-integer expireAt", async () => {
    await call("POST", "kv/strict", {});
    expect((await call("PUT", "kv/strict/value", [{ value: 1 }])).json).toMatchObject({ code: 400, errorNum: 10 });
    expect((await call("PUT", "kv/strict/value", [{ _key: "x" }])).status).toBe(400);
    expect((await call("PUT", "kv/strict/value", [{ _key: "x", value: 1, expireAt: "soon" }])).status).toBe(400);
  });

  it("expires values whose expireAt has passed when created with expiration=true, with a stream delete", async () => {
    await call("POST", "kv/ttlkv?expiration=true", { stream: true });
    const nowS = Math.floor(clock.now() / 1000);
    await call("PUT", "kv/ttlkv/value", [
      { _key: "gone", value: 1, expireAt: nowS + 10 },
      { _key: "stays", value: 2, expireAt: nowS + 3600 },
      { _key: "forever", value: 3 },
    ]);
    const consumer = await openFrameSocket(`${gdn.wsUrl}/_ws/ws/v2/consumer/persistent/${gdn.tenant}/c8local._system/ttlkv/s?subscriptionType=Shared`, { authorization: `apikey ${gdn.apiKey}` });
    clock.advance(9_000);
    expect(gdn.sweepExpired()).toBe(0);
    clock.advance(1_000);
    expect(gdn.sweepExpired()).toBe(1);
    expect((await call("GET", "kv/ttlkv/keys")).json.result).toEqual(["forever", "stays"]);
    const [del] = await consumer.until(1);
    expect(JSON.parse(Buffer.from(String(del!.payload), "base64").toString())).toEqual({ _key: "gone", _delete: true });
    consumer.ws.close();
  });
});
