/**
 * Documents of a collection: bulk import (per-document results), inserts, delete by key.
 * @packageDocumentation
 */
import { stringifyJson } from "@macrometa-spark/kit";
import { isGdnError } from "../errors.js";
import { parseImportResult, parseInsertResults, parseJsonBody } from "./parsers.js";
import { type GdnTransport, enc } from "./transport.js";
import type { ImportOptions, ImportResult, InsertOptions, InsertResultItem } from "./types.js";

export const documentMethods = {
  /**
   * `POST _api/import/<c>` with `{data, details, primaryKey, replace}`; returns the whole result,
   * per-document errors included (the answer is HTTP 200 even when documents fail).
   *
   * `documents` may be JSON texts (sent verbatim, so integers beyond 2^53 stay exact) or values
   * (serialised with core's stringifyJson). Retried only on refusals unless `safeToRetry`.
   */
  async importDocuments(this: GdnTransport, collection: string, documents: readonly (string | unknown)[], options: ImportOptions = {}): Promise<ImportResult> {
    const details = options.details ?? true;
    const texts = documents.map((d) => (typeof d === "string" ? d : stringifyJson(d)));
    let body = `{"data":[${texts.join(",")}],"details":${details}`;
    if (options.primaryKey !== undefined) body += `,"primaryKey":${JSON.stringify(options.primaryKey)}`;
    body += `,"replace":${options.replace === true}}`;
    const res = await this.request({
      method: "POST",
      path: this.fabricPath(`import/${enc(collection)}`),
      body,
      retry: options.safeToRetry ? "idempotent" : "refusals",
      context: { collection },
      signal: options.signal,
    });
    return parseImportResult(res);
  },

  /** `POST _api/document/<c>` with an array; per-item results (failed items carry `error: true`). */
  async insertDocuments(this: GdnTransport, collection: string, documents: readonly (string | unknown)[], options: InsertOptions = {}): Promise<InsertResultItem[]> {
    const texts = documents.map((d) => (typeof d === "string" ? d : stringifyJson(d)));
    const res = await this.request({
      method: "POST",
      path: this.fabricPath(`document/${enc(collection)}`),
      query: {
        overwrite: options.overwrite || undefined,
        returnNew: options.returnNew || undefined,
        silent: options.silent || undefined,
        waitForSync: options.waitForSync || undefined,
      },
      body: `[${texts.join(",")}]`,
      retry: options.safeToRetry ? "idempotent" : "refusals",
      context: { collection },
      signal: options.signal,
    });
    return parseInsertResults(res.text);
  },

  /** One document; a duplicate key is a 409/1210 GdnError. */
  async insertDocument(this: GdnTransport, collection: string, document: string | unknown, options: InsertOptions = {}): Promise<InsertResultItem> {
    const text = typeof document === "string" ? document : stringifyJson(document);
    const res = await this.request({
      method: "POST",
      path: this.fabricPath(`document/${enc(collection)}`),
      query: { overwrite: options.overwrite || undefined, returnNew: options.returnNew || undefined, silent: options.silent || undefined },
      body: text,
      retry: options.safeToRetry ? "idempotent" : "refusals",
      context: { collection },
      signal: options.signal,
    });
    return parseJsonBody<InsertResultItem>(res.text);
  },

  /**
   * `DELETE _api/document/<c>` with an array of keys (the wire contract's bulk delete); per-key
   * results, a key that is not there being an item with `errorNum` 1202. Deleting by key is
   * idempotent, so the call is repeated after an ambiguous failure too.
   */
  async deleteDocuments(this: GdnTransport, collection: string, keys: readonly string[], options: { signal?: AbortSignal | undefined } = {}): Promise<InsertResultItem[]> {
    if (keys.length === 0) return [];
    const res = await this.request({
      method: "DELETE",
      path: this.fabricPath(`document/${enc(collection)}`),
      query: { ignoreRevs: true },
      body: JSON.stringify(keys),
      retry: "idempotent",
      context: { collection },
      signal: options.signal,
    });
    return parseInsertResults(res.text);
  },

  /**
   * `DELETE _api/document/<c>/<key>` (idempotent: a 404 on a retry means the first attempt
   * deleted it). A 404/1202 on the first attempt is thrown: the document was not there.
   */
  async deleteDocument(this: GdnTransport, collection: string, key: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.request({ method: "DELETE", path: this.fabricPath(`document/${enc(collection)}/${enc(key)}`), retry: "idempotent", context: { collection, documentKey: key }, signal });
    } catch (err) {
      if (isGdnError(err) && err.status === 404 && (err.retryCount ?? 0) > 0) return;
      throw err;
    }
  },
};
