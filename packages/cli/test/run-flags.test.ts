/**
 * `mmspark run`'s spec references and flags: `${env:NAME}` and `{{secrets/<scope>/<key>}}` from
 * MMSPARK_SECRET_<SCOPE>_<KEY>, unset variables named (values never printed), `--trigger`, and
 * JSON errors with line and column. (examples/as-shipped.test.ts runs them through the built CLI.)
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalGdn } from "@macrometa-spark/local-gdn";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import "../src/commands/register.js";
import { main } from "../src/main.js";
import { loadJobSpec, secretVariable } from "../src/index.js";
import { capture } from "./support/capture.js";

let gdn: Awaited<ReturnType<typeof startLocalGdn>>;
let dir: string;

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  const http = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey });
  await http.createCollection("refs");
  await http.importDocuments("refs", [{ _key: "a", v: 1 }, { _key: "b", v: 2 }]);
  await http.close();
  dir = mkdtempSync(join(tmpdir(), "mmspark-run-flags-"));
});

afterAll(async () => {
  await gdn?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});


function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

const refSpec = JSON.stringify({
  name: "refs",
  source: { format: "com.macrometa.spark.collection", options: { regionUrl: "${env:MM_REGION_URL}", apiKey: "{{secrets/macrometa/api-key}}", collection: "refs" } },
  sink: { format: "memory", options: { name: "refs_out" } },
});

it("resolves ${env:NAME} and {{secrets/scope/key}} from the environment", async () => {
  expect(secretVariable("macrometa", "api-key")).toBe("MMSPARK_SECRET_MACROMETA_API_KEY");
  const c = capture({ env: { MM_REGION_URL: gdn.url, MMSPARK_SECRET_MACROMETA_API_KEY: gdn.apiKey } });
  expect(await main(["run", file("refs.json", refSpec)], c.io, new AbortController().signal)).toBe(0);
  expect(c.out()).toContain("refs (batch): wrote 2 rows");
});

it("names every unset variable and exits 1, without printing any value", async () => {
  const c = capture({ env: { MM_REGION_URL: gdn.url } });
  expect(await main(["run", file("refs.json", refSpec)], c.io, new AbortController().signal)).toBe(1);
  expect(c.err()).toContain("{{secrets/macrometa/api-key}} needs environment variable MMSPARK_SECRET_MACROMETA_API_KEY");
  expect(c.err()).not.toContain(gdn.url);
});

it("a whole-string reference takes the variable's number or boolean type; submit leaves secrets alone", () => {
  const f = file("typed.json", JSON.stringify({ name: "t", kind: "sync", sync: { collection: { regionUrl: "r", apiKey: "{{secrets/m/k}}", collection: "c" }, delta: { host: "h", httpPath: "/p", port: "${env:P}", useTls: "${env:TLS}", table: "x" } } }));
  const spec = loadJobSpec(f, { env: { P: "8080", TLS: "false" } });
  expect(spec.sync?.delta).toMatchObject({ port: 8080, useTls: false });
  expect(spec.sync?.collection.apiKey).toBe("{{secrets/m/k}}");
});

it("--trigger accepts availableNow, once and an interval, and refuses anything else (exit 2)", async () => {
  const stream = file("stream.json", JSON.stringify({ name: "s", kind: "stream", source: { format: "com.macrometa.spark.stream", options: { regionUrl: "${env:U}", stream: "none" } }, sink: { format: "memory", options: { name: "s" } } }));
  const c = capture({ env: { U: gdn.url } });
  expect(await main(["run", stream, "--trigger", "sometimes"], c.io, new AbortController().signal)).toBe(2);
  expect(c.err()).toContain(`--trigger expects availableNow, once or an interval such as "10 seconds", got 'sometimes'`);
});

it("a job spec that is not JSON is reported with line and column", async () => {
  const c = capture();
  const f = file("broken.json", '{\n  "name": "x",\n  "kind" "batch"\n}\n');
  expect(await main(["run", f], c.io, new AbortController().signal)).toBe(1);
  expect(c.err()).toMatch(/not JSON at line 3, column 10: /);
});
