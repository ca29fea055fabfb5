/**
 * The statements the sink sends, as pure functions of quoted names and validated values:
 * CREATE/ALTER/DROP, batched INSERTs (named parameters or literals) and the streaming commits table.
 * The one-statement "apply" of a staged write is in sql-apply.ts.
 * @packageDocumentation
 */
import type { DataType, Row, StructField, StructType } from "@macrometa-spark/core";
import type { SqlParameter, Statement } from "./client.js";
import { quoteIdent, quoteTableName, type TableName } from "./identifiers.js";
import { columnDefinitions, isParameterizable, literal, parameterType, parameterValue, stringLiteral } from "./sql-types.js";

/** Staging tables carry this extra column: the row's position in the write, for "last wins". */
export const SEQ_COLUMN = "_mm_seq";
export const INGESTED_AT_COLUMN = "_mm_ingested_at";
export const SOURCE_COLUMN = "_mm_source";

export interface CreateTableSpec {
  table: TableName;
  fields: readonly StructField[];
  /** `IF NOT EXISTS` (idempotent); otherwise the statement fails when the table exists. */
  ifNotExists: boolean;
  properties?: Record<string, string>;
}

export function createTableSql(spec: CreateTableSpec): string {
  const props = spec.properties && Object.keys(spec.properties).length
    ? ` TBLPROPERTIES (${Object.entries(spec.properties).map(([k, v]) => `${stringLiteral(k)} = ${stringLiteral(v)}`).join(", ")})`
    : "";
  return `CREATE TABLE ${spec.ifNotExists ? "IF NOT EXISTS " : ""}${quoteTableName(spec.table)} (${columnDefinitions(spec.fields)}) USING DELTA${props}`;
}

export function addColumnsSql(table: TableName, fields: readonly StructField[]): string {
  // Added Delta columns are nullable and NULL for existing rows, whatever the data's nullability.
  return `ALTER TABLE ${quoteTableName(table)} ADD COLUMNS (${columnDefinitions(fields.map((f) => ({ ...f, nullable: true }) as StructField))})`;
}

export function dropTableSql(table: TableName): string {
  return `DROP TABLE IF EXISTS ${quoteTableName(table)}`;
}

export function describeTableSql(table: TableName): string {
  return `DESCRIBE TABLE ${quoteTableName(table)}`;
}

export interface InsertLimits {
  /** Byte budget of one statement (UTF-8). */
  maxStatementBytes: number;
  /** Named-parameter cap of one statement (`parameters` strategy only). */
  maxParameters: number;
}

export interface InsertBatch extends Statement {
  rowCount: number;
}

/**
 * INSERT statements for `rows` into `table`, each within the limits. `seqStart` numbers rows
 * into the staging column {@link SEQ_COLUMN} when `withSeq` (a bigint so partitions do not
 * overlap). A single row larger than the byte budget still goes alone in its own statement.
 *
 * - `literals`: every value is a validated, escaped literal.
 * - `parameters`: scalar non-null values are `:p_<row>_<col>` named parameters (at most
 *   `maxParameters`); NULLs are the literal NULL (no parameter spent); nested and binary values
 *   are literals (`array(...)`, `named_struct(...)`, `map(...)`, `unhex(...)`), since Databricks
 *   parameters carry scalars only.
 */
export function* insertStatements(
  table: TableName,
  schema: StructType,
  rows: readonly Row[],
  strategy: "parameters" | "literals",
  limits: InsertLimits,
  seq?: { start: bigint },
): Generator<InsertBatch> {
  const cols = schema.fields.map((f) => quoteIdent(f.name));
  if (seq) cols.push(quoteIdent(SEQ_COLUMN));
  const head = `INSERT INTO ${quoteTableName(table)} (${cols.join(", ")}) VALUES `;
  const headBytes = Buffer.byteLength(head);
  const types: DataType[] = schema.fields.map((f) => f.dataType);
  const names = schema.fieldNames;
  const paramOk = types.map(isParameterizable);

  let parts: string[] = [];
  let params: Record<string, SqlParameter> = {};
  let paramCount = 0;
  let bytes = headBytes;
  const flush = (): InsertBatch => {
    const stmt: InsertBatch = { sql: head + parts.join(", "), rowCount: parts.length };
    if (paramCount > 0) stmt.params = params;
    parts = [];
    params = {};
    paramCount = 0;
    bytes = headBytes;
    return stmt;
  };
  const render = (row: Row, local: number, seqValue: bigint | undefined): { text: string; params: [string, SqlParameter][] } => {
    const rowParams: [string, SqlParameter][] = [];
    const values: string[] = [];
    for (let c = 0; c < types.length; c++) {
      const v = row[c];
      const t = types[c]!;
      if (strategy === "parameters" && paramOk[c] && v !== null && v !== undefined) {
        // Parameter names restart in every statement, so they stay short.
        const name = `p_${local}_${c}`;
        rowParams.push([name, { value: parameterValue(v, t, names[c]!), type: parameterType(t) }]);
        values.push(":" + name);
      } else {
        values.push(literal(v, t, names[c]!));
      }
    }
    if (seqValue !== undefined) values.push(seqValue.toString());
    return { text: "(" + values.join(", ") + ")", params: rowParams };
  };
  for (let r = 0; r < rows.length; r++) {
    const seqValue = seq ? seq.start + BigInt(r) : undefined;
    let row = render(rows[r]!, parts.length, seqValue);
    let rowBytes = Buffer.byteLength(row.text) + 2;
    if (parts.length > 0 && (bytes + rowBytes > limits.maxStatementBytes || paramCount + row.params.length > limits.maxParameters)) {
      yield flush();
      if (row.params.length > 0) {
        row = render(rows[r]!, 0, seqValue);
        rowBytes = Buffer.byteLength(row.text) + 2;
      }
    }
    parts.push(row.text);
    for (const [k, v] of row.params) params[k] = v;
    paramCount += row.params.length;
    bytes += rowBytes;
  }
  if (parts.length > 0) yield flush();
}

// --- streaming commits table ----------------------------------------------------------------

export function createCommitsTableSql(table: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteTableName(table)} (query_id STRING, epoch_id BIGINT, table_name STRING, committed_at TIMESTAMP) USING DELTA`;
}

export function epochCommittedSql(table: TableName, queryId: string, epochId: number, targetName: string): Statement {
  return {
    sql: `SELECT epoch_id FROM ${quoteTableName(table)} WHERE query_id = :query_id AND epoch_id = :epoch_id AND table_name = :table_name LIMIT 1`,
    params: { query_id: { value: queryId, type: "STRING" }, epoch_id: { value: String(epochId), type: "BIGINT" }, table_name: { value: targetName, type: "STRING" } },
  };
}

export function recordEpochSql(table: TableName, queryId: string, epochId: number, targetName: string): Statement {
  return {
    sql: `INSERT INTO ${quoteTableName(table)} (query_id, epoch_id, table_name, committed_at) VALUES (:query_id, :epoch_id, :table_name, current_timestamp())`,
    params: { query_id: { value: queryId, type: "STRING" }, epoch_id: { value: String(epochId), type: "BIGINT" }, table_name: { value: targetName, type: "STRING" } },
  };
}
