/**
 * A GDN cursor as an AsyncIterable of pages with one page of prefetch: while the caller decodes
 * page N, the `PUT` for page N+1 is already on the wire. That is the deepest prefetch a cursor
 * allows (each `PUT` returns "the next" page), and it bounds memory to two pages per cursor.
 * @packageDocumentation
 */
import type { CursorOptions, CursorPage } from "./types.js";

/** The cursor calls a Cursor makes (the client's, from the cursors module). */
export interface CursorCalls {
  createCursor(query: string, options?: CursorOptions): Promise<CursorPage>;
  nextCursorPage(id: string, signal?: AbortSignal): Promise<CursorPage>;
  deleteCursor(id: string, signal?: AbortSignal): Promise<void>;
}

export class Cursor implements AsyncIterable<CursorPage> {
  /** Server-side id, known once the first page arrived and while more pages remain. */
  id: string | undefined;
  /** Pages received so far. */
  pages = 0;
  /** True once the server said there is nothing more (the server then deletes the cursor itself). */
  exhausted = false;
  private started = false;

  constructor(
    private readonly client: CursorCalls,
    readonly queryText: string,
    private readonly options: CursorOptions,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<CursorPage, void, undefined> {
    if (this.started) throw new Error("a cursor can be iterated once");
    this.started = true;
    const signal = this.options.signal;
    let current = await this.client.createCursor(this.queryText, this.options);
    this.pages++;
    this.id = current.id;
    let pending: Promise<CursorPage> | undefined;
    try {
      for (;;) {
        if (!current.hasMore || current.id === undefined) {
          this.exhausted = true;
          yield current;
          return;
        }
        pending = this.client.nextCursorPage(current.id, signal);
        // Observed later by `await pending`; this keeps an early failure from being "unhandled" meanwhile.
        pending.catch(() => undefined);
        yield current;
        current = await pending;
        pending = undefined;
        this.pages++;
        if (current.id !== undefined) this.id = current.id;
      }
    } finally {
      if (!this.exhausted) await this.release(pending);
    }
  }

  /**
   * Early exit or failure: wait for the in-flight `PUT` (so the cursor is not busy) and delete the
   * cursor, unless that `PUT` drained it. Deletion failures are swallowed: the server drops an idle
   * cursor after its ttl anyway, and the caller's own error (if any) matters more.
   */
  private async release(pending: Promise<CursorPage> | undefined): Promise<void> {
    if (this.id === undefined) return;
    if (pending) {
      try {
        const last = await pending;
        if (!last.hasMore) {
          this.exhausted = true;
          return;
        }
      } catch {
        // fall through to the delete
      }
    }
    try {
      await this.client.deleteCursor(this.id);
    } catch {
      // see above
    }
  }
}
