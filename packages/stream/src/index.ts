/**
 * @packageDocumentation Table provider for `com.macrometa.spark.stream` (and
 * `com.macrometa.spark.stream.MacrometaTableProvider`): GDN streams and collection change streams
 * as an exactly-once micro-batch source and an at-least-once streaming sink. Registered on import.
 */
import { registerProvider } from "@macrometa-spark/core";
import { macrometaStreamProvider } from "./provider.js";

export { parseStreamOptions, FORMAT_NAMES, KNOWN_OPTIONS, type StreamFormatOptions } from "./options.js";
export { STREAM_OPTIONS } from "./option-table.js";
export { tableSchema, payloadSchema, CHANGE_KEY, CHANGE_DELETE, META_MESSAGE_ID, META_PUBLISH_TIME, META_KEY, META_PROPERTIES } from "./schema.js";
export {
  MacrometaMicroBatchStream,
  defaultSubscriptionName,
  REJECTED_METRIC,
  MALFORMED_METRIC,
  EMPTY_METRIC,
  RESCUED_METRIC,
  DROPPED_FIELDS_METRIC,
  type StreamOffset,
} from "./source.js";
export { STREAM_ERROR_CODES, type StreamFormatErrorCode } from "./error-codes.js";
export { StreamSinkWrite, DEDUPE_PROPERTY, CHANGE_TYPE_PROPERTY } from "./sink.js";
export { MacrometaStreamProvider, MacrometaStreamTable, macrometaStreamProvider } from "./provider.js";

registerProvider(macrometaStreamProvider);
