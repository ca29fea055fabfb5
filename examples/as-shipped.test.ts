/**
 * The examples as a user runs them from the README: `mmspark local up --seed --env-file FILE` in
 * one shell, then in another `source FILE` and `mmspark run examples/jobs/<spec>.json` — the built
 * CLI in child processes, the spec files unchanged.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../packages/cli/dist/bin.js", import.meta.url));
const jobs = fileURLToPath(new URL("./jobs/", import.meta.url));
let dir: string;
let envFile: string;
let up: ChildProcess;
let upOut = "";

/** The user's environment without anything an outer shell may have set for real accounts. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, MMSPARK_STATE_DIR: join(dir, "state") };
  for (const k of Object.keys(env)) if (/^(MM_|DATABRICKS_|MMSPARK_SECRET_)/.test(k)) delete env[k];
  return env;
}

/** `sh -c '. FILE && node bin.js …'`: exit code and output. */
function sourced(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", '. "$0" && exec "$@"', envFile, process.execPath, bin, ...args], { env: cleanEnv() });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => void (out += d));
    child.stderr.on("data", (d: Buffer) => void (err += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mmspark-as-shipped-"));
  envFile = join(dir, "local.env");
  // `node --`: Node 20 itself takes `--env-file` from anywhere on its command line (the README says so).
  up = spawn(process.execPath, ["--", bin, "local", "up", "--seed", "--env-file", envFile, "--gdn-port", "0", "--warehouse-port", "0"], { env: cleanEnv() });
  up.stderr!.on("data", (d: Buffer) => void (upOut += d));
  await new Promise<void>((resolve, reject) => {
    up.stdout!.on("data", (d: Buffer) => {
      upOut += d;
      if (upOut.includes("Ctrl-C stops")) resolve();
    });
    up.on("exit", (code) => reject(new Error(`local up exited ${code}: ${upOut}`)));
  });
});

afterAll(async () => {
  if (up && up.exitCode === null) {
    const exited = new Promise((r) => up.once("exit", r));
    up.kill("SIGINT");
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("local up --seed --env-file says what it seeded and writes the variables the specs reference", () => {
  expect(upOut).toContain("seeded: collections customers");
  expect(upOut).toMatch(/Ctrl-C stops the producer and both servers/);
  const text = readFileSync(envFile, "utf8");
  for (const v of ["MM_REGION_URL", "DATABRICKS_HOST", "DATABRICKS_PORT", "DATABRICKS_STAGING_VOLUME", "MMSPARK_SECRET_MACROMETA_API_KEY", "MMSPARK_SECRET_DATABRICKS_TOKEN"]) {
    expect(text).toMatch(new RegExp(`^export ${v}='[^']+'$`, "m"));
  }
  // HTTPS like a workspace: the CA local up wrote, for our option and for every Node program.
  expect(upOut).toMatch(/local warehouse {2}https:\/\/127\.0\.0\.1:\d+\//);
  expect(text).toMatch(/^export DATABRICKS_USE_TLS='true'$/m);
  const ca = /^export DATABRICKS_CA_CERT_FILE='([^']+)'$/m.exec(text)?.[1];
  expect(upOut).toContain(`CA certificate: ${ca}`);
  expect(readFileSync(ca!, "utf8")).toMatch(/^-----BEGIN CERTIFICATE-----/);
  expect(text).toContain(`export NODE_EXTRA_CA_CERTS='${ca}'`);
});

it("collection-to-delta.json runs as shipped: 3 rows written into a schema the sink creates, 1 rejected", async () => {
  const r = await sourced(["run", join(jobs, "collection-to-delta.json")]);
  expect(r.err).not.toMatch(/uc_main/);
  expect(r.code).toBe(0);
  expect(r.out).toContain("customers-to-delta (batch): wrote 3 rows");
  expect(r.out).toMatch(/rejected 1 \(rejectedRecords; first keys: 4/);
  const sql = await sourced(["sql", "SELECT count(*) AS n FROM main.examples.customers", "--json"]);
  expect(sql.code).toBe(0);
  expect(JSON.parse(sql.out.trim())).toEqual({ n: 3 });
});

it("stream-to-delta.json runs with --trigger availableNow: the seeded clicks (and what the producer added)", async () => {
  // One run: availableNow waits for the subscription's backlog to reach the fresh consumer before it
  // decides there is nothing (query.ts), so the 25 seeded clicks are in this run, as in Spark.
  const r = await sourced(["run", join(jobs, "stream-to-delta.json"), "--trigger", "availableNow"]);
  expect(r.code).toBe(0);
  expect(r.err).toContain(`checkpoint: ${join(dir, "state", "checkpoints", "clicks-to-delta")}`);
  const rows = Number(/clicks-to-delta \(stream\): (\d+) rows/.exec(r.out)?.[1]);
  expect(rows).toBeGreaterThanOrEqual(25);
});

it("cdc-sync.json runs with --trigger availableNow: the snapshot of the seeded orders", async () => {
  const r = await sourced(["run", join(jobs, "cdc-sync.json"), "--trigger", "availableNow"]);
  expect(r.code).toBe(0);
  expect(r.out).toContain("orders-sync (sync): snapshot 5 rows");
});

it("reverse-sync.json runs with --trigger availableNow: the seeded Delta aggregate lands in a collection, and a second run finds nothing new", async () => {
  expect(upOut).toContain("Delta table main.examples.region_totals (3 rows, change data feed on)");
  const r = await sourced(["run", join(jobs, "reverse-sync.json"), "--trigger", "availableNow"]);
  expect(r.code, r.err).toBe(0);
  // No startingVersion: the table as of its latest version, one batch of 3 inserts.
  expect(r.out).toContain("region-totals-to-collection (reverse): 3 changes in 1 micro-batches");
  const again = await sourced(["run", join(jobs, "reverse-sync.json"), "--trigger", "availableNow"]);
  expect(again.code, again.err).toBe(0);
  expect(again.out).toContain("region-totals-to-collection (reverse): 0 changes in 0 micro-batches");
});
