/**
 * Test helpers for volumes: Parquet/JSON/CSV files written by a separate in-process DuckDB (a writer
 * that is not the warehouse), and uploaded through the Files API as a client would.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll } from "vitest";
import type { LocalWarehouse } from "../src/index.js";
import { sql, useWarehouseSession, type WarehouseSession } from "./client.js";

export class FileWriter {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly dir: string,
  ) {}

  static async open(): Promise<FileWriter> {
    return new FileWriter(await DuckDBInstance.create(":memory:"), mkdtempSync(join(tmpdir(), "lw-files-")));
  }

  /** The bytes of `query`'s result written in `format` (DuckDB's COPY … TO options, e.g. "FORMAT PARQUET"). */
  async bytes(query: string, format = "FORMAT PARQUET"): Promise<Buffer> {
    const file = join(this.dir, `${Math.random().toString(36).slice(2)}.out`);
    const conn = await this.instance.connect();
    try {
      await conn.run("SET TimeZone = 'UTC'");
      await conn.run(`COPY (${query}) TO '${file}' (${format})`);
    } finally {
      conn.closeSync();
    }
    return readFileSync(file);
  }

  close(): void {
    this.instance.closeSync();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** PUT /api/2.0/fs/files{path}; fails the test on a non-2xx answer. */
export async function upload(warehouse: LocalWarehouse, path: string, body: Buffer | string): Promise<void> {
  const r = await fetch(`http://127.0.0.1:${warehouse.port}/api/2.0/fs/files${path}?overwrite=true`, {
    method: "PUT",
    headers: { authorization: `Bearer ${warehouse.token}`, "content-type": "application/octet-stream" },
    body,
  });
  if (!r.ok) throw new Error(`upload ${path}: HTTP ${r.status} ${await r.text()}`);
}

/** What a volume test works with; set by `useVolumeWarehouse` before the suite's tests run. */
export interface VolumeWarehouse extends WarehouseSession {
  writer: FileWriter;
}

/**
 * Registers the suite's setup and teardown: a warehouse, a driver session on main.default, schema
 * `main.s` with volume `main.s.v`, then `seed` (the suite's files); the returned object is filled in
 * before the first test.
 */
export function useVolumeWarehouse(seed: (v: VolumeWarehouse) => Promise<void>): VolumeWarehouse {
  const v = useWarehouseSession({
    session: { initialCatalog: "main", initialSchema: "default" },
    setup: async (ws) => {
      const fx = ws as VolumeWarehouse;
      fx.writer = await FileWriter.open();
      await sql(fx.session, "CREATE SCHEMA main.s");
      await sql(fx.session, "CREATE VOLUME main.s.v");
      await seed(fx);
    },
  }) as VolumeWarehouse;
  afterAll(() => v.writer?.close());
  return v;
}
