/**
 * Behaviours jsC8 showed to differ from the live GDN: key validation, region tags taken from the
 * request's Host, `Location` headers with the tenant, `_rev` in stream lists. Expected shapes come
 * from the recorded live traffic (../shared/reference/macrometa-recordings) and the GDN OpenAPI spec.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalGdn, type LocalGdn } from "../src/index.js";
import { api } from "./support.js";

let gdn: LocalGdn;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, users: [{ email: "u@example.com", password: "pw" }] });
  call = api(gdn);
});
afterAll(async () => {
  await gdn.close();
});

/** A GET with an explicit Host header (fetch does not let a caller set it). */
function getWithHost(path: string, host: string): Promise<{ status: number; json: any; headers: Record<string, unknown> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: gdn.port, path, headers: { host, authorization: `apikey ${gdn.apiKey}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()), headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("POST /_api/key/validate", () => {
  it("answers the tenant and user of a valid API key or JWT, 401 otherwise", async () => {
    const ok = await call("POST", "/_api/key/validate", { apikey: gdn.apiKey });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ error: false, code: 200, result: { tenant: gdn.tenant, user: "root" } });
    // jsC8 sends it under the fabric prefix.
    const viaFabric = await call("POST", "key/validate", { apikey: gdn.apiKey });
    expect(viaFabric.json.result.tenant).toBe(gdn.tenant);
    const login = await call("POST", "/_open/auth", { email: "u@example.com", password: "pw" });
    const withJwt = await call("POST", "/_api/key/validate", { jwt: login.json.jwt });
    expect(withJwt.json.result).toEqual({ tenant: gdn.tenant, user: "u@example.com" });
    const bad = await call("POST", "/_api/key/validate", { apikey: `${gdn.tenant}.nokey.nosecret` });
    expect(bad.status).toBe(401);
    expect(bad.json).toMatchObject({ error: true, code: 401, errorNum: 11 });
    expect(bad.text).not.toContain("nosecret");
    expect((await call("POST", "/_api/key/validate", { jwt: "a.b.c" })).status).toBe(401);
    expect((await call("POST", "/_api/key/validate", {})).status).toBe(400);
  });
});

describe("region tags", () => {
  it("reports the host the client used: url without api-, api with it, as recorded live", async () => {
    const viaApi = await getWithHost("/datacenter/local", "api-gdn.example.test:8443");
    expect(viaApi.json.tags).toEqual({ api: "api-gdn.example.test:8443", url: "gdn.example.test:8443" });
    expect(viaApi.headers["x-gdn-region"]).toBe("gdn.example.test:8443");
    const plain = await getWithHost("/datacenter/all", "gdn.example.test");
    expect(plain.json[0].tags).toEqual({ api: "api-gdn.example.test", url: "gdn.example.test" });
    const named = await getWithHost("/datacenter/local-gdn", "api-x.test");
    expect(named.json.tags.url).toBe("x.test");
  });
});

describe("response details", () => {
  it("sends Location /_tenant/<t>/_fabric/<f>/_api/document/<c>/<k> and Etag on writes and deletes", async () => {
    await call("POST", "collection", { name: "loc" });
    const ins = await call("POST", "document/loc", { _key: "k1", a: 1 });
    const where = `/_tenant/${gdn.tenant}/_fabric/_system/_api/document/loc/k1`;
    expect(ins.headers.get("location")).toBe(where);
    const rep = await call("PUT", "document/loc/k1", { a: 2 });
    expect(rep.headers.get("location")).toBe(where);
    const del = await call("DELETE", "document/loc/k1");
    expect(del.status).toBe(202);
    expect(del.headers.get("location")).toBe(where);
    expect(del.headers.get("etag")).toBe(`"${rep.json._rev}"`);
  });

  it("lists streams with _rev, stable across listings", async () => {
    expect((await call("POST", "streams/revs?global=false")).status).toBe(202);
    const list = await call("GET", "streams?global=false");
    const entry = list.json.result.find((e: { topic: string }) => e.topic === "c8locals.revs");
    expect(entry).toMatchObject({ _key: "c8locals.revs", _id: "_streams/c8locals.revs", type: 4 });
    expect(entry._rev).toMatch(/^_[-_A-Za-z0-9]{10,}$/);
    const again = await call("GET", "streams?global=false");
    expect(again.json.result.find((e: { topic: string }) => e.topic === "c8locals.revs")._rev).toBe(entry._rev);
  });
});
