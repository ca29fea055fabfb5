/**
 * Time as the server sees it. Everything that waits on the wall clock (nack redelivery, TTL and
 * KV expiry) goes through a {@link Clock}, so tests can move time forward instead of sleeping.
 * @packageDocumentation
 */

/** A pending timer; `cancel()` is idempotent. */
export interface ClockTimer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `delayMs` (never keeps the process alive). */
  setTimer(fn: () => void, delayMs: number): ClockTimer;
}

/** The real clock: `Date.now()` and unref'd `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, delayMs) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  live: boolean;
}

/**
 * A clock that moves only when told to: `advance(ms)` runs every timer that falls due, in due
 * order, with `now()` set to each timer's due time while it runs.
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private pending: Pending[] = [];

  /** @param startMs - Default: the real time at construction. */
  constructor(startMs: number = Date.now()) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(fn: () => void, delayMs: number): ClockTimer {
    const p: Pending = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fn, live: true };
    this.pending.push(p);
    return { cancel: () => void (p.live = false) };
  }

  /** Timers not yet run or cancelled. */
  get pendingTimers(): number {
    return this.pending.filter((p) => p.live).length;
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => p.live);
      let next: Pending | undefined;
      for (const p of this.pending) if (p.at <= target && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p;
      if (!next) break;
      next.live = false;
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = target;
  }
}
