/**
 * @packageDocumentation
 * DESCRIBE and SHOW: what a client asks about tables, schemas, catalogs and properties, answered with the
 * columns Databricks returns.
 */
import { showVolumes } from "../volumes/volume-ddl.js";
import { describeHistory } from "../delta/history.js";
import { Cursor } from "./cursor.js";
import { sqlError, syntaxError, unsupported } from "../errors.js";
import { StaticResult, type Cell, type ResultSource } from "../wire/results.js";
import { isWord, type Token } from "./tokenizer.js";
import { BOOLEAN, simpleString, STRING } from "./types.js";
import { catalogDbName, duckTableName, META_SCHEMA } from "../warehouse.js";
import { type StatementScope, tableNotFound } from "./scope.js";

const text3 = (a: string, b: string, c: string): Cell[] => [a, b, c];

export async function describe(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  c.next();
  if (isWord(c.peek(), "HISTORY") && c.tokens.length > 2) return describeHistory(scope, c);
  if (isWord(c.peek(), "DETAIL", "HISTORY", "QUERY", "SCHEMA", "DATABASE", "CATALOG", "FUNCTION", "EXTERNAL", "VOLUME") && !c.done && c.tokens.length > 2)
    throw unsupported(`DESCRIBE ${c.peek()!.value.toUpperCase()}`);
  c.acceptWords("TABLE");
  const extended = c.acceptWords("EXTENDED") || c.acceptWords("FORMATTED");
  const ref = scope.tableRef(c.qualifiedName());
  c.expectEnd();
  const kind = await scope.relationKind(ref);
  if (!kind) throw tableNotFound(ref);
  const target = duckTableName(ref);
  const columns = await scope.columnsOf(target);
  const comments = await scope.session.run(
    "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = $d AND schema_name = $s AND table_name = $t",
    { d: catalogDbName(ref.catalog), s: ref.schema, t: ref.table },
  );
  const commentOf = new Map((await comments.getRows()).map(([n, cm]) => [String(n), cm === null ? null : String(cm)]));
  const rows: Cell[][] = columns.map((col) => [col.name, simpleString(col.type), commentOf.get(col.name) ?? null]);
  if (extended) {
    const props = await scope.session.warehouse.tableProperties(ref);
    const info = await scope.session.run(
      "SELECT comment FROM duckdb_tables() WHERE database_name = $d AND schema_name = $s AND table_name = $t",
      { d: catalogDbName(ref.catalog), s: ref.schema, t: ref.table },
    );
    const tableComment = (await info.getRows())[0]?.[0];
    rows.push(text3("", "", ""), text3("# Detailed Table Information", "", ""));
    rows.push(text3("Catalog", ref.catalog, ""), text3("Database", ref.schema, ""), text3("Table", ref.table, ""));
    rows.push(text3("Type", kind === "view" ? "VIEW" : "MANAGED", ""));
    if (tableComment !== null && tableComment !== undefined) rows.push(text3("Comment", String(tableComment), ""));
    if (kind === "table") rows.push(text3("Provider", "delta", ""));
    const propText = Object.entries(props).map(([k, v]) => `${k}=${v}`).join(",");
    rows.push(text3("Table Properties", `[${propText}]`, ""));
  }
  return new StaticResult(
    [
      { name: "col_name", type: STRING },
      { name: "data_type", type: STRING },
      { name: "comment", type: STRING },
    ],
    rows,
  );
}

/** Spark's SHOW … LIKE pattern: `*` is any text, `|` separates alternatives, case-insensitive. */
export function likeMatcher(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined) return () => true;
  const alternatives = pattern.split("|").map((p) => p.trim().replace(/[.+?^${}()[\]\\]/g, "\\$&").replace(/\*/g, ".*"));
  const re = new RegExp(`^(?:${alternatives.join("|")})$`, "i");
  return (name) => re.test(name);
}

export function likeClause(c: Cursor): string | undefined {
  if (c.acceptWords("LIKE") || c.peek()?.kind === "string") return c.stringLiteral();
  return undefined;
}

const HIDDEN_SCHEMAS = new Set(["information_schema", "pg_catalog", META_SCHEMA]);

