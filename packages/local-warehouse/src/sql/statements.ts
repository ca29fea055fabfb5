/**
 * @packageDocumentation
 * The statements the warehouse understands, each translated into DuckDB work. A statement outside this
 * set fails with UNSUPPORTED_FEATURE rather than being passed through to DuckDB to mean something else.
 */
import { Cursor } from "./cursor.js";
import { SqlError, syntaxError, unsupported } from "../errors.js";
import { Parameters } from "./parameters.js";
import { DuckDbResult, NO_RESULT, StaticResult, type Cell, type ResultSource } from "../wire/results.js";
import type { Session } from "../wire/session.js";
import type { TSparkParameter } from "../wire/thrift.js";
import { isOp, isWord, quoteIdent, quoteString, significant, splitStatements, tokenize, type Token } from "./tokenizer.js";
import { BIGINT, BOOLEAN, parseType, simpleString, STRING, toDuckDbType, type SparkType } from "./types.js";
import { catalogDbName, duckTableName, META_SCHEMA } from "../warehouse.js";
import { executeMerge } from "../delta/merge.js";
import { assertNotAppendOnly, columnChecks, validateTableProperties } from "../delta/rules.js";
import { StatementScope, tableNotFound } from "./scope.js";

export async function executeStatement(
  session: Session,
  sql: string,
  parameters: readonly TSparkParameter[] | null | undefined,
): Promise<ResultSource> {
  const statements = splitStatements(tokenize(sql)).map(significant).filter((s) => s.length > 0);
  if (statements.length === 0) throw new SqlError("PARSE_EMPTY_STATEMENT", "42617", "Syntax error, unexpected empty statement.");
  if (statements.length > 1)
    throw new SqlError("PARSE_SYNTAX_ERROR", "42601", "Syntax error at or near ';': only one statement can be executed at a time.");
  const tokens = statements[0]!;
  const scope = new StatementScope(session, new Parameters(parameters));
  const [first, second] = tokens;
  const head = first?.kind === "word" ? first.value.toUpperCase() : isOp(first, "(") ? "(" : "";
  switch (head) {
    case "SELECT":
    case "WITH":
    case "VALUES":
    case "FROM":
    case "(":
    case "TABLE":
      return query(scope, tokens);
    case "INSERT":
      return insert(scope, tokens);
    case "MERGE":
      return executeMerge(scope, tokens);
    case "DELETE":
    case "UPDATE":
      return dml(scope, tokens);
    case "CREATE":
      return create(scope, tokens);
    case "ALTER":
      return alter(scope, tokens);
    case "DROP":
      return drop(scope, tokens);
    case "TRUNCATE":
      return truncate(scope, tokens);
    case "DESCRIBE":
    case "DESC":
      return describe(scope, tokens);
    case "SHOW":
      return show(scope, tokens);
    case "USE":
      return use(scope, tokens);
    case "SET":
      return set(scope, tokens);
    case "RESET":
      session.settings.clear();
      return NO_RESULT;
    case "BEGIN":
    case "START":
    case "COMMIT":
    case "ROLLBACK":
      return transaction(scope, tokens);
    default:
      if (DATABRICKS_STATEMENTS.has(head))
        throw unsupported(`The statement '${[first, second].filter(Boolean).map((t) => t!.value.toUpperCase()).join(" ")}'`);
      throw syntaxError(`at or near '${first?.value ?? ""}'`);
  }
}

/** Statements Databricks has and this warehouse does not: refused as unsupported, not as bad syntax. */
const DATABRICKS_STATEMENTS = new Set(
  "OPTIMIZE VACUUM COPY ANALYZE EXPLAIN GRANT REVOKE RESTORE CLONE FSCK MSCK REFRESH CACHE UNCACHE CLEAR LIST PUT GET REMOVE APPLY DECLARE EXECUTE CALL COMMENT CONVERT SYNC REPAIR ADD GENERATE UNDROP REORG".split(" "),
);

async function query(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const { text, values } = scope.rewrite(tokens);
  return new DuckDbResult(await scope.session.run(text, values));
}

