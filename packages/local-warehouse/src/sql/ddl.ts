/**
 * @packageDocumentation
 * DDL statements: CREATE CATALOG/SCHEMA/TABLE/VIEW, ALTER TABLE, DROP, TRUNCATE, with the column
 * definitions and table properties Delta accepts.
 */
import { forgetLoadedFiles } from "../delta/copy-into.js";
import { createVolume, dropVolume } from "../volumes/volume-ddl.js";
import { Cursor } from "./cursor.js";
import { sqlError, SqlError, syntaxError, unsupported } from "../errors.js";
import { NO_RESULT, type ResultSource } from "../wire/results.js";
import { isOp, isWord, quoteIdent, quoteString, type Token } from "./tokenizer.js";
import { parseType, simpleString, toDuckDbType, type SparkType } from "./types.js";
import { catalogDbName, duckTableName } from "../warehouse.js";
import { assertNotAppendOnly, columnChecks, validateTableProperties } from "../delta/rules.js";
import { type StatementScope, tableNotFound } from "./scope.js";
import { commitVersion, forgetVersions } from "../delta/versions.js";
import { addColumnsInfo, createInfo, setPropertiesInfo, truncateInfo } from "../delta/operations.js";
import type { ResultColumn } from "../wire/results.js";
import { alterConstraint } from "../delta/constraints.js";
import * as supplied from "../delta/generated-columns.js";

const sameColumns = (a: ResultColumn[], b: ResultColumn[]): boolean =>
  a.length === b.length && a.every((col, k) => col.name === b[k]!.name && simpleString(col.type) === simpleString(b[k]!.type));

interface ColumnDef {
  name: string;
  type: SparkType;
  notNull: boolean;
  comment?: string;
  /** The n of VARCHAR(n)/CHAR(n); the column is stored as a string and its length checked. */
  maxLength?: number;
  /** GENERATED … / DEFAULT …: see ../delta/generated-columns.ts. */
  supply: supplied.ColumnSupply;
}

function parseColumnDef(c: Cursor): ColumnDef {
  const name = c.identifier();
  if (isOp(c.peek(), ".")) throw unsupported("Adding a nested field");
  const sized = isWord(c.peek(), "VARCHAR", "CHAR") && isOp(c.peek(1), "(") && c.peek(2)?.kind === "number" ? Number(c.peek(2)!.value) : undefined;
  const def: ColumnDef = { name, type: parseType(c), notNull: false, supply: {} };
  if (sized !== undefined) def.maxLength = sized;
  for (;;) {
    if (c.acceptWords("NOT", "NULL")) def.notNull = true;
    else if (c.acceptWords("COMMENT")) def.comment = c.stringLiteral();
    else if (supplied.parseColumnSupply(c, def.supply)) continue;
    else if (isWord(c.peek(), "PRIMARY", "CONSTRAINT", "REFERENCES", "MASK"))
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
    throw sqlError(
      "DELTA_INVALID_CHARACTERS_IN_COLUMN_NAMES", `Found invalid character(s) among ' ,;{}()\\n\\t=' in the column names of your schema: ${bad.map((b) => JSON.stringify(b)).join(", ")}. Please use other characters and try again, or enable Column Mapping ('delta.columnMapping.mode' = 'name') to keep using these characters.`,
    );
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n.toLowerCase())) throw sqlError("COLUMN_ALREADY_EXISTS", `The column \`${n}\` already exists.`);
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

