/**
 * @packageDocumentation
 * Where volumes live: their metadata in the warehouse's meta schema (so they survive a restart with
 * `--db`), and their files in a directory beside the database file, `<db>.volumes/<c>/<s>/<v>/…`. An
 * in-memory warehouse keeps its volume files in a temporary directory removed on close.
 *
 * The set of volumes is also held in memory, so resolving a path to a local file needs no query.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { sqlError, SqlError } from "../errors.js";
import { formatVolumePath, volumeKey, type VolumePath, type VolumeRef } from "./paths.js";
import { StagingTickets } from "./staging-tickets.js";

export interface VolumeInfo extends VolumeRef {
  comment: string | null;
  createdAt: Date;
}

/** A file or directory found in a volume. */
export interface VolumeEntry {
  path: VolumePath;
  name: string;
  isDirectory: boolean;
  size: number;
  modifiedMs: number;
}

export const volumeNotFound = (v: VolumeRef): SqlError =>
  sqlError(
    // UNCONFIRMED: the error class Databricks uses for a missing volume was not found in its docs.
    "VOLUME_NOT_FOUND",
    `The volume \`${v.catalog}\`.\`${v.schema}\`.\`${v.volume}\` cannot be found. Verify the spelling and correctness of the schema and catalog.`,
  );

export const pathNotFound = (p: VolumePath): SqlError =>
  sqlError("PATH_NOT_FOUND", `Path does not exist: dbfs:${formatVolumePath(p)}.`);

export class VolumeStore {
  private readonly volumes = new Map<string, VolumeInfo>();
  /** One-time URLs for the driver's staging PUT/GET/REMOVE. */
  readonly tickets = new StagingTickets();
  /** `http://host:port` of the server, set once it listens: presigned URLs point there. */
  baseUrl = "";

  private constructor(
    /** Root of all volume files; `<root>/.uploads` holds uploads in flight. */
    readonly root: string,
    private readonly temporary: boolean,
    private readonly conn: DuckDBConnection,
    private readonly table: string,
  ) {}

  /** Opens the store for a warehouse database (a file, or ":memory:"), reading the volumes already created. */
  static async open(database: string, conn: DuckDBConnection, metaSchema: string): Promise<VolumeStore> {
    const temporary = database === ":memory:";
    const root = temporary ? mkdtempSync(join(tmpdir(), "local-warehouse-volumes-")) : `${database}.volumes`;
    // Uploads cut short by a crash left their temporary files here; none of them is in a volume.
    rmSync(join(root, ".uploads"), { recursive: true, force: true });
    mkdirSync(join(root, ".uploads"), { recursive: true });
    const table = `${metaSchema}.volumes`;
    await conn.run(
      `CREATE TABLE IF NOT EXISTS ${table} (catalog VARCHAR, schema_name VARCHAR, volume_name VARCHAR, comment VARCHAR, created_at TIMESTAMPTZ, PRIMARY KEY (catalog, schema_name, volume_name))`,
    );
    const store = new VolumeStore(root, temporary, conn, table);
    const rows = (await conn.runAndReadAll(`SELECT catalog, schema_name, volume_name, comment, epoch_ms(created_at) FROM ${table}`)).getRows();
    for (const [catalog, schema, volume, comment, created] of rows) {
      const info: VolumeInfo = {
        catalog: String(catalog),
        schema: String(schema),
        volume: String(volume),
        comment: comment === null ? null : String(comment),
        createdAt: new Date(Number(created)),
      };
      store.volumes.set(volumeKey(info), info);
    }
    return store;
  }

  get(v: VolumeRef): VolumeInfo | undefined {
    return this.volumes.get(volumeKey(v));
  }

  list(catalog: string, schema: string): VolumeInfo[] {
    return [...this.volumes.values()].filter((v) => v.catalog === catalog && v.schema === schema).sort((a, b) => a.volume.localeCompare(b.volume));
  }

