/**
 * The one statement that applies a staged write to the target — one Delta commit, so readers see all
 * of a write or none of it. The staged rows come from staging tables (the `insert` method) or from
 * Parquet files in a volume (the `volume` method, read with `read_files`); either way they carry the
 * data columns plus {@link SEQ_COLUMN}, the row's position in the write, for "last row wins".
 *
 * - append: `COPY INTO … FILES = (…)` from files (Delta loads a file at most once per table, so a
 *   replayed epoch loads nothing), or INSERT … SELECT from staging tables;
 * - overwrite: INSERT OVERWRITE … SELECT;
 * - merge: MERGE … USING (the rows deduplicated by key, latest wins).
 * @packageDocumentation
 */
import { quoteIdent, quoteTableName, type TableName } from "./identifiers.js";
import { INGESTED_AT_COLUMN, SEQ_COLUMN, SOURCE_COLUMN } from "./sql.js";
import { stringLiteral } from "./sql-types.js";

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

/** Where the staged rows are. */
export type StagedSource =
  /** Staging tables, one per partition writer. */
  | { stages: readonly TableName[] }
  /** A volume folder of Parquet files (`/Volumes/c/s/v/q/3`) and the file names in it. */
  | { dir: string; files: readonly string[] };

/** The staged rows as one relation with the data columns and {@link SEQ_COLUMN}. */
export function stagedRelation(source: StagedSource, columns: readonly string[]): string {
  const cols = [...columns, SEQ_COLUMN].map(quoteIdent).join(", ");
  if ("stages" in source) return source.stages.map((s) => `SELECT ${cols} FROM ${quoteTableName(s)}`).join(" UNION ALL ");
  // The folder holds exactly this write's files (a replay rewrites the same names), so reading the
  // folder reads the write.
  return `SELECT ${cols} FROM read_files(${stringLiteral(source.dir)}, format => 'parquet')`;
}

export interface ApplySpec {
  target: TableName;
  source: StagedSource;
  /** Data columns (Delta names) of the staged rows, in order; includes the delete flag. */
  columns: readonly string[];
  metadata: MetadataColumns;
}

/** Databricks accepts at most this many names in COPY INTO's FILES list. */
export const COPY_INTO_MAX_FILES = 1000;

/**
 * append from files: one COPY INTO. FILES names exactly this write's files (up to 1000; beyond that
 * a PATTERN over the write's own folder, which holds nothing else). Columns are selected by name, so
 * the staging-only {@link SEQ_COLUMN} never reaches the table and metadata columns are added here.
 */
export function copyIntoSql(spec: ApplySpec & { source: { dir: string; files: readonly string[] } }): string {
  const cols = spec.columns.map(quoteIdent);
  const metaNames = metadataTargets(spec.metadata);
  const metaValues = metadataValues(spec.metadata);
  const select = [...cols, ...metaValues.map((v, i) => `${v} AS ${metaNames[i]}`)].join(", ");
  const { dir, files } = spec.source;
  const which = files.length <= COPY_INTO_MAX_FILES ? `FILES = (${files.map(stringLiteral).join(", ")})` : `PATTERN = 'part-*.parquet'`;
  return `COPY INTO ${quoteTableName(spec.target)} FROM (SELECT ${select} FROM ${stringLiteral(dir)}) FILEFORMAT = PARQUET ${which}`;
}

/**
 * append from staging tables: one INSERT ... SELECT. With a batch-id column the insert is guarded by
 * `NOT EXISTS` on that id in the target: the check and the write are one statement, so a replayed
 * batch inserts nothing, with no window between them.
 */
export function appendSql(spec: ApplySpec): string {
  const cols = spec.columns.map(quoteIdent);
  const b = spec.metadata.batchId;
  const guard = b ? ` WHERE NOT EXISTS (SELECT 1 FROM ${quoteTableName(spec.target)} WHERE ${quoteIdent(b.column)} = ${stringLiteral(b.value)})` : "";
  return `INSERT INTO ${quoteTableName(spec.target)} (${[...cols, ...metadataTargets(spec.metadata)].join(", ")}) SELECT ${[...cols, ...metadataValues(spec.metadata)].join(", ")} FROM (${stagedRelation(spec.source, spec.columns)}) AS ${quoteIdent("__mm_src")}${guard}`;
}

/** overwrite: one INSERT OVERWRITE, which Delta commits atomically (readers see old or new). */
export function overwriteSql(spec: ApplySpec): string {
  const cols = spec.columns.map(quoteIdent);
  return `INSERT OVERWRITE TABLE ${quoteTableName(spec.target)} (${[...cols, ...metadataTargets(spec.metadata)].join(", ")}) SELECT ${[...cols, ...metadataValues(spec.metadata)].join(", ")} FROM (${stagedRelation(spec.source, spec.columns)}) AS ${quoteIdent("__mm_src")}`;
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
export function mergeSql(spec: MergeSpec): string {
  const t = quoteIdent("__mm_t");
  const s = quoteIdent("__mm_s");
  const rn = quoteIdent("__mm_rn");
  const all = spec.columns.map(quoteIdent);
  const flag = spec.deleteFlag;
  const dataCols = spec.columns.filter((c) => c !== flag);
  const keys = spec.keys.map(quoteIdent);
  const dedup =
    `SELECT ${all.join(", ")} FROM (SELECT ${all.join(", ")}, ROW_NUMBER() OVER (PARTITION BY ${keys.join(", ")} ORDER BY ${quoteIdent(SEQ_COLUMN)} DESC) AS ${rn} ` +
    `FROM (${stagedRelation(spec.source, spec.columns)}) AS ${quoteIdent("__mm_src")}) AS ${quoteIdent("__mm_ranked")} WHERE ${rn} = 1`;
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
