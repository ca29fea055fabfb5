/**
 * @packageDocumentation Spark types, Spark-exact JSON inference, provider contracts, session,
 * DataFrame, checkpointed streaming, and the built-in `json`, `memory`, `console` and `rate` formats.
 */
export * from "./types.js";
export * from "./type-parsers.js";
export * from "./json-schema.js";
export * from "./json-text.js";
export * from "./infer.js";
export * from "./codec.js";
export * from "./errors.js";
export * from "./retry.js";
export * from "./logger.js";
export * from "./options.js";
export * from "./metrics.js";
export * from "./contracts.js";
export * from "./registry.js";
// session, DataFrame, streaming and built-in formats: added below by their module owners.