  /** Creates a managed volume; false when it existed and `ifNotExists` was given. */
  async create(v: VolumeRef, comment: string | null, ifNotExists: boolean): Promise<boolean> {
    if (this.get(v)) {
      if (ifNotExists) return false;
      // SQLSTATE UNCONFIRMED (the facts sheet, §1): 42000 is the generic "already exists" state used here.
      throw sqlError("VOLUME_ALREADY_EXISTS", `Cannot create volume \`${v.catalog}\`.\`${v.schema}\`.\`${v.volume}\` because it already exists.`);
    }
    const info: VolumeInfo = { ...v, comment, createdAt: new Date() };
    await mkdir(this.directoryOf(v), { recursive: true });
    await this.conn.run(`INSERT OR REPLACE INTO ${this.table} VALUES ($c, $s, $v, $comment, now())`, {
      c: v.catalog,
      s: v.schema,
      v: v.volume,
      comment,
    });
    this.volumes.set(volumeKey(v), info);
    return true;
  }

  /** Drops a volume and deletes its files (a managed volume's files go with it); false when absent and `ifExists`. */
  async drop(v: VolumeRef, ifExists: boolean): Promise<boolean> {
    if (!this.get(v)) {
      if (ifExists) return false;
      throw volumeNotFound(v);
    }
    await this.conn.run(`DELETE FROM ${this.table} WHERE catalog = $c AND schema_name = $s AND volume_name = $v`, {
      c: v.catalog,
      s: v.schema,
      v: v.volume,
    });
    this.volumes.delete(volumeKey(v));
    await rm(this.directoryOf(v), { recursive: true, force: true });
    return true;
  }

  /** The local path of a location in a volume; the volume must exist. */
  localPath(p: VolumePath): string {
    if (!this.get(p)) throw volumeNotFound(p);
    return join(this.directoryOf(p), ...p.segments);
  }

  /** A fresh temporary file name on the same file system as the volumes, so a finished upload is renamed into place. */
  uploadPath(): string {
    return join(this.root, ".uploads", `${Date.now()}-${Math.random().toString(36).slice(2)}`);
  }

  private directoryOf(v: VolumeRef): string {
    return join(this.root, v.catalog, v.schema, v.volume);
  }

  /** What is at a path: a file, a directory, or nothing. */
  async entry(p: VolumePath): Promise<VolumeEntry | undefined> {
    const local = this.localPath(p);
    const s = await stat(local).catch(() => undefined);
    if (!s || (!s.isFile() && !s.isDirectory())) return undefined;
    return {
      path: p,
      name: p.segments[p.segments.length - 1] ?? p.volume,
      isDirectory: s.isDirectory(),
      size: s.isDirectory() ? 0 : s.size,
      modifiedMs: Math.floor(s.mtimeMs),
    };
  }

  /** The entries directly inside a directory, sorted by name; undefined when it is not a directory. */
  async children(dir: VolumePath): Promise<VolumeEntry[] | undefined> {
    const local = this.localPath(dir);
    const names = await readdir(local).catch(() => undefined);
    if (!names) return undefined;
    const out: VolumeEntry[] = [];
    for (const name of names.sort()) {
      const e = await this.entry({ ...dir, segments: [...dir.segments, name] });
      if (e) out.push(e);
    }
    return out;
  }

  /** Every file under a path (the path itself if it is a file), depth first, in name order. */
  async filesUnder(p: VolumePath): Promise<VolumeEntry[]> {
    const e = await this.entry(p);
    if (!e) return [];
    if (!e.isDirectory) return [e];
    const out: VolumeEntry[] = [];
    for (const child of (await this.children(p)) ?? []) out.push(...(await this.filesUnder(child.path)));
    return out;
  }

  close(): void {
    this.tickets.clear();
    this.conn.closeSync();
    if (this.temporary) rmSync(this.root, { recursive: true, force: true });
  }
}
