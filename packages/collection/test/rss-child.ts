/**
 * Child processes of the collection benchmark's memory check, so each measures its own peak RSS.
 *   serve <n...>   start local-gdn, seed `bench_<n>` collections, print {url, apiKey}, live until stdin ends
 *   read <url> <apiKey> <collection>   read it through the provider, print {rows, maxRssMB, ms}
 */
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { startLocalGdn } from "../../local-gdn/src/index.js";
import { readThroughProvider, seedBench } from "./bench-support.js";

const [cmd, ...args] = process.argv.slice(2);
if (cmd === "serve") {
  const gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  const client = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey, requestTimeoutMs: 600_000 });
  for (const n of args.map(Number)) await seedBench(client, `bench_${n}`, n, 2000, 2);
  await client.close();
  process.stdout.write(JSON.stringify({ url: gdn.url, apiKey: gdn.apiKey }) + "\n");
  process.stdin.resume();
  process.stdin.on("end", () => void gdn.close().then(() => process.exit(0)));
} else if (cmd === "read") {
  const [url, apiKey, collection] = args;
  const t = performance.now();
  const rows = await readThroughProvider({ regionUrl: url, apiKey, collection, batchSize: 1000, parallelism: 1, requestTimeoutMs: 600_000 });
  const ms = performance.now() - t;
  process.stdout.write(JSON.stringify({ rows, ms, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }) + "\n");
} else {
  process.stderr.write("usage: rss-child serve <n...> | read <url> <apiKey> <collection>\n");
  process.exit(2);
}
