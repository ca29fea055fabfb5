/**
 * @packageDocumentation
 * What each committing statement writes into a table's history: Delta's operation names and the
 * operationParameters / operationMetrics keys it uses for them (DeltaOperations.scala in
 * delta-io/delta; https://docs.databricks.com/aws/en/tables/history-schema lists the metrics per
 * operation). Values are strings, as Delta stores them in the commit's `commitInfo`.
 * There are no data files here, so the file counts Delta reports are left out rather than invented.
 */
import type { CommitInfo } from "./versions.js";

/** INSERT INTO (`Append`) and INSERT OVERWRITE (`Overwrite`): Delta's WRITE operation. */
export const writeInfo = (mode: "Append" | "Overwrite", rows: number): CommitInfo => ({
  operation: "WRITE",
  parameters: { mode, partitionBy: "[]" },
  metrics: { numOutputRows: rows },
  blindAppend: mode === "Append",
});

export interface CreateInfo {
  orReplace: boolean;
  asSelect: boolean;
  comment?: string;
  properties: Record<string, string>;
  rows?: number;
}

/** CREATE [OR REPLACE] TABLE [AS SELECT]. */
export const createInfo = (c: CreateInfo): CommitInfo => {
  const parameters: Record<string, string> = {
    partitionBy: "[]",
    clusterBy: "[]",
    isManaged: "true",
    properties: JSON.stringify(c.properties),
  };
  if (c.comment !== undefined) parameters.description = c.comment;
  return {
    operation: `${c.orReplace ? "CREATE OR REPLACE TABLE" : "CREATE TABLE"}${c.asSelect ? " AS SELECT" : ""}`,
    parameters,
    metrics: c.asSelect ? { numOutputRows: c.rows ?? 0 } : {},
    blindAppend: c.asSelect && !c.orReplace,
  };
};

export const deleteInfo = (predicate: string | undefined, deleted: number): CommitInfo => ({
  operation: "DELETE",
  parameters: { predicate: JSON.stringify(predicate === undefined ? [] : [predicate]) },
  metrics: { numDeletedRows: deleted, numCopiedRows: 0 },
});

export const updateInfo = (predicate: string | undefined, updated: number): CommitInfo => ({
  operation: "UPDATE",
  parameters: { predicate: JSON.stringify(predicate === undefined ? [] : [predicate]) },
  metrics: { numUpdatedRows: updated, numCopiedRows: 0 },
});

export interface MergeCounts {
  inserted: number;
  updated: number;
  deleted: number;
  sourceRows?: number;
}

export const mergeInfo = (predicate: string, counts: MergeCounts): CommitInfo => ({
  operation: "MERGE",
  parameters: { predicate: JSON.stringify([predicate]) },
  metrics: {
    numTargetRowsInserted: counts.inserted,
    numTargetRowsUpdated: counts.updated,
    numTargetRowsDeleted: counts.deleted,
    numOutputRows: counts.inserted + counts.updated,
    ...(counts.sourceRows !== undefined ? { numSourceRows: counts.sourceRows } : {}),
  },
});

export const copyIntoInfo = (files: number, rows: number): CommitInfo => ({
  operation: "COPY INTO",
  parameters: {},
  metrics: { numFiles: files, numOutputRows: rows },
  blindAppend: true,
});

export const truncateInfo = (removed: number): CommitInfo => ({
  operation: "TRUNCATE",
  parameters: {},
  metrics: { numRemovedRows: removed },
});

export const addColumnsInfo = (columns: { name: string; type: string }[]): CommitInfo => ({
  operation: "ADD COLUMNS",
  parameters: { columns: JSON.stringify(columns.map((c) => ({ column: { name: c.name, type: c.type, nullable: true, metadata: {} } }))) },
});

export const setPropertiesInfo = (properties: Record<string, string>): CommitInfo => ({
  operation: "SET TBLPROPERTIES",
  parameters: { properties: JSON.stringify(properties) },
});

/** ALTER TABLE … ADD CONSTRAINT name CHECK (expr) (DeltaOperations.AddConstraint). */
export const addConstraintInfo = (name: string, expr: string): CommitInfo => ({
  operation: "ADD CONSTRAINT",
  parameters: { name, expr },
});

/** ALTER TABLE … DROP CONSTRAINT [IF EXISTS] name: committed even when there was none (DeltaOperations.DropConstraint). */
export const dropConstraintInfo = (name: string, expr: string | undefined): CommitInfo => ({
  operation: "DROP CONSTRAINT",
  parameters: expr === undefined ? { name, existed: "false" } : { name, expr, existed: "true" },
});

/** ALTER TABLE … ALTER COLUMN (DeltaOperations.ChangeColumn): the column as it is afterwards. */
export const changeColumnInfo = (column: { name: string; type: string; nullable: boolean; metadata: Record<string, string> }): CommitInfo => ({
  operation: "CHANGE COLUMN",
  parameters: { column: JSON.stringify(column) },
});