export async function show(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  c.expectWords("SHOW");
  const session = scope.session;
  if (isWord(c.peek(), "VOLUMES")) return showVolumes(scope, c);
  if (c.acceptWords("TABLES")) {
    let catalog = session.catalog;
    let schema = session.schema;
    if (c.acceptWords("IN") || c.acceptWords("FROM")) {
      const parts = c.qualifiedName();
      if (parts.length > 2) throw syntaxError("a schema name has at most two parts");
      if (parts.length === 2) catalog = parts[0]!.toLowerCase();
      schema = parts[parts.length - 1]!.toLowerCase();
      scope.requireCatalog(catalog);
      if (!(await scope.schemaExists(catalog, schema)))
        throw sqlError("SCHEMA_NOT_FOUND", `The schema \`${catalog}\`.\`${schema}\` cannot be found.`);
    }
    const matches = likeMatcher(likeClause(c));
    c.expectEnd();
    const r = await session.run(
      `SELECT table_name, false FROM duckdb_tables() WHERE database_name = $d AND schema_name = $s
       UNION ALL SELECT view_name, false FROM duckdb_views() WHERE database_name = $d AND schema_name = $s AND NOT internal
       UNION ALL SELECT view_name, true FROM duckdb_views() WHERE temporary AND NOT internal
       ORDER BY 2, 1`,
      { d: catalogDbName(catalog), s: schema },
    );
    const rows = (await r.getRows())
      .filter(([name]) => matches(String(name)))
      .map(([name, temp]): Cell[] => [temp ? "" : schema, String(name), Boolean(temp)]);
    return new StaticResult(
      [
        { name: "database", type: STRING },
        { name: "tableName", type: STRING },
        { name: "isTemporary", type: BOOLEAN },
      ],
      rows,
    );
  }
  if (c.acceptWords("SCHEMAS") || c.acceptWords("DATABASES")) {
    let catalog = session.catalog;
    if (c.acceptWords("IN") || c.acceptWords("FROM")) catalog = c.identifier().toLowerCase();
    scope.requireCatalog(catalog);
    const matches = likeMatcher(likeClause(c));
    c.expectEnd();
    const r = await session.run(
      `SELECT s.schema_name, (SELECT count(*) FROM duckdb_tables() t WHERE t.database_name = s.database_name AND t.schema_name = s.schema_name)
       FROM duckdb_schemas() s WHERE s.database_name = $d ORDER BY 1`,
      { d: catalogDbName(catalog) },
    );
    const rows = (await r.getRows())
      .map(([name, tables]) => [String(name), Number(tables)] as const)
      // DuckDB's own default schema `main` is listed only when something lives in it.
      .filter(([name, tables]) => !HIDDEN_SCHEMAS.has(name) && (name !== "main" || tables > 0) && matches(name))
      .map(([name]): Cell[] => [name]);
    return new StaticResult([{ name: "databaseName", type: STRING }], rows);
  }
  if (c.acceptWords("CATALOGS")) {
    const matches = likeMatcher(likeClause(c));
    c.expectEnd();
    const rows = session.warehouse.listCatalogs().filter(matches).map((n): Cell[] => [n]);
    return new StaticResult([{ name: "catalog", type: STRING }], rows);
  }
  if (c.acceptWords("TBLPROPERTIES")) {
    const ref = scope.tableRef(c.qualifiedName());
    c.expectEnd();
    if (!(await scope.relationKind(ref))) throw tableNotFound(ref);
    const props = await session.warehouse.tableProperties(ref);
    return new StaticResult(
      [
        { name: "key", type: STRING },
        { name: "value", type: STRING },
      ],
      Object.entries(props).map(([k, v]): Cell[] => [k, v]),
    );
  }
  if (c.acceptWords("COLUMNS")) {
    if (!c.acceptWords("IN")) c.expectWords("FROM");
    const ref = scope.tableRef(c.qualifiedName());
    c.expectEnd();
    if (!(await scope.relationKind(ref))) throw tableNotFound(ref);
    const cols = await scope.columnsOf(duckTableName(ref));
    return new StaticResult([{ name: "col_name", type: STRING }], cols.map((col): Cell[] => [col.name]));
  }
  throw unsupported(`SHOW ${c.peek()?.value.toUpperCase() ?? ""}`.trim());
}
