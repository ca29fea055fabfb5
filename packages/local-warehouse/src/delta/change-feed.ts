/**
 * @packageDocumentation
 * The change data feed: `table_changes('<table>', start [, end])`
 * (https://docs.databricks.com/sql/language-manual/functions/table_changes.html). Start and end are
 * versions (integers) or timestamps (strings or TIMESTAMP values), both inclusive; without an end the
 * feed runs to the latest version. The result is the table's columns plus `_change_type` (`insert`,
 * `delete`, `update_preimage`, `update_postimage`), `_commit_version` BIGINT and `_commit_timestamp`
 * TIMESTAMP, ordered by version and, within a version, as the rows were written.
 *
 * Range rules and errors follow Delta's CDCReader (delta-io/delta
 * spark/src/main/scala/org/apache/spark/sql/delta/commands/cdc/CDCReader.scala, error texts from
 * spark/src/main/resources/error/delta-error-classes.json): a start timestamp selects the first
 * version at or after it, an end timestamp the last version at or before it; a start after the latest
 * version is DELTA_CDC_START_VERSION_AFTER_LATEST; an end before the start DELTA_INVALID_CDC_RANGE; an
 * end after the latest version reads to the latest; a version in the range committed while
 * `delta.enableChangeDataFeed` was off is DELTA_MISSING_CHANGE_DATA (KD002).
 */
import { SqlError, syntaxError, unsupported } from "../errors.js";
import type { StatementScope } from "../sql/scope.js";
import { quoteIdent, type Token } from "../sql/tokenizer.js";
import { duckTableName } from "../warehouse.js";
import { evaluateBound, tableNameArgument, timestampGreaterThanCommit, versionsOf, type VersionBound } from "./time-travel.js";
import { CHANGE_KIND, changeLogName, commitsTable, KIND_COLUMN, VERSION_COLUMN, type VersionRow } from "./versions.js";

const CHANGE_TYPE = `CASE ${quoteIdent(KIND_COLUMN)} WHEN ${CHANGE_KIND.insert} THEN 'insert' WHEN ${CHANGE_KIND.delete} THEN 'delete' WHEN ${CHANGE_KIND.preimage} THEN 'update_preimage' WHEN ${CHANGE_KIND.postimage} THEN 'update_postimage' END`;

/** SQL (a parenthesised query) for `table_changes(args…)`. */
export async function changesSql(scope: StatementScope, args: Token[][]): Promise<string> {
  if (args.length < 2 || args.length > 3)
    throw new SqlError(
      "WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
      "42605",
      `The \`table_changes\` requires [2, 3] parameters but the actual number is ${args.length}.`,
    );
  const nameArg = args[0]!;
  if (nameArg.some((t) => t.kind === "qmark")) throw unsupported("A '?' parameter marker in table_changes");
  const { text, values } = scope.rewrite(nameArg);
  const name = (await (await scope.session.run(`SELECT CAST(${text} AS VARCHAR)`, values)).getRows())[0]?.[0];
  if (typeof name !== "string") throw syntaxError("table_changes expects the table name as a string");
  const ref = tableNameArgument(scope, name);
  const start = await evaluateBound(scope, args[1]!, "table_changes");
  const end = args[2] ? await evaluateBound(scope, args[2], "table_changes") : undefined;
  const versions = await versionsOf(scope, ref);
  const [from, to] = resolveRange(versions, start, end);

  const columns = (await scope.columnsOf(duckTableName(ref))).map((c) => quoteIdent(c.name));
  const log = changeLogName(ref);
  const v = quoteIdent(VERSION_COLUMN);
  return (
    `(SELECT ${columns.map((c) => `l.${c}`).join(", ")}, ${CHANGE_TYPE} AS _change_type, l.${v} AS _commit_version, c.commit_ts AS _commit_timestamp ` +
    `FROM ${log} AS l JOIN ${commitsTable(ref.catalog)} AS c ON c.schema_name = ${sqlString(ref.schema)} AND c.table_name = ${sqlString(ref.table)} AND c.version = l.${v} ` +
    `WHERE l.${v} BETWEEN ${from} AND ${to} ORDER BY l.${v}, l.rowid)`
  );
}

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** The inclusive version range a start and end select, checked as Delta checks it. */
export function resolveRange(versions: VersionRow[], start: VersionBound, end: VersionBound | undefined): [number, number] {
  const latest = versions[versions.length - 1];
  if (!latest) throw new SqlError("DELTA_CDC_START_VERSION_AFTER_LATEST", "22003", `Start version ${"version" in start ? start.version : 0} for change data feed exceeds the latest table version -1.`);
  let from: number;
  if ("version" in start) from = start.version;
  else {
    if (start.timestampMs > latest.timestampMs) throw timestampGreaterThanCommit(start.timestampMs, latest.timestampMs);
    from = versions.find((x) => x.timestampMs >= start.timestampMs)!.version;
  }
  let to: number;
  if (!end) to = latest.version;
  else if ("version" in end) to = Math.min(end.version, latest.version);
  else to = [...versions].reverse().find((x) => x.timestampMs <= end.timestampMs)?.version ?? -1;
  if (from > latest.version)
    throw new SqlError("DELTA_CDC_START_VERSION_AFTER_LATEST", "22003", `Start version ${from} for change data feed exceeds the latest table version ${latest.version}.`);
  if (to < from) throw new SqlError("DELTA_INVALID_CDC_RANGE", "22003", `CDC range from start ${from} to end ${to} was invalid. End cannot be before start.`);
  if (from < 0) throw new SqlError("DELTA_INVALID_CDC_RANGE", "22003", `CDC range from start ${from} to end ${to} was invalid. Start cannot be negative.`);
  for (const x of versions) {
    if (x.version < from || x.version > to) continue;
    if (x.version > from && x.logStart === x.version)
      throw new SqlError(
        "DELTA_CHANGE_DATA_FEED_INCOMPATIBLE_SCHEMA_CHANGE",
        "0AKDC",
        `Retrieving table changes between version ${from} and ${to} failed because of an incompatible schema change. Your read schema is ${JSON.stringify(latest.columns)} at version ${to}, but we found an incompatible schema change at version ${x.version}. If possible, please query table changes separately from version ${from} to ${x.version} - 1, and from version ${x.version} to ${to}.`,
      );
    if (!x.cdf)
      throw new SqlError(
        "DELTA_MISSING_CHANGE_DATA",
        "KD002",
        `Error getting change data for range [${from} , ${to}] as change data was not recorded for version [${x.version}]. If you've enabled change data feed on this table, use \`DESCRIBE HISTORY\` to see when it was first enabled. Otherwise, to start recording change data, use \`ALTER TABLE table_name SET TBLPROPERTIES (delta.enableChangeDataFeed=true)\`.`,
      );
  }
  if (from < latest.logStart)
    throw new SqlError(
      "DELTA_CHANGE_DATA_FEED_INCOMPATIBLE_SCHEMA_CHANGE",
      "0AKDC",
      `Retrieving table changes between version ${from} and ${to} failed because of an incompatible schema change at version ${latest.logStart}.`,
    );
  return [from, to];
}
