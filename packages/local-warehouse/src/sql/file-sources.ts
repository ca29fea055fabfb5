/**
 * @packageDocumentation
 * Files as table sources: `read_files('<path>', format => 'parquet', …)` and `` parquet.`<path>` ``
 * (also `json.` and `csv.`), for paths in Unity Catalog volumes. DuckDB reads the files; the columns
 * are then cast to the types Spark would give them (Parquet unsigned integers widened, INT64
 * TIMESTAMP(NANOS) and UUID refused as Spark refuses them, JSON integers as BIGINT and JSON strings
 * left as strings), so a query sees the schema it would see on Databricks.
 *
 * Resolving a path needs the file system and a DuckDB DESCRIBE, which are asynchronous, while the
 * dialect rewrite is not: so the statement is scanned first and each source is prepared, and the
 * rewrite then substitutes the prepared SQL for the tokens it replaces.
 */
import { DuckDBTypeId, type DuckDBType } from "@duckdb/node-api";
import { splitTopLevel } from "./cursor.js";
import { sqlError, SqlError, syntaxError, unsupported } from "../errors.js";
import type { StatementScope } from "./scope.js";
import { isOp, isWord, quoteIdent, quoteString, type Token } from "./tokenizer.js";
import { formatVolumePath, parseVolumePath, type VolumePath } from "../volumes/paths.js";
import { pathNotFound, type VolumeEntry } from "../volumes/store.js";

export type FileFormat = "parquet" | "json" | "csv";

/** SQL that replaces the tokens from a source's first token up to and including `last`. */
export interface PreparedSource {
  sql: string;
  last: Token;
}

const FORMATS: Record<string, FileFormat | undefined> = { parquet: "parquet", json: "json", csv: "csv" };
/** Formats Databricks reads that this warehouse does not. */
const OTHER_FORMATS = new Set(["orc", "avro", "text", "binaryfile", "xml", "delta"]);

/** Options each format understands here (names compared case-insensitively, as Spark does). */
const FORMAT_OPTIONS: Record<FileFormat, string[]> = {
  parquet: ["mergeschema", "ignorecorruptfiles", "ignoremissingfiles"],
  json: ["mergeschema", "multiline", "ignorecorruptfiles", "ignoremissingfiles"],
  csv: ["header", "sep", "delimiter", "inferschema", "mergeschema", "ignorecorruptfiles", "ignoremissingfiles"],
};
const COMMON_OPTIONS = ["format", "pathglobfilter"];
/** Options Databricks has and this warehouse does not implement: refused as unsupported rather than ignored. */
const UNIMPLEMENTED_OPTIONS = new Set(
  ["recursivefilelookup", "schema", "schemahints", "rescueddatacolumn", "infercolumntypes", "modifiedafter", "modifiedbefore", "partitioncolumns", "schemaevolutionmode", "usestrictglobber", "encoding", "quote", "escape", "nullvalue", "mode", "datetimerebasemode", "int96rebasemode", "timestampformat", "dateformat"]
);

export function checkOptions(format: FileFormat, options: Record<string, string>, what: string): void {
  const unknown: string[] = [];
  for (const key of Object.keys(options)) {
    const k = key.toLowerCase();
    if (COMMON_OPTIONS.includes(k) || FORMAT_OPTIONS[format].includes(k)) continue;
    if (UNIMPLEMENTED_OPTIONS.has(k)) throw unsupported(`The ${what} option '${key}'`);
    unknown.push(key);
  }
  // UNCONFIRMED: the class is Auto Loader's (read_files is built on it); its exact use for read_files is not documented.
  if (unknown.length > 0) throw sqlError("CF_UNKNOWN_OPTION_KEYS_ERROR", `Found unknown option keys: ${unknown.join(", ")}.`);
}

const option = (options: Record<string, string>, name: string): string | undefined =>
  Object.entries(options).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

const isTrue = (v: string | undefined): boolean => v?.toLowerCase() === "true";

/** Spark's globbing: `*` and `?` stay within one path segment, `[…]` is a class, `{a,b}` alternatives. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  let inClass = false;
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (inClass) {
      if (ch === "]") inClass = false;
      re += ch === "\\" ? "\\\\" : ch;
      continue;
    }
    if (ch === "\\" && i + 1 < glob.length) re += `\\${glob[++i]}`;
    else if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      inClass = true;
      re += glob[i + 1] === "^" || glob[i + 1] === "!" ? (i++, "[^") : "[";
    } else if (ch === "{") {
      braces++;
      re += "(?:";
    } else if (ch === "}" && braces > 0) {
      braces--;
      re += ")";
    } else if (ch === "," && braces > 0) re += "|";
    else re += ch.replace(/[.+^$()|\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

const hasGlob = (s: string): boolean => /[*?[{]/.test(s);

/** Spark skips files whose names start with `_` or `.` (e.g. `_SUCCESS`, `.crc`) when it lists a directory. */
const visible = (e: VolumeEntry): boolean => e.path.segments.every((s) => !s.startsWith("_") && !s.startsWith("."));

