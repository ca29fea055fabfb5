/**
 * @packageDocumentation Delta table provider (`format("databricks")`) over @databricks/sql:
 * batch writes (append, overwrite, errorifexists, ignore, MERGE upserts and deletes), an
 * exactly-once-per-epoch streaming sink, and reads of tables or parameterised queries.
 * Importing the package registers the format with core's default registry.
 */
import { registerProvider } from "@macrometa-spark/core";
import { DatabricksTableProvider } from "./provider.js";

export { DatabricksTableProvider, DATABRICKS_FORMATS } from "./provider.js";
export { DatabricksConnection, type ConnectionHooks, type SqlParameter, type Statement, type ExecuteOptions, type ResultColumn } from "./client.js";
export { DatabricksError, DATABRICKS_ERROR_CODES, isDatabricksError, statementKind, wrapDriverError, type DatabricksErrorCode, type DatabricksErrorContext } from "./errors.js";
export { quoteIdent, quoteTableName, resolveTableName, checkColumnName, type TableName, type ColumnNameMode } from "./identifiers.js";
export {
  parseConnectionOptions,
  parseWriteOptions,
  parseReadOptions,
  CONNECTION_OPTION_NAMES,
  WRITE_OPTION_NAMES,
  READ_OPTION_NAMES,
  type ConnectionOptions,
  type WriteOptions,
  type ReadOptions,
  type InsertStrategy,
  type WriteMethod,
} from "./options.js";
export { DATABRICKS_OPTIONS } from "./option-table.js";
export { sqlType, literal, stringLiteral, parseDatabricksType, toDeltaSchema } from "./sql-types.js";
export { insertStatements, createTableSql } from "./sql.js";
export { mergeSql, appendSql, overwriteSql, copyIntoSql, type ApplySpec, type StagedSource } from "./sql-apply.js";
export { AUTO_INSERT_STRATEGY } from "./write/core.js";
export { DeltaBatchWrite } from "./write/batch.js";
export { DeltaStreamingWrite } from "./write/streaming.js";
export { parseStagingVolume, type StagingVolume } from "./volumes/location.js";
export { FilesClient, type FilesClientOptions, type DirectoryEntry } from "./volumes/files-client.js";
export { ParquetFileBuffer, type ParquetFileLimits, type StagingCompression } from "./staging/parquet-file.js";
export { fromDriverValue, readSchema } from "./read.js";

/** The provider instance registered for `format("databricks")`. */
export const databricksProvider = new DatabricksTableProvider();
registerProvider(databricksProvider);
