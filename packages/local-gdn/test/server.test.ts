import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalGdn, type LocalGdn } from "../src/index.js";
import { api, waitFor } from "./support.js";

let gdn: LocalGdn;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, users: [{ email: "dev@example.com", password: "pw" }] });
  call = api(gdn);
  await call("POST", "collection", { name: "docs" });
});
afterAll(async () => {
  await gdn.close();
});

describe("auth", () => {
  it("issues a key of the real form and resolves the tenant", async () => {
    expect(gdn.apiKey.split(".")).toHaveLength(3);
    expect(gdn.apiKey.startsWith(`${gdn.tenant}.`)).toBe(true);
    const r = await call("GET", "/_api/user");
    expect(r.json.result[0].tenant).toBe(gdn.tenant);
  });

  it("answers 401 with the envelope without credentials or with a wrong key", async () => {
    for (const auth of [undefined, "apikey nope.nope.nope", "bearer x.y.z"]) {
      const res = await fetch(`${gdn.url}/_fabric/_system/_api/collection`, auth ? { headers: { Authorization: auth } } : {});
      expect(res.status).toBe(401);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ error: true, code: 401, errorNum: 11 });
      expect(JSON.stringify(body)).not.toContain("nope");
    }
  });

  it("issues a JWT for a configured user and accepts it as bearer", async () => {
    const bad = await fetch(`${gdn.url}/_open/auth`, { method: "POST", body: JSON.stringify({ email: "dev@example.com", password: "wrong" }) });
    expect(bad.status).toBe(401);
    const res = await fetch(`${gdn.url}/_open/auth`, { method: "POST", body: JSON.stringify({ email: "dev@example.com", password: "pw" }) });
    const { jwt, tenant } = (await res.json()) as { jwt: string; tenant: string };
    expect(tenant).toBe(gdn.tenant);
    const ok = await fetch(`${gdn.url}/_fabric/_system/_api/collection`, { headers: { Authorization: `bearer ${jwt}` } });
    expect(ok.status).toBe(200);
  });

  it("answers the key-permission route the Spark connector calls", async () => {
    const keyid = gdn.apiKey.split(".")[1]!;
    const r = await call("GET", `/_api/key/${keyid}/database/_system/collection/docs`);
    expect(r.json).toMatchObject({ error: false, result: "rw" });
    const s = await call("GET", `/_api/key/${keyid}/database/_system/stream/anything`);
    expect(s.json.result).toBe("rw");
    const bad = await call("GET", `/_api/key/otherkey/database/_system/collection/docs`);
    expect(bad.status).toBe(404);
    expect(bad.json.errorNum).toBe(100015);
  });

  it("refuses an unauthenticated WebSocket upgrade with 401 and accepts a one-time token once", async () => {
    const upgrade = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const s = connect(gdn.port, "127.0.0.1", () => {
          s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
        });
        let data = "";
        s.on("data", (d) => {
          data += d.toString();
          if (data.includes("\r\n")) {
            s.destroy();
            resolve(data.split("\r\n")[0]!);
          }
        });
        s.on("error", reject);
        s.on("close", () => resolve(data.split("\r\n")[0] ?? ""));
      });
    const topic = `/_ws/ws/v2/consumer/persistent/${gdn.tenant}/c8local._system/docs/sub1`;
    expect(await upgrade(topic)).toContain("401");
    const { json } = await call("POST", "/apid/otp");
    expect(typeof json.otp).toBe("string");
    expect(await upgrade(`${topic}?otp=${json.otp}`)).not.toContain("401");
    expect(await upgrade(`${topic}?otp=${json.otp}`)).toContain("401");
  });
});

describe("fabrics and datacenter", () => {
  it("creates, lists and describes fabrics; unknown fabric is 404/1228", async () => {
    expect((await call("POST", "database", { name: "f2" })).status).toBe(201);
    expect((await call("GET", "database")).json.result).toContain("f2");
    const md = await api(gdn, "f2")("GET", "database/metadata");
    expect(md.json.result.options.tenant).toBe(gdn.tenant);
    const missing = await api(gdn, "nope")("GET", "collection");
    expect(missing.status).toBe(404);
    expect(missing.json.errorNum).toBe(1228);
    const dc = await call("GET", "/datacenter/local");
    expect(dc.json.local).toBe(true);
    // Recorded live: tags.url is the host the client used, tags.api is "api-" + url.
    expect(dc.json.tags).toEqual({ url: `127.0.0.1:${gdn.port}`, api: `api-127.0.0.1:${gdn.port}` });
  });
});

