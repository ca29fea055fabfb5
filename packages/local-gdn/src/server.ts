/**
 * `startLocalGdn`: the HTTP(S) server, routing, auth, fault injection and the WebSocket upgrade
 * hand-off to the stream broker.
 * @packageDocumentation
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { systemClock, type Clock } from "./clock.js";
import { Auth, generateApiKey, parseApiKey, type LocalUser } from "./auth.js";
import { CursorRegistry } from "./cursors.js";
import { badParameter, GdnHttpError, gdnFail } from "./errors.js";
import { Faults } from "./faults.js";
import { parseBody, publicHostOf, type GdnRequest, type Reply, type ServerContext } from "./http.js";
import { Journal } from "./journal.js";
import { stringifyJson, type JsonObject, type JsonValue } from "./json.js";
import { handleDatabase, handleDatacenter, handleKeyPermission, handleKeyValidate, handleLogin, handleOtp, handleUser } from "./routes/admin.js";
import { handleCollections } from "./routes/collections.js";
import { handleDocuments } from "./routes/documents.js";
import { handleImport } from "./routes/imports.js";
import { handleIndexes } from "./routes/indexes.js";
import { handleKv } from "./routes/kv.js";
import { handleCursor, handleQueryValidation } from "./routes/queries.js";
import { Store, textOf } from "./store.js";
import { StreamBroker } from "./streams/index.js";

export interface LocalGdnOptions {
  /** Default: 0 (an ephemeral port). */
  port?: number;
  /** Default: "127.0.0.1". */
  host?: string;
  /** Persist documents, metadata and stream state here; memory only when unset. */
  dataDir?: string;
  /** PEM key and certificate: serve HTTPS/WSS instead of HTTP/WS. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Accepted API keys (`<tenant>.<keyid>.<secret>`). Default: one generated key. */
  apiKeys?: string[];
  /** Default: the first key's tenant, else "demo_tenant". */
  tenant?: string;
  /** Users that `POST /_open/auth` issues JWTs for. Default: none. */
  users?: LocalUser[];
  /** Region name reported by `/datacenter/*`. Default: "local-gdn". */
  region?: string;
  /** Upper bound applied to a cursor's batchSize. Default: 1000 (the documented maximum). */
  maxBatchSize?: number;
  /**
   * Time for nack redelivery, TTL-index and KV expiry. Default: the system clock. Tests pass a
   * `ManualClock` and move it forward instead of sleeping.
   */
  clock?: Clock;
  /**
   * How often TTL indexes and KV `expireAt` values are enforced, in ms. Default: 30000 (ArangoDB's
   * `--ttl.frequency` default; an expired document stays visible until the next sweep).
   */
  expirySweepIntervalMs?: number;
}

export interface LocalGdn {
  /** e.g. `http://127.0.0.1:41234` */
  url: string;
  /** e.g. `ws://127.0.0.1:41234` */
  wsUrl: string;
  /** A key the server accepts (the first configured one, or the generated one). */
  apiKey: string;
  tenant: string;
  port: number;
  faults: Faults;
  /** Removes expired documents now (TTL indexes, KV expireAt) and returns how many went. */
  sweepExpired(): number;
  close(): Promise<void>;
}

const EXPOSE = "x-gdn-region, x-gdn-requestid, x-gdn-responsetime";