/** The files a read_files path names: one file, every visible file below a directory, or a glob's matches. */
export async function resolveFiles(scope: StatementScope, raw: string, globFilter?: string): Promise<VolumeEntry[]> {
  const store = scope.session.warehouse.volumes;
  const path = parseVolumePath(raw);
  let files: VolumeEntry[];
  const globAt = path.segments.findIndex(hasGlob);
  if (globAt >= 0) {
    const base: VolumePath = { ...path, segments: path.segments.slice(0, globAt) };
    const pattern = globToRegExp(path.segments.slice(globAt).join("/"));
    files = [];
    for (const e of await store.filesUnder(base)) {
      const relative = e.path.segments.slice(globAt);
      // A glob may name a directory: its files count, as Spark reads a matched directory whole.
      for (let n = 1; n <= relative.length; n++) {
        if (pattern.test(relative.slice(0, n).join("/"))) {
          if (visible({ ...e, path: { ...e.path, segments: relative.slice(n) } })) files.push(e);
          break;
        }
      }
    }
  } else {
    const entry = await store.entry(path);
    if (!entry) throw pathNotFound(path);
    files = entry.isDirectory
      ? (await store.filesUnder(path)).filter((e) => visible({ ...e, path: { ...e.path, segments: e.path.segments.slice(path.segments.length) } }))
      : [entry];
  }
  if (globFilter !== undefined) {
    const re = globToRegExp(globFilter);
    files = files.filter((f) => re.test(f.name));
  }
  if (files.length === 0) throw pathNotFound(path);
  return files;
}

/**
 * A DuckDB subquery reading the files with Spark's column types. Files of one read are unioned by
 * column name (Spark's `mergeSchema`), so no column of any file is dropped.
 */
export async function fileSourceSql(scope: StatementScope, format: FileFormat, files: VolumeEntry[], options: Record<string, string>): Promise<string> {
  const store = scope.session.warehouse.volumes;
  const list = `[${files.map((f) => quoteString(store.localPath(f.path))).join(", ")}]`;
  let reader: string;
  if (format === "parquet") reader = `read_parquet(${list}, union_by_name = true)`;
  else if (format === "csv") {
    const sep = option(options, "sep") ?? option(options, "delimiter") ?? ",";
    const header = isTrue(option(options, "header"));
    reader = `read_csv(${list}, header = ${header}, delim = ${quoteString(sep)}, all_varchar = ${!isTrue(option(options, "inferSchema"))}, union_by_name = true)`;
    if (!header) {
      // Spark names headerless CSV columns _c0, _c1, …
      const probe = await scope.session.run(`SELECT * FROM ${reader} LIMIT 0`);
      const names = probe.columnNames().map((n, k) => `${quoteIdent(n)} AS ${quoteIdent(`_c${k}`)}`);
      reader = `(SELECT ${names.join(", ")} FROM ${reader})`;
    }
  } else {
    const base = `read_json(${list}, format = ${isTrue(option(options, "multiLine")) ? "'auto'" : "'newline_delimited'"}, union_by_name = true`;
    // Spark infers JSON strings as STRING (no dates or timestamps) and integers as BIGINT: re-read with those types.
    const described = await scope.session.run(`DESCRIBE SELECT * FROM ${base})`);
    const columns = (await described.getRows()).map(([name, type]) => `${quoteString(String(name))}: ${quoteString(jsonColumnType(String(type)))}`);
    reader = `${base}, columns = {${columns.join(", ")}})`;
  }
  const probe = await scope.session.run(`SELECT * FROM ${reader} LIMIT 0`);
  const projection = probe.columnNames().map((name, k) => sparkColumn(name, probe.columnType(k), format));
  return `(SELECT ${projection.join(", ")} FROM ${reader})`;
}

function jsonColumnType(duck: string): string {
  if (/^(DATE|TIME|TIMESTAMP|UUID)/i.test(duck)) return "VARCHAR";
  if (/^(TINYINT|SMALLINT|INTEGER|UBIGINT|UINTEGER|USMALLINT|UTINYINT)$/i.test(duck)) return "BIGINT";
  return duck;
}