const affectedRows = (n: number, extra: [string, number][] = []): ResultSource =>
  new StaticResult(
    [{ name: "num_affected_rows", type: BIGINT }, ...extra.map(([name]) => ({ name, type: BIGINT }))],
    [[BigInt(n), ...extra.map(([, v]) => BigInt(v))]],
  );

async function dml(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const target = new Cursor(tokens);
  if (target.acceptWords("DELETE")) target.expectWords("FROM");
  else target.expectWords("UPDATE");
  await assertNotAppendOnly(scope.session.warehouse, scope.tableRef(target.qualifiedName()));
  const { text, values } = scope.rewrite(tokens);
  const r = await scope.session.run(text, values);
  return affectedRows(r.rowsChanged);
}

async function insert(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  c.expectWords("INSERT");
  const overwrite = c.acceptWords("OVERWRITE");
  if (!overwrite) c.expectWords("INTO");
  c.acceptWords("TABLE");
  const ref = scope.tableRef(c.qualifiedName());
  if (isWord(c.peek(), "PARTITION")) throw unsupported("INSERT with a PARTITION clause");
  if (isWord(c.peek(), "REPLACE")) throw unsupported("INSERT … REPLACE WHERE/USING");
  let columns = "";
  if (isOp(c.peek(), "(") && !isWord(c.peek(1), "SELECT", "WITH", "VALUES", "FROM")) {
    const names = c.parenList().map((part) => {
      if (part.length !== 1 || (part[0]!.kind !== "word" && part[0]!.kind !== "ident")) throw syntaxError("expected a column name in the INSERT column list");
      return quoteIdent(part[0]!.value);
    });
    columns = ` (${names.join(", ")})`;
  }
  const byName = c.acceptWords("BY", "NAME") ? " BY NAME" : "";
  const body = c.rest();
  if (body.length === 0 || !(isWord(body[0], "VALUES", "SELECT", "WITH", "FROM", "TABLE") || isOp(body[0], "(")))
    throw c.unexpected("VALUES or a query");
  if (overwrite) await assertNotAppendOnly(scope.session.warehouse, ref);
  const { text, values } = scope.rewrite(body);
  // No existence check first: DuckDB's own "does not exist" maps to TABLE_OR_VIEW_NOT_FOUND, one query cheaper per batch.
  const target = duckTableName(ref);
  const statement = `INSERT INTO ${target}${columns}${byName} ${text}`;
  const session = scope.session;
  const inserted = overwrite
    ? await session.atomically(async () => {
        // The query reads the table as it was before the overwrite, as Delta does: stage, then replace.
        const stage = quoteIdent(`__overwrite_${Date.now()}_${Math.random().toString(36).slice(2)}`);
        await session.run(`CREATE TEMPORARY TABLE ${stage} AS SELECT * FROM (${text}) AS q`, values);
        try {
          await session.run(`DELETE FROM ${target}`);
          return (await session.run(`INSERT INTO ${target}${columns}${byName} SELECT * FROM ${stage}`)).rowsChanged;
        } finally {
          await session.run(`DROP TABLE IF EXISTS ${stage}`);
        }
      })
    : (await session.run(statement, values)).rowsChanged;
  return affectedRows(inserted, [["num_inserted_rows", inserted]]);
}

interface ColumnDef {
  name: string;
  type: SparkType;
  notNull: boolean;
  comment?: string;
  /** The n of VARCHAR(n)/CHAR(n); the column is stored as a string and its length checked. */
  maxLength?: number;
}

function parseColumnDef(c: Cursor): ColumnDef {
  const name = c.identifier();
  if (isOp(c.peek(), ".")) throw unsupported("Adding a nested field");
  const sized = isWord(c.peek(), "VARCHAR", "CHAR") && isOp(c.peek(1), "(") && c.peek(2)?.kind === "number" ? Number(c.peek(2)!.value) : undefined;
  const def: ColumnDef = { name, type: parseType(c), notNull: false };
  if (sized !== undefined) def.maxLength = sized;
  for (;;) {
    if (c.acceptWords("NOT", "NULL")) def.notNull = true;
    else if (c.acceptWords("COMMENT")) def.comment = c.stringLiteral();
    else if (isWord(c.peek(), "DEFAULT", "GENERATED", "PRIMARY", "CONSTRAINT", "REFERENCES", "MASK"))
      throw unsupported(`The column option ${c.peek()!.value.toUpperCase()}`);
    else return def;
  }
}

