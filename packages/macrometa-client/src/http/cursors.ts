/**
 * Queries and cursors: validation, cursor pages (create, next, delete) and `query()`, a cursor as an AsyncIterable of pages.
 * @packageDocumentation
 */
import { isGdnError } from "../errors.js";
import { Cursor, type CursorCalls } from "./cursor.js";
import { parseCursorPage, stringifyBody } from "./parsers.js";
import { type GdnTransport, enc } from "./transport.js";
import type { CursorOptions, CursorPage, QueryValidation } from "./types.js";

const WRITE_QUERY = /\b(INSERT|UPDATE|REPLACE|REMOVE|UPSERT)\b/i;

export const cursorMethods = {
  /** `POST _api/query` (idempotent: parsing has no effect). 400/1501 on a syntax error. */
  async validateQuery(this: GdnTransport, query: string, signal?: AbortSignal): Promise<QueryValidation> {
    return this.requestJson<QueryValidation>({ method: "POST", path: this.fabricPath("query"), body: JSON.stringify({ query }), retry: "idempotent", signal });
  },

  /**
   * `POST _api/cursor` → the first page. Retried as idempotent for read-only queries (an orphan
   * cursor from a lost answer expires after `ttl`), refusals-only for queries that write.
   */
  async createCursor(this: GdnTransport, query: string, options: CursorOptions = {}): Promise<CursorPage> {
    const readOnly = options.readOnly ?? !WRITE_QUERY.test(query);
    const body: Record<string, unknown> = { query, batchSize: options.batchSize ?? 1000 };
    if (options.bindVars && Object.keys(options.bindVars).length) body.bindVars = options.bindVars;
    if (options.ttl !== undefined) body.ttl = options.ttl;
    if (options.count) body.count = true;
    if (options.options) body.options = options.options;
    const res = await this.request({
      method: "POST",
      path: this.fabricPath("cursor"),
      body: stringifyBody(body),
      retry: readOnly ? "idempotent" : "refusals",
      signal: options.signal,
    });
    return parseCursorPage(res.text);
  },

  /**
   * `PUT _api/cursor/<id>` → the next page. Refusals-only: if the server processed a PUT whose answer
   * was lost, asking again returns the page after, silently skipping one. Ambiguous failures are
   * thrown with `outcomeUnknown`; the collection reader resumes from the last `_key` it saw instead.
   */
  async nextCursorPage(this: GdnTransport, id: string, signal?: AbortSignal): Promise<CursorPage> {
    const res = await this.request({ method: "PUT", path: this.fabricPath(`cursor/${enc(id)}`), retry: "refusals", signal });
    return parseCursorPage(res.text);
  },

  /** `DELETE _api/cursor/<id>` (idempotent). A 404/1600 (already gone, e.g. exhausted) is not an error. */
  async deleteCursor(this: GdnTransport, id: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.request({ method: "DELETE", path: this.fabricPath(`cursor/${enc(id)}`), retry: "idempotent", signal });
    } catch (err) {
      if (isGdnError(err) && err.status === 404) return;
      throw err;
    }
  },

  /**
   * A query as an AsyncIterable of pages, the next page requested while the caller works on the
   * current one (one page ahead: a cursor cannot be read further ahead). Leaving the loop early
   * deletes the server-side cursor.
   */
  query(this: GdnTransport & CursorCalls, query: string, options: CursorOptions = {}): Cursor {
    return new Cursor(this, query, options);
  },
};