export async function create(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
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
      throw sqlError("SCHEMA_ALREADY_EXISTS", `Cannot create schema \`${catalog}\`.\`${schema}\` because it already exists.`);
    }
    await scope.session.run(`CREATE SCHEMA ${quoteIdent(catalogDbName(catalog))}.${quoteIdent(schema)}`);
    return NO_RESULT;
  }
  if (isWord(c.peek(), "VOLUME") || (isWord(c.peek(), "EXTERNAL") && isWord(c.peek(1), "VOLUME"))) return createVolume(scope, c, orReplace);
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
    throw sqlError("TABLE_OR_VIEW_ALREADY_EXISTS", `Cannot create table or view \`${ref.catalog}\`.\`${ref.schema}\`.\`${ref.table}\` because it already exists.`);
  if (kind === "view") throw sqlError("EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE", `\`${ref.table}\` is a view; CREATE OR REPLACE TABLE needs a table.`);
  if (!(await scope.schemaExists(ref.catalog, ref.schema)))
    throw sqlError("SCHEMA_NOT_FOUND", `The schema \`${ref.catalog}\`.\`${ref.schema}\` cannot be found.`);
  const target = duckTableName(ref);
  let verb = orReplace ? "CREATE OR REPLACE TABLE" : "CREATE TABLE";
  const plan = columns ? supplied.planColumns(scope, ref, columns, properties) : undefined;
  // A table created anew (not replaced) is a new Delta table: no history left from an earlier one of that name.
  if (!kind) await forgetVersions(session, ref);
  await commitVersion(scope, ref, async (commit) => {
    const before = kind ? await scope.columnsOf(target) : undefined;
    // The replaced rows are logged before the old table can go (a table with identity columns is dropped below).
    if (before) await commit.logAllDeleted();
    if (kind === "table") {
      // Identity sequences are dropped and made again with the table; DuckDB refuses to drop a
      // sequence a table still uses, so such a table is dropped first rather than replaced.
      const old = await supplied.columnRules(session.warehouse, ref);
      if (plan?.sequences.length || old.some((r) => r.kind !== "generated")) {
        await session.run(`DROP TABLE ${target}`);
        verb = "CREATE TABLE";
      }
      await supplied.forgetColumnRules(scope, ref);
    }
    if (columns && plan) {
      for (const sequence of plan.sequences) await session.run(sequence);
      const defs = columns.map((col) => {
        // A generated column's NOT NULL is checked after its value is computed (constraints.ts).
        const notNull = col.notNull && !col.supply.generated ? " NOT NULL" : "";
        return [`${quoteIdent(col.name)} ${toDuckDbType(col.type)}${plan.suffix.get(col.name.toLowerCase()) ?? ""}${notNull}`, ...columnChecks(col.name, col.type, col.maxLength)].join(" ");
      });
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
    if (before && !sameColumns(before, await scope.columnsOf(target))) await commit.restartLog();
    const rows = await commit.logAppended(-1n);
    return { result: undefined, properties, info: createInfo({ orReplace, asSelect: !columns, comment, properties, rows }) };
  });
  await session.warehouse.dropTableProperties(ref);
  await session.warehouse.setTableProperties(ref, properties);
  await supplied.storeColumnRules(session.warehouse, ref, plan?.rules ?? []);
  return NO_RESULT;
}

async function createView(scope: StatementScope, c: Cursor, orReplace: boolean, temporary: boolean): Promise<ResultSource> {
  const ifNotExists = c.acceptWords("IF", "NOT", "EXISTS");
  const name = c.qualifiedName();
  // Spark's view column list: names, each with an optional COMMENT (dropped: DuckDB views have none).
  const columns = isOp(c.peek(), "(")
    ? c.parenList().map((part) => {
        const p = new Cursor(part);
        const column = p.identifier();
        if (p.acceptWords("COMMENT")) p.stringLiteral();
        p.expectEnd();
        return quoteIdent(column);
      })
    : undefined;
  c.expectWords("AS");
  const { text, values } = scope.rewrite(c.rest());
  if (Object.keys(values).length > 0) throw unsupported("Parameter markers in a view definition");
  let target: string;
  if (temporary) {
    if (name.length !== 1) throw syntaxError("a temporary view name has one part");
    target = quoteIdent(name[0]!.toLowerCase());
  } else target = duckTableName(scope.tableRef(name));
  const verb = `CREATE${orReplace ? " OR REPLACE" : ""}${temporary ? " TEMPORARY" : ""} VIEW${ifNotExists ? " IF NOT EXISTS" : ""}`;
  await scope.session.run(`${verb} ${target}${columns ? `(${columns.join(", ")})` : ""} AS ${text}`);
  return NO_RESULT;
}