export async function startLocalGdn(options: LocalGdnOptions = {}): Promise<LocalGdn> {
  const host = options.host ?? "127.0.0.1";
  const keys = options.apiKeys?.length ? options.apiKeys : [];
  const tenant = options.tenant ?? (keys[0] ? parseApiKey(keys[0])?.tenant : undefined) ?? "demo_tenant";
  if (!keys.length) keys.push(options.dataDir ? persistentKey(options.dataDir, tenant) : generateApiKey(tenant));
  const faults = new Faults();
  const store = new Store();
  const journal = options.dataDir ? new Journal(options.dataDir, store) : undefined;
  const clock = options.clock ?? systemClock;
  const brokerOptions: ConstructorParameters<typeof StreamBroker>[0] = { tenant, faults, clock };
  if (options.dataDir) brokerOptions.dataDir = options.dataDir;
  const broker = new StreamBroker(brokerOptions);
  await broker.open();
  for (const f of store.fabrics.values()) for (const c of f.collections.values()) if (c.meta.hasStream) broker.ensureCollectionStream(f.name, c.name);

  store.listener = {
    onChange(change, hasStream) {
      journal?.record(change);
      if (!hasStream) return;
      if (change.op === "put") broker.publishChange(change.fabric, change.collection, change.doc);
      else if (change.op === "delete") broker.publishChange(change.fabric, change.collection, { _key: change.key, _delete: true });
    },
    onMetadata() {
      journal?.writeMeta();
    },
  };

  const ctx: ServerContext = {
    store,
    cursors: new CursorRegistry(),
    auth: new Auth(keys, tenant, options.users ?? []),
    broker,
    faults,
    journal,
    tenant,
    region: options.region ?? "local-gdn",
    host: "",
    maxBatchSize: options.maxBatchSize ?? 1000,
    clock,
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void handle(ctx, req, res);
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createHttpServer(handler);
  server.keepAliveTimeout = 30_000;
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => upgrade(ctx, req, socket, head));
  server.on("clientError", (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPort = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  ctx.host = hostPort;
  const scheme = options.tls ? "https" : "http";
  let closed = false;
  const sweepExpired = (): number => {
    const n = store.sweepExpired(clock.now());
    // Outside any request: hand the deletes to the journal now.
    if (n) journal?.flush();
    return n;
  };
  const sweepEvery = options.expirySweepIntervalMs ?? 30_000;
  let sweepTimer = clock.setTimer(function tick() {
    sweepExpired();
    if (!closed) sweepTimer = clock.setTimer(tick, sweepEvery);
  }, sweepEvery);
  return {
    url: `${scheme}://${hostPort}`,
    wsUrl: `${options.tls ? "wss" : "ws"}://${hostPort}`,
    apiKey: keys[0]!,
    tenant,
    port,
    faults,
    sweepExpired,
    async close() {
      if (closed) return;
      closed = true;
      sweepTimer.cancel();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await broker.close();
      await done;
      ctx.cursors.close();
      journal?.close();
    },
  };
}

/** With a dataDir the generated key survives restarts, so scripts keep working against `local-gdn --data`. */
function persistentKey(dataDir: string, tenant: string): string {
  const dir = join(dataDir, "gdn");
  const file = join(dir, "apikey");
  if (existsSync(file)) {
    const k = readFileSync(file, "utf8").trim();
    if (parseApiKey(k)?.tenant === tenant) return k;
  }
  const k = generateApiKey(tenant);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, k + "\n", { mode: 0o600 });
  return k;
}

function upgrade(ctx: ServerContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const url = new URL(req.url ?? "/", "http://local");
  if (!url.pathname.startsWith("/_ws/")) {
    socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    return;
  }
  const otp = url.searchParams.get("otp");
  const authed = ctx.auth.check(req.headers.authorization) || (otp !== null && ctx.auth.consumeOtp(otp));
  if (!authed) {
    const body = JSON.stringify(gdnFail("NOT_AUTHORIZED").envelope());
    socket.end(`HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return;
  }
  ctx.broker.handleUpgrade(req, socket, head);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(ctx: ServerContext, res: ServerResponse, started: number, reply: Reply, region = ctx.host): void {
  ctx.journal?.flush();
  const text = reply.raw ?? (reply.body === undefined ? "" : stringifyJson(reply.body as JsonValue, textOf));
  // Encode once: measuring and then writing a string would encode a 1 MB cursor page twice.
  const payload = Buffer.from(text);
  const headers: Record<string, string | number> = {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": payload.length,
    "x-gdn-region": region,
    "x-gdn-requestid": randomUUID(),
    "x-gdn-responsetime": String(Math.round(performance.now() - started)),
    "Access-Control-Expose-Headers": EXPOSE,
    ...reply.headers,
  };
  res.writeHead(reply.status, headers);
  res.end(reply.status === 304 ? undefined : payload);
}

function errorReply(e: unknown): Reply {
  if (e instanceof GdnHttpError) return { status: e.code, body: e.envelope(), ...(e.headers ? { headers: e.headers } : {}) };
  // Internal failures answer 500 without echoing request data (which may hold credentials).
  process.stderr.write(`local-gdn: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
  return errorReply(gdnFail("INTERNAL"));
}

async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const region = publicHostOf(req.headers.host, ctx.host);
  try {
    const url = new URL(req.url ?? "/", "http://local");
    let segs = url.pathname.split("/").filter(Boolean).map((s) => decodeURIComponent(s));
    const isFaultsRoute = segs[0] === "_local" && segs[1] === "faults";
    if (!isFaultsRoute) {
      const f = ctx.faults;
      if (f.dropNextConnections > 0) {
        f.dropNextConnections--;
        req.socket.destroy();
        return;
      }
      if (f.latencyMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs));
      await f.passGate(req.method ?? "GET", url.pathname);
      const failure = f.takeHttpFailure();
      if (failure) {
        const body = await readBody(req).catch(() => Buffer.alloc(0));
        void body;
        const headers: Record<string, string> = f.retryAfterSeconds !== undefined ? { "Retry-After": String(f.retryAfterSeconds) } : {};
        send(ctx, res, started, errorReply(gdnFail(failure === 429 ? "TOO_MANY_REQUESTS" : "SERVICE_UNAVAILABLE", {}, { headers })), region);
        return;
      }
    }
    const body = await readBody(req);
    if (segs[0] === "_tenant") segs = segs.slice(2);
    let fabric = "_system";
    if (segs[0] === "_fabric") {
      fabric = segs[1] ?? "_system";
      segs = segs.slice(2);
    }
    if (segs[0] === "_api") segs = segs.slice(1);
    const greq: GdnRequest = { method: req.method ?? "GET", segments: segs, fabric, query: url.searchParams, headers: req.headers, body, publicHost: region };

    if (segs[0] === "_open" && segs[1] === "auth" && greq.method === "POST") return send(ctx, res, started, handleLogin(ctx, greq), region);
    if (!ctx.auth.check(req.headers.authorization))
      return send(ctx, res, started, errorReply(gdnFail("NOT_AUTHORIZED")), region);
    return send(ctx, res, started, await route(ctx, greq), region);
  } catch (e) {
    if (!res.headersSent) send(ctx, res, started, errorReply(e), region);
  }
}

async function route(ctx: ServerContext, req: GdnRequest): Promise<Reply> {
  const [head] = req.segments;
  switch (head) {
    case "_local":
      if (req.segments[1] === "faults") return faultsRoute(ctx, req);
      break;
    case "apid":
      if (req.segments[1] === "otp" && req.method === "POST") return handleOtp(ctx);
      break;
    case "datacenter":
      return handleDatacenter(ctx, req);
    case "user":
      return handleUser(ctx);
    case "key":
      if (req.segments[1] === "validate" && req.segments.length === 2) return handleKeyValidate(ctx, req);
      return handleKeyPermission(ctx, req, req.segments);
    case "database":
      return handleDatabase(ctx, req);
    case "collection":
      return handleCollections(ctx, req);
    case "document":
      ctx.store.fabric(req.fabric);
      return handleDocuments(ctx, req);
    case "kv":
      return handleKv(ctx, req);
    case "index":
      ctx.store.fabric(req.fabric);
      return handleIndexes(ctx, req);
    case "import":
      ctx.store.fabric(req.fabric);
      return handleImport(ctx, req);
    case "cursor":
      ctx.store.fabric(req.fabric);
      if (req.segments[1] === "sql") throw gdnFail("SQL_UNSUPPORTED");
      return handleCursor(ctx, req);
    case "query":
      ctx.store.fabric(req.fabric);
      return handleQueryValidation(ctx, req);
    case "streams": {
      ctx.store.fabric(req.fabric);
      const r = await ctx.broker.handleRest({
        method: req.method,
        fabric: req.fabric,
        subpath: req.segments.length > 1 ? "/" + req.segments.slice(1).join("/") : "",
        query: req.query,
        body: req.body,
      });
      return r.headers ? { status: r.status, body: r.body, headers: r.headers } : { status: r.status, body: r.body };
    }
    default:
      break;
  }
  throw gdnFail("UNKNOWN_PATH_QUOTED", { path: `/${req.segments.join("/")}` });
}

function faultsRoute(ctx: ServerContext, req: GdnRequest): Reply {
  const f = ctx.faults;
  if (req.method === "GET") return { status: 200, body: { error: false, code: 200, result: f.toJSON() } };
  if (req.method !== "POST") throw gdnFail("METHOD_NOT_SUPPORTED");
  const b = (parseBody(req).value ?? {}) as JsonObject;
  const n = (v: JsonValue | undefined, name: string): number => {
    const x = Number(v);
    if (!Number.isFinite(x) || x < 0) throw badParameter(`${name} must be a non-negative number`);
    return x;
  };
  if (b.reset === true) f.reset();
  if (b.consumerCloseEvery !== undefined) f.consumerCloseEvery = n(b.consumerCloseEvery, "consumerCloseEvery");
  if (b.latencyMs !== undefined) f.latencyMs = n(b.latencyMs, "latencyMs");
  if (b.dropNextConnections !== undefined) f.dropNextConnections = n(b.dropNextConnections, "dropNextConnections");
  if (b.importIgnoreNext !== undefined) f.importIgnoreNext = n(b.importIgnoreNext, "importIgnoreNext");
  if (b.failNextHttp !== undefined) {
    const x = b.failNextHttp as JsonObject;
    const status = Number(x?.status ?? 503);
    if (status !== 429 && status !== 503) throw badParameter("failNextHttp.status must be 429 or 503");
    f.failNextHttp(n(x.count, "failNextHttp.count"), status, x.retryAfterSeconds === undefined ? undefined : n(x.retryAfterSeconds, "failNextHttp.retryAfterSeconds"));
  }
  if (b.closeAllWebSockets === true) f.closeAllWebSockets();
  if (b.hold === true) f.hold();
  else if (b.hold && typeof b.hold === "object" && !Array.isArray(b.hold)) {
    const h = b.hold as JsonObject;
    f.hold({ ...(typeof h.method === "string" ? { method: h.method } : {}), ...(typeof h.path === "string" ? { path: h.path } : {}) });
  }
  if (b.hold === false) f.release();
  return { status: 200, body: { error: false, code: 200, result: f.toJSON() } };
}
