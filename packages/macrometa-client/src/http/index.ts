/**
 * GDN HTTP client (undici): fabrics, collections, cursors, import, documents, streams REST, OTP.
 * @packageDocumentation
 */
export * from "./client.js";
export * from "./cursor.js";
export * from "./json-scan.js";
export * from "./types.js";
export * from "./url.js";