export async function alter(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  c.expectWords("ALTER");
  if (!c.acceptWords("TABLE")) throw unsupported(`ALTER ${c.peek()?.value.toUpperCase() ?? ""}`.trim());
  const ref = scope.tableRef(c.qualifiedName());
  if ((await scope.relationKind(ref)) !== "table") throw tableNotFound(ref);
  const target = duckTableName(ref);
  const session = scope.session;
  if (isWord(c.peek(), "ADD", "DROP") && isWord(c.peek(1), "CONSTRAINT")) {
    const action = c.next().value.toUpperCase() as "ADD" | "DROP";
    c.next();
    // A constraint is table metadata in Delta: adding or dropping one commits a version.
    await commitVersion(scope, ref, async () => ({ result: undefined, info: await alterConstraint(scope, ref, c, action) }));
    return NO_RESULT;
  }
  if (c.acceptWords("ALTER", "COLUMN") || c.acceptWords("CHANGE", "COLUMN")) {
    await commitVersion(scope, ref, async () => ({ result: undefined, info: await supplied.alterColumnDefault(scope, ref, c) }));
    return NO_RESULT;
  }
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
    if (defs.some((d) => d.supply.default)) throw supplied.defaultOnAddColumn();
    if (defs.some((d) => d.supply.generated || d.supply.identity)) throw unsupported("Adding a generated or identity column to an existing table");
    const existing = (await scope.columnsOf(target)).map((col) => col.name);
    const clash = defs.find((d) => existing.some((e) => e.toLowerCase() === d.name.toLowerCase()));
    if (clash) throw sqlError("FIELDS_ALREADY_EXISTS", `Cannot add column, because \`${clash.name}\` already exists in \`${ref.table}\`.`);
    checkColumnNames([...existing, ...defs.map((d) => d.name)], await session.warehouse.tableProperties(ref));
    await commitVersion(scope, ref, async () => {
      for (const d of defs) {
        await session.run(`ALTER TABLE ${target} ADD COLUMN ${quoteIdent(d.name)} ${toDuckDbType(d.type)}`);
        if (d.comment !== undefined) await session.run(`COMMENT ON COLUMN ${target}.${quoteIdent(d.name)} IS ${quoteString(d.comment)}`);
      }
      return { result: undefined, info: addColumnsInfo(defs.map((d) => ({ name: d.name, type: simpleString(d.type) }))) };
    });
    return NO_RESULT;
  }
  if (c.acceptWords("SET", "TBLPROPERTIES")) {
    const props = parseProperties(c);
    c.expectEnd();
    validateTableProperties(props);
    await commitVersion(scope, ref, async () => {
      await session.warehouse.setTableProperties(ref, props);
      return { result: undefined, info: setPropertiesInfo(props), properties: { ...(await session.warehouse.tableProperties(ref)), ...props } };
    });
    return NO_RESULT;
  }
  throw unsupported(`ALTER TABLE … ${c.peek()?.value.toUpperCase() ?? ""}`.trim());
}

export async function drop(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  c.expectWords("DROP");
  const session = scope.session;
  if (isWord(c.peek(), "VOLUME")) return dropVolume(scope, c);
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
      throw sqlError("WRONG_COMMAND_FOR_OBJECT_TYPE", `\`${ref.table}\` is a ${kind}; use DROP ${kind.toUpperCase()}.`);
    await session.run(`DROP ${kind.toUpperCase()} ${duckTableName(ref)}`);
    await session.warehouse.dropTableProperties(ref);
    if (kind === "table") {
      await supplied.forgetColumnRules(scope, ref);
      await forgetLoadedFiles(scope, ref);
      await forgetVersions(session, ref);
    }
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
      throw sqlError("SCHEMA_NOT_FOUND", `The schema \`${catalog}\`.\`${schema}\` cannot be found.`);
    }
    if (catalog === session.catalog && schema === session.schema)
      throw unsupported("Dropping the current schema");
    const volumes = session.warehouse.volumes.list(catalog, schema);
    if (volumes.length > 0 && !cascade)
      throw sqlError("SCHEMA_NOT_EMPTY", `Cannot drop a schema \`${schema}\` because it contains objects. Use DROP SCHEMA ... CASCADE.`);
    try {
      await session.run(`DROP SCHEMA ${quoteIdent(catalogDbName(catalog))}.${quoteIdent(schema)}${cascade ? " CASCADE" : ""}`);
    } catch (error) {
      if (error instanceof SqlError && /depend/i.test(error.message))
        throw sqlError("SCHEMA_NOT_EMPTY", `Cannot drop a schema \`${schema}\` because it contains objects. Use DROP SCHEMA ... CASCADE.`);
      throw error;
    }
    for (const v of volumes) await session.warehouse.volumes.drop(v, true);
    return NO_RESULT;
  }
  throw unsupported(`DROP ${c.peek()?.value.toUpperCase() ?? ""}`.trim());
}

export async function truncate(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  c.expectWords("TRUNCATE", "TABLE");
  const ref = scope.tableRef(c.qualifiedName());
  if (isWord(c.peek(), "PARTITION")) throw unsupported("TRUNCATE TABLE … PARTITION");
  c.expectEnd();
  if ((await scope.relationKind(ref)) !== "table") throw tableNotFound(ref);
  await assertNotAppendOnly(scope.session.warehouse, ref);
  await commitVersion(scope, ref, async (commit) => {
    const removed = await commit.logAllDeleted();
    await scope.session.run(`DELETE FROM ${duckTableName(ref)}`);
    return { result: undefined, info: truncateInfo(removed) };
  });
  return NO_RESULT;
}
