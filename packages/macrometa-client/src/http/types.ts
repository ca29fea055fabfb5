/**
 * Shapes of GDN answers, as recorded from a live server (see the wire contract, §2–§5).
 * @packageDocumentation
 */

/** `GET _api/database/metadata` → `result`. */
export interface FabricMetadata {
  name: string;
  options?: Record<string, unknown>;
  isSystem?: boolean;
  [key: string]: unknown;
}

/** One entry of `GET _api/collection`, or the flat answer of `GET _api/collection/<c>`. */
export interface CollectionInfo {
  id: string;
  name: string;
  status?: number;
  /** 2 = document, 3 = edge. */
  type: number;
  collectionModel?: string;
  isLocal?: boolean;
  isSystem?: boolean;
  hasStream?: boolean;
  waitForSync?: boolean;
  [key: string]: unknown;
}

/** Body of `POST _api/collection` beyond the name. */
export interface CreateCollectionOptions {
  /** 2 = document (default), 3 = edge. */
  type?: 2 | 3;
  /** Local to the region instead of replicated. Default: false. */
  isLocal?: boolean;
  /** Attach a change stream. Default: false. */
  stream?: boolean;
  waitForSync?: boolean;
  keyOptions?: Record<string, unknown>;
}

/** Body of `PUT _api/collection/<c>/properties`. */
export interface CollectionProperties {
  /** Add (true) a change stream to the collection. */
  hasStream?: boolean;
  waitForSync?: boolean;
}

/** `POST _api/query` answer. */
export interface QueryValidation {
  parsed: boolean;
  collections: string[];
  bindVars: string[];
  ast?: unknown;
}

/** What a key may do with a collection or stream (`GET /_api/key/<keyid>/database/<f>/collection/<c>`). */
export type AccessLevel = "rw" | "ro" | "none";

/** One page of a cursor; documents are raw JSON texts, number lexemes intact. */
export interface CursorPage {
  /** One JSON text per result element, exactly as the server sent it. */
  items: string[];
  hasMore: boolean;
  /** Present while `hasMore` is true. */
  id: string | undefined;
  /** Present when `count: true` was requested. */
  count: number | undefined;
  extra: Record<string, unknown> | undefined;
}

/** `POST _api/cursor` options. */
export interface CursorOptions {
  bindVars?: Record<string, unknown>;
  /** Documents per page. Default: 1000 (the server's maximum per the spec). */
  batchSize?: number;
  /** Seconds the server keeps an idle cursor. Default: 30 (the server's). */
  ttl?: number;
  /** Ask for the total count. Default: false. */
  count?: boolean;
  /** `options` of the cursor request (`stream`, `fullCount`...). */
  options?: Record<string, unknown>;
  signal?: AbortSignal;
  /**
   * Pages fetched ahead of the caller, one request at a time (a cursor cannot be read in parallel):
   * the server prepares the next pages while the caller decodes and writes this one. Memory holds
   * up to this many pages plus the one in use. Default: 4.
   */
  prefetchPages?: number;
  /**
   * Whether the query only reads: then creating the cursor is retried on any transient failure
   * (a lost answer just leaves an orphan cursor that expires after `ttl`). Default: true unless the
   * query contains INSERT/UPDATE/REPLACE/REMOVE/UPSERT.
   */
  readOnly?: boolean;
}

/** One failed document of an import (`details.errors[]`). */
export interface ImportErrorDetail {
  /** The document as the server echoed it (numbers as parsed by core's lossless parser). */
  document: unknown;
  /** The echoed document as JSON text, number lexemes kept. */
  documentText: string;
  /** Its `_key`, when it had one. */
  key: string | undefined;
  errorNumber: number;
  errorMessage: string;
}

/** `POST _api/import/<c>` answer, in full. */
export interface ImportResult {
  created: number;
  errors: number;
  unprocessed: number;
  /**
   * Documents the server says it replaced, ignored or found empty, when it reports them (the
   * ArangoDB-style fields; the recorded GDN answers only created/errors/unprocessed). 0 otherwise.
   */
  updated: number;
  ignored: number;
  empty: number;
  /** Only with `details: true`. */
  details: { errors: ImportErrorDetail[]; unprocessed: unknown[] } | undefined;
  /** `X-C8-Error-Codes` header: errorNum → count. */
  errorCodes: Record<string, number>;
  /** Attempts it took (1 = no retry). */
  attempts: number;
}

export interface ImportOptions {
  /** Ask for per-document errors. Default: true (nothing is swallowed). */
  details?: boolean;
  /** Attribute whose value becomes `_key`. */
  primaryKey?: string;
  /** Replace documents whose key exists (upsert). Default: false. */
  replace?: boolean;
  /**
   * The caller vouches that applying this import twice is harmless (explicit keys + replace, or a
   * reconciliation step on their side). Without it, only answers that say "not processed" (429,
   * 503, a refused connection) are retried; an ambiguous failure is thrown with `outcomeUnknown`.
   * Default: false.
   */
  safeToRetry?: boolean;
  signal?: AbortSignal;
}

/** `POST _api/document/<c>` (array) answer item. */
export interface InsertResultItem {
  _id?: string;
  _key?: string;
  _rev?: string;
  new?: unknown;
  error?: boolean;
  errorNum?: number;
  errorMessage?: string;
}

export interface InsertOptions {
  /** Replace a document with the same key (boolean overwrite). Default: false. */
  overwrite?: boolean;
  returnNew?: boolean;
  silent?: boolean;
  waitForSync?: boolean;
  /** As for import. Default: false. */
  safeToRetry?: boolean;
  signal?: AbortSignal;
}

/** One entry of `GET _api/streams`. */
export interface StreamInfo {
  topic: string;
  local?: boolean;
  db?: string;
  tenant?: string;
  type?: number;
  [key: string]: unknown;
}
