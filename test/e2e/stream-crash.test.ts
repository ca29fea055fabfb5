/**
 * Crash test (issue 5 acceptance): a child process bridges a GDN stream, fed at a steady rate, into
 * the `json` file sink; it is SIGKILLed at random moments 10 times and restarted on the same
 * checkpoint. The output must hold every produced message exactly once, in order.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jsonDataFiles } from "@macrometa-spark/core";
import { GdnHttpClient, StreamConsumer, StreamProducer, resolveTopic } from "@macrometa-spark/macrometa-client";
import { startLocalGdn, type LocalGdn } from "@macrometa-spark/local-gdn";
import { afterAll, beforeAll, expect, it } from "vitest";

const fixtures = fileURLToPath(new URL("../../packages/stream/test/fixtures/", import.meta.url));
const KILLS = 10;

let gdn: LocalGdn;
let dir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  gdn = await startLocalGdn();
  dir = await mkdtemp(join(tmpdir(), "mmspark-stream-crash-"));
});
afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await gdn?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Child {
  proc: ChildProcess;
  /** Resolves on the first `progress` line (a batch committed), rejects if the child exits first. */
  firstProgress: Promise<void>;
  exited: Promise<number | null>;
  stderr: () => string;
}

function startBridge(stream: string): Child {
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

it(`bridges a stream into the json sink exactly once, in order, across ${KILLS} SIGKILLs`, { timeout: 90_000 }, async () => {
  const stream = "crash";
  const http = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey });
  await http.createStream(stream, true);
  await http.close();

  // The bridge's subscription exists before the first message: on a real GDN, messages no
  // subscription holds may be dropped.
  const sub = await StreamConsumer.subscribe({ wsBase: gdn.wsUrl, apiKey: gdn.apiKey, idleTimeoutMs: 0, topic: resolveTopic({ tenant: gdn.tenant, name: stream }), subscription: "crash-bridge" });
  await sub.close();

  // A producer at a steady rate (~600 msg/s) for the whole run.
  const producer = await StreamProducer.open({ wsBase: gdn.wsUrl, apiKey: gdn.apiKey, idleTimeoutMs: 0, topic: resolveTopic({ tenant: gdn.tenant, name: stream }) });
  let produced = 0;
  let producing = true;
  const feeding = (async () => {
    while (producing) {
      for (let i = 0; i < 6; i++) await producer.send({ payload: JSON.stringify({ seq: produced++, at: Date.now() }) });
      await new Promise((r) => setTimeout(r, 10)); // pacing the feed, not synchronising the test
    }
    await producer.flush();
  })();

  const random = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo));
  for (let k = 0; k < KILLS; k++) {
    const child = startBridge(stream);
    await child.firstProgress;
    // A random moment after the first commit: mid-batch, mid-sink, between commits and acks...
    await new Promise((r) => setTimeout(r, random(0, 400)));
    child.proc.kill("SIGKILL");
    await child.exited;
  }
  producing = false;
  await feeding;
  await producer.close();

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
