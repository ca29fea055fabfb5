/**
 * Restart with a dataDir: nothing acknowledged comes back, nothing unacknowledged or stored is lost.
 * Raw `ws` frames against a bare HTTP server that hands upgrades to whichever broker is current.
 */
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Faults } from "../src/faults.js";
import { decodeMessageId, StreamBroker } from "../src/streams/index.js";
import { openFrameSocket, type Frame, type FrameSocket } from "./frames.js";

const TENANT = "t1";
const WAIT_MS = 5000;

let dataDir: string;
let server: Server;
let wsBase: string;
let broker: StreamBroker;

function openBroker(): Promise<void> {
  broker = new StreamBroker({ tenant: TENANT, dataDir, faults: new Faults() });
  return broker.open();
}

/** Opens a socket and collects frames; `until(n)` waits for n of them with a bound. */
function connect(path: string): Promise<FrameSocket> {
  return openFrameSocket(`${wsBase}/_ws/ws/v2/${path}`, {}, WAIT_MS);
}

const ns = `persistent/${TENANT}/c8local._system`;
const text = (m: Frame): string => Buffer.from(String(m.payload), "base64").toString();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "gdn-streams-"));
  server = createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (req, socket, head) => broker.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  wsBase = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await broker.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

async function backlog(sub: string): Promise<number> {
  const r = await broker.handleRest({ method: "GET", fabric: "_system", subpath: "/c8locals.durable/backlog", query: new URLSearchParams(), body: Buffer.alloc(0) });
  return (JSON.parse((r.body as { result: string }).result) as { cursorDetails: Record<string, { cursorBacklog: number }> }).cursorDetails[sub]!.cursorBacklog;
}

it("keeps ledgers and subscription positions across restarts", async () => {
  await openBroker();
  const created = await broker.handleRest({ method: "POST", fabric: "_system", subpath: "/durable", query: new URLSearchParams("global=false"), body: Buffer.alloc(0) });
  expect(created.status).toBe(202);
  broker.ensureCollectionStream("_system", "coll");

  const s = await connect(`consumer/${ns}/c8locals.durable/s`);
  const t = await connect(`consumer/${ns}/c8locals.durable/t?subscriptionType=Shared`);
  const p = await connect(`producer/${ns}/c8locals.durable`);
  for (let i = 0; i < 5; i++) p.ws.send(JSON.stringify({ payload: Buffer.from(`m${i}`).toString("base64") }));
  const receipts = await p.until(5);
  expect(receipts.every((r) => r.result === "ok")).toBe(true);
  const got = await s.until(5);
  for (const i of [0, 1, 3]) s.ws.send(JSON.stringify({ messageId: got[i]!.messageId }));
  // Frames are handled in order, so this answer means the acks above were applied.
  s.ws.send(JSON.stringify({ type: "isEndOfTopic" }));
  await s.until(1);
  await t.until(5);
  await broker.close();

  // A torn write at the end of a ledger is ignored on load.
  const ledger = readdirSync(join(dataDir, "streams")).find((f) => f.endsWith(".ledger"))!;
  appendFileSync(join(dataDir, "streams", ledger), "99\t17000");

  await openBroker();
  expect(broker.listStreams("_system").map((x) => x.topic).sort()).toEqual(["c8locals.durable", "coll"]);
  expect(await backlog("s")).toBe(2);
  expect(await backlog("t")).toBe(5);

  const s2 = await connect(`consumer/${ns}/c8locals.durable/s`);
  const again = await s2.until(2);
  expect(again.map(text)).toEqual(["m2", "m4"]);
  s2.ws.send(JSON.stringify({ type: "isEndOfTopic" }));
  expect(await s2.until(1)).toEqual([{ endOfTopic: false }]);
  for (const m of again) s2.ws.send(JSON.stringify({ messageId: m.messageId }));

  const p2 = await connect(`producer/${ns}/c8locals.durable`);
  p2.ws.send(JSON.stringify({ payload: Buffer.from("m5").toString("base64") }));
  const [receipt] = await p2.until(1);
  expect(decodeMessageId(receipt!.messageId as string)?.entryId).toBe(5);
  const [m5] = await s2.until(1);
  expect(text(m5!)).toBe("m5");
  s2.ws.send(JSON.stringify({ messageId: m5!.messageId }));
  s2.ws.send(JSON.stringify({ type: "isEndOfTopic" }));
  await s2.until(1);
  await broker.close();

  await openBroker();
  expect(await backlog("s")).toBe(0);
  expect(await backlog("t")).toBe(6);
  const r = await connect(`reader/${ns}/c8locals.durable?messageId=earliest`);
  expect((await r.until(6)).map(text)).toEqual(["m0", "m1", "m2", "m3", "m4", "m5"]);
});
