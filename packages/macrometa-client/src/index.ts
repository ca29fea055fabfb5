/**
 * @packageDocumentation Macrometa GDN clients: HTTP (undici; collections, documents, cursors,
 * import, streams REST) and streams (Pulsar WebSocket protocol over ws). Knows nothing of Spark.
 */
export * from "./errors.js";
export * from "./http/index.js";
export * from "./stream/index.js";
