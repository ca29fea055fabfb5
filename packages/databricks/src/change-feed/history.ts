/**
 * A Delta table's commits as the change-feed source needs them, from `DESCRIBE HISTORY`: version,
 * time, whether the commit changed or removed rows (not only appended), and its size in files and
 * bytes from `operationMetrics` (Databricks' history schema: docs.databricks.com tables/history-schema).
 * @packageDocumentation
 */
import type { DatabricksConnection } from "../client.js";
import { DatabricksError } from "../errors.js";
import { displayTableName, quoteTableName, type TableName } from "../identifiers.js";

export interface Commit {
  version: number;
  /** ISO time of the commit. */
  timestamp: string;
  operation: string;
  /** Rows were updated, deleted or replaced (Delta's streaming source calls this a data update). */
  changesRows: boolean;
  /** Data files written or removed (at least 1 for a commit that moved data, 0 otherwise). */
  files: number;
  bytes: number;
}

/** Operations that rewrite rows; used when a commit carries no metrics to say so. */
const CHANGE_OPERATIONS = new Set(["UPDATE", "DELETE", "MERGE", "TRUNCATE", "REPLACE TABLE", "REPLACE TABLE AS SELECT", "CREATE OR REPLACE TABLE", "CREATE OR REPLACE TABLE AS SELECT", "RESTORE"]);
/** Operations that move no data rows (Delta commits them with dataChange=false or metadata only). */
const NO_DATA_OPERATIONS = new Set(["CREATE TABLE", "SET TBLPROPERTIES", "UNSET TBLPROPERTIES", "ADD COLUMNS", "CHANGE COLUMN", "OPTIMIZE", "VACUUM START", "VACUUM END", "ADD CONSTRAINT", "DROP CONSTRAINT"]);

const FILE_METRICS = ["numFiles", "numAddedFiles", "numRemovedFiles", "numTargetFilesAdded", "numTargetFilesRemoved", "numAddedChangeFiles", "numTargetChangeFilesAdded"];
const BYTE_METRICS = ["numOutputBytes", "numAddedBytes", "numRemovedBytes", "numTargetBytesAdded", "numTargetBytesRemoved"];
const CHANGE_METRICS = ["numRemovedFiles", "numRemovedRows", "numTargetFilesRemoved", "numDeletedRows", "numUpdatedRows", "numTargetRowsUpdated", "numTargetRowsDeleted", "numTargetRowsMatchedUpdated", "numTargetRowsMatchedDeleted", "numTargetRowsNotMatchedBySourceUpdated", "numTargetRowsNotMatchedBySourceDeleted"];

function asMap(v: unknown): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), x]));
  if (typeof v === "string") {
    try {
      const parsed = JSON.parse(v) as unknown;
      return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return typeof v === "object" ? (v as Record<string, unknown>) : {};
}

function num(v: unknown): number {
  if (typeof v === "bigint") return Number(v);
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : 0;
}

function isoTime(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  const s = String(v);
  const iso = /^\d{4}-\d{2}-\d{2} /.test(s) ? `${s.replace(" ", "T")}${s.endsWith("Z") ? "" : "Z"}` : s;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}

/** One history row → a commit. */
export function commitFromHistoryRow(r: Record<string, unknown>): Commit {
  const operation = String(r["operation"] ?? "").toUpperCase();
  const metrics = asMap(r["operationMetrics"]);
  const params = asMap(r["operationParameters"]);
  const has = (names: string[]) => names.some((n) => n in metrics);
  const sum = (names: string[]) => names.reduce((n, k) => n + num(metrics[k]), 0);
  const overwrite = String(params["mode"] ?? "").replace(/"/g, "").toLowerCase() === "overwrite";
  let changesRows: boolean;
  if (overwrite) changesRows = true;
  else if (has(CHANGE_METRICS)) changesRows = sum(CHANGE_METRICS) > 0;
  else changesRows = CHANGE_OPERATIONS.has(operation);
  const movesData = !NO_DATA_OPERATIONS.has(operation);
  return {
    version: num(r["version"]),
    timestamp: isoTime(r["timestamp"]),
    operation,
    changesRows,
    files: movesData ? Math.max(1, sum(FILE_METRICS)) : 0,
    bytes: sum(BYTE_METRICS),
  };
}

/**
 * Commits newer than `after`, oldest first. Asks for the latest commit first, then exactly the
 * missing ones, so a long history is not read on every trigger.
 */
export async function commitsAfter(conn: DatabricksConnection, table: TableName, after: number): Promise<Commit[]> {
  const latest = await latestCommit(conn, table);
  if (latest.version <= after) return [];
  if (latest.version === after + 1) return [latest];
  const n = latest.version - after;
  const rows = await conn.query(`DESCRIBE HISTORY ${quoteTableName(table)} LIMIT ${n}`, { idempotent: true });
  return rows
    .map(commitFromHistoryRow)
    .filter((c) => c.version > after)
    .sort((a, b) => a.version - b.version);
}

export async function latestCommit(conn: DatabricksConnection, table: TableName): Promise<Commit> {
  const rows = await conn.query(`DESCRIBE HISTORY ${quoteTableName(table)} LIMIT 1`, { idempotent: true });
  if (rows.length === 0) throw new DatabricksError(`table ${displayTableName(table)} has no history`, { code: "DATABRICKS_SCHEMA", retryable: false, context: { table: displayTableName(table) } });
  return commitFromHistoryRow(rows[0]!);
}

/** All commits (the whole retained history), oldest first: for resolving timestamps. */
export async function allCommits(conn: DatabricksConnection, table: TableName): Promise<Commit[]> {
  const rows = await conn.query(`DESCRIBE HISTORY ${quoteTableName(table)}`, { idempotent: true });
  return rows.map(commitFromHistoryRow).sort((a, b) => a.version - b.version);
}
