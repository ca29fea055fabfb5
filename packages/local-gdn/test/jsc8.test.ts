/**
 * Macrometa's own JS SDK (jsc8 1.1.0, a devDependency) against local-gdn over TLS, as a real
 * client nobody here wrote: key validation, collections, documents, cursors, C8QL, indexes, KV and
 * streams over WSS. jsc8 prefixes every host with "api-" and builds its WebSocket URL from
 * `/datacenter/local` `tags.url`, so the server runs under a test domain (*.local-gdn.test) with a
 * certificate made here by openssl; the SDK runs in a child process that trusts that certificate.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startLocalGdn, type LocalGdn } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "local-gdn-jsc8-"));
const scenario = fileURLToPath(new URL("./jsc8/scenario.cjs", import.meta.url));
let gdn: LocalGdn;

beforeAll(async () => {
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=local-gdn.test", "-addext", "subjectAltName=DNS:*.local-gdn.test",
    "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
  gdn = await startLocalGdn({ port: 0, tls: { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) } });
});
afterAll(async () => {
  await gdn?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the SDK scenario and returns what it reported (its stdout JSON). */
function runScenario(): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [scenario], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, "cert.pem"), GDN_URL: `https://gdn.local-gdn.test:${gdn.port}`, GDN_KEY: gdn.apiKey },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", () => {
      try {
        resolve(JSON.parse(out.trim().split("\n").pop() ?? ""));
      } catch {
        reject(new Error(`jsc8 scenario printed no report: ${out} ${err}`));
      }
    });
  });
}

it("serves jsc8's collections, documents, cursors, streams, key validation, indexes and KV", async () => {
  const r = await runScenario();
  expect(r.fatal, JSON.stringify(r)).toBeUndefined();
  // loginWithApiKey → POST /_api/key/validate
  expect(r.tenant).toBe(gdn.tenant);
  expect(r.badLogin.error).toBeDefined();
  // collections and documents
  expect(r.hasCollection).toBe(true);
  expect(r.collections).toContain("jsc8_people");
  expect(r.inserted).toMatchObject({ _id: "jsc8_people/a", _key: "a" });
  expect(r.insertedMany).toHaveLength(2);
  expect(r.fetched).toMatchObject({ _key: "a", name: "Ann", age: 31 });
  expect(r.updated.new).toMatchObject({ age: 32 });
  expect(r.deleted).toMatchObject({ _key: "b" });
  expect(r.missing.error).toMatchObject({ errorNum: 1202, code: 404 });
  // cursors and C8QL
  expect(r.query).toEqual([{ n: "ANN", age: 32 }, { n: "CID", age: 40 }]);
  expect(r.cursorCount).toBe(5);
  expect(r.cursorAll).toEqual([2, 4, 6, 8, 10]);
  expect(r.collectQuery).toEqual([{ old: true, n: 2 }]);
  expect(r.badQuery.error).toMatchObject({ errorNum: 1501, code: 400 });
  // indexes
  expect(r.index).toMatchObject({ type: "persistent", name: "byEmail", unique: true, isNewlyCreated: true });
  expect(r.ttlIndex).toMatchObject({ type: "ttl", expireAfter: 3600 });
  expect(r.indexes).toEqual([
    { type: "primary", name: "primary", unique: true },
    { type: "persistent", name: "byEmail", unique: true },
    { type: "ttl", name: "ttl1", unique: false },
  ]);
  expect(r.uniqueViolation.error).toMatchObject({ errorNum: 1210, code: 409 });
  expect(r.dropIndex).toMatchObject({ error: false });
  expect(r.afterDrop.ok).toMatchObject({ _key: "d" });
  // key-value
  expect(r.kvCreate).toMatchObject({ error: false, name: "jsc8_kv" });
  expect(r.kvPut).toHaveLength(2);
  expect(r.kvGet).toMatchObject({ _key: "k2", value: { n: 2 }, expireAt: -1 });
  expect(r.kvCount).toMatchObject({ count: 2 });
  expect(r.kvKeys.result).toEqual(["k1", "k2"]);
  expect(r.kvDelete).toMatchObject({ _key: "k1" });
  expect(r.kvCollections.result).toEqual([{ name: "jsc8_kv", expiration: false }]);
  // streams over WSS, at the host jsc8 built from tags.url
  expect(r.localDcTags).toEqual({ url: `gdn.local-gdn.test:${gdn.port}`, api: `api-gdn.local-gdn.test:${gdn.port}` });
  expect(r.streamCreate).toMatchObject({ error: false });
  expect(r.hasStream).toBe(true);
  expect(r.producerAck).toMatchObject({ result: "ok" });
  expect(r.delivered).toBe("hello from jsc8");
  expect(r.deleteStream).toMatchObject({ error: false });
});