function parseColumnDefs(c: Cursor): ColumnDef[] {
  c.expectOp("(");
  const defs: ColumnDef[] = [];
  do {
    if (isWord(c.peek(), "CONSTRAINT", "PRIMARY", "FOREIGN", "CHECK")) throw unsupported("Table constraints");
    defs.push(parseColumnDef(c));
  } while (c.acceptOp(","));
  c.expectOp(")");
  return defs;
}

/** Delta refuses these characters in column names unless column mapping is enabled. */
const DELTA_BAD_COLUMN_CHARS = /[ ,;{}()\n\t=]/;

function checkColumnNames(names: string[], properties: Record<string, string>): void {
  const mapping = Object.entries(properties).find(([k]) => k.toLowerCase() === "delta.columnmapping.mode")?.[1];
  if (mapping?.toLowerCase() === "name" || mapping?.toLowerCase() === "id") return;
  const bad = names.filter((n) => DELTA_BAD_COLUMN_CHARS.test(n));
  if (bad.length > 0)
    throw new SqlError(
      "DELTA_INVALID_CHARACTERS_IN_COLUMN_NAMES",
      "42K05",
      `Found invalid character(s) among ' ,;{}()\\n\\t=' in the column names of your schema: ${bad.map((b) => JSON.stringify(b)).join(", ")}. Please use other characters and try again, or enable Column Mapping ('delta.columnMapping.mode' = 'name') to keep using these characters.`,
    );
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n.toLowerCase())) throw new SqlError("COLUMN_ALREADY_EXISTS", "42711", `The column \`${n}\` already exists.`);
    seen.add(n.toLowerCase());
  }
}

function parseProperties(c: Cursor): Record<string, string> {
  const props: Record<string, string> = {};
  for (const part of c.parenList()) {
    const p = new Cursor(part);
    const key = p.peek()?.kind === "string" ? p.stringLiteral() : p.qualifiedName().join(".");
    p.acceptOp("=");
    const v = p.next();
    if (!["string", "number", "word"].includes(v.kind)) throw syntaxError("expected a property value");
    p.expectEnd();
    props[key] = v.value;
  }
  return props;
}

async function create(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  c.expectWords("CREATE");
  const orReplace = c.acceptWords("OR", "REPLACE");
  if (c.acceptWords("CATALOG")) {
    const ifNotExists = c.acceptWords("IF", "NOT", "EXISTS");
    const name = c.identifier();
    if (c.acceptWords("COMMENT")) c.stringLiteral();
    c.expectEnd();
    if (orReplace) throw unsupported("CREATE OR REPLACE CATALOG");
    await scope.session.warehouse.createCatalog(name, ifNotExists);
    return NO_RESULT;
  }
  if (c.acceptWords("SCHEMA") || c.acceptWords("DATABASE")) {
    const ifNotExists = c.acceptWords("IF", "NOT", "EXISTS");
    const parts = c.qualifiedName();
    if (parts.length > 2) throw syntaxError("a schema name has at most two parts");
    if (c.acceptWords("COMMENT")) c.stringLiteral();
    c.expectEnd();
    if (orReplace) throw unsupported("CREATE OR REPLACE SCHEMA");
    const catalog = (parts.length === 2 ? parts[0]! : scope.session.catalog).toLowerCase();
    const schema = parts[parts.length - 1]!.toLowerCase();
    scope.requireCatalog(catalog);
    if (await scope.schemaExists(catalog, schema)) {
      if (ifNotExists) return NO_RESULT;
      throw new SqlError("SCHEMA_ALREADY_EXISTS", "42P06", `Cannot create schema \`${catalog}\`.\`${schema}\` because it already exists.`);
    }
    await scope.session.run(`CREATE SCHEMA ${quoteIdent(catalogDbName(catalog))}.${quoteIdent(schema)}`);
    return NO_RESULT;
  }
  const temporary = c.acceptWords("TEMPORARY") || c.acceptWords("TEMP") || c.acceptWords("GLOBAL", "TEMPORARY");
  if (c.acceptWords("VIEW")) return createView(scope, c, orReplace, temporary);
  if (temporary || c.acceptWords("EXTERNAL")) throw unsupported("Temporary or external tables");
  if (!c.acceptWords("TABLE")) throw unsupported(`CREATE ${c.peek()?.value.toUpperCase() ?? ""}`.trim());
  return createTable(scope, c, orReplace);
}

