/**
 * The one retry module. Budget by attempts and by elapsed time; exponential backoff with full
 * jitter; a server's Retry-After is a floor for the next delay. Only errors the caller marks
 * retryable are retried, so callers decide which calls are safe to repeat.
 * @packageDocumentation
 */
import { AbortedError, isMacrometaSparkError } from "./errors.js";

export interface RetryPolicy {
  /** Total attempts including the first. Default: 5. */
  maxAttempts: number;
  /** First backoff delay. Default: 100 (ms). */
  initialDelayMs: number;
  /** Cap on one backoff delay (Retry-After may exceed it up to `maxElapsedMs`). Default: 5000 (ms). */
  maxDelayMs: number;
  /** Backoff multiplier. Default: 2. */
  factor: number;
  /** No new attempt starts after this much time since the first. Default: 60000 (ms). */
  maxElapsedMs: number;
  /** Full jitter (random 0..delay) when true. Default: true. */
  jitter: boolean;
}

/** Defaults in one place; tests pass their own policy instead of patching this. */
export function defaultRetryPolicy(): RetryPolicy {
  return { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 5000, factor: 2, maxElapsedMs: 60_000, jitter: true };
}

export interface RetryOptions {
  policy?: Partial<RetryPolicy>;
  /** Whether an error may be retried. Default: `err.retryable === true` for our errors. */
  isRetryable?: (err: unknown) => boolean;
  /** A server-requested delay (Retry-After) for this error, in ms. Default: `err.retryAfterMs`. */
  retryAfterMs?: (err: unknown) => number | undefined;
  /** Called before each wait; for logs and metrics. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1): the capped exponential delay, or
 * with `jitter` a uniform draw from 0..that delay ("full jitter": of the jitter schemes in AWS's
 * "Exponential Backoff And Jitter" it spreads clients that failed together the furthest apart and
 * makes the fewest calls). A server that needs a minimum says so with Retry-After, which
 * `withRetry` takes as a floor.
 */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (attempt - 1));
  return policy.jitter ? Math.round(exp * random()) : exp;
}

function defaultIsRetryable(err: unknown): boolean {
  return isMacrometaSparkError(err) && err.retryable === true;
}

function defaultRetryAfter(err: unknown): number | undefined {
  const v = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError("aborted while waiting", signal.reason));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new AbortedError("aborted while waiting", signal?.reason));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Runs `fn` until it succeeds, fails with a non-retryable error, or the budget is spent. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const policy = { ...defaultRetryPolicy(), ...options.policy };
  const isRetryable = options.isRetryable ?? defaultIsRetryable;
  const retryAfter = options.retryAfterMs ?? defaultRetryAfter;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const elapsed = Date.now() - started;
      let delay = backoffDelayMs(policy, attempt);
      const floor = retryAfter(err);
      if (floor !== undefined) delay = Math.max(delay, floor);
      const exhausted = attempt >= policy.maxAttempts || elapsed + delay > policy.maxElapsedMs;
      if (!isRetryable(err) || exhausted || options.signal?.aborted) {
        if (attempt > 1 && err !== null && typeof err === "object") {
          try {
            (err as { retryCount?: number }).retryCount = attempt - 1;
          } catch {
            // frozen error objects keep their own shape
          }
        }
        throw err;
      }
      options.onRetry?.(err, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}
