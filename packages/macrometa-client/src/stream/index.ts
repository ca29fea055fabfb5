/**
 * GDN stream client over the Pulsar WebSocket protocol (ws): producers with pipelined sends,
 * subscription consumers, readers, topic naming, message-id ordering. Knows nothing of Spark.
 * @packageDocumentation
 */
export * from "./errors.js";
export * from "./message-id.js";
export * from "./message.js";
export * from "./topic.js";
export * from "./connection.js";
export * from "./receiver.js";
export * from "./consumer.js";
export * from "./reader.js";
export * from "./producer.js";
