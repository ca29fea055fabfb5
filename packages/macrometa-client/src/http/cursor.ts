/**
 * A GDN cursor as an AsyncIterable of pages, read ahead of the caller: while the caller decodes
 * and writes page N, the pages after it are fetched, one `PUT` at a time (each returns "the next"
 * page, so a cursor cannot be read in parallel), until `prefetchPages` wait. A caller with bursts
 * of work (a sink encoding a whole file) thus finds the next pages ready instead of a server that
 * sat idle; memory stays bounded by that many pages per cursor.
 * @packageDocumentation
 */
import type { CursorOptions, CursorPage } from "./types.js";

/** Pages read ahead of the caller. */
export const DEFAULT_PREFETCH_PAGES = 4;

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
    const depth = Math.max(1, this.options.prefetchPages ?? DEFAULT_PREFETCH_PAGES);
    const first = await this.client.createCursor(this.queryText, this.options);
    this.pages++;
    this.id = first.id;
    // Pages received and not yet taken, oldest first; `pending` is the one PUT on the wire.
    const ready: CursorPage[] = [first];
    let pending: Promise<CursorPage> | undefined;
    let failure: { error: unknown } | undefined;
    let wake: (() => void) | undefined;
    let stopped = false;
    let newest = first;
    // One PUT at a time (each returns "the next" page), started as soon as the previous answer is in
    // and fewer than `depth` pages wait: the server works while the caller is busy with a page.
    const pump = (): void => {
      if (stopped || pending || failure || !newest.hasMore || newest.id === undefined || ready.length >= depth) return;
      const p = this.client.nextCursorPage(newest.id, signal);
      pending = p;
      p.then(
        (page) => {
          pending = undefined;
          this.pages++;
          if (page.id !== undefined) this.id = page.id;
          newest = page;
          ready.push(page);
          wake?.();
          pump();
        },
        (error: unknown) => {
          pending = undefined;
          failure = { error };
          wake?.();
        },
      );
    };
    try {
      for (;;) {
        while (ready.length === 0) {
          if (failure) throw failure.error;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
        const page = ready.shift()!;
        if (!page.hasMore || page.id === undefined) {
          this.exhausted = true;
          yield page;
          return;
        }
        pump();
        yield page;
      }
    } finally {
      stopped = true;
      if (!this.exhausted) await this.release(pending, ready);
    }
  }

  /**
   * Early exit or failure: wait for the in-flight `PUT` (so the cursor is not busy) and delete the
   * cursor, unless that `PUT` drained it. Deletion failures are swallowed: the server drops an idle
   * cursor after its ttl anyway, and the caller's own error (if any) matters more.
   */
  private async release(pending: Promise<CursorPage> | undefined, ready: CursorPage[]): Promise<void> {
    if (this.id === undefined) return;
    if (ready.some((p) => !p.hasMore)) {
      this.exhausted = true;
      return;
    }
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
