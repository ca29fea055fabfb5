/**
 * Ctrl-C on `mmspark run` of a batch job, with the real executable as a child process against
 * local-gdn and local-warehouse. The child is held at a known point without sleeps: local-gdn
 * holds every cursor continuation (`PUT /_api/cursor/<id>`), so after its first page the job has
 * staged that page (a Parquet file in the volume, or a `__mm_stage_*` table) and waits for the
 * next; the test sees both, sends SIGINT, waits for the child to say it is stopping, then lets
 * the reader go on. The first SIGINT aborts the write at that next page: exit 130, the target has
 * exactly its earlier rows, nothing staged remains. A second SIGINT exits at once (130) and leaves
 * its staging, which the next run into the table removes. The child is the built executable
 * (packages/cli/dist/bin.js, as a user runs it; `npm test` builds it first).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FilesClient } from "@macrometa-spark/databricks";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import "../src/commands/register.js";
import { main } from "../src/main.js";
import type { MmsparkJob } from "../src/index.js";
import { waitFor } from "../src/runner/watch.js";
import { capture } from "./support/capture.js";
import { usePeers } from "./support/peers.js";

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const SCHEMA = "intr";
const VOLUME = `/Volumes/main/${SCHEMA}/staging`;
const CURSOR_NEXT_PAGE = { method: "PUT", path: "/_api/cursor/" };

const peers = usePeers({ schema: SCHEMA, volume: "staging", dir: "mmspark-interrupt-" });
let files: FilesClient;

beforeAll(async () => {
  await peers.http.createCollection("clicks");
  const docs = Array.from({ length: 1000 }, (_, i) => ({ _key: `c${String(i).padStart(4, "0")}`, n: i }));
  expect((await peers.http.importDocuments("clicks", docs)).errors).toBe(0);
  await peers.http.createCollection("earlier");
  expect((await peers.http.importDocuments("earlier", [{ _key: "e1", n: -1 }, { _key: "e2", n: -2 }, { _key: "e3", n: -3 }])).errors).toBe(0);
  files = new FilesClient({ host: peers.wh.host, port: peers.wh.port, useTls: false, token: peers.wh.token });
});

afterAll(async () => {
  // A test that failed mid-hold leaves requests waiting: let them go before local-gdn closes.
  peers.gdn?.faults.release();
  await files?.close();
});

type Method = "volume" | "insert";

function spec(name: string, collection: string, table: string, method: Method, extra: Record<string, string | number | boolean> = {}): string {
  const job: MmsparkJob = {
    name,
    // A user schema: no inference read, so the first cursor page is the job's own.
    source: { format: "com.macrometa.spark.collection", options: { regionUrl: peers.gdn.url, apiKey: peers.gdn.apiKey, collection, batchSize: 100, parallelism: 1 }, schema: "_key STRING, n BIGINT" },
    sink: { format: "databricks", mode: "append", options: { ...peers.dbx, table, ...(method === "volume" ? { stagingVolume: VOLUME, maxRecordsPerFile: 100 } : {}), ...extra } },
  };
  const file = join(peers.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(job));
  return file;
}

async function filesUnder(path: string): Promise<string[]> {
  const entries = await files.list(path);
  if (!entries) return [];
  const out: string[] = [];
  for (const e of entries) out.push(...(e.isDirectory ? await filesUnder(e.path) : [e.path]));
  return out;
}

const stageTables = async () => (await peers.admin.query(`SHOW TABLES IN main.${SCHEMA} LIKE '__mm_stage_*'`)).map((r) => String(r["tableName"]));
const keys = async (table: string) => (await peers.admin.query(`SELECT _key FROM main.${SCHEMA}.${table} ORDER BY _key`)).map((r) => String(r["_key"]));
const staged = (method: Method) => (method === "volume" ? filesUnder(VOLUME) : stageTables());

/** A table holding the three rows of an earlier, complete run (in-process: the same code path). */
async function earlierRun(table: string, method: Method): Promise<void> {
  const c = capture();
  expect(await main(["run", spec(`${table}-earlier`, "earlier", table, method)], c.io, new AbortController().signal), c.err()).toBe(0);
  expect(await keys(table)).toEqual(["e1", "e2", "e3"]);
}

interface Child {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function runChild(file: string): Child {
  const proc = spawn(process.execPath, [BIN, "run", file], { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env["PATH"] ?? "", XDG_STATE_HOME: peers.dir } });
  let out = "";
  let err = "";
  proc.stdout!.setEncoding("utf8").on("data", (t: string) => (out += t));
  proc.stderr!.setEncoding("utf8").on("data", (t: string) => (err += t));
  const exit = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return { proc, stdout: () => out, stderr: () => err, exit };
}

/** Starts the job and returns once it has staged its first page and waits for the next. */
async function heldAfterFirstPage(file: string, method: Method): Promise<Child> {
  peers.gdn.faults.hold(CURSOR_NEXT_PAGE);
  const child = runChild(file);
  await waitFor(async () => peers.gdn.faults.heldRequests > 0 && (await staged(method)).length > 0, "the job to stage its first page and ask for the next", 30_000);
  return child;
}

