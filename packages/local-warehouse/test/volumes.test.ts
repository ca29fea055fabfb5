/**
 * Unity Catalog volumes and the Files API, through the real driver and plain fetch. Facts from
 * /work/shared/reference/databricks-volumes-cdf-arrow.md §1–§2 (Files API: docs.databricks.com/api/files/v2,
 * error body and 409/400 cases: databricks-sdk-py tests/test_files.py, databricks/cli libs/filer/files_client.go).
 */
import { request } from "node:http";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startLocalWarehouse } from "../src/index.js";
import { sql, sqlError, useWarehouseSession } from "./client.js";

describe("volumes and the Files API", () => {
  let base: string;
  let dir: string;

  // The directory outlives the warehouse: made before it starts, removed after it closes.
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "lw-volumes-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ws = useWarehouseSession({
    warehouse: () => ({ database: join(dir, "wh.duckdb") }),
    session: { initialCatalog: "main", initialSchema: "default" },
    setup: async ({ warehouse, session }) => {
      base = `http://127.0.0.1:${warehouse.port}`;
      await sql(session, "CREATE SCHEMA main.etl");
      await sql(session, "CREATE VOLUME main.etl.staging COMMENT 'sink staging'");
    },
  });

  const warehouseVolumesRoot = () => join(dir, "wh.duckdb.volumes");
  const auth = () => ({ authorization: `Bearer ${ws.warehouse.token}` });
  const files = (path: string, query = "") => `${base}/api/2.0/fs/files${path}${query}`;
  const dirs = (path: string, query = "") => `${base}/api/2.0/fs/directories${path}${query}`;

  it("creates volumes with 1-, 2- and 3-part names, and refuses duplicates and missing schemas", async () => {
    await sql(ws.session, "CREATE VOLUME v1");
    await sql(ws.session, "CREATE VOLUME IF NOT EXISTS default.v1");
    await sql(ws.session, "CREATE VOLUME `Main`.ETL.Other");
    const dup = await sqlError(ws.session, "CREATE VOLUME main.default.v1");
    expect(dup.message).toContain("VOLUME_ALREADY_EXISTS");
    const noSchema = await sqlError(ws.session, "CREATE VOLUME main.nope.v");
    expect(noSchema.message).toContain("SCHEMA_NOT_FOUND");
    expect(noSchema.sqlState).toBe("42704");
    const external = await sqlError(ws.session, "CREATE EXTERNAL VOLUME main.default.ext LOCATION 's3://b/p'");
    expect(external.sqlState).toBe("0A000");
    // sql-ref-syntax-aux-show-volumes: two columns, `database` and `volumeName`.
    expect(await sql(ws.session, "SHOW VOLUMES IN main.etl")).toEqual([
      { database: "etl", volumeName: "other" },
      { database: "etl", volumeName: "staging" },
    ]);
    expect(await sql(ws.session, "SHOW VOLUMES LIKE 'v*'")).toEqual([{ database: "default", volumeName: "v1" }]);
    await sql(ws.session, "DROP VOLUME main.etl.other");
    await sql(ws.session, "DROP VOLUME IF EXISTS main.etl.other");
    const gone = await sqlError(ws.session, "DROP VOLUME main.etl.other");
    expect(gone.message).toContain("VOLUME_NOT_FOUND");
  });

  it("uploads, heads, downloads (with Range) and deletes a file", async () => {
    const path = "/Volumes/main/etl/staging/q1/0/part-0.parquet";
    const body = Buffer.from("0123456789abcdef");
    const put = await fetch(files(path, "?overwrite=true"), { method: "PUT", headers: { ...auth(), "content-type": "application/octet-stream" }, body });
    expect(put.status).toBe(204);
    const head = await fetch(files(path), { method: "HEAD", headers: auth() });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("16");
    expect(Date.parse(head.headers.get("last-modified")!)).toBeGreaterThan(Date.now() - 60_000);
    const get = await fetch(files(path), { headers: auth() });
    expect(Buffer.from(await get.arrayBuffer())).toEqual(body);
    const part = await fetch(files(path), { headers: { ...auth(), range: "bytes=4-7" } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe("4567");
    const tail = await fetch(files(path), { headers: { ...auth(), range: "bytes=-3" } });
    expect(await tail.text()).toBe("def");
    // Identifiers are case-normalised; dbfs:/ is accepted too.
    const upper = await fetch(files("/Volumes/MAIN/Etl/STAGING/q1/0/part-0.parquet"), { headers: auth() });
    expect(upper.status).toBe(200);
    await upper.arrayBuffer();

    const noReplace = await fetch(files(path, "?overwrite=false"), { method: "PUT", headers: auth(), body: "x" });
    expect(noReplace.status).toBe(409);
    const conflict = (await noReplace.json()) as { error_code: string; message: string; details: { "@type": string }[] };
    expect(conflict.error_code).toBe("ALREADY_EXISTS");
    expect(conflict.details.some((d) => d["@type"].endsWith("RequestInfo"))).toBe(true);
    expect(await (await fetch(files(path), { headers: auth() })).text()).toBe(body.toString());

    expect((await fetch(files(path), { method: "DELETE", headers: auth() })).status).toBe(204);
    const again = await fetch(files(path), { method: "DELETE", headers: auth() });
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error_code: string }).error_code).toBe("NOT_FOUND");
    expect((await fetch(files(path), { headers: auth() })).status).toBe(404);
  });

  it("streams a 100 MB upload to disk and back", async () => {
    const size = 100 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 7);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= size) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const path = "/Volumes/main/etl/staging/big/blob.bin";
    const put = await fetch(files(path), { method: "PUT", headers: auth(), body: stream, duplex: "half" } as RequestInit);
    expect(put.status).toBe(204);
    const head = await fetch(files(path), { method: "HEAD", headers: auth() });
    expect(Number(head.headers.get("content-length"))).toBe(size);
    const last = await fetch(files(path), { headers: { ...auth(), range: `bytes=${size - 2}-` } });
    expect([...Buffer.from(await last.arrayBuffer())]).toEqual([7, 7]);
    await fetch(files(path), { method: "DELETE", headers: auth() });
  });

  it("keeps nothing of an upload the client abandons", async () => {
    const path = "/Volumes/main/etl/staging/torn/f.bin";
    const uploads = join(warehouseVolumesRoot(), ".uploads");
    const req = request({
      host: "127.0.0.1",
      port: ws.warehouse.port,
      method: "PUT",
      path: `/api/2.0/fs/files${path}`,
      headers: { authorization: `Bearer ${ws.warehouse.token}`, "content-length": 1_000_000 },
    });
    const closed = new Promise<void>((resolve) => req.on("close", () => resolve()));
    req.on("error", () => undefined);
    req.write(Buffer.alloc(100_000));
    // The server is writing the temporary file: then the client goes away mid-body.
    await vi.waitFor(() => expect(readdirSync(uploads).length).toBe(1), { timeout: 5000 });
    req.destroy();
    await closed;
    await vi.waitFor(() => expect(readdirSync(uploads)).toEqual([]), { timeout: 5000 });
    expect((await fetch(files(path), { method: "HEAD", headers: auth() })).status).toBe(404);
  });

  it("manages and lists directories, page by page", async () => {
    const root = "/Volumes/main/etl/staging/listing";
    expect((await fetch(dirs(`${root}/a/b`), { method: "PUT", headers: auth() })).status).toBe(204);
    expect((await fetch(dirs(`${root}/a/b`), { method: "PUT", headers: auth() })).status).toBe(204);
    expect((await fetch(dirs(`${root}/a`), { method: "HEAD", headers: auth() })).status).toBe(200);
    expect((await fetch(dirs(`${root}/zz`), { method: "HEAD", headers: auth() })).status).toBe(404);
    for (const name of ["f1", "f2", "f3"]) await fetch(files(`${root}/${name}`), { method: "PUT", headers: auth(), body: name + name });
    const onFile = await fetch(dirs(`${root}/f1`), { method: "PUT", headers: auth() });
    expect(onFile.status).toBe(409);

    const seen: { path: string; is_directory: boolean; file_size?: number; last_modified: number; name: string }[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await fetch(dirs(root, `?page_size=2${token ? `&page_token=${token}` : ""}`), { headers: auth() });
      expect(r.status).toBe(200);
      const body = (await r.json()) as { contents: typeof seen; next_page_token?: string };
      seen.push(...body.contents);
      token = body.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(seen.map((e) => e.name)).toEqual(["a", "f1", "f2", "f3"]);
    expect(seen[0]).toMatchObject({ path: `${root}/a`, is_directory: true });
    expect(seen[0]!.file_size).toBeUndefined();
    expect(seen[1]).toMatchObject({ path: `${root}/f1`, is_directory: false, file_size: 4 });
    expect(seen[1]!.last_modified).toBeGreaterThan(Date.now() - 60_000);

    const notEmpty = await fetch(dirs(`${root}/a`), { method: "DELETE", headers: auth() });
    expect(notEmpty.status).toBe(400);
    const info = (await notEmpty.json()) as { details: { reason?: string }[] };
    expect(info.details.map((d) => d.reason)).toContain("FILES_API_DIRECTORY_IS_NOT_EMPTY");
    expect((await fetch(dirs(`${root}/a/b`), { method: "DELETE", headers: auth() })).status).toBe(204);
    expect((await fetch(dirs(`${root}/a`), { method: "DELETE", headers: auth() })).status).toBe(204);
    expect((await fetch(dirs(`${root}/nope`), { headers: auth() })).status).toBe(404);
  });

  it("requires the bearer token and a path inside an existing volume", async () => {
    const path = "/Volumes/main/etl/staging/secret.txt";
    const anonymous = await fetch(files(path), { method: "PUT", body: "x" });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error_code: string }).error_code).toBe("UNAUTHENTICATED");
    const wrong = await fetch(files(path), { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    await wrong.arrayBuffer();
    const noVolume = await fetch(files("/Volumes/main/etl/missing/x"), { method: "PUT", headers: auth(), body: "x" });
    expect(noVolume.status).toBe(404);
    await noVolume.arrayBuffer();
    // fetch would resolve `..` itself; node:http sends the path as written.
    const escape = await rawRequest(ws.warehouse.port, "PUT", "/api/2.0/fs/files/Volumes/main/etl/staging/a/../../other/x", ws.warehouse.token);
    expect(escape.status).toBe(400);
    expect((JSON.parse(escape.body) as { error_code: string }).error_code).toBe("INVALID_PARAMETER_VALUE");
    const badEncoding = await fetch(files("/Volumes/main/etl/staging/%E0%A4%A"), { headers: auth() });
    expect(badEncoding.status).toBe(400);
    await badEncoding.arrayBuffer();
    const outside = await fetch(files("/tmp/x"), { headers: auth() });
    expect(outside.status).toBe(400);
    await outside.arrayBuffer();
  });

  it("keeps a schema with volumes from being dropped without CASCADE", async () => {
    await sql(ws.session, "CREATE SCHEMA main.tmp");
    await sql(ws.session, "CREATE VOLUME main.tmp.vol");
    const refused = await sqlError(ws.session, "DROP SCHEMA main.tmp");
    expect(refused.message).toContain("SCHEMA_NOT_EMPTY");
    await sql(ws.session, "DROP SCHEMA main.tmp CASCADE");
    await sql(ws.session, "CREATE SCHEMA main.tmp");
    expect(await sql(ws.session, "SHOW VOLUMES IN main.tmp")).toEqual([]);
  });

  it("keeps an in-memory warehouse's volume files in a temporary directory removed on close", async () => {
    expect(ws.warehouse.volumesDirectory).toBe(warehouseVolumesRoot());
    const memory = await startLocalWarehouse({ port: 0 });
    const root = memory.volumesDirectory;
    expect(existsSync(root)).toBe(true);
    await memory.close();
    expect(existsSync(root)).toBe(false);
  });

  it("drops a volume together with its files", async () => {
    await sql(ws.session, "CREATE VOLUME main.etl.doomed");
    await fetch(files("/Volumes/main/etl/doomed/f"), { method: "PUT", headers: auth(), body: "x" });
    expect((await fetch(files("/Volumes/main/etl/doomed/f"), { method: "HEAD", headers: auth() })).status).toBe(200);
    await sql(ws.session, "DROP VOLUME main.etl.doomed");
    await sql(ws.session, "CREATE VOLUME main.etl.doomed");
    expect((await fetch(files("/Volumes/main/etl/doomed/f"), { method: "HEAD", headers: auth() })).status).toBe(404);
  });
});

function rawRequest(port: number, method: string, path: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end("x");
  });
}
