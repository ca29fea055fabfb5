/**
 * @packageDocumentation Spark types, Spark-exact JSON inference, provider contracts, session,
 * DataFrame, checkpointed streaming, and the built-in `json`, `memory`, `console` and `rate` formats.
 */
export * from "./types.js";
export * from "./type-parsers.js";
export * from "./json-schema.js";
export * from "./json-text.js";
export * from "./infer.js";
export * from "./codec/index.js";
export { isDecimalLexeme, plainDecimalText, MAX_PLAIN_EXPONENT } from "./kit/decimal.js";
export { isLeapYear, daysInMonth, isCalendarDay, isDateText } from "./kit/calendar.js";
export * from "./errors.js";
export * from "./retry.js";
export * from "./logger.js";
export * from "./options.js";
export * from "./metrics.js";
export * from "./contracts.js";
export * from "./registry.js";
// session, DataFrame, streaming and built-in formats: added below by their module owners.
export * from "./row.js";
export * from "./display.js";
export { DataFrame, DataFrameWriter, type JsonLines } from "./dataframe.js";
export { SparkSession, DataFrameReader, createSession, type DataStreamReader, type SessionOptions, type SessionConf } from "./session.js";
export { DataStreamWriter, type StreamingEngineOptions } from "./streaming/writer.js";
export { StreamingQuery, type QueryProgress, type SourceProgress, type QueryStatus, type ForeachBatchFunction } from "./streaming/query.js";
export { type Trigger, parseInterval } from "./streaming/trigger.js";
export { CheckpointLog, writeAtomic, type OffsetEntry, type CommitEntry, type CheckpointOptions } from "./streaming/checkpoint.js";
export { MemoryProvider, memoryProvider, memoryTable, type MemoryTableData, type MemoryFormatOptions } from "./formats/memory.js";
export { registerBuiltinFormats, type BuiltinFormatOptions } from "./formats/index.js";
export { JsonProvider, readLines, jsonDataFiles, type JsonFormatOptions } from "./formats/json.js";
export { ConsoleProvider, type ConsoleFormatOptions, type ConsoleProviderOptions } from "./formats/console.js";
export { RateProvider, RATE_SCHEMA, type RateFormatOptions } from "./formats/rate.js";
