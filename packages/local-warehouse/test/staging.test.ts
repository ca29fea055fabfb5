/**
 * The driver's staging operations (PUT/GET/REMOVE) and LIST, through the real @databricks/sql driver
 * with `stagingAllowedLocalPath`. Row shape and driver behaviour: facts sheet §3 (DBSQLSession.js of
 * @databricks/sql 2.1.0; sql-ref-syntax-aux-connector-{put-into,get,remove} and sql-ref-syntax-aux-list).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, sqlError, useWarehouseSession } from "./client.js";
import { upload } from "./volume-fixtures.js";

describe("staging operations and LIST", () => {
  let local: string;

  const ws = useWarehouseSession({
    session: { initialCatalog: "main", initialSchema: "default" },
    setup: async ({ session }) => {
      await sql(session, "CREATE VOLUME main.default.v");
    },
  });
  beforeAll(() => {
    local = mkdtempSync(join(tmpdir(), "lw-staging-"));
  });
  afterAll(() => rmSync(local, { recursive: true, force: true }));

  const staging = async (statement: string, allowed: string[] = [local]) => {
    const op = await ws.session.executeStatement(statement, { stagingAllowedLocalPath: allowed });
    await op.close();
  };
  const fileAt = (path: string, method = "GET") =>
    fetch(`http://127.0.0.1:${ws.warehouse.port}/api/2.0/fs/files${path}`, { method, headers: { authorization: `Bearer ${ws.warehouse.token}` } });

  it("PUTs a local file into a volume, refusing to replace it without OVERWRITE", async () => {
    const source = join(local, "p0.parquet");
    writeFileSync(source, Buffer.alloc(300_000, 1));
    await staging(`PUT '${source}' INTO '/Volumes/main/default/v/r1/p0.parquet'`);
    const got = await fileAt("/Volumes/main/default/v/r1/p0.parquet");
    // Buffer.equals: a deep toEqual over 300 000 elements takes seconds.
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.alloc(300_000, 1))).toBe(true);

    writeFileSync(source, "second");
    await expect(staging(`PUT '${source}' INTO '/Volumes/main/default/v/r1/p0.parquet'`)).rejects.toThrow(/HTTP error 409/);
    await staging(`PUT '${source}' INTO '/Volumes/main/default/v/r1/p0.parquet' OVERWRITE`);
    expect(await (await fileAt("/Volumes/main/default/v/r1/p0.parquet")).text()).toBe("second");
  });

  it("GETs a volume file to a local file and REMOVEs it", async () => {
    await upload(ws.warehouse, "/Volumes/main/default/v/r2/data.json", '{"a":1}');
    const target = join(local, "out.json");
    await staging(`GET '/Volumes/main/default/v/r2/data.json' TO '${target}'`);
    expect(readFileSync(target, "utf8")).toBe('{"a":1}');
    await staging("REMOVE '/Volumes/main/default/v/r2/data.json'", []);
    expect((await fileAt("/Volumes/main/default/v/r2/data.json", "HEAD")).status).toBe(404);
    // The driver counts a 404 on REMOVE as success (the file is gone either way).
    await staging("REMOVE '/Volumes/main/default/v/r2/data.json'", []);
    const missing = await sqlError(ws.session, `GET '/Volumes/main/default/v/r2/data.json' TO '${target}'`);
    expect(missing.message).toContain("PATH_NOT_FOUND");
  });

  it("answers with one row and a one-time presigned URL; the driver guards local paths", async () => {
    // Without stagingAllowedLocalPath the driver returns the row as data (§3).
    const [row] = await sql(ws.session, `PUT '${join(local, "x")}' INTO '/Volumes/main/default/v/r3/x'`);
    expect(Object.keys(row!)).toEqual(["operation", "presignedUrl", "headers", "localFile"]);
    expect(row).toMatchObject({ operation: "PUT", headers: {}, localFile: join(local, "x") });
    const url = String(row!.presignedUrl);
    expect(url.startsWith(`http://127.0.0.1:${ws.warehouse.port}/`)).toBe(true);
    expect(url).not.toContain(ws.warehouse.token);
    expect((await fetch(url, { method: "PUT", body: "once" })).status).toBe(200);
    expect((await fetch(url, { method: "PUT", body: "twice" })).status).toBe(403);
    expect(await (await fileAt("/Volumes/main/default/v/r3/x")).text()).toBe("once");

    const [remove] = await sql(ws.session, "REMOVE '/Volumes/main/default/v/r3/x'");
    expect(Object.keys(remove!)).toEqual(["operation", "presignedUrl", "headers"]);
    const getUrl = String((await sql(ws.session, `GET '/Volumes/main/default/v/r3/x' TO '/tmp/y'`))[0]!.presignedUrl);
    expect((await fetch(getUrl, { method: "DELETE" })).status).toBe(403);

    await expect(staging(`GET '/Volumes/main/default/v/r1/p0.parquet' TO '/etc/evil'`)).rejects.toThrow(/not a subset of allowed local paths/);
    const noVolume = await sqlError(ws.session, `PUT '${join(local, "x")}' INTO '/Volumes/main/default/nope/x'`);
    expect(noVolume.message).toContain("VOLUME_NOT_FOUND");
  });

  it("LISTs a directory: path, name, size, modification_time", async () => {
    await upload(ws.warehouse, "/Volumes/main/default/v/r4/b.txt", "bb");
    await upload(ws.warehouse, "/Volumes/main/default/v/r4/a.txt", "a");
    await upload(ws.warehouse, "/Volumes/main/default/v/r4/sub/c.txt", "ccc");
    const rows = await sql(ws.session, "LIST '/Volumes/main/default/v/r4'");
    expect(rows.map((r) => [r.path, r.name, r.size])).toEqual([
      ["/Volumes/main/default/v/r4/a.txt", "a.txt", 1],
      ["/Volumes/main/default/v/r4/b.txt", "b.txt", 2],
      ["/Volumes/main/default/v/r4/sub/", "sub/", 0],
    ]);
    expect(Number(rows[0]!.modification_time)).toBeGreaterThan(Date.now() - 60_000);
    expect(await sql(ws.session, "LIST '/Volumes/main/default/v/r4' LIMIT 1")).toHaveLength(1);
    const missing = await sqlError(ws.session, "LIST '/Volumes/main/default/v/none'");
    expect(missing.sqlState).toBe("42K03");
  });
});
