/**
 * Child process of the SIGKILL crash test (streaming-crash.test.ts): bridges the `rate` source into
 * the `json` sink on a checkpoint. With `--kill-after-epoch N` it SIGKILLs itself right after the
 * json sink committed epoch N, before the engine writes commits/N: the worst moment to die.
 * Otherwise it runs until the sink holds at least `--until` rows and stops cleanly.
 */
import { JsonProvider, createSession, defaultRegistry } from "../src/index.js";
import { withCommitHook } from "./commit-hook.js";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1]!);
const out = args.get("out")!;
const ckpt = args.get("checkpoint")!;
const killAfter = args.has("kill-after-epoch") ? Number(args.get("kill-after-epoch")) : undefined;
const until = Number(args.get("until") ?? "0");

// The json sink, SIGKILLed right after it committed epoch `killAfter`.
const crashy = withCommitHook(new JsonProvider(), "crashy-json", (epochId) => {
  if (epochId === killAfter) process.kill(process.pid, "SIGKILL");
});
defaultRegistry().register(crashy);

const session = createSession();
const df = await session.readStream.format("rate").options({ rowsPerSecond: 500, maxMessagesPerTrigger: 40 }).load();
const q = await df.writeStream.format("crashy-json").option("checkpointLocation", ckpt).start(out);
let total = 0;
q.on("progress", async (p: { sources: { endOffset: unknown }[] }) => {
  total = Number(p.sources[0]!.endOffset);
  if (until && total >= until) await q.stop();
});
await q.awaitTermination();
process.stdout.write(JSON.stringify({ id: q.id, total }) + "\n");
