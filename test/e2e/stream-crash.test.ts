/**
 * Crash tests: a child process bridges a GDN stream, fed at a steady rate, into a sink; it is
 * SIGKILLed 10 times and restarted on the same checkpoint.
 * - the `json` file sink, killed at random moments: every produced message exactly once, in order;
 * - a Delta table through the volume method, a plain append (no batchIdColumn, no mergeKeys), killed
 *   half at random moments and half right after a COPY INTO ran and before its reply arrived (the
 *   window between the apply and commits/N): every message exactly once in the table, and no staged
 *   file left in the volume.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jsonDataFiles } from "@macrometa-spark/core";
import { GdnHttpClient, StreamConsumer, StreamProducer, resolveTopic } from "@macrometa-spark/macrometa-client";
import { CaseInsensitiveOptions } from "@macrometa-spark/core";
import { DatabricksConnection, FilesClient, parseConnectionOptions } from "@macrometa-spark/databricks";
import { startLocalGdn, type LocalGdn } from "@macrometa-spark/local-gdn";
import { startLocalWarehouse, type LocalWarehouse } from "@macrometa-spark/local-warehouse";
import { afterAll, beforeAll, expect, it } from "vitest";

const fixtures = fileURLToPath(new URL("../../packages/stream/test/fixtures/", import.meta.url));
const KILLS = 10;

let gdn: LocalGdn;
let wh: LocalWarehouse;
let dir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  gdn = await startLocalGdn();
  wh = await startLocalWarehouse({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), "mmspark-stream-crash-"));
});
afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await gdn?.close();
  await wh?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Child {
  proc: ChildProcess;
  /** Resolves on the first `progress` line (a batch committed), rejects if the child exits first. */
  firstProgress: Promise<void>;
  exited: Promise<number | null>;
  stderr: () => string;
}

function startBridge(stream: string, env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", join(fixtures, "crash-bridge.ts")], {
    cwd: fixtures,
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: join(fixtures, "tsconfig.json"),
      BRIDGE_REGION_URL: gdn.url,
      BRIDGE_API_KEY: gdn.apiKey,
      BRIDGE_STREAM: stream,
      BRIDGE_OUT: join(dir, "out"),
      BRIDGE_CHECKPOINT: join(dir, "checkpoint"),
      BRIDGE_TRIGGER_MS: "100",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    proc.once("exit", (code) => {
      children.delete(proc);
      resolve(code);
    }),
  );
  const firstProgress = new Promise<void>((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (/^progress /m.test(out)) resolve();
    });
    void exited.then((code) => reject(new Error(`bridge exited (${code}) before a batch committed: ${err.slice(-2000)}`)));
  });
  firstProgress.catch(() => undefined);
  return { proc, firstProgress, exited, stderr: () => err };
}

async function outputSeqs(): Promise<number[]> {
  const out = join(dir, "out");
  const seqs: number[] = [];
  let files: string[];
  try {
    files = await jsonDataFiles(out);
  } catch {
    return seqs;
  }
  for (const f of files) {
    const text = await readFile(join(out, f), "utf8");
    for (const line of text.split("\n")) if (line.trim()) seqs.push((JSON.parse(line) as { seq: number }).seq);
  }
  return seqs;
}

/** Creates the stream with the bridge's subscription, then feeds it at a steady rate (~600 msg/s). */
async function feed(stream: string): Promise<{ stop: () => Promise<number> }> {
  const http = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey });
  await http.createStream(stream, true);
  await http.close();
  // The bridge's subscription exists before the first message: on a real GDN, messages no
  // subscription holds may be dropped.
  const topic = resolveTopic({ tenant: gdn.tenant, name: stream });
  const sub = await StreamConsumer.subscribe({ wsBase: gdn.wsUrl, apiKey: gdn.apiKey, idleTimeoutMs: 0, topic, subscription: "crash-bridge" });
  await sub.close();
  const producer = await StreamProducer.open({ wsBase: gdn.wsUrl, apiKey: gdn.apiKey, idleTimeoutMs: 0, topic });
  let produced = 0;
  let producing = true;
  const feeding = (async () => {
    while (producing) {
      for (let i = 0; i < 6; i++) await producer.send({ payload: JSON.stringify({ seq: produced++, at: Date.now() }) });
      await new Promise((r) => setTimeout(r, 10)); // pacing the feed, not synchronising the test
    }
    await producer.flush();
  })();
  return {
    async stop() {
      producing = false;
      await feeding;
      await producer.close();
      return produced;
    },
  };
}