/** One column of the projection: cast to the type Spark reads the file's column as, or refused as Spark refuses it. */
function sparkColumn(name: string, type: DuckDBType, format: FileFormat): string {
  const col = quoteIdent(name);
  const cast = (t: string) => `CAST(${col} AS ${t}) AS ${col}`;
  switch (type.typeId) {
    case DuckDBTypeId.UTINYINT:
      return cast("SMALLINT");
    case DuckDBTypeId.USMALLINT:
      return cast("INTEGER");
    case DuckDBTypeId.UINTEGER:
      return cast("BIGINT");
    case DuckDBTypeId.UBIGINT:
      return cast("DECIMAL(20,0)");
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return cast("DECIMAL(38,0)");
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
      return cast("TIMESTAMP");
    case DuckDBTypeId.ENUM:
      return cast("VARCHAR");
    case DuckDBTypeId.TIMESTAMP_NS:
      if (format === "parquet") throw illegalParquetType(name, "INT64 (TIMESTAMP(NANOS,true))");
      return cast("TIMESTAMP");
    case DuckDBTypeId.UUID:
      if (format === "parquet") throw illegalParquetType(name, "FIXED_LEN_BYTE_ARRAY (UUID)");
      return cast("VARCHAR");
    default:
      return col;
  }
}

/** Spark's ParquetSchemaConverter refuses these (the facts sheet, §5; the SQLSTATE is UNCONFIRMED). */
const illegalParquetType = (column: string, parquetType: string): SqlError =>
  sqlError("PARQUET_TYPE_ILLEGAL", `Illegal Parquet type: ${parquetType} (column \`${column}\`).`);

/** The format a path's files are in when no `format` option says: from the file extension. */
function inferFormat(files: VolumeEntry[]): FileFormat {
  const ext = /\.([a-z]+)$/i.exec(files[0]!.name)?.[1]?.toLowerCase();
  const f = ext ? FORMATS[ext] ?? (ext === "jsonl" || ext === "ndjson" ? "json" : undefined) : undefined;
  if (!f) throw sqlError("CF_UNABLE_TO_INFER_FORMAT", `Unable to infer the file format of ${formatVolumePath(files[0]!.path)}; pass format => 'parquet' (or json, csv).`);
  return f;
}

function parseFormat(name: string): FileFormat {
  const f = FORMATS[name.toLowerCase()];
  if (f) return f;
  if (OTHER_FORMATS.has(name.toLowerCase())) throw unsupported(`Reading ${name.toUpperCase()} files`);
  throw sqlError("INVALID_PARAMETER_VALUE", `The format '${name}' is not a file format read_files knows.`);
}

const isVolumeIdent = (t: Token | undefined): boolean => t?.kind === "ident" && /^(dbfs:)?\//i.test(t.value);

/** Finds every file source in a statement and prepares its SQL. */
export async function prepareFileSources(scope: StatementScope, tokens: Token[]): Promise<Map<Token, PreparedSource>> {
  const prepared = new Map<Token, PreparedSource>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== "word" || isOp(tokens[i - 1], ".")) continue;
    if (isWord(t, "read_files") && isOp(tokens[i + 1], "(")) {
      const close = closingParen(tokens, i + 1);
      prepared.set(t, { sql: await readFilesCall(scope, tokens.slice(i + 2, close)), last: tokens[close]! });
      i = close;
    } else if (isOp(tokens[i + 1], ".") && isVolumeIdent(tokens[i + 2]) && (FORMATS[t.value.toLowerCase()] || OTHER_FORMATS.has(t.value.toLowerCase()))) {
      const format = parseFormat(t.value);
      const files = await resolveFiles(scope, tokens[i + 2]!.value);
      prepared.set(t, { sql: await fileSourceSql(scope, format, files, {}), last: tokens[i + 2]! });
      i += 2;
    }
  }
  return prepared;
}

function closingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (isOp(tokens[k], "(")) depth++;
    else if (isOp(tokens[k], ")") && --depth === 0) return k;
  }
  throw syntaxError("unbalanced parentheses");
}

/** `read_files('<path>' [, name => value]…)`: options by name only, as Databricks requires. */
async function readFilesCall(scope: StatementScope, args: Token[]): Promise<string> {
  const parts = splitTopLevel(args, ",");
  const first = parts[0];
  if (!first || first.length !== 1 || first[0]!.kind !== "string")
    throw syntaxError("read_files expects a path string literal as its first argument");
  const options: Record<string, string> = {};
  for (const part of parts.slice(1)) {
    if (part.length !== 3 || !isOp(part[1], "=>") || (part[0]!.kind !== "word" && part[0]!.kind !== "ident"))
      throw sqlError("REQUIRED_PARAMETER_NOT_FOUND", "read_files options must be passed by name: read_files(path, option => value).");
    const v = part[2]!;
    if (v.kind !== "string" && v.kind !== "number" && v.kind !== "word") throw syntaxError("a read_files option value must be a literal");
    options[part[0]!.value] = v.value;
  }
  const globFilter = option(options, "pathGlobFilter");
  const files = await resolveFiles(scope, first[0]!.value, globFilter);
  const given = option(options, "format");
  const format = given !== undefined ? parseFormat(given) : inferFormat(files);
  checkOptions(format, options, "read_files");
  return fileSourceSql(scope, format, files, options);
}
