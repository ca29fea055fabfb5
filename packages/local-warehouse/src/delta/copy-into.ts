/**
 * @packageDocumentation
 * COPY INTO: loads files from a Unity Catalog volume into a Delta table, each file at most once per
 * table. Which files a table has loaded is recorded beside the table, in its catalog's meta schema,
 * and written in the same DuckDB transaction as the rows, so a load and its record commit together
 * (the idempotency Delta keeps in the table's log). Columns match by name, as a Delta write does:
 * source columns the table lacks are a schema mismatch unless `COPY_OPTIONS ('mergeSchema' = 'true')`
 * adds them; table columns the source lacks are NULL.
 */
import { listValue } from "@duckdb/node-api";
import { Cursor } from "../sql/cursor.js";
import { sqlError, syntaxError, unsupported } from "../errors.js";
import { checkOptions, fileSourceSql, globToRegExp, type FileFormat } from "../sql/file-sources.js";
import { type StatementScope, tableNotFound } from "../sql/scope.js";
import { isOp, isWord, quoteIdent, type Token } from "../sql/tokenizer.js";
import { BIGINT, simpleString, toDuckDbType, type SparkType } from "../sql/types.js";
import { StaticResult, type ResultColumn, type ResultSource } from "../wire/results.js";
import { catalogDbName, duckTableName, META_SCHEMA, type TableRef } from "../warehouse.js";
import { childPath, formatVolumePath, parseVolumePath } from "../volumes/paths.js";
import { pathNotFound, type VolumeEntry } from "../volumes/store.js";
import { commitVersion } from "./versions.js";
import { copyIntoInfo } from "./operations.js";
import { enforceWriteRules, writeRules } from "./constraints.js";
import { checkIdentityInsert } from "./generated-columns.js";

/** At most this many names in FILES (delta-copy-into.html). */
const MAX_FILES = 1000;

interface CopyInto {
  target: string[];
  directory: string;
  /** The `SELECT` list and anything after the path (alias, WHERE), when the source is a query. */
  select?: { expressions: Token[]; after: Token[] };
  format: FileFormat;
  files?: string[];
  pattern?: string;
  formatOptions: Record<string, string>;
  copyOptions: Record<string, string>;
}

function parseOptions(c: Cursor): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of c.parenList()) {
    if (part.length === 0) continue;
    const p = new Cursor(part);
    const key = p.peek()?.kind === "string" ? p.stringLiteral() : p.qualifiedName().join(".");
    p.acceptOp("=");
    const v = p.next();
    if (!["string", "number", "word"].includes(v.kind)) throw syntaxError("expected an option value");
    p.expectEnd();
    out[key] = v.value;
  }
  return out;
}

