/** @packageDocumentation A Databricks SQL warehouse endpoint (Thrift over HTTP) executing on DuckDB. */
export {};
