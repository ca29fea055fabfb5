/**
 * @packageDocumentation
 * A Databricks SQL warehouse endpoint (Thrift over HTTP, the wire @databricks/sql speaks) executing on
 * DuckDB, for tests and offline runs.
 */
export {
  connectOptionsFor,
  startLocalWarehouse,
  type LocalWarehouse,
  type LocalWarehouseConnectOptions,
  type LocalWarehouseOptions,
} from "./wire/server.js";
export { isSqlError, SqlError, sqlError } from "./errors.js";
export { WAREHOUSE_ERROR_CLASSES, type WarehouseErrorClass } from "./error-classes.js";
export type { WireFaults } from "./wire/faults.js";
export type { ServiceStats } from "./wire/service.js";
