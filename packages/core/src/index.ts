/**
 * @packageDocumentation Spark types, Spark-exact JSON inference, provider contracts, session,
 * DataFrame, checkpointed streaming, and the built-in `json`, `memory`, `console` and `rate` formats.
 * Every name that leaves the package is listed here; modules' helpers stay inside.
 */
export {
  DataType,
  StringType,
  LongType,
  IntegerType,
  DoubleType,
  FloatType,
  BooleanType,
  NullType,
  DateType,
  TimestampType,
  BinaryType,
  DecimalType,
  ArrayType,
  MapType,
  StructField,
  StructType,
  isStructType,
  isArrayType,
  isMapType,
  isDecimalType,
  type DataTypeKind,
  type AtomicDataType,
  type FieldMetadata,
} from "./types.js";
export { parseSimpleString, parseJsonSchema, parseDDL, toStructType } from "./type-parsers.js";
export { toJsonSchema } from "./json-schema.js";
export { inferSchema, schemaFingerprint, type InferenceStrategy, type InferSchemaOptions } from "./infer.js";
export {
  PARSE_MODES,
  createDocumentDecoder,
  withCorruptRecordColumn,
  objectToRow,
  rowToObject,
  rowToJson,
  type ParseMode,
  type FieldMatching,
  type DocumentDecoderOptions,
  type DocumentDecoder,
  type CompiledDocumentDecoder,
  type RowToJsonOptions,
  createRescuingDecoder,
  withRescuedDataColumn,
  RESCUED_DATA_COLUMN,
  type RescueOptions,
  type RescuingDecoder,
} from "./codec/index.js";
export { SCHEMA_EVOLUTION_MODES, findNewFields, appendFields, sameSchema, type SchemaEvolutionMode, type BatchPayload, type NewFields } from "./streaming/schema-evolution.js";
export { CORE_ERROR_CODES, type CoreErrorCode } from "./error-codes.js";
export { CaseInsensitiveOptions, type OptionValue, type OptionsInput } from "./options.js";
export {
  TableOptions,
  acceptedOptionNames,
  SESSION_STRING_OPTION,
  SESSION_INT_OPTION,
  type OptionTable,
  type OptionRow,
  type OptionKind,
  type StringRow,
  type IntRow,
  type NumberRow,
  type BooleanRow,
  type EnumRow,
  type ObjectRow,
  type ListRow,
} from "./option-table.js";
export { JSON_OPTIONS, MEMORY_OPTIONS, CONSOLE_OPTIONS, RATE_OPTIONS } from "./formats/option-tables.js";
export { JobMetrics, rejectionWarning, type RejectionSample } from "./metrics.js";
export {
  SAVE_MODES,
  type Row,
  type RowBatch,
  type ProviderContext,
  type TableCapability,
  type SaveMode,
  type TableProvider,
  type Table,
  type ScanBuilder,
  type Scan,
  type InputPartition,
  type PartitionReader,
  type Batch,
  type Offset,
  type ReadLimit,
  type MicroBatchStream,
  type LogicalWriteInfo,
  type WriteBuilder,
  type WriterCommitMessage,
  type DataWriter,
  type BatchWrite,
  type StreamingWrite,
} from "./contracts.js";
export { defaultRegistry, registerProvider, FormatRegistry } from "./registry.js";
export { SparkRow } from "./row.js";
export { treeString, showString } from "./display.js";
export { DataFrame, DataFrameWriter, type JsonLines, type SaveOptions } from "./dataframe.js";
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
// The shared kit (errors, retry, logger, redaction, lossless JSON, decimals, calendar) lives in
// @macrometa-spark/kit; core passes it on so a job script needs one import.
export {
  MacrometaSparkError,
  isMacrometaSparkError,
  hasErrorCode,
  isOptionError,
  KIT_ERROR_CODES,
  defineErrorCodes,
  errorFromTable,
  fillTemplate,
  OptionError,
  MalformedRecordError,
  SchemaError,
  UnsupportedOperationError,
  AbortedError,
  errorMessage,
  withRetry,
  backoffDelayMs,
  defaultRetryPolicy,
  sleep,
  silentLogger,
  createConsoleLogger,
  createMemoryLogger,
  redactFields,
  redactText,
  redactSecrets,
  JsonNumber,
  isIntegerLexeme,
  parseJsonLossless,
  parseJsonLosslessWithDuplicates,
  stringifyJson,
  toBase64,
  isDecimalLexeme,
  plainDecimalText,
  isDateText,
  epochDay,
  type ErrorContext,
  type SparkErrorOptions,
  type ErrorCodeEntry,
  type ErrorCodeTable,
  type CodedErrorOptions,
  type RetryPolicy,
  type RetryOptions,
  type Logger,
  type LogLevel,
  type LogFields,
  type LosslessJson,
} from "@macrometa-spark/kit";
