/** @packageDocumentation Table provider for com.macrometa.spark.stream. */
export {};
