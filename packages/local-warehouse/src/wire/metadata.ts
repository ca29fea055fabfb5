/**
 * @packageDocumentation
 * The TCLIService metadata calls JDBC/ODBC drivers and BI tools make (GetCatalogs, GetSchemas, GetTables,
 * GetTableTypes, GetColumns, GetTypeInfo, GetFunctions, GetPrimaryKeys, GetCrossReference), answered with
 * the result columns JDBC's DatabaseMetaData defines, as the Spark Thrift server (and so Databricks) does:
 * names upper-case, `DATA_TYPE` a java.sql.Types code, schema and table arguments as LIKE patterns
 * (`%`, `_`, `\` escapes), the catalog matched exactly.
 */
import { SPARK_FUNCTIONS } from "../sql/functions.js";
import { quoteIdent } from "../sql/tokenizer.js";
import { BOOLEAN, fromDuckDbType, simpleString, STRING, type SparkType } from "../sql/types.js";
import { catalogDbName, META_SCHEMA } from "../warehouse.js";
import { StaticResult, type Cell, type ResultColumn, type ResultSource } from "./results.js";
import type { Session } from "./session.js";

const INT: SparkType = { kind: "primitive", name: "int" };
const SMALLINT: SparkType = { kind: "primitive", name: "smallint" };
const cols = (spec: string): ResultColumn[] =>
  spec.split(" ").map((entry) => {
    const [name, kind] = entry.split(":");
    return { name: name!, type: kind === "i" ? INT : kind === "s" ? SMALLINT : kind === "b" ? BOOLEAN : STRING };
  });

/** A JDBC search pattern (`%` any run, `_` one character, `\` escapes) as a matcher; null or empty matches all. */
export function jdbcPattern(pattern: string | null | undefined): (name: string) => boolean {
  if (pattern === null || pattern === undefined || pattern === "" || pattern === "%" || pattern === "*") return () => true;
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "\\" && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else if (ch === "%" || ch === "*") re += ".*";
    else if (ch === "_") re += ".";
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  const compiled = new RegExp(`^${re}$`, "i");
  return (name) => compiled.test(name);
}

/** java.sql.Types codes, as Spark's thrift server reports them per Spark type. */
function jdbcType(type: SparkType): number {
  switch (type.kind) {
    case "decimal":
      return 3;
    case "array":
      return 2003;
    case "struct":
      return 2002;
    case "map":
      return 2000;
    case "primitive":
      break;
  }
  const codes: Record<string, number> = {
    boolean: 16, tinyint: -6, smallint: 5, int: 4, bigint: -5, float: 6, double: 8, string: 12, binary: -2,
    date: 91, timestamp: 93, timestamp_ntz: 93, void: 0, interval: 12,
  };
  return codes[type.name] ?? 1111;
}

/** COLUMN_SIZE as Spark's thrift server computes it: digits for numbers, bytes for the rest, null when unbounded. */
function columnSize(type: SparkType): number | null {
  if (type.kind === "decimal") return type.precision;
  if (type.kind !== "primitive") return null;
  const sizes: Record<string, number> = { boolean: 1, tinyint: 3, smallint: 5, int: 10, bigint: 19, float: 7, double: 15, date: 10, timestamp: 29, timestamp_ntz: 29 };
  return sizes[type.name] ?? null;
}

function decimalDigits(type: SparkType): number | null {
  if (type.kind === "decimal") return type.scale;
  if (type.kind === "primitive" && ["tinyint", "smallint", "int", "bigint"].includes(type.name)) return 0;
  if (type.kind === "primitive" && (type.name === "float" || type.name === "double")) return type.name === "float" ? 7 : 15;
  if (type.kind === "primitive" && (type.name === "timestamp" || type.name === "timestamp_ntz")) return 6;
  return null;
}

const HIDDEN = new Set(["information_schema", "pg_catalog", META_SCHEMA]);

export interface MetadataRequest {
  catalogName?: string | null;
  schemaName?: string | null;
  tableName?: string | null;
  tableTypes?: string[] | null;
  columnName?: string | null;
  functionName?: string | null;
}

/** Answers the metadata calls for one session from DuckDB's catalog. */
export class MetadataCalls {
  constructor(private readonly session: Session) {}

  async catalogs(): Promise<ResultSource> {
    return new StaticResult(cols("TABLE_CAT"), this.session.warehouse.listCatalogs().map((c): Cell[] => [c]));
  }