async function createTable(scope: StatementScope, c: Cursor, orReplace: boolean): Promise<ResultSource> {
  const ifNotExists = c.acceptWords("IF", "NOT", "EXISTS");
  if (orReplace && ifNotExists) throw syntaxError("OR REPLACE and IF NOT EXISTS cannot both be given");
  const ref = scope.tableRef(c.qualifiedName());
  const columns = isOp(c.peek(), "(") ? parseColumnDefs(c) : undefined;
  let comment: string | undefined;
  let properties: Record<string, string> = {};
  let asQuery: Token[] | undefined;
  while (!c.done) {
    if (c.acceptWords("USING")) {
      const format = c.identifier();
      if (format.toLowerCase() !== "delta") throw unsupported(`USING ${format} (only Delta tables)`);
    } else if (c.acceptWords("PARTITIONED", "BY") || c.acceptWords("CLUSTER", "BY")) {
      // Layout only: it changes how Delta files are organised, never what a query returns.
      if (isOp(c.peek(), "(")) c.parenList();
      else c.identifier();
    } else if (c.acceptWords("COMMENT")) comment = c.stringLiteral();
    else if (c.acceptWords("TBLPROPERTIES")) properties = { ...properties, ...parseProperties(c) };
    else if (c.acceptWords("AS")) asQuery = c.rest();
    else if (isWord(c.peek(), "LOCATION", "OPTIONS", "ROW", "STORED", "WITH", "DEFAULT"))
      throw unsupported(`CREATE TABLE … ${c.peek()!.value.toUpperCase()}`);
    else throw c.unexpected("USING, PARTITIONED BY, COMMENT, TBLPROPERTIES or AS");
  }
  if (!columns && !asQuery) throw syntaxError("CREATE TABLE needs a column list or AS <query>");
  if (columns && asQuery) throw unsupported("CREATE TABLE with both a column list and AS <query>");
  if (columns) checkColumnNames(columns.map((col) => col.name), properties);
  validateTableProperties(properties);

  const session = scope.session;
  const kind = await scope.relationKind(ref);
  if (kind && ifNotExists) return NO_RESULT;
  if (kind && !orReplace)
    throw new SqlError("TABLE_OR_VIEW_ALREADY_EXISTS", "42P07", `Cannot create table or view \`${ref.catalog}\`.\`${ref.schema}\`.\`${ref.table}\` because it already exists.`);
  if (kind === "view") throw new SqlError("EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE", "42809", `\`${ref.table}\` is a view; CREATE OR REPLACE TABLE needs a table.`);
  if (!(await scope.schemaExists(ref.catalog, ref.schema)))
    throw new SqlError("SCHEMA_NOT_FOUND", "42704", `The schema \`${ref.catalog}\`.\`${ref.schema}\` cannot be found.`);
  const target = duckTableName(ref);
  const verb = orReplace ? "CREATE OR REPLACE TABLE" : "CREATE TABLE";
  await session.atomically(async () => {
    if (columns) {
      const defs = columns.map((col) =>
        [`${quoteIdent(col.name)} ${toDuckDbType(col.type)}${col.notNull ? " NOT NULL" : ""}`, ...columnChecks(col.name, col.type, col.maxLength)].join(" "),
      );
      await session.run(`${verb} ${target} (${defs.join(", ")})`);
      for (const col of columns) {
        if (col.comment !== undefined)
          await session.run(`COMMENT ON COLUMN ${target}.${quoteIdent(col.name)} IS ${quoteString(col.comment)}`);
      }
    } else {
      const { text, values } = scope.rewrite(asQuery!);
      await session.run(`${verb} ${target} AS ${text}`, values);
      checkColumnNames((await scope.columnsOf(target)).map((col) => col.name), properties);
    }
    if (comment !== undefined) await session.run(`COMMENT ON TABLE ${target} IS ${quoteString(comment)}`);
  });
  await session.warehouse.dropTableProperties(ref);
  await session.warehouse.setTableProperties(ref, properties);
  return NO_RESULT;
}

