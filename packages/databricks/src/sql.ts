/**
 * The statements the sink sends, as pure functions of quoted names and validated values:
 * CREATE/ALTER/DROP, batched INSERTs (named parameters or literals), and the one-statement
 * "apply" of a staged batch (INSERT ... SELECT, INSERT OVERWRITE, or MERGE with in-batch dedupe).
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

/** What the apply step adds to each row besides the data columns. */
export interface MetadataColumns {
  ingestedAt: boolean;
  source?: string;
  /** A column stamped with the write's id (`<queryId>/<epoch>`), for idempotent appends. */
  batchId?: { column: string; value: string };
}

function metadataTargets(m: MetadataColumns): string[] {
  const out: string[] = [];
  if (m.ingestedAt) out.push(quoteIdent(INGESTED_AT_COLUMN));
  if (m.source !== undefined) out.push(quoteIdent(SOURCE_COLUMN));
  if (m.batchId) out.push(quoteIdent(m.batchId.column));
  return out;
}

function metadataValues(m: MetadataColumns): string[] {
  const out: string[] = [];
  if (m.ingestedAt) out.push("current_timestamp()");
  if (m.source !== undefined) out.push(stringLiteral(m.source));
  if (m.batchId) out.push(stringLiteral(m.batchId.value));
  return out;
}

/** Rows of all staging tables of one write, as one relation. */
export function stagedRelation(stages: readonly TableName[], columns: readonly string[]): string {
  const cols = [...columns, SEQ_COLUMN].map(quoteIdent).join(", ");
  return stages.map((s) => `SELECT ${cols} FROM ${quoteTableName(s)}`).join(" UNION ALL ");
}

export interface ApplySpec {
  target: TableName;
  stages: readonly TableName[];
  /** Data columns (Delta names) in the staging tables, in order; includes the delete flag. */
  columns: readonly string[];
  metadata: MetadataColumns;
}

/**
 * append: one INSERT ... SELECT, a single Delta commit. With a batch-id column the insert is
 * guarded by `NOT EXISTS` on that id in the target: the check and the write are one statement,
 * so a replayed batch inserts nothing, with no window between them.
 */
export function appendFromStagesSql(spec: ApplySpec): string {
  const cols = spec.columns.map(quoteIdent);
  const b = spec.metadata.batchId;
  const guard = b ? ` WHERE NOT EXISTS (SELECT 1 FROM ${quoteTableName(spec.target)} WHERE ${quoteIdent(b.column)} = ${stringLiteral(b.value)})` : "";
  return `INSERT INTO ${quoteTableName(spec.target)} (${[...cols, ...metadataTargets(spec.metadata)].join(", ")}) SELECT ${[...cols, ...metadataValues(spec.metadata)].join(", ")} FROM (${stagedRelation(spec.stages, spec.columns)}) AS ${quoteIdent("__mm_src")}${guard}`;
}

/** overwrite: one INSERT OVERWRITE, which Delta commits atomically (readers see old or new). */
export function overwriteFromStagesSql(spec: ApplySpec): string {
  const cols = spec.columns.map(quoteIdent);
  return `INSERT OVERWRITE TABLE ${quoteTableName(spec.target)} (${[...cols, ...metadataTargets(spec.metadata)].join(", ")}) SELECT ${[...cols, ...metadataValues(spec.metadata)].join(", ")} FROM (${stagedRelation(spec.stages, spec.columns)}) AS ${quoteIdent("__mm_src")}`;
}

export interface MergeSpec extends ApplySpec {
  keys: readonly string[];
  deleteFlag?: string;
}

/**
 * One MERGE from the staged rows, deduplicated first (ROW_NUMBER over the keys, latest
 * {@link SEQ_COLUMN} wins) because Delta refuses several source rows for one target row.
 * Flagged rows delete a match and are never inserted; a NULL flag counts as false.
 * Replaying the same MERGE gives the same table (upserts and deletes are idempotent).
 */
export function mergeFromStagesSql(spec: MergeSpec): string {
  const t = quoteIdent("__mm_t");
  const s = quoteIdent("__mm_s");
  const rn = quoteIdent("__mm_rn");
  const all = spec.columns.map(quoteIdent);
  const flag = spec.deleteFlag;
  const dataCols = spec.columns.filter((c) => c !== flag);
  const keys = spec.keys.map(quoteIdent);
  const dedup =
    `SELECT ${all.join(", ")} FROM (SELECT ${all.join(", ")}, ROW_NUMBER() OVER (PARTITION BY ${keys.join(", ")} ORDER BY ${quoteIdent(SEQ_COLUMN)} DESC) AS ${rn} ` +
    `FROM (${stagedRelation(spec.stages, spec.columns)}) AS ${quoteIdent("__mm_src")}) AS ${quoteIdent("__mm_ranked")} WHERE ${rn} = 1`;
  const on = keys.map((k) => `${t}.${k} = ${s}.${k}`).join(" AND ");
  const nonKeys = dataCols.filter((c) => !spec.keys.includes(c));
  const meta = metadataTargets(spec.metadata);
  const metaValues = metadataValues(spec.metadata);
  const sets = [...nonKeys.map((c) => `${quoteIdent(c)} = ${s}.${quoteIdent(c)}`), ...meta.map((m, i) => `${m} = ${metaValues[i]}`)];
  const flagged = flag !== undefined ? `coalesce(${s}.${quoteIdent(flag)}, FALSE)` : undefined;
  const clauses: string[] = [];
  if (flagged) clauses.push(`WHEN MATCHED AND ${flagged} THEN DELETE`);
  if (sets.length > 0) clauses.push(`WHEN MATCHED THEN UPDATE SET ${sets.join(", ")}`);
  clauses.push(
    `WHEN NOT MATCHED${flagged ? ` AND NOT ${flagged}` : ""} THEN INSERT (${[...dataCols.map(quoteIdent), ...meta].join(", ")}) VALUES (${[...dataCols.map((c) => `${s}.${quoteIdent(c)}`), ...metaValues].join(", ")})`,
  );
  return `MERGE INTO ${quoteTableName(spec.target)} AS ${t} USING (${dedup}) AS ${s} ON ${on} ${clauses.join(" ")}`;
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
