/** @packageDocumentation Table provider for com.macrometa.spark.collection. */
export {};
