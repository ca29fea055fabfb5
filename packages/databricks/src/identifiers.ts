/**
 * Identifiers: table names (1-, 2- or 3-part, Unity Catalog rules) and column names (Delta
 * rules). Every identifier that reaches SQL goes through {@link quoteIdent}, which
 * backtick-quotes it and doubles backticks inside, so a name can never end the quoting early.
 * @packageDocumentation
 */
import { OptionError, SchemaError } from "@macrometa-spark/core";

/** Backtick-quotes one identifier part, doubling backticks inside (Databricks' escaping rule). */
export function quoteIdent(name: string): string {
  return "`" + name.replace(/`/g, "``") + "`";
}

/** A table name resolved to its parts; `catalog`/`schema` undefined means the session's default. */
export interface TableName {
  catalog?: string;
  schema?: string;
  table: string;
}

/** `cat`.`sch`.`tbl` (only the parts present). */
export function quoteTableName(name: TableName): string {
  return [name.catalog, name.schema, name.table].filter((p): p is string => p !== undefined).map(quoteIdent).join(".");
}

/** Human form for messages: cat.sch.tbl. */
export function displayTableName(name: TableName): string {
  return [name.catalog, name.schema, name.table].filter((p) => p !== undefined).join(".");
}

/**
 * Unity Catalog object names: at most 255 characters, no period, space, forward slash or ASCII
 * control character (UC refuses them; refusing them here gives a message that names the option).
 * Backticks, quotes and other punctuation are legal and are quoted.
 */
export function validateObjectName(part: string, option: string): string {
  if (part.length === 0) throw new OptionError(option, "has an empty name part");
  if (part.length > 255) throw new OptionError(option, `name part is ${part.length} characters; Unity Catalog allows at most 255`);
  // eslint-disable-next-line no-control-regex
  const bad = /[.\s/\u0000-\u001f\u007f]/.exec(part);
  if (bad) {
    throw new OptionError(option, `name part ${JSON.stringify(part)} contains ${JSON.stringify(bad[0])}; Unity Catalog names may not contain periods, spaces, slashes or control characters`);
  }
  return part;
}

/**
 * Splits `a.b.c` on the dots outside backticks; a backtick-quoted part may contain doubled
 * backticks. Returns the unquoted parts.
 */
export function splitMultipartName(text: string, option: string): string[] {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  while (i <= s.length) {
    let part = "";
    if (s[i] === "`") {
      i++;
      for (;;) {
        if (i >= s.length) throw new OptionError(option, "has an unterminated backtick");
        if (s[i] === "`") {
          if (s[i + 1] === "`") {
            part += "`";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += s[i++];
      }
      if (i < s.length && s[i] !== ".") throw new OptionError(option, "has characters after a closing backtick");
    } else {
      while (i < s.length && s[i] !== ".") {
        if (s[i] === "`") throw new OptionError(option, "has a backtick inside an unquoted name part (quote the whole part: `a``b`)");
        part += s[i++];
      }
    }
    parts.push(part);
    if (i >= s.length) break;
    i++; // the dot
    if (i >= s.length) throw new OptionError(option, "ends with a dot");
  }
  return parts;
}

/**
 * The target table from `table` (1-, 2- or 3-part) plus `catalog`/`schema` defaults. A part
 * given both in `table` and as its own option must agree.
 */
export function resolveTableName(table: string, catalog: string | undefined, schema: string | undefined): TableName {
  const parts = splitMultipartName(table, "table");
  if (parts.length > 3) throw new OptionError("table", `has ${parts.length} parts; expected table, schema.table or catalog.schema.table`);
  parts.forEach((p) => validateObjectName(p, "table"));
  if (catalog !== undefined) validateObjectName(catalog, "catalog");
  if (schema !== undefined) validateObjectName(schema, "schema");
  const [t, s, c] = [...parts].reverse() as [string, string | undefined, string | undefined];
  const pick = (fromTable: string | undefined, fromOption: string | undefined, option: string): string | undefined => {
    if (fromTable !== undefined && fromOption !== undefined && fromTable.toLowerCase() !== fromOption.toLowerCase()) {
      throw new OptionError(option, `is ${JSON.stringify(fromOption)} but 'table' names ${JSON.stringify(fromTable)}`);
    }
    return fromTable ?? fromOption;
  };
  const out: TableName = { table: t };
  const sch = pick(s, schema, "schema");
  const cat = pick(c, catalog, "catalog");
  if (cat !== undefined && sch === undefined) throw new OptionError("catalog", "needs a schema too (option 'schema' or a 3-part 'table')");
  if (sch !== undefined) out.schema = sch;
  if (cat !== undefined) out.catalog = cat;
  return out;
}

/** Characters Delta refuses in column names without column mapping (delta-io/delta#2592). */
export const DELTA_INVALID_COLUMN_CHARS = /[ ,;{}()\n\t=]/g;

export type ColumnNameMode = "refuse" | "rename";

/**
 * Checks (or, under `rename`, rewrites with `_`) one column name against Delta's rules.
 * Renaming can make two names collide; {@link mapColumnNames} refuses that.
 */
export function checkColumnName(name: string, mode: ColumnNameMode, path = name): string {
  if (name.length === 0) throw new SchemaError("a column has an empty name; Delta needs a name for every column", { field: path });
  if (!/[ ,;{}()\n\t=]/.test(name)) return name;
  if (mode === "rename") return name.replace(DELTA_INVALID_COLUMN_CHARS, "_");
  const found = [...new Set(name.match(DELTA_INVALID_COLUMN_CHARS) ?? [])].map((c) => JSON.stringify(c)).join(", ");
  throw new SchemaError(
    `column ${JSON.stringify(path)} contains ${found}, which Delta refuses in column names (' ,;{}()\\n\\t='); rename it, or set option columnNameMode=rename to replace them with '_'`,
    { field: path },
  );
}

/** Applies {@link checkColumnName} to a list of names and refuses duplicates (Delta is case-insensitive). */
export function mapColumnNames(names: readonly string[], mode: ColumnNameMode, prefix = ""): string[] {
  const out = names.map((n) => checkColumnName(n, mode, prefix + n));
  const seen = new Map<string, string>();
  out.forEach((n, i) => {
    const key = n.toLowerCase();
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw new SchemaError(
        `columns ${JSON.stringify(prefix + prev)} and ${JSON.stringify(prefix + names[i])} map to the same Delta column ${JSON.stringify(n)} (names are case-insensitive${mode === "rename" ? " and renamed characters become '_'" : ""})`,
        { field: prefix + names[i] },
      );
    }
    seen.set(key, names[i]!);
  });
  return out;
}
