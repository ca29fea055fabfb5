/**
 * Server-side cursors: results are held as serialised JSON texts and paged out by concatenation.
 * An exhausted cursor is deleted at once; an idle one after its ttl.
 * @packageDocumentation
 */
import { gdnFail } from "./errors.js";

export interface CursorInit {
  texts: string[];
  batchSize: number;
  count: boolean;
  ttlSeconds: number;
  extra: Record<string, unknown>;
  /** Stream cursors report stats only with their last page. */
  extraOnlyAtEnd?: boolean;
}

interface Cursor extends CursorInit {
  id: string;
  pos: number;
  expiresAt: number;
}

export class CursorRegistry {
  private readonly cursors = new Map<string, Cursor>();
  private nextId = 1000;
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, c] of this.cursors) if (c.expiresAt <= now) this.cursors.delete(id);
  }

  /** First page (HTTP 201); registers the cursor only when more pages remain. */
  create(init: CursorInit): string {
    const c: Cursor = { ...init, id: String(++this.nextId), pos: 0, expiresAt: 0 };
    return this.page(c, 201, true);
  }

  next(id: string): string {
    if (!/^\d+$/.test(id)) throw gdnFail("CURSOR_ID_INVALID");
    const c = this.live(id);
    return this.page(c, 200, false);
  }

  delete(id: string): void {
    this.live(id);
    this.cursors.delete(id);
  }

  size(): number {
    return this.cursors.size;
  }

  close(): void {
    clearInterval(this.sweeper);
    this.cursors.clear();
  }

  private live(id: string): Cursor {
    const c = this.cursors.get(id);
    if (!c || c.expiresAt <= Date.now()) {
      this.cursors.delete(id);
      throw gdnFail("CURSOR_NOT_FOUND");
    }
    return c;
  }

  private page(c: Cursor, code: number, first: boolean): string {
    const end = Math.min(c.pos + c.batchSize, c.texts.length);
    const body = c.texts.slice(c.pos, end).join(",");
    c.pos = end;
    const hasMore = end < c.texts.length;
    if (hasMore) {
      c.expiresAt = Date.now() + c.ttlSeconds * 1000;
      if (first) this.cursors.set(c.id, c);
    } else {
      this.cursors.delete(c.id);
    }
    let out = `{"result":[${body}],"hasMore":${hasMore}`;
    if (hasMore) out += `,"id":"${c.id}"`;
    if (c.count) out += `,"count":${c.texts.length}`;
    if (!hasMore || !c.extraOnlyAtEnd) out += `,"extra":${JSON.stringify(c.extra)}`;
    out += `,"cached":false,"error":false,"code":${code}}`;
    return out;
  }
}
