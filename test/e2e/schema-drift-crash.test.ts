/**
 * A process killed (SIGKILL) between a schema change and `commits/N` replays batch N with the
 * schema it was planned with. A child bridges a stream, read with an inferred schema (so
 * schemaEvolutionMode addNewColumns), into a Delta table through the volume method; messages then
 * gain a field, and the child is killed:
 * - right after the sink's ALTER TABLE … ADD COLUMNS ran (before the epoch's COPY INTO), or
 * - right after the epoch's COPY INTO ran (before `commits/N`).
 * The restarted child infers its schema again from the stream's first message, which lacks the
 * field; the replay must still read batch N with `offsets/N`'s schema, so the new field's values
 * land in their column (not in `_rescued_data`), each message exactly once.
 * The SIGKILL pattern is test/e2e/stream-crash.test.ts's.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GdnHttpClient, StreamConsumer, StreamProducer, resolveTopic } from "@macrometa-spark/macrometa-client";
import { afterAll, expect, it } from "vitest";
import { usePeers } from "../../packages/cli/test/support/peers.js";

const fixtures = fileURLToPath(new URL("../../packages/stream/test/fixtures/", import.meta.url));

const peers = usePeers({ schema: "driftcrash", volume: "staging", dir: "mmspark-drift-crash-" });
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
});

interface Child {
  proc: ChildProcess;
  /** Resolves once `progress <batchId>` has been printed (that batch committed). */
  progress(batchId: number): Promise<void>;
  exited: Promise<number | null>;
}

function startBridge(stream: string, table: string, checkpoint: string): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", join(fixtures, "crash-bridge.ts")], {
    cwd: fixtures,
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: join(fixtures, "tsconfig.json"),
      BRIDGE_REGION_URL: peers.gdn.url,
      BRIDGE_API_KEY: peers.gdn.apiKey,
      BRIDGE_STREAM: stream,
      BRIDGE_CHECKPOINT: checkpoint,
      BRIDGE_TRIGGER_MS: "50",
      BRIDGE_SCHEMA: "infer",
      BRIDGE_SINK: "databricks",
      BRIDGE_DBX_PORT: String(peers.wh.port),
      BRIDGE_DBX_TOKEN: peers.wh.token,
      BRIDGE_DBX_TABLE: table,
      BRIDGE_DBX_VOLUME: "/Volumes/main/driftcrash/staging",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  let out = "";
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    proc.once("exit", (code) => {
      children.delete(proc);
      resolve(code);
    }),
  );
  const waiters: { batchId: number; resolve: () => void }[] = [];
  proc.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) if (new RegExp(`^progress ${w.batchId} `, "m").test(out)) w.resolve();
  });
  return {
    proc,
    exited,
    progress: (batchId) =>
      new Promise<void>((resolve, reject) => {
        if (new RegExp(`^progress ${batchId} `, "m").test(out)) return resolve();
        waiters.push({ batchId, resolve });
        void exited.then((code) => reject(new Error(`bridge exited (${code}) before batch ${batchId} committed: ${err.slice(-2000)}`)));
      }),
  };
}

async function publish(stream: string, docs: object[]): Promise<void> {
  const producer = await StreamProducer.open({ wsBase: peers.gdn.wsUrl, apiKey: peers.gdn.apiKey, idleTimeoutMs: 0, topic: resolveTopic({ tenant: peers.gdn.tenant, name: stream }) });
  for (const d of docs) await producer.send({ payload: JSON.stringify(d) });
  await producer.flush();
  await producer.close();
}

for (const window of ["ALTER TABLE", "COPY INTO"] as const) {
  it(`a SIGKILL right after the epoch's ${window} (before commits/N) replays the batch with the schema offsets/N recorded`, { timeout: 90_000 }, async () => {
    const stream = `drift-crash-${window === "ALTER TABLE" ? "alter" : "copy"}`;
    const table = `main.driftcrash.${window === "ALTER TABLE" ? "alter" : "copy"}`;
    const checkpoint = join(peers.dir, stream);
    const http = new GdnHttpClient({ url: peers.gdn.url, apiKey: peers.gdn.apiKey });
    await http.createStream(stream, true);
    await http.close();
    // The bridge's subscription exists before the first message.
    const sub = await StreamConsumer.subscribe({ wsBase: peers.gdn.wsUrl, apiKey: peers.gdn.apiKey, idleTimeoutMs: 0, topic: resolveTopic({ tenant: peers.gdn.tenant, name: stream }), subscription: "crash-bridge" });
    await sub.close();
    await publish(stream, Array.from({ length: 5 }, (_, seq) => ({ seq, at: 1000 + seq })));

    const first = startBridge(stream, table, checkpoint);
    await first.progress(0);
    peers.wh.faults.dropReply(window, 1, () => first.proc.kill("SIGKILL"));
    await publish(stream, Array.from({ length: 5 }, (_, i) => ({ seq: 5 + i, at: 2000 + i, region: `r${i}` })));
    await first.exited;
    expect(peers.wh.faults.pending()).toBe(0);

    // Killed between the schema change and commits/N: offsets/1 holds the widened schema, commits/1 does not exist.
    const offsets = JSON.parse(await readFile(join(checkpoint, "offsets", "1"), "utf8")) as { schema: { fields: { name: string }[] } };
    expect(offsets.schema.fields.map((f) => f.name)).toContain("region");
    expect(await readdir(join(checkpoint, "commits"))).toEqual(["0"]);

    const last = startBridge(stream, table, checkpoint);
    await last.progress(1);
    last.proc.kill("SIGTERM");
    expect(await last.exited).toBe(0);

    const rows = await peers.admin.query(`SELECT seq, region, _rescued_data FROM ${table} ORDER BY seq`);
    expect(rows.map((r) => [Number(r["seq"]), r["region"], r["_rescued_data"]])).toEqual([
      ...Array.from({ length: 5 }, (_, seq) => [seq, null, null]),
      ...Array.from({ length: 5 }, (_, i) => [5 + i, `r${i}`, null]),
    ]);
  });
}
