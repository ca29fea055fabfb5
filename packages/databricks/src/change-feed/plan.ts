/**
 * What a range of table versions means as rows, and how far one micro-batch reaches. Offsets are
 * table versions: offset `v` = every commit up to and including `v` is in the sink. A commit goes
 * into a batch whole or not at all (Delta admits a commit with change data whole, so pre- and
 * post-images are never split: DeltaSourceCDCSupport.scala), and the first commit of a batch is
 * admitted whatever the limits (DeltaSource.scala), so a large commit never stalls the stream.
 * @packageDocumentation
 */
import { LongType, StringType, StructField, StructType, TimestampType } from "@macrometa-spark/core";
import { DatabricksError } from "../errors.js";
import { quoteIdent, quoteTableName, type TableName } from "../identifiers.js";
import { stringLiteral } from "../sql-types.js";
import type { Commit } from "./history.js";
import type { ChangeFeedOptions } from "./options.js";

/** The change columns `table_changes` adds, with Delta's types (CDCReader.scala). */
export const CDF_COLUMNS = ["_change_type", "_commit_version", "_commit_timestamp"] as const;

export function withChangeColumns(table: StructType): StructType {
  const own = table.fields.filter((f) => !CDF_COLUMNS.includes(f.name as (typeof CDF_COLUMNS)[number]));
  return new StructType([...own, new StructField("_change_type", StringType, false), new StructField("_commit_version", LongType, false), new StructField("_commit_timestamp", TimestampType, false)]);
}

export interface BatchLimits {
  maxFiles: number;
  maxBytes?: number;
}

/** The change-feed error of a plain stream meeting a commit that rewrote rows. */
export function dataUpdateError(table: string, c: Commit): DatabricksError {
  return new DatabricksError(
    `[DELTA_SOURCE_TABLE_IGNORE_CHANGES] Detected a data update (${c.operation}) in the source table ${table} at version ${c.version}. ` +
      "A streaming read without readChangeFeed takes appended rows only. Read the change feed (option readChangeFeed=true) to follow updates and deletes, " +
      "or set skipChangeCommits=true to skip such commits (their rows are then not read).",
    { code: "DATABRICKS_CHANGE_FEED", retryable: false, context: { table, sqlState: "0A000", version: c.version } },
  );
}

/**
 * The end of the next batch: commits are admitted in order until the next one would pass a
 * limit (the first always goes in). Without the change feed, a commit that rewrote rows fails
 * the stream unless skipped, but only once the appends before it have been delivered.
 */
export function nextEnd(start: number, commits: readonly Commit[], limits: BatchLimits, cf: ChangeFeedOptions, table: string, endingVersion?: number): number {
  let end = start;
  let files = 0;
  let bytes = 0;
  for (const c of commits) {
    if (c.version <= start) continue;
    if (endingVersion !== undefined && c.version > endingVersion) break;
    if (!cf.readChangeFeed && c.changesRows && !cf.skipChangeCommits) {
      if (end === start) throw dataUpdateError(table, c);
      break;
    }
    const admitted = end !== start;
    if (admitted && (files + c.files > limits.maxFiles || (limits.maxBytes !== undefined && bytes + c.bytes > limits.maxBytes))) break;
    files += c.files;
    bytes += c.bytes;
    end = c.version;
  }
  return end;
}

/** Column kinds selected as text (see read.ts: the driver loses digits of these otherwise). */
const AS_TEXT = new Set(["long", "decimal", "timestamp"]);

function projection(schema: StructType): string {
  return schema.fields.map((f) => (AS_TEXT.has(f.dataType.kind) ? `CAST(${quoteIdent(f.name)} AS STRING) AS ${quoteIdent(f.name)}` : quoteIdent(f.name))).join(", ");
}

/**
 * Versions are integers we computed and the table name a validated identifier: both go in as
 * literals because `table_changes` wants constant arguments.
 */
function tableChanges(target: TableName, start: number, end: number): string {
  return `table_changes(${stringLiteral(quoteTableName(target))}, ${Math.trunc(start)}, ${Math.trunc(end)})`;
}

/**
 * Change rows of versions start..end (inclusive), ordered so the last row of a key is its final
 * state: by version, and within one commit deletes and pre-images before inserts and post-images
 * (an INSERT OVERWRITE deletes and inserts the same key in one commit).
 */
export function changesSql(target: TableName, schema: StructType, start: number, end: number): string {
  return (
    `SELECT ${projection(schema)} FROM ${tableChanges(target, start, end)} ` +
    `ORDER BY ${quoteIdent("_commit_version")}, CASE ${quoteIdent("_change_type")} WHEN 'delete' THEN 0 WHEN 'update_preimage' THEN 1 ELSE 2 END`
  );
}

/** The table as of `version`, every row an `insert` of that version (a stream's first batch without a start). */
export function snapshotSql(target: TableName, tableSchema: StructType, version: number, commitTimestamp: string, withChanges: boolean): string {
  const cols = projection(tableSchema) || "*";
  const extra = withChanges
    ? `, 'insert' AS ${quoteIdent("_change_type")}, CAST(${Math.trunc(version)} AS STRING) AS ${quoteIdent("_commit_version")}, ${stringLiteral(commitTimestamp)} AS ${quoteIdent("_commit_timestamp")}`
    : "";
  return `SELECT ${cols}${extra} FROM ${quoteTableName(target)} VERSION AS OF ${Math.trunc(version)}`;
}

/**
 * Rows appended by the versions of `run` (consecutive append-only commits): the table after the
 * run minus the table before it, as multisets. Exact for appends; change commits never enter a run.
 */
export function appendedSql(target: TableName, tableSchema: StructType, first: number, last: number): string {
  const cols = projection(tableSchema);
  const after = `SELECT ${cols} FROM ${quoteTableName(target)} VERSION AS OF ${Math.trunc(last)}`;
  if (first <= 0) return after;
  return `${after} EXCEPT ALL SELECT ${cols} FROM ${quoteTableName(target)} VERSION AS OF ${Math.trunc(first - 1)}`;
}

/** Runs of consecutive versions in (start, end] whose appended rows a plain stream reads. */
export function appendRuns(commits: readonly Commit[], start: number, end: number): [number, number][] {
  const runs: [number, number][] = [];
  let open: [number, number] | undefined;
  for (const c of commits) {
    if (c.version <= start || c.version > end) continue;
    if (c.changesRows) {
      open = undefined;
      continue;
    }
    if (c.files === 0) {
      // A metadata-only commit appends nothing and does not break a run.
      if (open && open[1] === c.version - 1) open[1] = c.version;
      continue;
    }
    if (open && open[1] === c.version - 1) open[1] = c.version;
    else runs.push((open = [c.version, c.version]));
  }
  return runs;
}