const random = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo));

// Eleven child processes each pay a Node start-up, which takes ~10 s on a loaded 2-core machine.
it(`bridges a stream into the json sink exactly once, in order, across ${KILLS} SIGKILLs`, { timeout: 240_000 }, async () => {
  const stream = "crash";
  const feeder = await feed(stream);
  for (let k = 0; k < KILLS; k++) {
    const child = startBridge(stream);
    await child.firstProgress;
    // A random moment after the first commit: mid-batch, mid-sink, between commits and acks...
    await new Promise((r) => setTimeout(r, random(0, 400)));
    child.proc.kill("SIGKILL");
    await child.exited;
  }
  const produced = await feeder.stop();

  const last = startBridge(stream);
  await last.firstProgress;
  await expect.poll(async () => (await outputSeqs()).length, { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(produced);
  last.proc.kill("SIGTERM");
  expect(await last.exited).toBe(0);

  const seqs = await outputSeqs();
  expect(seqs.length).toBe(produced);
  expect(seqs).toEqual(Array.from({ length: produced }, (_, i) => i));
  expect(produced).toBeGreaterThan(1000);
});

it(`bridges a stream into Delta (volume method, plain append) exactly once across ${KILLS} SIGKILLs, half of them right after a COPY INTO`, { timeout: 240_000 }, async () => {
  const connection = { host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: false };
  const admin = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions(connection)));
  await admin.execute("CREATE SCHEMA IF NOT EXISTS main.crash");
  await admin.execute("CREATE VOLUME IF NOT EXISTS main.crash.staging");
  const env = {
    BRIDGE_SINK: "databricks",
    BRIDGE_DBX_PORT: String(wh.port),
    BRIDGE_DBX_TOKEN: wh.token,
    BRIDGE_DBX_TABLE: "main.crash.events",
    BRIDGE_DBX_VOLUME: "/Volumes/main/crash/staging",
    BRIDGE_CHECKPOINT: join(dir, "checkpoint-delta"),
  };
  const stream = "crash-delta";
  const feeder = await feed(stream);
  for (let k = 0; k < KILLS; k++) {
    const child = startBridge(stream, env);
    await child.firstProgress;
    if (k % 2 === 0) {
      // Aimed: the next COPY INTO runs, and the bridge dies before it hears that it did.
      wh.faults.dropReply("COPY INTO", 1, () => child.proc.kill("SIGKILL"));
    } else {
      await new Promise((r) => setTimeout(r, random(0, 400)));
      child.proc.kill("SIGKILL");
    }
    await child.exited;
  }
  expect(wh.faults.pending()).toBe(0);
  const produced = await feeder.stop();

  const last = startBridge(stream, env);
  await last.firstProgress;
  const count = async () => Number((await admin.query("SELECT count(*) AS n FROM main.crash.events"))[0]!["n"]);
  await expect.poll(count, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(produced);
  last.proc.kill("SIGTERM");
  expect(await last.exited).toBe(0);

  const [stats] = await admin.query("SELECT count(*) AS n, count(DISTINCT seq) AS d, min(seq) AS lo, max(seq) AS hi FROM main.crash.events");
  await admin.close();
  // What the killed runs staged was removed by the next run's start; what the last run staged, after each load.
  const files = new FilesClient({ host: wh.host, port: wh.port, useTls: false, token: wh.token });
  const staged = async (dir: string): Promise<string[]> =>
    (await Promise.all(((await files.list(dir)) ?? []).map(async (e) => (e.isDirectory ? staged(e.path) : [e.path])))).flat();
  expect(await staged("/Volumes/main/crash/staging")).toEqual([]);
  await files.close();
  expect(Object.fromEntries(Object.entries(stats!).map(([k, v]) => [k, Number(v)]))).toEqual({ n: produced, d: produced, lo: 0, hi: produced - 1 });
  expect(produced).toBeGreaterThan(1000);
});
