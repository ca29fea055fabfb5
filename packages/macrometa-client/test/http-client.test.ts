import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startLocalGdn } from "@macrometa-spark/local-gdn";
import { GDN_ERROR_NUM, GdnError, GdnHttpClient, gdnClientFor, gdnErrorName } from "../src/index.js";

type Gdn = Awaited<ReturnType<typeof startLocalGdn>>;
let gdn: Gdn;
let client: GdnHttpClient;
const retries: { route: string; delayMs: number }[] = [];

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  client = new GdnHttpClient({
    url: gdn.url,
    apiKey: `apikey ${gdn.apiKey}`,
    retry: { initialDelayMs: 1, maxDelayMs: 5, maxAttempts: 5 },
    onRetry: (r) => retries.push({ route: r.route, delayMs: r.delayMs }),
  });
});
afterAll(async () => {
  await client?.close();
  await gdn?.close();
});

describe("GdnHttpClient against local-gdn", () => {
  it("reads fabric metadata and manages a collection", async () => {
    const meta = await client.fabricMetadata();
    expect(meta.name).toBe("_system");
    const created = await client.createCollection("http_c1");
    expect(created.name).toBe("http_c1");
    expect((await client.listCollections()).map((c) => c.name)).toContain("http_c1");
    expect((await client.collectionInfo("http_c1")).name).toBe("http_c1");
    expect(await client.collectionCount("http_c1")).toBe(0);
    expect(await client.keyAccess("collection", "http_c1")).toBe("rw");
    await client.truncateCollection("http_c1");
    await client.dropCollection("http_c1");
    expect(await client.findCollection("http_c1")).toBeUndefined();
  });

  it("maps error envelopes to GdnError with errorNum, code, route and collection, never the key", async () => {
    const err = await client.collectionInfo("no_such_collection").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GdnError);
    const g = err as GdnError;
    expect(g.status).toBe(404);
    expect(g.errorNum).toBe(1203);
    expect(g.code).toBe("GDN_HTTP_404_1203");
    expect(g.context.route).toBe("GET /_fabric/_system/_api/collection/no_such_collection");
    expect(g.context.collection).toBe("no_such_collection");
    const secret = gdn.apiKey.split(".").pop()!;
    expect(JSON.stringify(g.toJSON()) + g.message + String(g.stack)).not.toContain(secret);

    const bad = new GdnHttpClient({ url: gdn.url, apiKey: `${gdn.tenant}.nokey.verysecretvalue123`, retry: { maxAttempts: 1 } });
    try {
      const denied = (await bad.listCollections().catch((e: unknown) => e)) as GdnError;
      expect(denied.status).toBe(401);
      expect(JSON.stringify(denied.toJSON()) + denied.message).not.toContain("verysecretvalue123");
    } finally {
      await bad.close();
    }

    const syntax = (await client.validateQuery("FOR d IN RETURN").catch((e: unknown) => e)) as GdnError;
    expect(syntax.status).toBe(400);
    expect(syntax.errorNum).toBe(1501);
  });

  it("deletes a document by key and adds a change stream to a collection", async () => {
    // Routes and answers: shared reference macrometa-wire-contract.md §2 (DELETE _api/document/<c>/<key>;
    // PUT _api/collection/<c>/properties {hasStream:true}).
    await client.createCollection("http_c2");
    await client.insertDocument("http_c2", { _key: "k1", v: 1 });
    await client.deleteDocument("http_c2", "k1");
    expect(await client.collectionCount("http_c2")).toBe(0);
    const gone = (await client.deleteDocument("http_c2", "k1").catch((e: unknown) => e)) as GdnError;
    expect(gone.status).toBe(404);
    expect(gdnErrorName(gone.errorNum)).toBe("DOCUMENT_NOT_FOUND");
    expect(gone.context.documentKey).toBe("k1");

    expect((await client.collectionInfo("http_c2")).hasStream).toBe(false);
    await client.setCollectionProperties("http_c2", { hasStream: true });
    expect((await client.collectionInfo("http_c2")).hasStream).toBe(true);
    await client.dropCollection("http_c2");
  });

  it("builds clients from connection options with gdnClientFor (fabric, retries, credentials)", async () => {
    const built = gdnClientFor({ origin: gdn.url, apiKey: gdn.apiKey, fabric: "_system", maxRetries: 0, parallelism: 2 });
    try {
      expect(built.fabric).toBe("_system");
      expect(built.tenant).toBe(gdn.tenant);
      const missing = (await built.collectionInfo("no_such_collection").catch((e: unknown) => e)) as GdnError;
      expect(missing.errorNum).toBe(GDN_ERROR_NUM.COLLECTION_NOT_FOUND);
      expect(missing.retryCount).toBeUndefined();
    } finally {
      await built.close();
    }
    expect(() => gdnClientFor({ origin: gdn.url })).toThrow(/API key or a JWT is required/);
  });

  it("pages a cursor with number lexemes intact and imports with per-document details", async () => {
    await client.createCollection("http_c2");
    const docs = Array.from({ length: 2500 }, (_, i) => `{"_key":"k${String(i).padStart(5, "0")}","i":${i},"f":1.0,"big":12345678901234567890123}`);
    const imported = await client.importDocuments("http_c2", docs);
    expect(imported).toMatchObject({ created: 2500, errors: 0, unprocessed: 0 });

    const cursor = client.query("FOR d IN @@c SORT d._key RETURN d", { bindVars: { "@c": "http_c2" }, batchSize: 1000 });
    const seen: string[] = [];
    for await (const page of cursor) seen.push(...page.items);
    expect(cursor.pages).toBe(3);
    expect(cursor.exhausted).toBe(true);
    expect(seen).toHaveLength(2500);
    expect(seen[7]).toContain('"big":12345678901234567890123');
    expect(seen[7]).toContain('"f":1.0');

    const dup = await client.importDocuments("http_c2", [docs[0]!, docs[1]!, `{"_key":"fresh","i":-1}`]);
    expect(dup.created).toBe(1);
    expect(dup.errors).toBe(2);
    expect(dup.details?.errors.map((e) => [e.key, e.errorNumber])).toEqual([
      ["k00000", 1210],
      ["k00001", 1210],
    ]);
    expect(dup.details?.errors[0]?.documentText).toContain("12345678901234567890123");
    expect(dup.errorCodes).toEqual({ "1210": 2 });
  });

  it("reads pages ahead of a busy caller, one PUT at a time, never more than prefetchPages", async () => {
    const depth = 3;
    const cursor = client.query("FOR d IN http_c2 SORT d._key RETURN d._key", { batchSize: 100, prefetchPages: depth });
    const keys: string[] = [];
    let taken = 0;
    for await (const page of cursor) {
      taken++;
      // While the caller holds its first page, the next `depth` pages arrive without being asked for.
      if (taken === 1) await vi.waitFor(() => expect(cursor.pages).toBe(1 + depth));
      expect(cursor.pages - taken).toBeLessThanOrEqual(depth);
      keys.push(...page.items);
    }
    expect(taken).toBe(26);
    expect(keys).toHaveLength(2501);
    // In order and nothing twice: each PUT asked for "the next" page exactly once.
    expect([...keys].sort()).toEqual(keys);
    expect(new Set(keys).size).toBe(2501);
  });

  it("deletes the server cursor when the caller stops early", async () => {
    const cursor = client.query("FOR d IN http_c2 RETURN d", { batchSize: 100 });
    let pages = 0;
    for await (const page of cursor) {
      pages++;
      expect(page.items).toHaveLength(100);
      break;
    }
    expect(pages).toBe(1);
    expect(cursor.id).toBeDefined();
    const gone = (await client.nextCursorPage(cursor.id!).catch((e: unknown) => e)) as GdnError;
    expect(gone.status).toBe(404);
    expect(gone.errorNum).toBe(1600);
  });

  it("retries 429/503 bursts and honours Retry-After", async () => {
    retries.length = 0;
    gdn.faults.failNextHttp(3, 503);
    expect(await client.collectionCount("http_c2")).toBe(2501);
    expect(retries).toHaveLength(3);

    retries.length = 0;
    gdn.faults.failNextHttp(1, 429, 1);
    expect(await client.collectionCount("http_c2")).toBe(2501);
    expect(retries).toHaveLength(1);
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(1000);

    // A cursor PUT is retried on 503 (the server refused it), so no page is skipped.
    const cursor = client.query("FOR d IN http_c2 RETURN d", { batchSize: 1000 });
    let n = 0;
    for await (const page of cursor) {
      n += page.items.length;
      if (cursor.pages === 1) gdn.faults.failNextHttp(2, 503);
    }
    expect(n).toBe(2501);

    const tight = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey, retry: { maxAttempts: 2, initialDelayMs: 1 } });
    try {
      gdn.faults.failNextHttp(3, 503);
      const err = (await tight.collectionCount("http_c2").catch((e: unknown) => e)) as GdnError;
      expect(err.status).toBe(503);
      expect(err.retryCount).toBe(1);
    } finally {
      gdn.faults.failNextHttp(0);
      await tight.close();
    }
  });

  it("does not repeat a cursor PUT whose connection dropped (it could skip a page)", async () => {
    const cursor = client.query("FOR d IN http_c2 RETURN d", { batchSize: 1000 });
    let err: unknown;
    try {
      for await (const _page of cursor) {
        if (cursor.pages === 1) gdn.faults.dropNextConnections = 1;
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GdnError);
    expect((err as GdnError).outcomeUnknown).toBe(true);
    expect((err as GdnError).code).toBe("GDN_CONNECTION_RESET");
    // Idempotent calls are repeated through the same fault.
    gdn.faults.dropNextConnections = 1;
    expect(await client.collectionCount("http_c2")).toBe(2501);
  });

  it("speaks the streams REST routes and issues OTPs", async () => {
    const id = await client.createStream("http_s1", false);
    expect(id).toBe("c8locals.http_s1");
    expect((await client.listStreams(false)).map((s) => s.topic)).toContain("c8locals.http_s1");
    await client.publish("c8locals.http_s1", "hello", false);
    expect(await client.backlog("c8locals.http_s1", false)).toBeDefined();
    await client.deleteStream("c8locals.http_s1", false);
    expect((await client.listStreams(false)).map((s) => s.topic)).not.toContain("c8locals.http_s1");
    const otp = await client.createOtp();
    expect(typeof otp).toBe("string");
    expect(otp.length).toBeGreaterThan(8);
  });
});

describe("GdnHttpClient and a server that echoes credentials", () => {
  it("never passes the key on, even when an error page repeats it", async () => {
    const { createServer } = await import("node:http");
    // A misbehaving proxy in front of the GDN: its 401 page quotes the Authorization header.
    const server = createServer((req, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: true, code: 401, errorNum: 11, errorMessage: `invalid credentials: ${String(req.headers.authorization).split(" ")[1]}` }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const key = "acme.kid9.plainlowercasesecretvalue";
    const client = new GdnHttpClient({ url: `http://127.0.0.1:${port}`, apiKey: key, retry: { maxAttempts: 1 } });
    try {
      const err = (await client.fabricMetadata().catch((e: unknown) => e)) as GdnError;
      expect(err).toBeInstanceOf(GdnError);
      expect(err.status).toBe(401);
      const everything = `${err.message}\n${JSON.stringify(err.toJSON())}\n${String(err.stack)}`;
      expect(everything).toContain("invalid credentials");
      expect(everything).not.toContain("plainlowercasesecretvalue");
    } finally {
      await client.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