describe("lossless numbers", () => {
  it("serves back 1.0, 20-digit integers and exponents exactly as posted", async () => {
    const posted = '{"_key":"n1","a":1.0,"b":12345678901234567890,"c":-0,"d":1e5,"e":0.1,"f":[2.50,{"g":9007199254740993}]}';
    expect((await call("POST", "document/docs", posted)).status).toBe(202);
    const got = await call("GET", "document/docs/n1");
    expect(got.text).toContain('"a":1.0,"b":12345678901234567890,"c":-0,"d":1e5,"e":0.1,"f":[2.50,{"g":9007199254740993}]');
    const cur = await call("POST", "cursor", { query: "FOR d IN docs FILTER d._key == 'n1' RETURN d.f" });
    expect(cur.text).toContain('"result":[[2.50,{"g":9007199254740993}]]');
    const cmp = await call("POST", "cursor", { query: "FOR d IN docs FILTER d.b > 12345678901234567889 RETURN d._key" });
    expect(cmp.json.result).toEqual(["n1"]);
  });
});

describe("documents", () => {
  it("inserts arrays with per-item errors and X-C8-Error-Codes; silent and returnNew", async () => {
    const r = await call("POST", "document/docs?returnNew=true", [{ _key: "d1", v: 1 }, { _key: "d1", v: 2 }, { v: 3 }]);
    expect(r.status).toBe(202);
    expect(r.json[0].new).toMatchObject({ _key: "d1", v: 1, _id: "docs/d1" });
    expect(r.json[1]).toMatchObject({ error: true, errorNum: 1210 });
    expect(r.json[2]._key).toMatch(/^\d+$/);
    expect(r.headers.get("x-c8-error-codes")).toBe('{"1210":1}');
    const s = await call("POST", "document/docs?silent=true", { v: 4 });
    expect(s.json).toEqual({});
    const o = await call("POST", "document/docs?overwrite=true", { _key: "d1", v: 9 });
    expect(o.status).toBe(202);
    expect((await call("GET", "document/docs/d1")).json.v).toBe(9);
  });

  it("replaces, updates and deletes by key with revision checks, and in bulk", async () => {
    const ins = await call("POST", "document/docs", { _key: "u1", a: { x: 1 }, keep: true });
    const rev = ins.json._rev as string;
    const stale = await call("PATCH", "document/docs/u1", { a: { y: 2 } }, { "If-Match": "bogus" });
    expect(stale.status).toBe(412);
    expect(stale.json).toMatchObject({ errorNum: 1200, _rev: rev });
    const up = await call("PATCH", "document/docs/u1?returnNew=true", { a: { y: 2 } }, { "If-Match": rev });
    expect(up.json._oldRev).toBe(rev);
    expect(up.json.new.a).toEqual({ x: 1, y: 2 });
    const rep = await call("PUT", "document/docs/u1?returnOld=true", { only: 1 });
    expect(rep.json.old.keep).toBe(true);
    expect((await call("GET", "document/docs/u1")).json).toMatchObject({ only: 1, _key: "u1" });
    await call("POST", "document/docs", [{ _key: "b1" }, { _key: "b2" }]);
    const bulk = await call("PATCH", "document/docs", [{ _key: "b1", z: 1 }, { _key: "missing", z: 1 }]);
    expect(bulk.json[1]).toMatchObject({ error: true, errorNum: 1202 });
    const got = await call("PUT", "document/docs?onlyget=true", ["b1", "docs/b2"]);
    expect(got.json.map((d: { _key: string }) => d._key)).toEqual(["b1", "b2"]);
    const del = await call("DELETE", "document/docs", ["b1", { _key: "b2" }, "docs/u1"]);
    expect(del.json.map((d: { _key: string }) => d._key)).toEqual(["b1", "b2", "u1"]);
    expect((await call("GET", "document/docs/b1")).status).toBe(404);
  });
});