  private catalogsMatching(name: string | null | undefined): string[] {
    return this.session.warehouse.listCatalogs().filter((c) => name === null || name === undefined || name === "" || c === name.toLowerCase());
  }

  private async schemaList(req: MetadataRequest): Promise<[string, string][]> {
    const matches = jdbcPattern(req.schemaName);
    const out: [string, string][] = [];
    for (const catalog of this.catalogsMatching(req.catalogName)) {
      const r = await this.session.run(
        `SELECT s.schema_name, (SELECT count(*) FROM duckdb_tables() t WHERE t.database_name = s.database_name AND t.schema_name = s.schema_name)
         FROM duckdb_schemas() s WHERE s.database_name = $d ORDER BY 1`,
        { d: catalogDbName(catalog) },
      );
      for (const [name, tables] of await r.getRows()) {
        const schema = String(name);
        // DuckDB's own default schema `main` exists in every database; it is listed only when used.
        if (HIDDEN.has(schema) || (schema === "main" && Number(tables) === 0) || !matches(schema)) continue;
        out.push([catalog, schema]);
      }
    }
    return out;
  }

  async schemas(req: MetadataRequest): Promise<ResultSource> {
    const rows = (await this.schemaList(req)).map(([catalog, schema]): Cell[] => [schema, catalog]);
    return new StaticResult(cols("TABLE_SCHEM TABLE_CATALOG"), rows);
  }

  async tableTypes(): Promise<ResultSource> {
    return new StaticResult(cols("TABLE_TYPE"), [["TABLE"], ["VIEW"]]);
  }

  private async tableList(req: MetadataRequest): Promise<{ catalog: string; schema: string; table: string; type: string; comment: string | null }[]> {
    const matches = jdbcPattern(req.tableName);
    const types = req.tableTypes && req.tableTypes.length > 0 ? new Set(req.tableTypes.map((t) => t.toUpperCase())) : undefined;
    const out: { catalog: string; schema: string; table: string; type: string; comment: string | null }[] = [];
    for (const [catalog, schema] of await this.schemaList(req)) {
      const r = await this.session.run(
        `SELECT table_name, 'TABLE', comment FROM duckdb_tables() WHERE database_name = $d AND schema_name = $s
         UNION ALL SELECT view_name, 'VIEW', comment FROM duckdb_views() WHERE database_name = $d AND schema_name = $s AND NOT internal
         ORDER BY 1`,
        { d: catalogDbName(catalog), s: schema },
      );
      for (const [name, type, comment] of await r.getRows()) {
        if (!matches(String(name)) || (types && !types.has(String(type)))) continue;
        out.push({ catalog, schema, table: String(name), type: String(type), comment: comment === null ? null : String(comment) });
      }
    }
    return out;
  }

  async tables(req: MetadataRequest): Promise<ResultSource> {
    const rows = (await this.tableList(req)).map((t): Cell[] => [t.catalog, t.schema, t.table, t.type, t.comment ?? "", null, null, null, null, null]);
    return new StaticResult(
      cols("TABLE_CAT TABLE_SCHEM TABLE_NAME TABLE_TYPE REMARKS TYPE_CAT TYPE_SCHEM TYPE_NAME SELF_REFERENCING_COL_NAME REF_GENERATION"),
      rows,
    );
  }

  async columns(req: MetadataRequest): Promise<ResultSource> {
    const matches = jdbcPattern(req.columnName);
    const rows: Cell[][] = [];
    for (const t of await this.tableList({ ...req, tableTypes: null })) {
      const r = await this.session.run(
        "SELECT column_name, is_nullable, comment, column_default FROM duckdb_columns() WHERE database_name = $d AND schema_name = $s AND table_name = $t ORDER BY column_index",
        { d: catalogDbName(t.catalog), s: t.schema, t: t.table },
      );
      const info = await r.getRows();
      const probe = await this.session.run(`SELECT * FROM ${quoteIdent(catalogDbName(t.catalog))}.${quoteIdent(t.schema)}.${quoteIdent(t.table)} LIMIT 0`);
      info.forEach(([name, nullable, comment, def], k) => {
        if (!matches(String(name))) return;
        const type = fromDuckDbType(probe.columnType(k));
        const isNull = nullable !== false;
        rows.push([
          t.catalog, t.schema, t.table, String(name), jdbcType(type), simpleString(type).toUpperCase(), columnSize(type), null,
          decimalDigits(type), type.kind === "decimal" || (type.kind === "primitive" && columnSize(type) !== null && jdbcType(type) !== 91 && jdbcType(type) !== 93 && jdbcType(type) !== 16) ? 10 : null,
          isNull ? 1 : 0, comment === null ? "" : String(comment), def === null ? null : String(def), null, null, null, k + 1,
          isNull ? "YES" : "NO", null, null, null, null, "NO",
        ]);
      });
    }
    return new StaticResult(
      cols(
        "TABLE_CAT TABLE_SCHEM TABLE_NAME COLUMN_NAME DATA_TYPE:i TYPE_NAME COLUMN_SIZE:i BUFFER_LENGTH:i DECIMAL_DIGITS:i NUM_PREC_RADIX:i " +
          "NULLABLE:i REMARKS COLUMN_DEF SQL_DATA_TYPE:i SQL_DATETIME_SUB:i CHAR_OCTET_LENGTH:i ORDINAL_POSITION:i IS_NULLABLE SCOPE_CATALOG " +
          "SCOPE_SCHEMA SCOPE_TABLE SOURCE_DATA_TYPE:s IS_AUTO_INCREMENT",
      ),
      rows,
    );
  }

