/**
 * Child processes of the pipeline benchmark (test/bench/pipeline.bench.test.ts), so the pipeline's time and peak RSS are its own:
 *   serve <n...>    start local-gdn and local-warehouse, seed `bench_<n>` collections of ~1 KB documents,
 *                   create main.bench and its staging volume, print the endpoints, live until stdin ends
 *   count <peers> <collection>           read the collection through the DataFrame API and count it
 *   delta <peers> <collection> <method>  read it and write it into a Delta table (volume or insert method)
 * Each job prints {rows, ms, maxRssMB}.
 */
// Lives in the cli package because it depends on every package, as a user's job does.
import "@macrometa-spark/collection";
import { CaseInsensitiveOptions, createSession } from "@macrometa-spark/core";
import { DatabricksConnection, parseConnectionOptions } from "@macrometa-spark/databricks";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { startLocalGdn } from "@macrometa-spark/local-gdn";
import { startLocalWarehouse } from "@macrometa-spark/local-warehouse";

interface Peers {
  gdn: { url: string; apiKey: string };
  dbx: { host: string; port: number; httpPath: string; token: string; useTls: false };
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === "serve") {
  const gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  const wh = await startLocalWarehouse({ port: 0 });
  // Only the server side seeds: bench-support brings the collection package's sources with it.
  const { seedBench } = await import("../../collection/test/bench-support.js");
  const client = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey, requestTimeoutMs: 600_000 });
  for (const n of args.map(Number)) await seedBench(client, `bench_${n}`, n, 2000, 2);
  await client.close();
  const dbx = { host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: false as const };
  const admin = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions(dbx)));
  await admin.execute("CREATE SCHEMA IF NOT EXISTS main.bench");
  await admin.execute("CREATE VOLUME IF NOT EXISTS main.bench.staging");
  await admin.close();
  const peers: Peers = { gdn: { url: gdn.url, apiKey: gdn.apiKey }, dbx };
  process.stdout.write(JSON.stringify(peers) + "\n");
  process.stdin.resume();
  process.stdin.on("end", () => void Promise.all([gdn.close(), wh.close()]).then(() => process.exit(0)));
} else if (cmd === "count" || cmd === "delta") {
  const peers = JSON.parse(args[0]!) as Peers;
  const collection = args[1]!;
  const spark = createSession();
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const df = await spark.read
    .format("com.macrometa.spark.collection")
    .options({ regionUrl: peers.gdn.url, apiKey: peers.gdn.apiKey, collection, batchSize: 1000, requestTimeoutMs: 600_000 })
    .load();
  let rows: number;
  if (cmd === "count") rows = await df.count();
  else {
    const method = args[2] === "insert" ? { writeMethod: "insert" } : { stagingVolume: "/Volumes/main/bench/staging", ...(process.env["PIPE_MAX_BYTES"] ? { maxBytesPerFile: Number(process.env["PIPE_MAX_BYTES"]) } : {}) };
    rows = await df.write.format("databricks").mode("overwrite").options({ ...peers.dbx, table: `main.bench.${collection}_${args[2]}`, ...method }).save();
  }
  const ms = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  await spark.stop();
  process.stdout.write(JSON.stringify({ rows, ms, cpuMs: Math.round((cpu.user + cpu.system) / 1000), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }) + "\n");
} else {
  process.stderr.write("usage: pipeline-child serve <n...> | count <peers> <collection> | delta <peers> <collection> <volume|insert>\n");
  process.exit(2);
}
