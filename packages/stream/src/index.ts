/**
 * @packageDocumentation Table provider for `com.macrometa.spark.stream` (and
 * `com.macrometa.spark.stream.MacrometaTableProvider`): GDN streams and collection change streams
 * as an exactly-once micro-batch source and an at-least-once streaming sink. Registered on import.
 */
import { registerProvider } from "@macrometa-spark/core";
import { macrometaStreamProvider } from "./provider.js";

export * from "./options.js";
export * from "./schema.js";
export * from "./source.js";
export * from "./sink.js";
export * from "./provider.js";

registerProvider(macrometaStreamProvider);
