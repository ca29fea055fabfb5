/**
 * Versions survive a crash: the warehouse runs as its own process on a database file (`--db`), is
 * killed with SIGKILL after a few commits, and is started again on the same file. DESCRIBE HISTORY,
 * time travel and table_changes answer exactly as before, and the next commit takes the next version.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { LocalWarehouse } from "../src/index.js";
import { connectClient, sql } from "./client.js";

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const TOKEN = "versions-restart-token";
const dir = mkdtempSync(join(tmpdir(), "lw-versions-restart-"));
const children: ChildProcess[] = [];

/** Starts the warehouse process; resolves once it prints the port it listens on. */
function startWarehouse(): Promise<{ child: ChildProcess; endpoint: LocalWarehouse }> {
  const child = spawn(process.execPath, [BIN, "--port", "0", "--db", join(dir, "wh.duckdb"), "--token", TOKEN], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) {
        const port = Number(m[1]);
        const endpoint = { host: "127.0.0.1", port, path: "/sql/1.0/warehouses/local", token: TOKEN } as LocalWarehouse;
        resolve({ child, endpoint });
      }
    });
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => reject(new Error(`local-warehouse exited (${code}) before listening: ${out}`)));
  });
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("versions across a restart", () => {
  it("keeps history, old versions and the change feed after SIGKILL", async () => {
    const first = await startWarehouse();
    const c1 = await connectClient(first.endpoint);
    const s1 = await c1.openSession();
    await sql(s1, "CREATE CATALOG ops");
    await sql(s1, "CREATE SCHEMA ops.s");
    await sql(s1, "CREATE TABLE ops.s.t (id INT, v STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    await sql(s1, "INSERT INTO ops.s.t VALUES (1, 'a'), (2, 'b')");
    await sql(s1, "UPDATE ops.s.t SET v = 'B' WHERE id = 2");
    await sql(s1, "DELETE FROM ops.s.t WHERE id = 1");
    const history = await sql(s1, "DESCRIBE HISTORY ops.s.t");
    const changes = await sql(s1, "SELECT * FROM table_changes('ops.s.t', 0) ORDER BY _commit_version, _change_type, id");
    await s1.close();
    await c1.close();
    await kill9(first.child);

    const second = await startWarehouse();
    const c2 = await connectClient(second.endpoint);
    const s2 = await c2.openSession();
    expect(await sql(s2, "DESCRIBE HISTORY ops.s.t")).toEqual(history);
    expect(history.map((h) => h.operation)).toEqual(["DELETE", "UPDATE", "WRITE", "CREATE TABLE"]);
    expect(await sql(s2, "SELECT * FROM table_changes('ops.s.t', 0) ORDER BY _commit_version, _change_type, id")).toEqual(changes);
    expect(changes.map((r) => [r._commit_version, r._change_type, r.id, r.v])).toEqual([
      [1, "insert", 1, "a"],
      [1, "insert", 2, "b"],
      [2, "update_postimage", 2, "B"],
      [2, "update_preimage", 2, "b"],
      [3, "delete", 1, "a"],
    ]);
    expect(await sql(s2, "SELECT * FROM ops.s.t VERSION AS OF 1 ORDER BY id")).toEqual([
      { id: 1, v: "a" },
      { id: 2, v: "b" },
    ]);
    await sql(s2, "INSERT INTO ops.s.t VALUES (3, 'c')");
    expect((await sql(s2, "DESCRIBE HISTORY ops.s.t LIMIT 1")).map((h) => [h.version, h.readVersion])).toEqual([[4, 3]]);
    await s2.close();
    await c2.close();
    await kill9(second.child);
  });
});
