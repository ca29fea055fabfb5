/**
 * @packageDocumentation
 * The DuckDB side of the warehouse: one DuckDB instance, Unity-Catalog-style catalogs, and the little
 * metadata DuckDB has no place for (table properties).
 *
 * Catalogs are DuckDB databases ATTACHed under the name `uc_<catalog>` — DuckDB reserves `main`, the
 * usual Databricks catalog, so every catalog gets the same prefix rather than only some. With a file
 * database, catalog `main` is that file and catalog `c` is a sibling file `<base>.<c>.duckdb`; the list
 * of catalogs is kept in the main file, so everything is found again after a restart. In memory,
 * each catalog is an in-memory database.
 */
import { basename, dirname, extname, join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { sqlError } from "./errors.js";
import { quoteIdent, quoteString } from "./sql/tokenizer.js";
import { SPARK_MACROS } from "./sql/functions.js";
import { VolumeStore } from "./volumes/store.js";

/** DuckDB's name for the database that holds a catalog. */
export const catalogDbName = (catalog: string): string => `uc_${catalog.toLowerCase()}`;

/** Where the warehouse keeps its own metadata, inside the main catalog; hidden from SHOW SCHEMAS. */
export const META_SCHEMA = "__local_warehouse";

export const DEFAULT_CATALOG = "main";
export const DEFAULT_SCHEMA = "default";

const CATALOG_NAME = /^[a-z0-9_][a-z0-9_-]{0,254}$/;

export class Warehouse {
  private readonly catalogs = new Set<string>();
  private meta!: DuckDBConnection;
  /** Unity Catalog volumes: their metadata and files. */
  volumes!: VolumeStore;
  /** Metadata writes go through one connection, one at a time. */
  private metaQueue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    /** The main database file, or ":memory:". */
    readonly database: string,
  ) {}

  static async open(database: string): Promise<Warehouse> {
    const instance = await DuckDBInstance.create(":memory:");
    const warehouse = new Warehouse(instance, database);
    await warehouse.init();
    return warehouse;
  }

  private async init(): Promise<void> {
    this.meta = await this.connect();
    await this.attach(DEFAULT_CATALOG);
    const m = `${quoteIdent(catalogDbName(DEFAULT_CATALOG))}.${quoteIdent(META_SCHEMA)}`;
    await this.meta.run(`CREATE SCHEMA IF NOT EXISTS ${m}`);
    await this.meta.run(`CREATE TABLE IF NOT EXISTS ${m}.catalogs (name VARCHAR PRIMARY KEY)`);
    await this.meta.run(
      `CREATE TABLE IF NOT EXISTS ${m}.table_properties (catalog VARCHAR, schema_name VARCHAR, table_name VARCHAR, key VARCHAR, value VARCHAR, PRIMARY KEY (catalog, schema_name, table_name, key))`,
    );
    this.volumes = await VolumeStore.open(this.database, await this.connect(), m);
    const known = await this.meta.runAndReadAll(`SELECT name FROM ${m}.catalogs ORDER BY name`);
    for (const [name] of known.getRows()) {
      if (typeof name === "string" && name !== DEFAULT_CATALOG) await this.attach(name);
    }
  }

  /** A new DuckDB connection with the settings that make DuckDB answer as Spark does. */
  async connect(): Promise<DuckDBConnection> {
    const conn = await this.instance.connect();
    // Spark sorts NULLs first ascending and last descending; timestamps are rendered in UTC.
    await conn.run("SET default_null_order = 'nulls_first_on_asc_last_on_desc'");
    await conn.run("SET TimeZone = 'UTC'");
    for (const macro of SPARK_MACROS) await conn.run(`CREATE OR REPLACE TEMP MACRO ${macro}`);
    return conn;
  }

  hasCatalog(name: string): boolean {
    return this.catalogs.has(name.toLowerCase());
  }

  listCatalogs(): string[] {
    return [...this.catalogs].sort();
  }

  /** Creates a catalog; false when it already existed and `ifNotExists` was given. */
  async createCatalog(name: string, ifNotExists: boolean): Promise<boolean> {
    const lower = name.toLowerCase();
    if (!CATALOG_NAME.test(lower))
      throw sqlError("INVALID_IDENTIFIER", `The catalog name '${name}' is not valid here (use letters, digits, _ and -).`);
    if (this.catalogs.has(lower)) {
      if (ifNotExists) return false;
      throw sqlError("CATALOG_ALREADY_EXISTS", `Cannot create catalog \`${lower}\` because it already exists.`);
    }
    await this.withMeta(async (m) => {
      await this.attach(lower);
      await m.run(
        `INSERT INTO ${quoteIdent(catalogDbName(DEFAULT_CATALOG))}.${quoteIdent(META_SCHEMA)}.catalogs VALUES ($name) ON CONFLICT DO NOTHING`,
        { name: lower },
      );
    });
    return true;
  }

  private async attach(catalog: string): Promise<void> {
    const path = this.database === ":memory:" ? ":memory:" : this.catalogFile(catalog);
    const db = quoteIdent(catalogDbName(catalog));
    await this.meta.run(`ATTACH IF NOT EXISTS ${quoteString(path)} AS ${db}`);
    await this.meta.run(`CREATE SCHEMA IF NOT EXISTS ${db}.${quoteIdent(DEFAULT_SCHEMA)}`);
    this.catalogs.add(catalog);
  }

  private catalogFile(catalog: string): string {
    if (catalog === DEFAULT_CATALOG) return this.database;
    const ext = extname(this.database);
    return join(dirname(this.database), `${basename(this.database, ext)}.${catalog}${ext || ".duckdb"}`);
  }

  async setTableProperties(table: TableRef, properties: Record<string, string>): Promise<void> {
    await this.withMeta(async (m) => {
      for (const [key, value] of Object.entries(properties)) {
        await m.run(
          `INSERT OR REPLACE INTO ${this.propertiesTable()} VALUES ($c, $s, $t, $k, $v)`,
          { c: table.catalog, s: table.schema, t: table.table, k: key, v: value },
        );
      }
    });
  }

  async tableProperties(table: TableRef): Promise<Record<string, string>> {
    return this.withMeta(async (m) => {
      const r = await m.runAndReadAll(
        `SELECT key, value FROM ${this.propertiesTable()} WHERE catalog = $c AND schema_name = $s AND table_name = $t ORDER BY key`,
        { c: table.catalog, s: table.schema, t: table.table },
      );
      return Object.fromEntries(r.getRows().map(([k, v]) => [String(k), String(v)]));
    });
  }

  async dropTableProperties(table: TableRef): Promise<void> {
    await this.withMeta((m) =>
      m.run(`DELETE FROM ${this.propertiesTable()} WHERE catalog = $c AND schema_name = $s AND table_name = $t`, {
        c: table.catalog,
        s: table.schema,
        t: table.table,
      }),
    );
  }

  /** The DuckDB name of a metadata table of the warehouse (in the main catalog's hidden schema). */
  metaTable(name: string): string {
    return `${quoteIdent(catalogDbName(DEFAULT_CATALOG))}.${quoteIdent(META_SCHEMA)}.${quoteIdent(name)}`;
  }

  private propertiesTable(): string {
    return `${quoteIdent(catalogDbName(DEFAULT_CATALOG))}.${quoteIdent(META_SCHEMA)}.table_properties`;
  }

  /** Runs work on the metadata connection, one at a time; for modules keeping their own metadata tables. */
  withMeta<T>(work: (m: DuckDBConnection) => Promise<T>): Promise<T> {
    const next = this.metaQueue.then(() => work(this.meta));
    this.metaQueue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.metaQueue;
    // Flush every attached file before the process may exit.
    for (const catalog of this.catalogs) {
      if (this.database !== ":memory:") await this.meta.run(`CHECKPOINT ${quoteIdent(catalogDbName(catalog))}`).catch(() => undefined);
    }
    this.volumes.close();
    this.meta.closeSync();
    this.instance.closeSync();
  }
}

/** A fully resolved table name, lowercased as Unity Catalog stores it. */
export interface TableRef {
  catalog: string;
  schema: string;
  table: string;
}

/** The DuckDB spelling of a resolved table name. */
export const duckTableName = (t: TableRef): string =>
  `${quoteIdent(catalogDbName(t.catalog))}.${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;
