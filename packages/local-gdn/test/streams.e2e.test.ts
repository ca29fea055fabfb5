/**
 * Streams through the whole local GDN: HTTP document writes appear on the collection's change stream,
 * stream REST goes through the server's routing and auth, and WebSocket upgrades need credentials.
 * Raw `ws` frames and `fetch` only.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startLocalGdn, type LocalGdn } from "../src/index.js";
import { openFrameSocket, type Frame, type FrameSocket } from "./frames.js";

const WAIT_MS = 5000;

let gdn: LocalGdn;

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Frame }> {
  const init: RequestInit = { method, headers: { authorization: `apikey ${gdn.apiKey}`, "content-type": "application/json" } };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  const res = await fetch(`${gdn.url}/_fabric/_system/_api${path}`, init);
  return { status: res.status, body: (await res.json()) as Frame };
}

function wsOpen(path: string, withKey = true): Promise<FrameSocket> {
  return openFrameSocket(`${gdn.wsUrl}/_ws/ws/v2/${path}`, withKey ? { authorization: `apikey ${gdn.apiKey}` } : {}, WAIT_MS);
}

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
});

afterAll(async () => {
  await gdn.close();
});

it("publishes HTTP inserts, updates and deletes on the collection's stream, in commit order", async () => {
  expect((await api("POST", "/collection", { name: "cdc_people", stream: true })).status).toBeLessThan(300);
  const streams = await api("GET", "/streams?global=false");
  expect((streams.body.result as Frame[]).some((s) => s.topic === "cdc_people")).toBe(true);

  const ns = `persistent/${gdn.tenant}/c8local._system`;
  const c = await wsOpen(`consumer/${ns}/cdc_people/e2e?subscriptionType=Shared`);
  expect((await api("POST", "/document/cdc_people", '{"_key":"a","n":12345678901234567890}')).status).toBeLessThan(300);
  expect((await api("POST", "/document/cdc_people", [{ _key: "b" }, { _key: "c" }])).status).toBeLessThan(300);
  expect((await api("PATCH", "/document/cdc_people/a", { m: 1 })).status).toBeLessThan(300);
  expect((await api("DELETE", "/document/cdc_people/b")).status).toBeLessThan(300);

  const got = await c.until(5);
  const texts = got.map((m) => Buffer.from(String(m.payload), "base64").toString());
  const docs = texts.map((t) => JSON.parse(t) as Frame);
  expect(docs.map((d) => d._key)).toEqual(["a", "b", "c", "a", "b"]);
  expect(texts[0]).toContain("12345678901234567890");
  expect(docs[3]).toMatchObject({ _key: "a", m: 1 });
  expect(docs[4]).toEqual({ _key: "b", _delete: true });
  for (const m of got) c.ws.send(JSON.stringify({ messageId: m.messageId }));
  c.ws.close();
});

it("serves stream REST and WebSockets behind the server's auth", async () => {
  expect((await api("POST", "/streams/e2e?global=true")).status).toBe(202);
  await expect(wsOpen(`producer/persistent/${gdn.tenant}/c8global._system/c8globals.e2e`, false)).rejects.toThrow(/401/);
  const p = await wsOpen(`producer/persistent/${gdn.tenant}/c8global._system/c8globals.e2e`);
  p.ws.send(JSON.stringify({ payload: Buffer.from("hi").toString("base64"), context: "1" }));
  const [receipt] = await p.until(1);
  expect(receipt).toMatchObject({ result: "ok", context: "1" });
  const r = await wsOpen(`reader/persistent/${gdn.tenant}/c8global._system/c8globals.e2e?messageId=earliest`);
  const [m] = await r.until(1);
  expect(m).toMatchObject({ messageId: receipt!.messageId, payload: Buffer.from("hi").toString("base64") });
  p.ws.close();
  r.ws.close();
  expect((await api("GET", "/streams/c8globals.nope/backlog")).body).toMatchObject({ code: 404, errorNum: 100016 });
});
