/**
 * The sink and the reader over TLS, as against a workspace: local-warehouse serving HTTPS with a CA
 * made at start, trusted through the `caCertFile` option (the driver's `customCaCert` for Thrift, the
 * undici pool's `ca` for the Files API), and refused without it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CaseInsensitiveOptions, JobMetrics, LongType, StringType, StructField, StructType, silentLogger, type Row } from "@macrometa-spark/core";
import { startLocalWarehouse } from "@macrometa-spark/local-warehouse";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DatabricksConnection, DatabricksTableProvider, FilesClient, parseConnectionOptions } from "../src/index.js";

type Warehouse = Awaited<ReturnType<typeof startLocalWarehouse>>;
let wh: Warehouse;
let dir: string;
let caFile: string;
let base: Record<string, unknown>;
const provider = new DatabricksTableProvider({ retryPolicy: { maxAttempts: 1 } });
const people = new StructType([new StructField("id", LongType, false), new StructField("name", StringType)]);
const ctx = () => ({ logger: silentLogger, metrics: new JobMetrics() });

beforeAll(async () => {
  wh = await startLocalWarehouse({ port: 0, tls: true });
  dir = mkdtempSync(join(tmpdir(), "dbx-tls-"));
  caFile = join(dir, "ca.pem");
  writeFileSync(caFile, wh.caCertificate!);
  base = { host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, caCertFile: caFile, schema: "tls" };
  const { schema: _, ...connection } = base;
  const admin = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions(connection)));
  try {
    await admin.execute("CREATE SCHEMA IF NOT EXISTS main.tls");
    await admin.execute("CREATE VOLUME IF NOT EXISTS main.tls.staging");
  } finally {
    await admin.close();
  }
});

afterAll(async () => {
  await wh?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("writes through a staging volume (Files API over https) and reads back, trusting caCertFile", async () => {
  const metrics = new JobMetrics();
  const opts = new CaseInsensitiveOptions({ ...base, table: "people", stagingVolume: "/Volumes/main/tls/staging" }, "databricks");
  const t = await provider.getTable(undefined, opts, { logger: silentLogger, metrics });
  const bw = await t.newWriteBuilder!({ queryId: "tls", schema: people, options: opts, mode: "append" }).buildForBatch!();
  const w = await bw.createWriter(0);
  await w.write([[1, "a"], [2, "b"]] satisfies Row[]);
  await bw.commit([await w.commit()]);
  expect(metrics.get("stagedFiles")).toBe(1);

  const read = new CaseInsensitiveOptions({ ...base, table: "people" }, "databricks");
  const schema = await provider.inferSchema(read, ctx());
  const batch = (await provider.getTable(schema, read, ctx())).newScanBuilder!(read).build().toBatch!();
  const rows: Row[] = [];
  for (const p of await batch.planInputPartitions()) for await (const b of batch.createReader(p)) rows.push(...b);
  expect(rows.map((r) => [Number(r[0]), r[1]]).sort()).toEqual([[1, "a"], [2, "b"]]);
});

it("is refused without the CA: the certificate is checked", async () => {
  const { caCertFile: _, ...withoutCa } = base;
  const err = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions(withoutCa))).catch((e: unknown) => e as Error);
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toMatch(/certificate/i);
  const files = new FilesClient({ host: wh.host, port: wh.port, useTls: true, token: wh.token, retryPolicy: { maxAttempts: 1 } });
  try {
    await expect(files.list("/Volumes/main/tls/staging")).rejects.toThrow(/certificate/i);
  } finally {
    await files.close();
  }
});

it("checks caCertFile when the options are read", () => {
  expect(() => parseConnectionOptions(new CaseInsensitiveOptions({ ...base, caCertFile: join(dir, "missing.pem") }))).toThrow(/option 'caCertFile'.*cannot read/);
  expect(() => parseConnectionOptions(new CaseInsensitiveOptions({ ...base, useTls: false }))).toThrow(/option 'caCertFile'.*useTls=true/);
});
