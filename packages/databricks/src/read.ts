/**
 * Reads a table or a parameterised query. The schema comes from the warehouse (DESCRIBE TABLE
 * for a table, the result metadata of the query otherwise); rows are pulled with fetchChunk,
 * `fetchSize` at a time, so a reader holds one chunk in memory.
 * @packageDocumentation
 */
import {
  OptionError,
  StringType,
  StructField,
  StructType,
  type Batch,
  type DataType,
  type InputPartition,
  type PartitionReader,
  type ProviderContext,
  type Row,
  type RowBatch,
  type Scan,
  type ScanBuilder,
} from "@macrometa-spark/core";
import { DatabricksConnection, type ConnectionHooks, type SqlParameter, type Statement } from "./client.js";
import { DatabricksError, isDatabricksError } from "./errors.js";
import { quoteIdent, quoteTableName } from "./identifiers.js";
import type { ReadOptions } from "./options.js";
import { parseDatabricksType } from "./sql-types.js";
import { describeColumns } from "./write/core.js";
import { CDF_COLUMNS } from "./change-feed/plan.js";
import { ChangeFeedBatch, ChangeFeedStream } from "./change-feed/source.js";

/** Column kinds selected as text: the driver's conversions of them lose digits in some result format. */
const AS_TEXT = new Set(["long", "decimal", "timestamp"]);

/**
 * The statement a read runs: `SELECT cols FROM t` or the user's query with its parameters.
 * BIGINT, DECIMAL and TIMESTAMP columns are selected as `CAST(c AS STRING)`: the driver turns BIGINT
 * into a JS number (Infinity beyond 2^53) with the column format, DECIMAL into a double, and an Arrow
 * TIMESTAMP into a Date without its microseconds, while text converts exactly under every result format
 * (Arrow, the default, and the older column format).
 */
export function readStatement(o: ReadOptions, schema?: StructType): Statement {
  const exact = schema?.fields.some((f) => AS_TEXT.has(f.dataType.kind)) ?? false;
  const projection = schema && schema.fields.length > 0
    ? schema.fields.map((f) => (AS_TEXT.has(f.dataType.kind) ? `CAST(${quoteIdent(f.name)} AS STRING) AS ${quoteIdent(f.name)}` : quoteIdent(f.name))).join(", ")
    : "*";
  if (o.target) return { sql: `SELECT ${projection} FROM ${quoteTableName(o.target)}` };
  const sql = exact ? `SELECT ${projection} FROM (${o.query!}\n) AS ${quoteIdent("__mm_q")}` : o.query!;
  const stmt: Statement = { sql };
  if (o.params) stmt.params = toParams(o.params);
  return stmt;
}

function toParams(p: Record<string, unknown>): Record<string, SqlParameter> {
  const out: Record<string, SqlParameter> = {};
  for (const [k, v] of Object.entries(p)) {
    if (v === null || v === undefined) out[k] = { value: null };
    else if (typeof v === "string" || typeof v === "boolean" || typeof v === "bigint") out[k] = { value: v };
    else if (typeof v === "number") out[k] = { value: v };
    else if (v instanceof Date) out[k] = { value: v.toISOString(), type: "TIMESTAMP" };
    // Anything else is bound as its JSON text: still a value, never SQL.
    else out[k] = { value: JSON.stringify(v), type: "STRING" };
  }
  return out;
}

/** The schema of a read, from the warehouse. */
export async function readSchema(conn: DatabricksConnection, o: ReadOptions): Promise<StructType> {
  if (o.target) {
    const cols = await describeColumns(conn, o.target);
    if (!cols) {
      throw new DatabricksError(`table ${[o.target.catalog, o.target.schema, o.target.table].filter(Boolean).join(".")} does not exist`, { code: "DATABRICKS_SCHEMA", retryable: false, context: { option: "table" } });
    }
    return new StructType([...cols.values()].map((c) => new StructField(c.name, parseDatabricksType(c.type, c.name))));
  }
  // The query's metadata: run it wrapped with LIMIT 0 so no row is computed or moved.
  const stmt = readStatement(o);
  const probe: Statement = { sql: `SELECT * FROM (${o.query!}\n) AS ${quoteIdent("__mm_q")} LIMIT 0`, ...(stmt.params ? { params: stmt.params } : {}) };
  let columns: { name: string; typeName: string }[] = [];
  for await (const part of conn.stream(probe, 1)) {
    if ("columns" in part) columns = part.columns;
  }
  // Result metadata names only the outer kind of a nested column. DESCRIBE QUERY (Databricks)
  // prints full types; where it is unavailable the column is read as its JSON text.
  let described: Map<string, string> | undefined;
  if (columns.some((c) => ["array", "map", "struct"].includes(c.typeName))) {
    try {
      const rows = await conn.query({ sql: `DESCRIBE QUERY ${o.query!}`, ...(stmt.params ? { params: stmt.params } : {}) }, { idempotent: true });
      described = new Map(rows.map((r) => [String(r["col_name"]), String(r["data_type"])]));
    } catch (err) {
      if (!isDatabricksError(err) || err.code !== "DATABRICKS_SQL") throw err;
    }
  }
  return new StructType(
    columns.map((c) => {
      if (!["array", "map", "struct"].includes(c.typeName)) return new StructField(c.name, parseDatabricksType(c.typeName, c.name));
      const full = described?.get(c.name);
      return new StructField(c.name, full ? parseDatabricksType(full, c.name) : StringType);
    }),
  );
}

