/** @packageDocumentation Delta table provider over @databricks/sql and a Databricks Jobs REST client. */
export {};
