/**
 * @packageDocumentation
 * `DESCRIBE HISTORY t [LIMIT n]`: a table's versions, newest first, with the 14 columns Databricks
 * returns (https://docs.databricks.com/aws/en/tables/history-schema): version, timestamp, userId,
 * userName, operation, operationParameters (map), job and notebook (structs, NULL outside jobs and
 * notebooks), clusterId, readVersion, isolationLevel, isBlindAppend, operationMetrics (map),
 * userMetadata.
 */
import { Cursor } from "../sql/cursor.js";
import { syntaxError } from "../errors.js";
import { type StatementScope, tableNotFound } from "../sql/scope.js";
import { DuckDbResult, type ResultSource } from "../wire/results.js";
import { commitsTable, ensureCommitsTable } from "./versions.js";

/** Who ran a commit: this warehouse has one static token, so one user. */
const USER_NAME = "local-warehouse";

/** `c` is positioned at HISTORY. */
export async function describeHistory(scope: StatementScope, c: Cursor): Promise<ResultSource> {
  c.expectWords("HISTORY");
  const ref = scope.tableRef(c.qualifiedName());
  let limit: number | undefined;
  if (c.acceptWords("LIMIT")) {
    const t = c.next();
    if (t.kind !== "number" || !/^\d+$/.test(t.value)) throw syntaxError("LIMIT expects a non-negative integer");
    limit = Number(t.value);
  }
  c.expectEnd();
  if ((await scope.relationKind(ref)) !== "table") throw tableNotFound(ref);
  await ensureCommitsTable(scope.session, ref.catalog);
  const r = await scope.session.run(
    `SELECT version, commit_ts AS "timestamp", NULL::VARCHAR AS "userId", $user AS "userName", operation,
       CAST(operation_parameters::JSON AS MAP(VARCHAR, VARCHAR)) AS "operationParameters",
       NULL::STRUCT("jobId" VARCHAR, "jobName" VARCHAR, "jobRunId" VARCHAR, "runId" VARCHAR, "jobOwnerId" VARCHAR, "triggerType" VARCHAR) AS job,
       NULL::STRUCT("notebookId" VARCHAR) AS notebook, NULL::VARCHAR AS "clusterId", read_version AS "readVersion",
       'WriteSerializable' AS "isolationLevel", blind_append AS "isBlindAppend",
       CAST(operation_metrics::JSON AS MAP(VARCHAR, VARCHAR)) AS "operationMetrics", NULL::VARCHAR AS "userMetadata"
     FROM ${commitsTable(ref.catalog)} WHERE schema_name = $s AND table_name = $t ORDER BY version DESC${limit !== undefined ? ` LIMIT ${limit}` : ""}`,
    { s: ref.schema, t: ref.table, user: USER_NAME },
  );
  return new DuckDbResult(r);
}