function parse(tokens: Token[]): CopyInto {
  const c = new Cursor(tokens);
  c.expectWords("COPY", "INTO");
  const target = c.qualifiedName();
  if (isOp(c.peek(), "(") || isWord(c.peek(), "BY")) throw unsupported("COPY INTO with a column list or BY POSITION");
  c.expectWords("FROM");
  let directory: string;
  let select: CopyInto["select"];
  if (c.peek()?.kind === "string") directory = c.stringLiteral();
  else {
    if (!isOp(c.peek(), "(")) throw c.unexpected("'<path>' or (SELECT … FROM '<path>')");
    const end = c.matchingParen();
    const q = c.tokens.slice(c.i + 1, end - 1);
    c.i = end;
    if (!isWord(q[0], "SELECT")) throw c.unexpected("SELECT");
    let depth = 0;
    let from = -1;
    for (let k = 1; k < q.length; k++) {
      if (isOp(q[k], "(")) depth++;
      else if (isOp(q[k], ")")) depth--;
      else if (depth === 0 && isWord(q[k], "FROM") && q[k + 1]?.kind === "string") {
        from = k;
        break;
      }
    }
    if (from < 0) throw syntaxError("the COPY INTO query must read FROM '<path>'");
    directory = q[from + 1]!.value;
    select = { expressions: q.slice(1, from), after: q.slice(from + 2) };
  }
  parseVolumePath(directory);
  if (isWord(c.peek(), "WITH")) throw unsupported("COPY INTO … WITH (CREDENTIAL/ENCRYPTION)");
  c.expectWords("FILEFORMAT");
  c.expectOp("=");
  const formatName = c.identifier().toLowerCase();
  if (formatName !== "parquet" && formatName !== "json" && formatName !== "csv") throw unsupported(`COPY INTO with FILEFORMAT = ${formatName.toUpperCase()}`);
  const out: CopyInto = { target, directory, select, format: formatName, formatOptions: {}, copyOptions: {} };
  while (!c.done) {
    if (isWord(c.peek(), "VALIDATE")) throw unsupported("COPY INTO … VALIDATE");
    if (c.acceptWords("FILES")) {
      c.expectOp("=");
      out.files = c.parenList().map((part) => {
        if (part.length !== 1 || part[0]!.kind !== "string") throw syntaxError("FILES expects a list of string literals");
        return part[0]!.value;
      });
    } else if (c.acceptWords("PATTERN")) {
      c.expectOp("=");
      out.pattern = c.stringLiteral();
    } else if (c.acceptWords("FORMAT_OPTIONS")) out.formatOptions = parseOptions(c);
    else if (c.acceptWords("COPY_OPTIONS")) out.copyOptions = parseOptions(c);
    else throw c.unexpected("FILES, PATTERN, FORMAT_OPTIONS or COPY_OPTIONS");
  }
  if (out.files && out.pattern !== undefined) throw syntaxError("FILES and PATTERN cannot both be given");
  if (out.files && out.files.length > MAX_FILES)
    throw sqlError("COPY_INTO_FILES_LIMIT_EXCEEDED", `FILES lists ${out.files.length} files; at most ${MAX_FILES} are allowed.`);
  return out;
}

const flag = (options: Record<string, string>, name: string): boolean =>
  Object.entries(options).some(([k, v]) => k.toLowerCase() === name.toLowerCase() && v.toLowerCase() === "true");

function checkCopyOptions(options: Record<string, string>): void {
  const unknown = Object.keys(options).filter((k) => !["mergeschema", "force"].includes(k.toLowerCase()));
  if (unknown.length > 0) throw sqlError("CF_UNKNOWN_OPTION_KEYS_ERROR", `Found unknown option keys: ${unknown.join(", ")}.`);
}

/** The files a COPY INTO names: FILES relative to the directory, a PATTERN below it, or every visible file in it. */
async function candidates(scope: StatementScope, copy: CopyInto): Promise<VolumeEntry[]> {
  const store = scope.session.warehouse.volumes;
  const dir = parseVolumePath(copy.directory);
  if (copy.files) {
    const out: VolumeEntry[] = [];
    const ignoreMissing = flag(copy.formatOptions, "ignoreMissingFiles");
    for (const name of copy.files) {
      const p = childPath(dir, name);
      const e = await store.entry(p);
      if (e && !e.isDirectory) out.push(e);
      else if (!ignoreMissing) throw pathNotFound(p);
    }
    return out;
  }
  const root = await store.entry(dir);
  if (!root?.isDirectory) throw pathNotFound(dir);
  const pattern = copy.pattern !== undefined ? globToRegExp(copy.pattern) : undefined;
  const nameFilter = Object.entries(copy.formatOptions).find(([k]) => k.toLowerCase() === "pathglobfilter")?.[1];
  const names = nameFilter !== undefined ? globToRegExp(nameFilter) : undefined;
  return (await store.filesUnder(dir)).filter((e) => {
    const relative = e.path.segments.slice(dir.segments.length);
    if (relative.some((s) => s.startsWith("_") || s.startsWith("."))) return false;
    if (names && !names.test(e.name)) return false;
    return pattern ? pattern.test(relative.join("/")) : true;
  });
}

const recordTable = (catalog: string): string => `${quoteIdent(catalogDbName(catalog))}.${quoteIdent(META_SCHEMA)}.copy_into_files`;

/** Record tables known to exist, per warehouse and catalog: created once, as concurrent CREATEs of one table conflict in DuckDB. */
const ensured = new WeakMap<object, Map<string, Promise<void>>>();

