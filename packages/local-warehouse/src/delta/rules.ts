/**
 * @packageDocumentation
 * Delta table rules a Databricks warehouse enforces on every write, so a statement refused there is
 * refused here too:
 * - table properties: a `delta.*` key Delta does not know is DELTA_UNKNOWN_CONFIGURATION (F0000), as
 *   Delta validates them (https://docs.databricks.com/delta/table-properties.html);
 * - `delta.appendOnly = true`: UPDATE, DELETE, MERGE with UPDATE/DELETE, INSERT OVERWRITE and TRUNCATE fail
 *   with DELTA_CANNOT_MODIFY_APPEND_ONLY (42809);
 * - `VARCHAR(n)`/`CHAR(n)`: a longer value is DELTA_EXCEED_CHAR_VARCHAR_LIMIT (22001);
 * - `NOT NULL` inside a struct: checked whenever the enclosing struct is not NULL, as Delta does,
 *   DELTA_NOT_NULL_CONSTRAINT_VIOLATED (23502).
 * Lengths and nested NOT NULL become DuckDB CHECK constraints; errors.ts reads them back into these classes.
 */
import { sqlError, SqlError } from "../errors.js";
import type { SparkType } from "../sql/types.js";
import { quoteIdent, quoteString } from "../sql/tokenizer.js";
import type { TableRef, Warehouse } from "../warehouse.js";

/** Table properties Delta defines (lower-case); `delta.feature.<name>` is also accepted. */
const KNOWN_DELTA_PROPERTIES = new Set(
  [
    "appendOnly", "autoOptimize.autoCompact", "autoOptimize.optimizeWrite", "checkpoint.writeStatsAsJson",
    "checkpoint.writeStatsAsStruct", "checkpointInterval", "checkpointPolicy", "columnMapping.mode", "columnMapping.maxColumnId",
    "compatibility.symlinkFormatManifest.enabled", "dataSkippingNumIndexedCols", "dataSkippingStatsColumns",
    "deletedFileRetentionDuration", "enableChangeDataFeed", "enableDeletionVectors", "enableExpiredLogCleanup",
    "enableIcebergCompatV1", "enableIcebergCompatV2", "enableInCommitTimestamps", "enableRowTracking", "enableTypeWidening",
    "isolationLevel", "logRetentionDuration", "minReaderVersion", "minWriterVersion", "randomizeFilePrefixes",
    "randomPrefixLength", "setTransactionRetentionDuration", "targetFileSize", "tuneFileSizesForRewrites",
    "parquet.compression.codec", "universalFormat.enabledFormats", "checkpoint.partSize", "sampleRetentionDuration",
  ].map((k) => `delta.${k.toLowerCase()}`),
);

const BOOLEAN_PROPERTIES = new Set(["delta.appendonly", "delta.enablechangedatafeed", "delta.enabledeletionvectors", "delta.enablerowtracking", "delta.enabletypewidening"]);

/** Refuses unknown `delta.*` keys and non-boolean values for the boolean ones. */
export function validateTableProperties(properties: Record<string, string>): void {
  for (const [key, value] of Object.entries(properties)) {
    const lower = key.toLowerCase();
    if (!lower.startsWith("delta.")) continue;
    // Constraints are table properties in Delta, but only ALTER TABLE … ADD CONSTRAINT may set them.
    if (lower.startsWith("delta.constraints."))
      throw new SqlError("DELTA_ADD_CONSTRAINTS", "0A000", "Please use ALTER TABLE ADD CONSTRAINT to add CHECK constraints.");
    if (!KNOWN_DELTA_PROPERTIES.has(lower) && !lower.startsWith("delta.feature."))
      throw sqlError(
        "DELTA_UNKNOWN_CONFIGURATION", `Unknown configuration was specified: ${key}. To disable this check, set spark.databricks.delta.allowArbitraryProperties.enabled=true in the Spark session configuration.`,
      );
    if (BOOLEAN_PROPERTIES.has(lower) && !/^(true|false)$/i.test(value))
      throw sqlError("DELTA_VIOLATE_TABLE_PROPERTY_VALIDATION_FAILED", `${key} must be true or false, not '${value}'.`);
  }
}

/** Fails when the table is append-only and the statement would change or remove existing rows. */
export async function assertNotAppendOnly(warehouse: Warehouse, ref: TableRef): Promise<void> {
  const props = await warehouse.tableProperties(ref);
  const appendOnly = Object.entries(props).find(([k]) => k.toLowerCase() === "delta.appendonly")?.[1];
  if (appendOnly?.toLowerCase() === "true")
    throw sqlError(
      "DELTA_CANNOT_MODIFY_APPEND_ONLY", `This table is configured to only allow appends. If you would like to permit updates or deletes, use 'ALTER TABLE ${ref.catalog}.${ref.schema}.${ref.table} SET TBLPROPERTIES (delta.appendOnly=false)'.`,
    );
}

/** DuckDB CHECK clauses enforcing a column's VARCHAR/CHAR length and the NOT NULL fields inside its structs. */
export function columnChecks(name: string, type: SparkType, maxLength: number | undefined): string[] {
  const col = quoteIdent(name);
  const checks: string[] = [];
  if (maxLength !== undefined) checks.push(`CHECK (length(${col}) <= ${maxLength})`);
  const walk = (t: SparkType, expr: string, guards: string[]) => {
    if (t.kind !== "struct") return;
    for (const f of t.fields) {
      const field = `struct_extract(${expr}, ${quoteString(f.name)})`;
      if (!f.nullable) checks.push(`CHECK (${[...guards, `${expr} IS NULL`].join(" OR ")} OR ${field} IS NOT NULL)`);
      walk(f.type, field, [...guards, `${expr} IS NULL`]);
    }
  };
  walk(type, col, []);
  return checks;
}

/** The Databricks error for a failed CHECK this module wrote, from DuckDB's message; undefined for others. */
export function checkViolation(detail: string): SqlError | undefined {
  const expr = /CHECK constraint failed on table \S+ with expression CHECK\((.*)\)$/.exec(detail)?.[1];
  if (!expr) return undefined;
  const length = /^\(length\((.+)\) <= (\d+)\)$/.exec(expr);
  if (length)
    return sqlError(
      "DELTA_EXCEED_CHAR_VARCHAR_LIMIT", `Exceeds char/varchar type length limitation. Failed check: (length(${length[1]!.replace(/^"|"$/g, "")}) <= ${length[2]}).`,
    );
  const last = expr.slice(expr.lastIndexOf(" OR ") + 4);
  if (!/IS NOT NULL\)+$/.test(last)) return undefined;
  const base = /struct_extract\(+"?([^",()]+)"?,/.exec(last)?.[1];
  const fields = [...last.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'"));
  if (!base) return undefined;
  return sqlError("DELTA_NOT_NULL_CONSTRAINT_VIOLATED", `NOT NULL constraint violated for column: ${[base, ...fields].join(".")}.`);
}