for (const method of ["volume", "insert"] as const) {
  it(`${method} method: the first Ctrl-C aborts at the next page — exit 130, the table keeps its rows, nothing staged remains`, async () => {
    const table = `first_${method}`;
    await earlierRun(table, method);
    const child = await heldAfterFirstPage(spec(`${table}-run`, "clicks", table, method), method);
    child.proc.kill("SIGINT");
    await waitFor(() => /aborting the write at its next row batch/.test(child.stderr()), "the child to say what Ctrl-C does", 30_000);
    peers.gdn.faults.release();
    expect(await child.exit, child.stderr()).toBe(130);
    expect(child.stderr()).toMatch(/Delta write aborted: no row reached main\.intr\.first_\w+ \(no apply statement ran\)/);
    expect(child.stderr()).toMatch(/mmspark run: interrupted: the write stopped at a batch boundary and was aborted before its commit/);
    expect(await keys(table)).toEqual(["e1", "e2", "e3"]);
    expect(await filesUnder(VOLUME)).toEqual([]);
    expect(await stageTables()).toEqual([]);
  });

  it(`${method} method: a second Ctrl-C exits at once (130); the next run removes what it left`, async () => {
    const table = `second_${method}`;
    await earlierRun(table, method);
    const child = await heldAfterFirstPage(spec(`${table}-run`, "clicks", table, method), method);
    child.proc.kill("SIGINT");
    await waitFor(() => /Ctrl-C again to exit at once/.test(child.stderr()), "the child to take the first Ctrl-C", 30_000);
    child.proc.kill("SIGINT");
    // Still held: the exit cannot have waited for the job.
    expect(await child.exit).toBe(130);
    peers.gdn.faults.release();
    const left = await staged(method);
    expect(left.length).toBeGreaterThan(0);
    expect(await keys(table)).toEqual(["e1", "e2", "e3"]);

    // The next run into the table: staging older than staleStagingAfterMs (here: any) is removed.
    const c = capture();
    expect(await main(["run", spec(`${table}-next`, "clicks", table, method, { staleStagingAfterMs: 0 }), "--verbose"], c.io, new AbortController().signal), c.err()).toBe(0);
    expect(c.err()).toMatch(method === "volume" ? /removed staged files an earlier run left behind/ : /dropped staging tables an earlier run left behind/);
    expect(await staged(method)).toEqual([]);
    expect((await keys(table)).length).toBe(1003);
  });
}

it("a stream job: Ctrl-C after a committed micro-batch stops the query, exit 0, the batch is in the table", async () => {
  const http = new GdnHttpClient({ url: peers.gdn.url, apiKey: peers.gdn.apiKey });
  const topic = await http.createStream("pings", false);
  for (let i = 1; i <= 5; i++) await http.publish(topic, JSON.stringify({ id: i }), false);
  await http.close();
  const job: MmsparkJob = {
    name: "pings",
    kind: "stream",
    source: { format: "com.macrometa.spark.stream", options: { regionUrl: peers.gdn.url, apiKey: peers.gdn.apiKey, stream: "pings", replication: "local", subscriptionName: "interrupt-test" }, schema: "id BIGINT" },
    sink: { format: "databricks", options: { ...peers.dbx, table: "pings", stagingVolume: VOLUME } },
    trigger: { processingTime: 50 },
    checkpointLocation: join(peers.dir, "pings-cp"),
  };
  const file = join(peers.dir, "pings.json");
  writeFileSync(file, JSON.stringify(job));
  const child = runChild(file);
  await waitFor(() => /batch 0: 5 rows/.test(child.stderr()), "the first micro-batch's status line", 30_000);
  child.proc.kill("SIGINT");
  expect(await child.exit, child.stderr()).toBe(0);
  expect(child.stderr()).toContain("pings: stopping once the current micro-batch commits (Ctrl-C again to exit at once)");
  expect(child.stdout()).toMatch(/pings \(stream\): 5 rows in 1 micro-batches \(stopped after committing the current batch\)/);
  expect((await peers.admin.query(`SELECT id FROM main.${SCHEMA}.pings ORDER BY id`)).map((r) => Number(r["id"]))).toEqual([1, 2, 3, 4, 5]);
  expect(await filesUnder(VOLUME)).toEqual([]);
});

it("local up says what Ctrl-C does, and does it: both servers close, exit 0", async () => {
  const c = capture();
  const ctl = new AbortController();
  const done = main(["local", "up", "--gdn-port", "0", "--warehouse-port", "0"], c.io, ctl.signal);
  await waitFor(() => /Ctrl-C stops both servers \(their data is in memory and is lost\)/.test(c.out()), "local up to print what Ctrl-C does", 30_000);
  const url = /local GDN\s+(\S+)/.exec(c.out())![1]!;
  ctl.abort();
  expect(await done).toBe(0);
  expect(c.err()).toBe("stopping both servers\nstopped\n");
  await expect(fetch(`${url}/_api/version`)).rejects.toThrow();
});