async function createView(scope: StatementScope, c: Cursor, orReplace: boolean, temporary: boolean): Promise<ResultSource> {
  const ifNotExists = c.acceptWords("IF", "NOT", "EXISTS");
  const name = c.qualifiedName();
  if (isOp(c.peek(), "(")) throw unsupported("A column list in CREATE VIEW");
  c.expectWords("AS");
  const { text, values } = scope.rewrite(c.rest());
  if (Object.keys(values).length > 0) throw unsupported("Parameter markers in a view definition");
  let target: string;
  if (temporary) {
    if (name.length !== 1) throw syntaxError("a temporary view name has one part");
    target = quoteIdent(name[0]!.toLowerCase());
  } else target = duckTableName(scope.tableRef(name));
  const verb = `CREATE${orReplace ? " OR REPLACE" : ""}${temporary ? " TEMPORARY" : ""} VIEW${ifNotExists ? " IF NOT EXISTS" : ""}`;
  await scope.session.run(`${verb} ${target} AS ${text}`);
  return NO_RESULT;
}

async function alter(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  c.expectWords("ALTER");
  if (!c.acceptWords("TABLE")) throw unsupported(`ALTER ${c.peek()?.value.toUpperCase() ?? ""}`.trim());
  const ref = scope.tableRef(c.qualifiedName());
  if ((await scope.relationKind(ref)) !== "table") throw tableNotFound(ref);
  const target = duckTableName(ref);
  const session = scope.session;
  if (c.acceptWords("ADD")) {
    if (!c.acceptWords("COLUMNS")) c.acceptWords("COLUMN");
    let defs: ColumnDef[];
    if (isOp(c.peek(), "(")) defs = parseColumnDefs(c);
    else {
      defs = [];
      do defs.push(parseColumnDef(c));
      while (c.acceptOp(","));
    }
    c.expectEnd();
    if (defs.some((d) => d.notNull)) throw unsupported("Adding a NOT NULL column to an existing table");
    const existing = (await scope.columnsOf(target)).map((col) => col.name);
    const clash = defs.find((d) => existing.some((e) => e.toLowerCase() === d.name.toLowerCase()));
    if (clash) throw new SqlError("FIELDS_ALREADY_EXISTS", "42710", `Cannot add column, because \`${clash.name}\` already exists in \`${ref.table}\`.`);
    checkColumnNames([...existing, ...defs.map((d) => d.name)], await session.warehouse.tableProperties(ref));
    await session.atomically(async () => {
      for (const d of defs) {
        await session.run(`ALTER TABLE ${target} ADD COLUMN ${quoteIdent(d.name)} ${toDuckDbType(d.type)}`);
        if (d.comment !== undefined) await session.run(`COMMENT ON COLUMN ${target}.${quoteIdent(d.name)} IS ${quoteString(d.comment)}`);
      }
    });
    return NO_RESULT;
  }
  if (c.acceptWords("SET", "TBLPROPERTIES")) {
    const props = parseProperties(c);
    c.expectEnd();
    validateTableProperties(props);
    await session.warehouse.setTableProperties(ref, props);
    return NO_RESULT;
  }
  throw unsupported(`ALTER TABLE … ${c.peek()?.value.toUpperCase() ?? ""}`.trim());
}

