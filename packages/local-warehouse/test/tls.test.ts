/**
 * HTTPS like a Databricks workspace: the official @databricks/sql driver, unpatched (it always
 * connects with https: DBSQLClient.getConnectionOptions sets `https: true`), trusts the warehouse
 * through its own `customCaCert` option (added to Node's roots, DBSQLClient.js of 2.1.0), and the
 * staging URLs and the Files API answer on the same https origin, as on a workspace host.
 */
import { request } from "node:https";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DBSQLClient, DBSQLLogger, LogLevel } from "@databricks/sql";
import { connectOptionsFor, startLocalWarehouse, type LocalWarehouse } from "../src/index.js";
import { sql, useWarehouseSession } from "./client.js";

/** The driver exactly as a user runs it: no patched methods, only documented connect options. */
async function unpatched(warehouse: LocalWarehouse, extra: Record<string, unknown> = {}): Promise<DBSQLClient> {
  const client = new DBSQLClient({ logger: new DBSQLLogger({ level: LogLevel.error }) });
  await client.connect({ ...connectOptionsFor(warehouse), telemetryEnabled: false, retryMaxAttempts: 1, ...extra });
  return client;
}

/** One HTTPS request trusting only the warehouse's CA: status and body. */
function https(warehouse: LocalWarehouse, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "localhost", port: warehouse.port, method, path, ca: warehouse.caCertificate, headers: { authorization: `Bearer ${warehouse.token}` } },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => void (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("local-warehouse over TLS", () => {
  let local: string;

  const ws = useWarehouseSession({ warehouse: { tls: true }, client: unpatched, session: { initialCatalog: "main", initialSchema: "default" } });
  beforeAll(() => {
    local = mkdtempSync(join(tmpdir(), "lw-tls-"));
  });
  afterAll(() => rmSync(local, { recursive: true, force: true }));

  it("serves a certificate for the local names, signed by the CA it hands out", () => {
    expect(ws.warehouse.tls).toBe(true);
    expect(ws.warehouse.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/sql\/1\.0\/warehouses\/local$/);
    const ca = new X509Certificate(ws.warehouse.caCertificate!);
    expect(ca.ca).toBe(true);
    expect(connectOptionsFor(ws.warehouse).customCaCert).toBe(ws.warehouse.caCertificate);
  });

  it("answers the unpatched driver given customCaCert", async () => {
    await sql(ws.session, "CREATE TABLE t (id INT, name STRING)");
    await sql(ws.session, "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    expect(await sql(ws.session, "SELECT * FROM t ORDER BY id")).toEqual([
      { id: 1, name: "a" },
      { id: 2, name: "b" },
    ]);
  });

  it("is refused by the driver that does not trust its CA", async () => {
    const { customCaCert: _, ...withoutCa } = connectOptionsFor(ws.warehouse);
    const c = new DBSQLClient({ logger: new DBSQLLogger({ level: LogLevel.error }) });
    await c.connect({ ...withoutCa, telemetryEnabled: false, retryMaxAttempts: 1 });
    try {
      await expect(c.openSession()).rejects.toThrow(/certificate/i);
    } finally {
      await c.close();
    }
  });

  it("hands out https staging URLs the driver PUTs to and GETs from", async () => {
    await sql(ws.session, "CREATE VOLUME main.default.v");
    const source = join(local, "in.csv");
    writeFileSync(source, "id\n1\n");
    const put = await ws.session.executeStatement(`PUT '${source}' INTO '/Volumes/main/default/v/in.csv'`, { stagingAllowedLocalPath: [local] });
    await put.close();
    const target = join(local, "out.csv");
    const get = await ws.session.executeStatement(`GET '/Volumes/main/default/v/in.csv' TO '${target}'`, { stagingAllowedLocalPath: [local] });
    await get.close();
    expect(readFileSync(target, "utf8")).toBe("id\n1\n");
  });

  it("serves the Files API on the same https origin", async () => {
    const put = await https(ws.warehouse, "PUT", "/api/2.0/fs/files/Volumes/main/default/v/f.txt?overwrite=true", "hello");
    expect(put.status).toBe(204);
    const got = await https(ws.warehouse, "GET", "/api/2.0/fs/files/Volumes/main/default/v/f.txt");
    expect(got).toEqual({ status: 200, body: "hello" });
  });

  it("makes a new CA per start, so a client trusting another warehouse's CA is refused", async () => {
    const other = await startLocalWarehouse({ port: 0, tls: true });
    try {
      expect(other.caCertificate).not.toBe(ws.warehouse.caCertificate);
      const c = await unpatched(other, { customCaCert: ws.warehouse.caCertificate });
      try {
        await expect(c.openSession()).rejects.toThrow(/certificate/i);
      } finally {
        await c.close();
      }
    } finally {
      await other.close();
    }
  });
});