/** A driver value → our row value for type `t` (bigint → number when safe; structs positional). */
export function fromDriverValue(v: unknown, t: DataType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case "long":
    case "integer":
      if (typeof v === "bigint") return v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      if (typeof v === "object" && v !== null && "toNumber" in v) return (v as { toNumber(): number }).toNumber();
      return typeof v === "string" && /^-?\d+$/.test(v) ? fromDriverValue(BigInt(v), t) : v;
    case "decimal":
      return typeof v === "string" ? v : String(v);
    case "string":
      return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) : String(v);
    case "timestamp":
      // Arrow gives a Date (nested values); text is Spark's `yyyy-MM-dd HH:mm:ss[.ffffff]` in the
      // session time zone, UTC on a SQL warehouse unless the session sets another.
      if (v instanceof Date) return v.toISOString();
      return typeof v === "string" && SPARK_TIMESTAMP.test(v) ? `${v.replace(" ", "T")}Z` : String(v);
    case "date":
      // Arrow gives a Date at UTC midnight, the column format `yyyy-MM-dd`.
      return v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
    case "array": {
      const arr = typeof v === "string" ? (JSON.parse(v) as unknown) : v;
      return Array.isArray(arr) ? arr.map((x) => fromDriverValue(x, t.elementType)) : null;
    }
    case "map": {
      const m = (typeof v === "string" ? JSON.parse(v) : v) as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, x] of v instanceof Map ? v.entries() : Object.entries(m)) out[String(k)] = fromDriverValue(x, t.valueType);
      return out;
    }
    case "struct": {
      const o = (typeof v === "string" ? JSON.parse(v) : v) as Record<string, unknown>;
      return t.fields.map((f) => fromDriverValue(o[f.name] ?? lookupCaseInsensitive(o, f.name), f.dataType));
    }
    default:
      return v;
  }
}

const SPARK_TIMESTAMP = /^\d{4,}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$/;

function lookupCaseInsensitive(o: Record<string, unknown>, name: string): unknown {
  const k = Object.keys(o).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? null : o[k];
}

class DatabricksBatch implements Batch {
  constructor(
    private readonly options: ReadOptions,
    private readonly schema: StructType,
    private readonly hooks: ConnectionHooks,
  ) {}
  async planInputPartitions(): Promise<InputPartition[]> {
    // One query, one result stream: a single partition.
    return [{ index: 0 }];
  }
  createReader(_partition: InputPartition): PartitionReader {
    const { options, schema, hooks } = this;
    return {
      async *[Symbol.asyncIterator](): AsyncIterator<RowBatch> {
        const conn = await DatabricksConnection.open(options.connection, hooks);
        try {
          const stmt = readStatement(options, schema);
          for await (const part of conn.stream(stmt, options.fetchSize)) {
            if (!("rows" in part)) continue;
            const batch: Row[] = part.rows.map((r) => schema.fields.map((f) => fromDriverValue(r[f.name] ?? lookupCaseInsensitive(r, f.name), f.dataType)));
            yield batch;
          }
        } finally {
          // Runs on completion, on error, and when the consumer stops early (return()).
          await conn.close();
        }
      },
    };
  }
}

export class DatabricksScanBuilder implements ScanBuilder {
  private required: StructType | undefined;
  constructor(
    private readonly options: ReadOptions,
    private readonly schema: StructType,
    private readonly ctx: ProviderContext,
  ) {}
  pruneColumns(required: StructType): void {
    // Only a table read can select fewer columns; a query returns what it returns.
    if (this.options.target) this.required = required;
  }
  build(): Scan {
    const schema = this.required ?? this.schema;
    const options = this.options;
    const hooks: ConnectionHooks = { logger: this.ctx.logger };
    const cf = options.changeFeed;
    const tableSchema = new StructType(schema.fields.filter((f) => !(CDF_COLUMNS as readonly string[]).includes(f.name) || !cf.readChangeFeed));
    return {
      readSchema: () => schema,
      description: () => (options.target ? `databricks table ${quoteTableName(options.target)}${cf.readChangeFeed ? " (change data feed)" : ""}` : "databricks query"),
      toBatch: () => (cf.readChangeFeed ? new ChangeFeedBatch(options, cf, schema, tableSchema, hooks) : new DatabricksBatch(options, schema, hooks)),
      toMicroBatchStream: () => {
        if (!options.target) throw new OptionError("query", "a stream reads a table ('table'), not a query");
        return new ChangeFeedStream(options, cf, schema, tableSchema, hooks);
      },
    };
  }
}