async function drop(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  c.expectWords("DROP");
  const session = scope.session;
  if (c.acceptWords("TABLE") || c.acceptWords("VIEW")) {
    const isView = isWord(tokens[1], "VIEW");
    const ifExists = c.acceptWords("IF", "EXISTS");
    const name = c.qualifiedName();
    c.acceptWords("PURGE");
    c.expectEnd();
    if (isView && name.length === 1) {
      // A temporary view shadows a catalog view of the same name, as in Spark.
      const temp = await session.run("SELECT 1 FROM duckdb_views() WHERE temporary AND view_name = $v", { v: name[0]!.toLowerCase() });
      if ((await temp.getRows()).length > 0) {
        await session.run(`DROP VIEW ${quoteIdent(name[0]!.toLowerCase())}`);
        return NO_RESULT;
      }
    }
    const ref = scope.tableRef(name);
    const kind = await scope.relationKind(ref);
    if (!kind) {
      if (ifExists) return NO_RESULT;
      throw tableNotFound(ref);
    }
    if (isView !== (kind === "view"))
      throw new SqlError("WRONG_COMMAND_FOR_OBJECT_TYPE", "42809", `\`${ref.table}\` is a ${kind}; use DROP ${kind.toUpperCase()}.`);
    await session.run(`DROP ${kind.toUpperCase()} ${duckTableName(ref)}`);
    await session.warehouse.dropTableProperties(ref);
    return NO_RESULT;
  }
  if (c.acceptWords("SCHEMA") || c.acceptWords("DATABASE")) {
    const ifExists = c.acceptWords("IF", "EXISTS");
    const parts = c.qualifiedName();
    const cascade = c.acceptWords("CASCADE");
    if (!cascade) c.acceptWords("RESTRICT");
    c.expectEnd();
    const catalog = (parts.length === 2 ? parts[0]! : session.catalog).toLowerCase();
    const schema = parts[parts.length - 1]!.toLowerCase();
    scope.requireCatalog(catalog);
    if (!(await scope.schemaExists(catalog, schema))) {
      if (ifExists) return NO_RESULT;
      throw new SqlError("SCHEMA_NOT_FOUND", "42704", `The schema \`${catalog}\`.\`${schema}\` cannot be found.`);
    }
    if (catalog === session.catalog && schema === session.schema)
      throw unsupported("Dropping the current schema");
    try {
      await session.run(`DROP SCHEMA ${quoteIdent(catalogDbName(catalog))}.${quoteIdent(schema)}${cascade ? " CASCADE" : ""}`);
    } catch (error) {
      if (error instanceof SqlError && /depend/i.test(error.message))
        throw new SqlError("SCHEMA_NOT_EMPTY", "2BP01", `Cannot drop a schema \`${schema}\` because it contains objects. Use DROP SCHEMA ... CASCADE.`);
      throw error;
    }
    return NO_RESULT;
  }
  throw unsupported(`DROP ${c.peek()?.value.toUpperCase() ?? ""}`.trim());
}

async function truncate(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  c.expectWords("TRUNCATE", "TABLE");
  const ref = scope.tableRef(c.qualifiedName());
  if (isWord(c.peek(), "PARTITION")) throw unsupported("TRUNCATE TABLE … PARTITION");
  c.expectEnd();
  if ((await scope.relationKind(ref)) !== "table") throw tableNotFound(ref);
  await assertNotAppendOnly(scope.session.warehouse, ref);
  await scope.session.run(`DELETE FROM ${duckTableName(ref)}`);
  return NO_RESULT;
}

const text3 = (a: string, b: string, c: string): Cell[] => [a, b, c];

async function describe(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  c.next();
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
function likeMatcher(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined) return () => true;
  const alternatives = pattern.split("|").map((p) => p.trim().replace(/[.+?^${}()[\]\\]/g, "\\$&").replace(/\*/g, ".*"));
  const re = new RegExp(`^(?:${alternatives.join("|")})$`, "i");
  return (name) => re.test(name);
}

function likeClause(c: Cursor): string | undefined {
  if (c.acceptWords("LIKE") || c.peek()?.kind === "string") return c.stringLiteral();
  return undefined;
}

const HIDDEN_SCHEMAS = new Set(["information_schema", "pg_catalog", META_SCHEMA]);

