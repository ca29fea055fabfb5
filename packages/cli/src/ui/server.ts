/**
 * The monitoring page's HTTP server: `GET /` (the page), `GET /api/queries` (Spark-shaped query
 * list), `GET /api/state` (everything the page shows), `GET /api/events` (server-sent events: the
 * state, then each change) and the page's assets. Read-only; GET and HEAD only.
 * @packageDocumentation
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { cliError } from "../error-codes.js";
import { AccessRule, TOKEN_COOKIE, isLoopbackHost, newToken } from "./access.js";
import { loadAssets, type Asset } from "./assets.js";
import type { JobMonitor, MonitorChange } from "./monitor.js";

export interface UiServerOptions {
  monitor: JobMonitor;
  /** TCP port; 0 picks a free one. */
  port: number;
  /**
   * Address to bind. Default: `127.0.0.1`. Any non-loopback address makes the server require a
   * token (generated unless given).
   */
  host?: string;
  /** The token for a non-loopback bind. Default: 24 random bytes. Ignored on loopback. */
  token?: string;
  /** Interval of the SSE keep-alive comment, so proxies and phones keep the connection. Unit: ms. Default: 15000. */
  keepAliveMs?: number;
}

export interface UiServer {
  /** The page's address (without the token). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Set when the bind is not loopback: every request must present it. */
  readonly token: string | undefined;
  /** Stops listening and ends open page connections (event streams included). */
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  // Everything the page loads is served here; nothing inline, nothing from elsewhere.
  "content-security-policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/** JSON text with bigint offsets as strings (JSON.stringify would throw). */
function json(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

export async function startUiServer(o: UiServerOptions): Promise<UiServer> {
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
    throw cliError("UI_BAD_PORT", { port: o.port });
  }
  const host = o.host ?? "127.0.0.1";
  const token = isLoopbackHost(host) ? undefined : (o.token ?? newToken());
  const rule = new AccessRule(token);
  const assets = await loadAssets();
  const monitor = o.monitor;
  const streams = new Set<ServerResponse>();

  const onChange = (c: MonitorChange) => {
    const text = `event: ${c.type}\ndata: ${json(c)}\n\n`;
    for (const res of streams) res.write(text);
  };
  monitor.on("change", onChange);
  const keepAlive = setInterval(() => {
    for (const res of streams) res.write(": keep-alive\n\n");
  }, o.keepAliveMs ?? 15_000);
  keepAlive.unref();

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", "internal error\n");
      else res.destroy(err as Error);
    }
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://ui.invalid");
    const verdict = rule.check(req, url);
    if (!verdict.ok) return send(res, verdict.status, "text/plain; charset=utf-8", verdict.reason + "\n");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return send(res, 405, "text/plain; charset=utf-8", "read-only\n");
    }
    if (verdict.token !== undefined) {
      // The token came in the address: keep it in a cookie and take it out of the address bar.
      res.setHeader("set-cookie", `${TOKEN_COOKIE}=${encodeURIComponent(verdict.token)}; HttpOnly; SameSite=Strict; Path=/`);
      url.searchParams.delete("token");
      res.setHeader("location", url.pathname + url.search);
      return send(res, 303, "text/plain; charset=utf-8", "");
    }
    switch (url.pathname) {
      case "/api/queries":
        return send(res, 200, "application/json", json(monitor.queryViews()));
      case "/api/state":
        return send(res, 200, "application/json", json(monitor.state()));
      case "/api/events":
        return openEvents(req, res);
    }
    const asset: Asset | undefined = assets.get(url.pathname === "/index.html" ? "/" : url.pathname);
    if (!asset) return send(res, 404, "text/plain; charset=utf-8", "not found\n");
    send(res, 200, asset.type, asset.body, req.method === "HEAD");
  }

  function openEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, "content-type": "text/event-stream; charset=utf-8", connection: "keep-alive" });
    // The whole state first (also after a reconnect), then one event per change.
    res.write(`retry: 2000\nevent: state\ndata: ${json(monitor.state())}\n\n`);
    streams.add(res);
    req.on("close", () => streams.delete(res));
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((err: unknown) => {
    monitor.off("change", onChange);
    clearInterval(keepAlive);
    throw cliError("UI_LISTEN_FAILED", { host, port: o.port, reason: (err as Error).message }, { cause: err });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shown}:${port}/`,
    host,
    port,
    token,
    close() {
      closing ??= new Promise<void>((resolve) => {
        monitor.off("change", onChange);
        clearInterval(keepAlive);
        for (const res of streams) res.end();
        streams.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headOnly = false): void {
  const buf = typeof body === "string" ? Buffer.from(body) : body;
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": type, "content-length": buf.length });
  res.end(headOnly ? undefined : buf);
}
