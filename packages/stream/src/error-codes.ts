/**
 * The stream format's error codes. Raise them with {@link streamError}.
 * @packageDocumentation
 */
import { type CodedErrorOptions, type MacrometaSparkError, defineErrorCodes, errorFromTable } from "@macrometa-spark/core";

export const STREAM_ERROR_CODES = defineErrorCodes({
  /** A checkpoint offset this source did not write. */
  INVALID_OFFSET: { retryable: false, message: "not a stream offset: {offset}" },
  /** A replayed batch holds more messages than the server sends unacknowledged. */
  STREAM_BATCH_TOO_LARGE: {
    retryable: false,
    message:
      "stream {stream}: batch ({start}, {end}] holds more than receiverQueueSize ({queueSize}) messages, " +
      "so it cannot be re-read: the server sends at most receiverQueueSize unacknowledged messages and a batch is acked only after its commit. " +
      "Raise receiverQueueSize to at least the batch's size (the maxMessagesPerTrigger it was planned with, or the receiverQueueSize then in force)",
  },
  /** A replayed batch did not arrive in full within batchReplayTimeoutMs. */
  STREAM_BATCH_INCOMPLETE: {
    retryable: true,
    message:
      "stream {stream}: batch ({start}, {end}] is incomplete after {timeoutMs} ms; " +
      "the subscription '{subscription}' no longer delivers it (deleted, reset, or consumed by another consumer)",
  },
  /** schemaEvolutionMode failOnNewColumns met fields the schema lacks; nothing of the batch was planned or acknowledged. */
  STREAM_NEW_COLUMNS: {
    retryable: false,
    message:
      "stream {stream}: message {messageId} has field(s) {fields} that are not in the schema (schemaEvolutionMode failOnNewColumns); " +
      "nothing of the batch was acknowledged. Add the fields to the schema, or choose schemaEvolutionMode addNewColumns or rescue",
  },
  /** The source was used after stop(). */
  STREAM_CLOSED: { retryable: false, message: "stream source is stopped" },
  /** A message from a partitioned stream. */
  STREAM_PARTITIONED: {
    retryable: false,
    message:
      "stream {stream}: message {messageId} comes from partition {partition}; partitioned streams are not supported " +
      "(a batch offset is one message id, and ids of different partitions have no common order, so committed messages could not be told from new ones)",
  },
});

export type StreamFormatErrorCode = keyof typeof STREAM_ERROR_CODES;

/** An error of one of the stream format's codes. */
export function streamError(code: StreamFormatErrorCode, values: Readonly<Record<string, unknown>> = {}, options?: CodedErrorOptions): MacrometaSparkError {
  return errorFromTable(STREAM_ERROR_CODES, code, values, options);
}