async function show(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  c.expectWords("SHOW");
  const session = scope.session;
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
        throw new SqlError("SCHEMA_NOT_FOUND", "42704", `The schema \`${catalog}\`.\`${schema}\` cannot be found.`);
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

async function use(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  c.expectWords("USE");
  const session = scope.session;
  if (c.acceptWords("CATALOG")) {
    const catalog = c.identifier().toLowerCase();
    c.expectEnd();
    scope.requireCatalog(catalog);
    await session.use(catalog, "default");
    return NO_RESULT;
  }
  if (!c.acceptWords("SCHEMA") && !c.acceptWords("DATABASE")) c.acceptWords("NAMESPACE");
  const parts = c.qualifiedName();
  c.expectEnd();
  if (parts.length > 2) throw syntaxError("a schema name has at most two parts");
  const catalog = (parts.length === 2 ? parts[0]! : session.catalog).toLowerCase();
  const schema = parts[parts.length - 1]!.toLowerCase();
  scope.requireCatalog(catalog);
  if (!(await scope.schemaExists(catalog, schema)))
    throw new SqlError("SCHEMA_NOT_FOUND", "42704", `The schema \`${catalog}\`.\`${schema}\` cannot be found.`);
  await session.use(catalog, schema);
  return NO_RESULT;
}

/** The parameters a Databricks SQL warehouse lets a session set (sql-ref-parameters). */
const WAREHOUSE_PARAMETERS = [
  "ANSI_MODE",
  "LEGACY_TIME_PARSER_POLICY",
  "MAX_FILE_PARTITION_BYTES",
  "READ_ONLY_EXTERNAL_METASTORE",
  "STATEMENT_TIMEOUT",
  "TIMEZONE",
  "USE_CACHED_RESULT",
];

const UTC_NAMES = new Set(["UTC", "ETC/UTC", "GMT", "Z", "+00:00", "-00:00", "UTC+0", "ETC/GMT"]);

async function set(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const settings = scope.session.settings;
  const keyValue = (rows: [string, string][]) =>
    new StaticResult(
      [
        { name: "key", type: STRING },
        { name: "value", type: STRING },
      ],
      rows,
    );
  const rest = tokens.slice(1);
  if (rest.length === 0 || (rest.length === 2 && isOp(rest[0], "-") && isWord(rest[1], "v")))
    return keyValue([...settings.entries()].sort());
  let key: string;
  let valueTokens: Token[];
  if (isWord(rest[0], "TIME") && isWord(rest[1], "ZONE")) {
    key = "TIMEZONE";
    valueTokens = rest.slice(2);
  } else {
    const eq = rest.findIndex((t) => isOp(t, "="));
    key = (eq < 0 ? rest : rest.slice(0, eq)).map((t) => t.value).join("");
    valueTokens = eq < 0 ? [] : rest.slice(eq + 1);
  }
  const canonical = WAREHOUSE_PARAMETERS.find((p) => p.toLowerCase() === key.toLowerCase() || (p === "TIMEZONE" && key.toLowerCase() === "spark.sql.session.timezone"));
  if (!canonical) throw new SqlError("CONFIG_NOT_AVAILABLE", "42K0I", `Configuration ${key} is not available.`);
  if (valueTokens.length === 0 && eqAbsent(rest)) return keyValue([[canonical, settings.get(canonical) ?? ""]]);
  const value = valueTokens.map((t) => t.value).join(valueTokens.every((t) => t.kind === "string") ? "" : " ");
  if (canonical === "TIMEZONE" && !UTC_NAMES.has(value.toUpperCase()))
    throw unsupported(`Time zone '${value}' (this warehouse runs in UTC only)`);
  if (canonical === "ANSI_MODE" && value.toLowerCase() !== "true") throw unsupported("ANSI_MODE = false");
  settings.set(canonical, value);
  return keyValue([[canonical, value]]);
}

const eqAbsent = (tokens: Token[]): boolean => !tokens.some((t) => isOp(t, "="));

async function transaction(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  const session = scope.session;
  if (c.acceptWords("BEGIN") || c.acceptWords("START")) {
    c.acceptWords("TRANSACTION");
    c.expectEnd();
    await session.run("BEGIN TRANSACTION");
    session.inTransaction = true;
    return NO_RESULT;
  }
  const commit = c.acceptWords("COMMIT");
  if (!commit) c.expectWords("ROLLBACK");
  if (!c.acceptWords("WORK")) c.acceptWords("TRANSACTION");
  c.expectEnd();
  session.inTransaction = false;
  await session.run(commit ? "COMMIT" : "ROLLBACK");
  return NO_RESULT;
}
