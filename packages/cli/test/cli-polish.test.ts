/**
 * Small things a first hour runs into: `--version`, did-you-mean for verbs, flags and job-spec
 * options (with the Delta names Spark users bring), units on the stream line, a piped progress
 * bar printed once, a stream's save mode refused, `submit` needing an explicit checkpoint, and
 * `npm start` saying what it does.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import "../src/commands/register.js";
import { cliVersion, main } from "../src/main.js";
import { Progress } from "../src/progress.js";
import { generatePySpark, JobSpecError, defaultCheckpointLocation, stateDir } from "../src/index.js";
import { capture } from "./support/capture.js";

let dir: string;
beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), "mmspark-polish-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (argv: string[], c = capture()) => main(argv, c.io, new AbortController().signal).then((code) => ({ code, out: c.out(), err: c.err() }));

it("--version prints the CLI package's version", async () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  expect(cliVersion()).toBe(pkg.version);
  expect(await run(["--version"])).toMatchObject({ code: 0, out: `mmspark ${pkg.version}\n` });
});

it("suggests the verb meant", async () => {
  const r = await run(["rnu", "x.json"]);
  expect(r.code).toBe(2);
  expect(r.err).toContain("unknown verb 'rnu' (did you mean 'run'?)");
});

it("suggests the flag meant", async () => {
  const r = await run(["run", "x.json", "--trigge", "once"]);
  expect(r.code).toBe(2);
  expect(r.err).toContain("unknown flag '--trigge' (did you mean '--trigger'?)");
});

it("suggests the job-spec option meant, and this runtime's name for Delta's mergeSchema/overwriteSchema/replaceWhere", async () => {
  const f = join(dir, "typo.json");
  const sink = { format: "databricks", options: { host: "h", httpPath: "/p", table: "t", schemaEvolutoin: true, mergeSchema: "true", overwriteSchema: "true", replaceWhere: "x = 1" } };
  writeFileSync(f, JSON.stringify({ name: "typo", source: { format: "com.macrometa.spark.collection", options: { regionUrl: "r", colection: "c" } }, sink }));
  const r = await run(["run", f]);
  expect(r.code).toBe(1);
  expect(r.err).toContain("unknown property 'colection' (did you mean 'collection'?)");
  expect(r.err).toContain("unknown property 'schemaEvolutoin' (did you mean 'schemaEvolution'?)");
  expect(r.err).toMatch(/unknown property 'mergeSchema' \(with this runtime use schemaEvolution/);
  expect(r.err).toMatch(/unknown property 'overwriteSchema' \(with this runtime use mode overwrite/);
  expect(r.err).toMatch(/unknown property 'replaceWhere' \(with this runtime use mergeKeys/);
});

it("the stream line carries units", () => {
  const c = capture();
  new Progress(c.io, "plain").stream({ batchId: 3, numInputRows: 20, inputRowsPerSecond: 40, processedRowsPerSecond: 80, batchDurationMs: 250, lag: 7 });
  expect(c.err()).toBe("batch 3: 20 rows, in 40 rows/s, processed 80 rows/s, 250 ms, lag 7 msgs\n");
});

it("a piped progress bar prints once, at the end", () => {
  const c = capture();
  const p = new Progress(c.io, "plain", 0);
  for (let i = 1; i <= 5; i++) p.rows("job", i * 10, 50);
  p.rows("job", 50, 50, true);
  expect(c.err().trim().split("\n")).toHaveLength(1);
  expect(c.err()).toMatch(/^job \[#{24}\] 100% 50\/50 rows/);
});

it("refuses a save mode other than append on a stream job", async () => {
  const f = join(dir, "mode.json");
  writeFileSync(f, JSON.stringify({ name: "m", kind: "stream", checkpointLocation: join(dir, "cp"), source: { format: "com.macrometa.spark.stream", options: { regionUrl: "http://127.0.0.1:1", stream: "s" } }, sink: { format: "memory", options: { name: "m" }, mode: "overwrite" } }));
  const r = await run(["run", f]);
  expect(r.code).toBe(1);
  expect(r.err).toContain('a stream job writes in outputMode append (use mergeKeys to upsert); got "overwrite"');
});

it("checkpoints default under the user's state directory; submit needs one spelled out", () => {
  expect(stateDir({ HOME: "/home/ada" })).toBe("/home/ada/.local/state/mmspark");
  expect(stateDir({ HOME: "/home/ada", XDG_STATE_HOME: "/xdg" })).toBe("/xdg/mmspark");
  expect(defaultCheckpointLocation("my job", { MMSPARK_STATE_DIR: "/s" })).toBe("/s/checkpoints/my_job");
  const job = { name: "s", kind: "stream" as const, source: { format: "com.macrometa.spark.stream", options: { regionUrl: "r", stream: "s" } }, sink: { format: "databricks", options: { host: "h", httpPath: "/p", table: "t" } } };
  expect(() => generatePySpark(job)).toThrow(JobSpecError);
  expect(() => generatePySpark(job)).toThrow(/checkpointLocation is required to submit a stream job/);
});

it("npm start announces each step before it runs", () => {
  const start = (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { scripts: Record<string, string> }).scripts["start"]!;
  const steps = ["installing dependencies", "pnpm@", "building TypeScript", "tsc -b", "running mmspark demo", "bin.js demo"].map((s) => start.indexOf(s));
  expect(steps.every((i) => i >= 0)).toBe(true);
  expect([...steps].sort((a, b) => a - b)).toEqual(steps);
});

it("a scrubbed error keeps its help text readable: only a secret is masked", async () => {
  const job = (apiKey: string) => {
    const file = join(dir, `key-${apiKey.length}.json`);
    writeFileSync(file, JSON.stringify({ name: "k", source: { format: "com.macrometa.spark.collection", options: { regionUrl: "http://127.0.0.1:1", apiKey, collection: "c" } }, sink: { format: "json", options: { path: join(dir, "out") } } }));
    return file;
  };
  const bad = await run(["run", job("nonsense")]);
  expect(bad.code).toBe(1);
  // Before: "option 'apiKey': *** '<tenant>.<keyid>.<secret>' or 'apikey ***' (value not shown)".
  expect(bad.err).toBe("mmspark run: option 'apiKey': expected '<tenant>.<keyid>.<secret>' or 'apikey <tenant>.<keyid>.<secret>' (value not shown) [INVALID_OPTION]\n");
});