describe("import", () => {
  it("reports duplicate keys per document with X-C8-Error-Codes, and upserts with replace", async () => {
    await call("POST", "collection", { name: "imp" });
    const first = await call("POST", "import/imp", { data: [{ id: 1, v: "a" }, { id: 2, v: "b" }], primaryKey: "id", details: true });
    expect(first.json.result).toEqual({ created: 2, errors: 0, unprocessed: 0, details: { errors: [], unprocessed: [] } });
    const dup = await call("POST", "import/imp", { data: [{ id: 2, v: "c" }, { id: 3, v: "d" }], primaryKey: "id", details: true });
    expect(dup.status).toBe(200);
    expect(dup.json.result.created).toBe(1);
    expect(dup.json.result.errors).toBe(1);
    expect(dup.json.result.details.errors[0]).toMatchObject({ document: { id: 2, v: "c" }, errorNumber: 1210 });
    expect(dup.headers.get("x-c8-error-codes")).toBe('{"1210":1}');
    const rep = await call("POST", "import/imp", { data: [{ id: 2, v: "z" }], primaryKey: "id", replace: true });
    expect(rep.json.result).toEqual({ created: 1, errors: 0, unprocessed: 0 });
    expect(rep.headers.get("x-c8-error-codes")).toBeNull();
    expect((await call("GET", "document/imp/2")).json.v).toBe("z");
    expect((await call("GET", "collection/imp/count")).json.count).toBe(3);
  });
});

describe("cursors", () => {
  beforeAll(async () => {
    await call("POST", "collection", { name: "many" });
    await call("POST", "import/many", { data: Array.from({ length: 2500 }, (_, i) => ({ _key: `k${i}`, i })) });
  });

  it("pages with batchSize, counts, and deletes itself when exhausted", async () => {
    const first = await call("POST", "cursor", { query: "FOR d IN many SORT d.i RETURN d.i", batchSize: 1000, count: true });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ hasMore: true, count: 2500, error: false, code: 201 });
    expect(first.json.result).toHaveLength(1000);
    const id = first.json.id as string;
    const second = await call("PUT", `cursor/${id}`);
    expect(second.status).toBe(200);
    expect(second.json.result[0]).toBe(1000);
    const third = await call("PUT", `cursor/${id}`);
    expect(third.json.hasMore).toBe(false);
    expect(third.json.id).toBeUndefined();
    expect(third.json.result).toHaveLength(500);
    expect((await call("PUT", `cursor/${id}`)).json.errorNum).toBe(1600);
    expect((await call("DELETE", `cursor/${id}`)).status).toBe(404);
  });

  it("clamps batchSize to 1000 and omits count unless asked", async () => {
    const r = await call("POST", "cursor", { query: "FOR d IN many RETURN d._key", batchSize: 10000 });
    expect(r.json.result).toHaveLength(1000);
    expect(r.json.count).toBeUndefined();
    expect((await call("DELETE", `cursor/${r.json.id}`)).json).toEqual({ id: r.json.id, error: false, code: 202 });
  });

  it("expires an idle cursor after its ttl", async () => {
    const r = await call("POST", "cursor", { query: "FOR d IN many RETURN d._key", batchSize: 10, ttl: 0.2 });
    await waitFor(async () => (await call("PUT", `cursor/${r.json.id}`)).status === 404, "cursor ttl expiry");
    expect((await call("PUT", `cursor/${r.json.id}`)).json.errorNum).toBe(1600);
  });

  it("rejects a non-numeric cursor id with 400", async () => {
    expect((await call("PUT", "cursor/invalid")).json).toMatchObject({ code: 400, errorNum: 400 });
  });
});

describe("faults", () => {
  it("answers injected 503/429 with Retry-After, then recovers", async () => {
    gdn.faults.failNextHttp(2, 429, 3);
    const a = await call("GET", "collection");
    expect(a.status).toBe(429);
    expect(a.headers.get("retry-after")).toBe("3");
    expect(a.json).toMatchObject({ error: true, code: 429 });
    expect((await call("GET", "collection")).status).toBe(429);
    expect((await call("GET", "collection")).status).toBe(200);
  });

  it("is configurable over HTTP and drops connections without answering", async () => {
    const set = await call("POST", "/_local/faults", { failNextHttp: { count: 1, status: 503 } });
    expect(set.json.result.pendingHttpFailures).toBe(1);
    expect((await call("GET", "collection")).status).toBe(503);
    const unauth = await fetch(`${gdn.url}/_local/faults`, { method: "POST", body: "{}" });
    expect(unauth.status).toBe(401);
    await call("POST", "/_local/faults", { dropNextConnections: 1 });
    await expect(fetch(`${gdn.url}/_fabric/_system/_api/collection`, { headers: { Authorization: `apikey ${gdn.apiKey}`, Connection: "close" } })).rejects.toThrow();
    expect((await call("GET", "collection")).status).toBe(200);
    await call("POST", "/_local/faults", { reset: true });
    expect(gdn.faults.latencyMs).toBe(0);
  });
});