  async typeInfo(): Promise<ResultSource> {
    const types: [string, SparkType][] = (
      ["boolean", "tinyint", "smallint", "int", "bigint", "float", "double", "string", "binary", "date", "timestamp", "timestamp_ntz", "void"] as const
    ).map((n) => [n === "int" ? "INT" : n.toUpperCase(), { kind: "primitive", name: n }]);
    types.push(["DECIMAL", { kind: "decimal", precision: 38, scale: 18 }]);
    types.push(["ARRAY", { kind: "array", element: STRING }], ["MAP", { kind: "map", key: STRING, value: STRING }], ["STRUCT", { kind: "struct", fields: [] }]);
    const rows = types.map(([name, type]): Cell[] => {
      const numeric = type.kind === "decimal" || (type.kind === "primitive" && ["tinyint", "smallint", "int", "bigint", "float", "double"].includes(type.name));
      return [
        name, jdbcType(type), columnSize(type), null, null, type.kind === "decimal" ? "PRECISION,SCALE" : null, 1, name === "STRING", 3,
        !numeric, false, false, null, 0, type.kind === "decimal" ? 38 : 0, null, null, numeric ? 10 : null,
      ];
    });
    return new StaticResult(
      cols(
        "TYPE_NAME DATA_TYPE:i PRECISION:i LITERAL_PREFIX LITERAL_SUFFIX CREATE_PARAMS NULLABLE:s CASE_SENSITIVE:b SEARCHABLE:s " +
          "UNSIGNED_ATTRIBUTE:b FIXED_PREC_SCALE:b AUTO_INCREMENT:b LOCAL_TYPE_NAME MINIMUM_SCALE:s MAXIMUM_SCALE:s SQL_DATA_TYPE:i SQL_DATETIME_SUB:i NUM_PREC_RADIX:i",
      ),
      rows,
    );
  }

  async functions(req: MetadataRequest): Promise<ResultSource> {
    const matches = jdbcPattern(req.functionName);
    const rows = Object.keys(SPARK_FUNCTIONS)
      .filter(matches)
      .sort()
      // FUNCTION_TYPE 1: functionNoTable (DatabaseMetaData), as Spark reports its built-ins.
      .map((name): Cell[] => [null, null, name, "", 1, name]);
    return new StaticResult(cols("FUNCTION_CAT FUNCTION_SCHEM FUNCTION_NAME REMARKS FUNCTION_TYPE:i SPECIFIC_NAME"), rows);
  }

  /** Delta tables have no enforced primary keys here; the result is empty with JDBC's columns. */
  async primaryKeys(): Promise<ResultSource> {
    return new StaticResult(cols("TABLE_CAT TABLE_SCHEM TABLE_NAME COLUMN_NAME KEY_SEQ:i PK_NAME"), []);
  }

  async crossReference(): Promise<ResultSource> {
    return new StaticResult(
      cols(
        "PKTABLE_CAT PKTABLE_SCHEM PKTABLE_NAME PKCOLUMN_NAME FKTABLE_CAT FKTABLE_SCHEM FKTABLE_NAME FKCOLUMN_NAME KEY_SEQ:i UPDATE_RULE:s DELETE_RULE:s FK_NAME PK_NAME DEFERRABILITY:s",
      ),
      [],
    );
  }
}
