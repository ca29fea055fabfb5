/**
 * @packageDocumentation
 * What a statement handler works with: the session, the statement's parameters, and name resolution
 * from Databricks names to DuckDB's.
 */
import type { DuckDBValue } from "@duckdb/node-api";
import { type DialectContext, rewrite, type RewriteOptions } from "./dialect.js";
import { sqlError, SqlError, syntaxError } from "../errors.js";
import type { Parameters } from "./parameters.js";
import type { ResultColumn } from "../wire/results.js";
import type { Session } from "../wire/session.js";
import type { Token } from "./tokenizer.js";
import { fromDuckDbType } from "./types.js";
import { catalogDbName, type TableRef } from "../warehouse.js";

/** Everything a statement handler needs. */
export class StatementScope implements DialectContext {
  constructor(
    readonly session: Session,
    readonly parameters: Parameters,
  ) {}

  /** Set by prepareFileSources before any rewrite. */
  fileSources: ReadonlyMap<Token, { sql: string; last: Token }> = new Map();

  catalogDb(name: string): string | undefined {
    return this.session.warehouse.hasCatalog(name) ? catalogDbName(name) : undefined;
  }

  get currentCatalog(): string {
    return this.session.catalog;
  }

  get currentSchema(): string {
    return this.session.schema;
  }

  /** Resolves a 1-, 2- or 3-part table name against the session's namespace. */
  tableRef(parts: string[]): TableRef {
    if (parts.length > 3) throw syntaxError(`the name ${parts.join(".")} has too many parts`);
    const [catalog, schema, table] =
      parts.length === 3 ? parts : parts.length === 2 ? [this.session.catalog, ...parts] : [this.session.catalog, this.session.schema, ...parts];
    const ref = { catalog: catalog!.toLowerCase(), schema: schema!.toLowerCase(), table: table!.toLowerCase() };
    this.requireCatalog(ref.catalog);
    return ref;
  }

  requireCatalog(catalog: string): void {
    if (!this.session.warehouse.hasCatalog(catalog))
      throw sqlError("NO_SUCH_CATALOG_EXCEPTION", `Catalog '${catalog.toLowerCase()}' was not found. Please verify the catalog name and then retry the query or command again.`);
  }

  async schemaExists(catalog: string, schema: string): Promise<boolean> {
    const r = await this.session.run(
      "SELECT 1 FROM duckdb_schemas() WHERE database_name = $d AND schema_name = $s",
      { d: catalogDbName(catalog), s: schema },
    );
    return (await r.getRows()).length > 0;
  }

  /** "table", "view" or undefined. */
  async relationKind(ref: TableRef): Promise<"table" | "view" | undefined> {
    const r = await this.session.run(
      `SELECT 'table' FROM duckdb_tables() WHERE database_name = $d AND schema_name = $s AND table_name = $t
       UNION ALL SELECT 'view' FROM duckdb_views() WHERE database_name = $d AND schema_name = $s AND view_name = $t AND NOT internal`,
      { d: catalogDbName(ref.catalog), s: ref.schema, t: ref.table },
    );
    const rows = await r.getRows();
    return rows.length > 0 ? (rows[0]![0] as "table" | "view") : undefined;
  }

  async columnsOf(duckSql: string, values?: Record<string, DuckDBValue>): Promise<ResultColumn[]> {
    const r = await this.session.run(`SELECT * FROM ${duckSql} LIMIT 0`, values);
    return r.columnNames().map((name, k) => ({ name, type: fromDuckDbType(r.columnType(k)) }));
  }

  rewrite(tokens: Token[], options?: RewriteOptions) {
    return rewrite(tokens, this, options);
  }
}

export const tableNotFound = (ref: TableRef): SqlError =>
  sqlError(
    "TABLE_OR_VIEW_NOT_FOUND", `The table or view \`${ref.catalog}\`.\`${ref.schema}\`.\`${ref.table}\` cannot be found. Verify the spelling and correctness of the schema and catalog.`,
  );

