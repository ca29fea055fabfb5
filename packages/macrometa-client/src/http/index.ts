/**
 * GDN HTTP client (undici): transport, one module per resource (collections, documents, cursors,
 * streams, keys), response parsers.
 * @packageDocumentation
 */
export { GdnHttpClient, gdnClientFor, type GdnConnection, type GdnClientContext } from "./client.js";
export { parseRetryAfter, type GdnHttpClientOptions, type RetryClass } from "./transport.js";
export { Cursor } from "./cursor.js";
export { splitResultArray } from "./json-scan.js";
export type {
  FabricMetadata,
  CollectionInfo,
  CreateCollectionOptions,
  CollectionProperties,
  QueryValidation,
  AccessLevel,
  CursorPage,
  CursorOptions,
  ImportErrorDetail,
  ImportResult,
  ImportOptions,
  InsertResultItem,
  InsertOptions,
  StreamInfo,
} from "./types.js";
export { resolveGdnUrl, isLoopbackHost, wsUrlFor, parseApiKey, tenantFromApiKey, type ParsedApiKey } from "./url.js";
