/**
 * @packageDocumentation
 * Reading a table as of an older version: `t VERSION AS OF 3`, `t TIMESTAMP AS OF '2024-01-01 00:00:00'`
 * (also `FOR SYSTEM_VERSION AS OF` / `FOR SYSTEM_TIME AS OF`), and `t@v3` / `t@yyyyMMddHHmmssSSS`
 * (https://docs.databricks.com/sql/language-manual/sql-ref-names.html#table-name, Delta's
 * delta-batch.mdx "Query an older snapshot of a table").
 *
 * An older version is computed from the current table and the change log: the rows inserted after it
 * are taken out and the rows deleted after it are put back, as multisets (`EXCEPT ALL`/`UNION ALL`),
 * then projected to the columns the table had at that version. A timestamp selects the last version
 * committed at or before it (Delta's DeltaHistoryManager.getActiveCommitAtTime).
 */
import { DuckDBTypeId } from "@duckdb/node-api";
import { SqlError, unsupported } from "../errors.js";
import { Cursor } from "../sql/cursor.js";
import type { StatementScope } from "../sql/scope.js";
import { tableNotFound } from "../sql/scope.js";
import { quoteIdent, tokenize, significant, type Token } from "../sql/tokenizer.js";
import { duckTableName, type TableRef } from "../warehouse.js";
import {
  CHANGE_KIND,
  changeLogName,
  formatTimestamp,
  KIND_COLUMN,
  listVersions,
  VERSION_COLUMN,
  versionNotFound,
  type VersionRow,
} from "./versions.js";

/** A version bound as written: a version number or an instant (ms since the epoch). */
export type VersionBound = { version: number } | { timestampMs: number; text: string };

const INTEGER_TYPES = new Set([DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.BIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UTINYINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER, DuckDBTypeId.UBIGINT]);
const TIME_TYPES = new Set([DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_TZ, DuckDBTypeId.TIMESTAMP_MS, DuckDBTypeId.TIMESTAMP_S, DuckDBTypeId.TIMESTAMP_NS, DuckDBTypeId.DATE, DuckDBTypeId.VARCHAR]);

/** A version or timestamp argument, evaluated by DuckDB (a literal or a parameter). */
export async function evaluateBound(scope: StatementScope, tokens: Token[], what: string): Promise<VersionBound> {
  if (tokens.some((x) => x.kind === "qmark")) throw unsupported(`A '?' parameter marker in ${what}`);
  const { text, values } = scope.rewrite(tokens);
  const probe = await scope.session.run(`SELECT ${text} AS v`, values);
  const type = probe.columnType(0).typeId;
  const raw = (await probe.getRows())[0]?.[0];
  if (raw === null || raw === undefined || type === DuckDBTypeId.SQLNULL)
    throw new SqlError("DELTA_CDC_READ_NULL_RANGE_BOUNDARY", "22004", "CDC read start/end parameters cannot be null. Please provide a valid version or timestamp.");
  if (INTEGER_TYPES.has(type)) return { version: Number(raw) };
  if (!TIME_TYPES.has(type)) throw new SqlError("DELTA_TIMESTAMP_INVALID", "42816", `The provided timestamp (${text}) cannot be converted to a valid timestamp.`);
  const ms = await scope.session.run(`SELECT epoch_ms(TRY_CAST(${text} AS TIMESTAMPTZ))`, values);
  const value = (await ms.getRows())[0]?.[0];
  if (value === null || value === undefined)
    throw new SqlError("DELTA_TIMESTAMP_INVALID", "42816", `The provided timestamp (${String(raw)}) cannot be converted to a valid timestamp.`);
  return { timestampMs: Number(value), text: String(raw) };
}

/** Parses table_changes' first argument, a table name in a string. */
export function tableNameArgument(scope: StatementScope, raw: string): TableRef {
  const tokens = significant(tokenize(raw));
  const c = new Cursor(tokens);
  const parts = c.qualifiedName();
  c.expectEnd();
  return scope.tableRef(parts);
}

export const timestampGreaterThanCommit = (requestedMs: number, latestMs: number): SqlError =>
  new SqlError(
    "DELTA_TIMESTAMP_GREATER_THAN_COMMIT",
    "42816",
    `Timestamp ${formatTimestamp(requestedMs)} is after the table's latest version (${formatTimestamp(latestMs)}). Use a timestamp at or before ${formatTimestamp(latestMs)}.`,
  );

export const timestampEarlierThanRetention = (requestedMs: number, earliestMs: number): SqlError =>
  new SqlError(
    "DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION",
    "42816",
    `The provided timestamp (${formatTimestamp(requestedMs)}) is before the earliest version available to this table (${formatTimestamp(earliestMs)}). Please use a timestamp after ${formatTimestamp(earliestMs)}.`,
  );

/** The table's versions; a table that is not there fails as not found. */
export async function versionsOf(scope: StatementScope, ref: TableRef): Promise<VersionRow[]> {
  if ((await scope.relationKind(ref)) !== "table") throw tableNotFound(ref);
  return listVersions(scope.session, ref);
}

/** The version a time-travel bound selects, checked against what the table has. */
export function resolveTravel(versions: VersionRow[], bound: VersionBound): VersionRow {
  const latest = versions[versions.length - 1];
  const earliest = versions.find((v) => v.version >= (latest?.logStart ?? 0));
  if (!latest || !earliest) throw versionNotFound("version" in bound ? bound.version : bound.text, 0, -1);
  if ("version" in bound) {
    const row = versions.find((v) => v.version === bound.version);
    if (!row || row.version < earliest.version) throw versionNotFound(bound.version, earliest.version, latest.version);
    return row;
  }
  if (bound.timestampMs > latest.timestampMs) throw timestampGreaterThanCommit(bound.timestampMs, latest.timestampMs);
  const at = [...versions].reverse().find((v) => v.timestampMs <= bound.timestampMs);
  if (!at || at.version < earliest.version) throw timestampEarlierThanRetention(bound.timestampMs, earliest.timestampMs);
  return at;
}

/** SQL (a parenthesised query) for the table as of a version. */
export async function snapshotSql(scope: StatementScope, ref: TableRef, bound: VersionBound): Promise<string> {
  const versions = await versionsOf(scope, ref);
  const row = resolveTravel(versions, bound);
  const target = duckTableName(ref);
  const projected = row.columns.map(quoteIdent).join(", ");
  if (row.version === versions[versions.length - 1]!.version) return `(SELECT ${projected} FROM ${target})`;
  const current = (await scope.columnsOf(target)).map((c) => quoteIdent(c.name)).join(", ");
  const log = changeLogName(ref);
  const later = `${quoteIdent(VERSION_COLUMN)} > ${row.version}`;
  const removed = `${CHANGE_KIND.delete}, ${CHANGE_KIND.preimage}`;
  const added = `${CHANGE_KIND.insert}, ${CHANGE_KIND.postimage}`;
  return (
    `(SELECT ${projected} FROM (SELECT ${current} FROM ${target} UNION ALL SELECT ${current} FROM ${log} WHERE ${later} AND ${quoteIdent(KIND_COLUMN)} IN (${removed}) ` +
    `EXCEPT ALL SELECT ${current} FROM ${log} WHERE ${later} AND ${quoteIdent(KIND_COLUMN)} IN (${added})) AS __lw_snapshot)`
  );
}
