/**
 * The monitoring page's server on a real socket, following a real streaming query (memory source →
 * memory sink): `GET /api/queries` is the query's own progress reports, the event stream starts
 * with the state and relays each batch, the token rule for a non-loopback bind, the loopback
 * host-name rule, read-only methods, and close() ending open event streams. The `--ui` flags'
 * usage errors are checked through `main`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FormatRegistry, LongType, StringType, StructField, StructType, createMemoryLogger, createSession, memoryProvider, registerBuiltinFormats, type Row, type StreamingQuery } from "@macrometa-spark/core";
import "../src/commands/register.js";
import { main } from "../src/main.js";
import { JobMonitor, startJobUi, startUiServer, type UiServer } from "../src/ui/index.js";
import { isLoopbackHost } from "../src/ui/access.js";
import type { Io } from "../src/usage.js";
import { capture } from "./support/capture.js";

const schema = new StructType([new StructField("id", LongType), new StructField("s", StringType)]);
const rowsFrom = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => [from + i, `r${from + i}`]);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A running memory → memory query that has committed `batches` batches of 2 rows. */
async function runningQuery(batches: number): Promise<{ query: StreamingQuery; monitor: JobMonitor; append: (n: number) => Promise<void> }> {
  const registry = registerBuiltinFormats(new FormatRegistry());
  const mem = memoryProvider(registry);
  mem.createTable("in", schema, []);
  const session = createSession({ registry });
  const monitor = new JobMonitor({ name: "mem-job", kind: "stream" });
  const df = await session.readStream.format("memory").option("maxMessagesPerTrigger", 2).load("in");
  const query = await df.writeStream.format("memory").queryName("mem_out").start();
  monitor.trackQuery(query, { trigger: "ProcessingTime(0 ms)" });
  cleanups.push(async () => {
    monitor.close();
    await query.stop();
    await session.stop();
  });
  let next = 0;
  const append = async (n: number) => {
    mem.appendRows("in", rowsFrom(next, n));
    next += n;
    await query.processAllAvailable(10_000);
  };
  await append(batches * 2);
  return { query, monitor, append };
}

async function serve(monitor: JobMonitor, host?: string, token?: string): Promise<UiServer> {
  const server = await startUiServer({ monitor, port: 0, ...(host ? { host } : {}), ...(token ? { token } : {}) });
  cleanups.push(() => server.close());
  return server;
}