function ensureRecord(scope: StatementScope, catalog: string): Promise<void> {
  const warehouse = scope.session.warehouse;
  let byCatalog = ensured.get(warehouse);
  if (!byCatalog) ensured.set(warehouse, (byCatalog = new Map()));
  let done = byCatalog.get(catalog);
  if (!done) {
    done = createRecord(scope, catalog);
    byCatalog.set(catalog, done);
    done.catch(() => byCatalog.delete(catalog));
  }
  return done;
}

async function createRecord(scope: StatementScope, catalog: string): Promise<void> {
  await scope.session.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(catalogDbName(catalog))}.${quoteIdent(META_SCHEMA)}`);
  await scope.session.run(
    `CREATE TABLE IF NOT EXISTS ${recordTable(catalog)} (schema_name VARCHAR, table_name VARCHAR, path VARCHAR, loaded_at TIMESTAMPTZ, PRIMARY KEY (schema_name, table_name, path))`,
  );
}

/** Forgets what a table loaded: a table dropped and created again is a new Delta table, with a new log. */
export async function forgetLoadedFiles(scope: StatementScope, ref: TableRef): Promise<void> {
  const exists = await scope.session.run("SELECT 1 FROM duckdb_tables() WHERE database_name = $d AND schema_name = $s AND table_name = 'copy_into_files'", {
    d: catalogDbName(ref.catalog),
    s: META_SCHEMA,
  });
  if ((await exists.getRows()).length === 0) return;
  await scope.session.run(`DELETE FROM ${recordTable(ref.catalog)} WHERE schema_name = $s AND table_name = $t`, { s: ref.schema, t: ref.table });
}

const NUMERIC = new Set(["tinyint", "smallint", "int", "bigint", "float", "double"]);
const DATETIME = new Set(["date", "timestamp", "timestamp_ntz"]);

/** Whether Spark's ANSI store assignment casts `from` into a column of type `to` (numbers widen or narrow with an overflow check; strings do not become numbers). */
function canStore(from: SparkType, to: SparkType): boolean {
  if (simpleString(from) === simpleString(to)) return true;
  const isNum = (t: SparkType) => t.kind === "decimal" || (t.kind === "primitive" && NUMERIC.has(t.name));
  if (from.kind === "primitive" && from.name === "void") return true;
  if (isNum(from) && isNum(to)) return true;
  if (to.kind === "primitive" && to.name === "string" && from.kind === "primitive") return true;
  if (from.kind === "primitive" && to.kind === "primitive" && DATETIME.has(from.name) && DATETIME.has(to.name)) return true;
  if (from.kind === "array" && to.kind === "array") return canStore(from.element, to.element);
  if (from.kind === "map" && to.kind === "map") return canStore(from.key, to.key) && canStore(from.value, to.value);
  if (from.kind === "struct" && to.kind === "struct")
    return from.fields.length === to.fields.length && from.fields.every((f, k) => canStore(f.type, to.fields[k]!.type));
  return false;
}

const schemaText = (cols: readonly ResultColumn[]): string => cols.map((c) => ` |-- ${c.name}: ${simpleString(c.type)}`).join("\n");

export async function executeCopyInto(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const copy = parse(tokens);
  checkOptions(copy.format, copy.formatOptions, "FORMAT_OPTIONS");
  checkCopyOptions(copy.copyOptions);
  const session = scope.session;
  const ref = scope.tableRef(copy.target);
  if ((await scope.relationKind(ref)) !== "table") throw tableNotFound(ref);
  const target = duckTableName(ref);
  const files = await candidates(scope, copy);
  await ensureRecord(scope, ref.catalog);
  const paths = files.map((f) => formatVolumePath(f.path));
  let toLoad = files;
  if (!flag(copy.copyOptions, "force") && files.length > 0) {
    const loaded = await session.run(
      `SELECT path FROM ${recordTable(ref.catalog)} WHERE schema_name = $s AND table_name = $t AND list_contains($paths::VARCHAR[], path)`,
      { s: ref.schema, t: ref.table, paths: listValue(paths) },
    );
    const done = new Set((await loaded.getRows()).map(([p]) => String(p)));
    toLoad = files.filter((f) => !done.has(formatVolumePath(f.path)));
  }
  const result = (inserted: number) =>
    new StaticResult(
      ["num_affected_rows", "num_inserted_rows", "num_skipped_corrupt_files"].map((name) => ({ name, type: BIGINT })),
      [[BigInt(inserted), BigInt(inserted), 0n]],
    );
  if (toLoad.length === 0) return result(0);

  const source = await fileSourceSql(scope, copy.format, toLoad, copy.formatOptions);
  let query = `SELECT * FROM ${source} AS __copy_src`;
  let values = {};
  if (copy.select) {
    const exprs = scope.rewrite(copy.select.expressions);
    const after = scope.rewrite(copy.select.after);
    const alias = copy.select.after.length > 0 && !isWord(copy.select.after[0], "WHERE") ? "" : " AS __copy_src";
    query = `SELECT ${exprs.text} FROM ${source}${alias} ${after.text}`;
    values = { ...exprs.values, ...after.values };
  }
  const sourceCols = await scope.columnsOf(`(${query})`, values);
  const targetCols = await scope.columnsOf(target);
  const byName = new Map(targetCols.map((col) => [col.name.toLowerCase(), col]));
  const extra = sourceCols.filter((col) => !byName.has(col.name.toLowerCase()));
  const mergeSchema = flag(copy.copyOptions, "mergeSchema");
  if (extra.length > 0 && !mergeSchema)
    throw sqlError(
      "DELTA_METADATA_MISMATCH", `A schema mismatch detected when writing to the Delta table \`${ref.catalog}\`.\`${ref.schema}\`.\`${ref.table}\`. To enable schema migration, set COPY_OPTIONS ('mergeSchema' = 'true').\nTable schema:\nroot\n${schemaText(targetCols)}\nData schema:\nroot\n${schemaText(sourceCols)}`,
    );
  for (const col of sourceCols) {
    const into = byName.get(col.name.toLowerCase());
    if (into && !canStore(col.type, into.type))
      throw sqlError(
        "INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_SAFELY_CAST", `Cannot write incompatible data for the table \`${ref.catalog}\`.\`${ref.schema}\`.\`${ref.table}\`: Cannot safely cast \`${col.name}\` "${simpleString(col.type).toUpperCase()}" to "${simpleString(into.type).toUpperCase()}".`,
      );
  }
  const rules = await writeRules(scope, ref);
  if (rules) checkIdentityInsert(rules.columns, sourceCols.map((col) => byName.get(col.name.toLowerCase())?.name ?? col.name));
  const inserted = await commitVersion(scope, ref, async (commit) => {
    for (const col of extra) await session.run(`ALTER TABLE ${target} ADD COLUMN ${quoteIdent(col.name)} ${toDuckDbType(col.type)}`);
    const since = await commit.highWater();
    const names = sourceCols.map((col) => quoteIdent(byName.get(col.name.toLowerCase())?.name ?? col.name));
    const picked = sourceCols.map((col) => quoteIdent(col.name));
    const n = (await session.run(`INSERT INTO ${target} (${names.join(", ")}) SELECT ${picked.join(", ")} FROM (${query}) AS __copy_rows`, values)).rowsChanged;
    if (rules) await enforceWriteRules(scope, ref, rules);
    // A plain INSERT of files not yet recorded: a concurrent load of the same file by another session
    // then conflicts on the record's key and one of the two transactions fails, as concurrent COPY INTOs
    // of one file conflict on Delta. Only `force` may record a file again.
    await session.run(
      `INSERT ${flag(copy.copyOptions, "force") ? "OR REPLACE " : ""}INTO ${recordTable(ref.catalog)} SELECT $s, $t, unnest($paths::VARCHAR[]), now()`,
      { s: ref.schema, t: ref.table, paths: listValue(toLoad.map((f) => formatVolumePath(f.path))) },
    );
    await commit.logAppended(since);
    return { result: n, info: copyIntoInfo(toLoad.length, n) };
  });
  return result(inserted);
}