/** A raw GET (fetch cannot set the Host header). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = "GET"): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("GET /api/queries", () => {
  it("lists each query with id, runId, name, status and its recentProgress (Spark's StreamingQueryProgress fields)", async () => {
    const { query, monitor } = await runningQuery(3);
    const server = await serve(monitor);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect(server.token).toBeUndefined();
    const res = await fetch(server.url + "api/queries");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = (await res.json()) as Record<string, unknown>[];
    expect(body).toHaveLength(1);
    const q = body[0]!;
    expect(q).toMatchObject({ id: query.id, runId: query.runId, name: "mem_out", trigger: "ProcessingTime(0 ms)", sink: "memory[mem_out]", exception: null, rejections: [] });
    expect(q["status"]).toMatchObject({ isActive: true, isTriggerActive: expect.any(Boolean), isDataAvailable: expect.any(Boolean), message: expect.any(String) });
    // The very reports the query keeps, in order, as JSON.
    expect(q["recentProgress"]).toEqual(JSON.parse(JSON.stringify(query.recentProgress)));
    const batches = (q["recentProgress"] as { batchId: number; numInputRows: number; durationMs: Record<string, number> }[]);
    expect(batches.map((p) => [p.batchId, p.numInputRows])).toEqual([[0, 2], [1, 2], [2, 2]]);
    expect(Object.keys(batches[0]!.durationMs).sort()).toEqual(["addBatch", "commit", "commitOffsets", "latestOffset", "triggerExecution", "walCommit"]);
  });

  it("reports a stopped query as inactive", async () => {
    const { query, monitor } = await runningQuery(1);
    const server = await serve(monitor);
    await query.stop();
    const [q] = (await (await fetch(server.url + "api/queries")).json()) as { status: { isActive: boolean; message: string } }[];
    expect(q!.status).toMatchObject({ isActive: false, message: "Stopped" });
  });

  it("shows a failed query's error, redacted, and the query as inactive", async () => {
    const registry = registerBuiltinFormats(new FormatRegistry());
    memoryProvider(registry).createTable("in", schema, rowsFrom(0, 3));
    const session = createSession({ registry });
    const monitor = new JobMonitor({ name: "failing", kind: "stream" });
    const df = await session.readStream.format("memory").load("in");
    const ckpt = await mkdtemp(join(tmpdir(), "mmspark-ui-"));
    cleanups.push(() => rm(ckpt, { recursive: true, force: true }));
    const query = await df.writeStream
      .option("checkpointLocation", ckpt)
      .foreachBatch(() => {
        throw new Error("sink refused the batch (apikey=demo.key1.SECRETSECRETSECRETSECRET42)");
      })
      .start();
    monitor.trackQuery(query);
    cleanups.push(async () => {
      monitor.close();
      await session.stop();
    });
    await expect(query.awaitTermination()).rejects.toThrow(/sink refused/);
    const server = await serve(monitor);
    const [q] = (await (await fetch(server.url + "api/queries")).json()) as { status: { isActive: boolean }; exception: string }[];
    expect(q!.status.isActive).toBe(false);
    expect(q!.exception).toContain("sink refused the batch");
    expect(q!.exception).not.toContain("SECRETSECRET");
  });

  it("serves the page and its assets from this process (no CDN) with a strict content security policy", async () => {
    const { monitor } = await runningQuery(1);
    const server = await serve(monitor);
    const page = await get(server.port, "/");
    expect(page.status).toBe(200);
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((r) => !r.startsWith("data:"));
    expect(refs).toEqual(expect.arrayContaining(["assets/uPlot.iife.min.js", "assets/uPlot.min.css", "assets/app.js", "assets/app.css"]));
    for (const ref of refs) {
      expect(ref).not.toMatch(/^(https?:)?\/\//);
      expect((await get(server.port, "/" + ref)).status, ref).toBe(200);
    }
    expect((await get(server.port, "/assets/uPlot.iife.min.js")).body).toContain("uPlot");
    expect((await get(server.port, "/nope")).status).toBe(404);
  });

  it("is read-only: other methods get 405", async () => {
    const { monitor } = await runningQuery(1);
    const server = await serve(monitor);
    const r = await get(server.port, "/api/queries", {}, "POST");
    expect(r.status).toBe(405);
    expect(r.headers["allow"]).toBe("GET, HEAD");
  });
});

describe("GET /api/events", () => {
  it("sends the whole state first, then each batch's progress; close() ends the stream", async () => {
    const { query, monitor, append } = await runningQuery(1);
    const server = await serve(monitor);
    const res = await fetch(server.url + "api/events");
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const until = async (re: RegExp) => {
      while (!re.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${re}`);
        text += value;
      }
    };
    await until(/event: state\ndata: .*\n\n/);
    const state = JSON.parse(/event: state\ndata: (.*)\n/.exec(text)![1]!);
    expect(state.job).toMatchObject({ name: "mem-job", kind: "stream" });
    expect(state.queries[0].recentProgress).toHaveLength(1);
    await append(2);
    await until(/event: progress\ndata: .*\n\n/);
    const change = JSON.parse(/event: progress\ndata: (.*)\n/.exec(text)![1]!);
    expect(change).toMatchObject({ type: "progress", queryId: query.id, progress: { batchId: 1, numInputRows: 2 } });
    await server.close();
    // The event stream ends with the server (a page cannot keep a stopped job's server alive).
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    await expect(fetch(server.url + "api/queries")).rejects.toThrow();
  });
});

describe("who may read the page", () => {
  it("on loopback: no token, but only loopback host names (a rebinding page's own name is refused)", async () => {
    const { monitor } = await runningQuery(1);
    const server = await serve(monitor);
    expect((await get(server.port, "/api/queries", { host: `127.0.0.1:${server.port}` })).status).toBe(200);
    expect((await get(server.port, "/api/queries", { host: `localhost:${server.port}` })).status).toBe(200);
    const evil = await get(server.port, "/api/queries", { host: `attacker.example:${server.port}` });
    expect(evil.status).toBe(403);
    expect(evil.body).not.toContain("mem_out");
  });

  it("on a non-loopback bind: every request needs the token (Bearer, ?token= or the cookie it sets)", async () => {
    const { monitor } = await runningQuery(1);
    // 0.0.0.0 is not loopback; the test still only talks to 127.0.0.1.
    const server = await serve(monitor, "0.0.0.0");
    const token = server.token!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(server.url).toBe(`http://0.0.0.0:${server.port}/`);

    const none = await get(server.port, "/api/queries");
    expect(none.status).toBe(401);
    expect(none.body).not.toContain("mem_out");
    expect((await get(server.port, "/")).status).toBe(401);
    expect((await get(server.port, "/api/events")).status).toBe(401);
    expect((await get(server.port, "/api/queries", { authorization: "Bearer nope" })).status).toBe(401);
    expect((await get(server.port, `/api/queries?token=${token}x`)).status).toBe(401);

    const ok = await get(server.port, "/api/queries", { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)[0].name).toBe("mem_out");

    // Opening the printed address: the token moves into an HttpOnly cookie and out of the address bar.
    const open = await get(server.port, `/?token=${token}`);
    expect(open.status).toBe(303);
    expect(open.headers["location"]).toBe("/");
    const setCookie = String(open.headers["set-cookie"]);
    expect(setCookie).toMatch(/^mmspark_ui=[^;]+; HttpOnly; SameSite=Strict; Path=\//);
    const cookie = setCookie.split(";")[0]!;
    expect((await get(server.port, "/", { cookie })).status).toBe(200);
    expect((await get(server.port, "/api/queries", { cookie })).status).toBe(200);
    expect((await get(server.port, "/api/queries", { cookie: "mmspark_ui=wrong" })).status).toBe(401);
  });

  it("knows loopback addresses", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"]) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["0.0.0.0", "::", "10.0.0.1", "192.168.1.2", "example.com", "128.0.0.1"]) expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe("mmspark --ui flags", () => {

  it("refuses --ui-host without --ui and a bad port (usage, exit 2)", async () => {
    const a = capture();
    expect(await main(["demo", "--ui-host", "0.0.0.0"], a.io, new AbortController().signal)).toBe(2);
    expect(a.err()).toContain("--ui-host needs --ui PORT");
    const b = capture();
    expect(await main(["demo", "--ui", "70000"], b.io, new AbortController().signal)).toBe(2);
    expect(b.err()).toContain("--ui expects a port from 0 to 65535");
    const c = capture();
    expect(await main(["demo", "--ui", "x1"], c.io, new AbortController().signal)).toBe(2);
  });

  it("prints the UI line; with a non-loopback --ui-host the token is in it, once, and required", async () => {
    const loop = capture();
    const a = (await startJobUi({ ui: "0" }, loop.io, { name: "j", kind: "stream" }, "help"))!;
    cleanups.push(() => a.close());
    expect(loop.err()).toBe(`UI: http://127.0.0.1:${a.server.port}/\n`);

    const wide = capture();
    const b = (await startJobUi({ ui: "0", "ui-host": "0.0.0.0" }, wide.io, { name: "j", kind: "stream" }, "help"))!;
    cleanups.push(() => b.close());
    const token = b.server.token!;
    expect(wide.err()).toContain(`UI: http://0.0.0.0:${b.server.port}/?token=${token}\n`);
    expect(wide.err().split(token)).toHaveLength(2); // printed exactly once
    expect((await get(b.server.port, "/api/queries")).status).toBe(401);
    expect((await get(b.server.port, "/api/queries", { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it("lists the flags in --help", async () => {
    let out = "";
    const io: Io = { out: (t) => void (out += t), err: () => {}, isTTY: false, env: {} };
    expect(await main(["run", "--help"], io, new AbortController().signal)).toBe(0);
    expect(out).toContain("--ui PORT");
    expect(out).toContain("--ui-host HOST");
  });
});

describe("JobMonitor", () => {
  it("turns a batch job's progress-bar ticks into rows, total, fraction, rows/s and ETA", async () => {
    const monitor = new JobMonitor({ name: "j", kind: "batch" });
    cleanups.push(() => monitor.close());
    const progress = monitor.progressFor({ out: () => {}, err: () => {}, isTTY: false, env: {} }, false);
    progress.rows("people -> main.x.people", 0, 200);
    const changes: unknown[] = [];
    monitor.on("change", (c) => changes.push(c));
    await new Promise<void>((r) => setImmediate(r)); // let the clock move past the first tick
    progress.rows("people -> main.x.people", 50, 200);
    const [b] = monitor.state().batches;
    expect(b).toMatchObject({ phase: "people -> main.x.people", rows: 50, total: 200, fraction: 0.25, finished: false });
    expect(changes).toEqual([{ type: "batch", batch: b }]);
    if (b!.rowsPerSecond > 0) expect(b!.etaSeconds).toBeCloseTo((200 - 50) / b!.rowsPerSecond, 6);
    progress.rows("people -> main.x.people", 200, 200, true);
    expect(monitor.state().batches[0]).toMatchObject({ rows: 200, fraction: 1, finished: true });
    // Unknown total: no fraction, no ETA.
    progress.rows("query", 7);
    expect(monitor.state().batches[1]).toMatchObject({ phase: "query", rows: 7, total: null, fraction: null, etaSeconds: null });
  });

  it("keeps warnings (redacted) and takes a refused message's id as the counter's sample key", async () => {
    const monitor = new JobMonitor({ name: "j", kind: "stream" });
    cleanups.push(() => monitor.close());
    const inner = createMemoryLogger();
    const log = monitor.tapLogger(inner);
    log.warn("stream message did not fit the schema (rejectedMessages, mode DROPMALFORMED)", { stream: "clicks", messageId: "12:3:-1", reason: "id: expected a number", apiKey: "secret-key-123" });
    log.info("not kept");
    expect(inner.events.map((e) => e.message)).toHaveLength(2); // forwarded
    const [w] = monitor.state().warnings;
    expect(w).toMatchObject({ level: "warn", key: "12:3:-1", fields: { apiKey: "***", stream: "clicks" } });
    expect(monitor.state().warnings).toHaveLength(1);
  });
});
