/**
 * Feedback helpers shared by `run` and `demo`: a batch write's row counter polled from the running
 * action's metrics, and a stream query's progress turned into the one-line status.
 * @packageDocumentation
 */
import type { DataFrame, QueryProgress, StreamingQuery } from "@macrometa-spark/core";
import type { Progress, StreamStatus } from "../progress.js";

/**
 * Runs `action` (a write of `df`) while drawing rows read so far, with `total` when known. The
 * metrics object of the running action is live, so polling it costs nothing on the data path.
 */
export async function withRowProgress<T>(df: DataFrame, progress: Progress, phase: string, total: number | undefined, action: () => Promise<T>): Promise<T> {
  // Against a document total, count documents received (rejected ones included) when the source says.
  const done = () => {
    const m = df.metrics;
    return m ? m.get("collection.documentsRead") || m.get("rowsRead") : 0;
  };
  const tick = () => progress.rows(phase, done(), total);
  const timer = setInterval(tick, 100);
  try {
    const out = await action();
    progress.rows(phase, done(), total, true);
    return out;
  } finally {
    clearInterval(timer);
    progress.done();
  }
}

/** QueryProgress → the live status line's fields (lag: messages received but not yet in a batch). */
export function streamStatus(p: QueryProgress): StreamStatus {
  const buffered = p.sources.reduce((n, s) => n + (s.metrics["bufferedMessages"] ?? 0), 0);
  const hasLag = p.sources.some((s) => s.metrics["bufferedMessages"] !== undefined);
  return {
    batchId: p.batchId,
    numInputRows: p.numInputRows,
    inputRowsPerSecond: p.inputRowsPerSecond,
    processedRowsPerSecond: p.processedRowsPerSecond,
    batchDurationMs: p.durationMs.triggerExecution,
    ...(hasLag ? { lag: buffered } : {}),
  };
}

/** Draws every progress event of `query`; returns the unsubscribe function. */
export function watchStream(query: StreamingQuery, progress: Progress): () => void {
  const on = (p: QueryProgress) => progress.stream(streamStatus(p));
  query.on("progress", on);
  return () => query.off("progress", on);
}

/** Waits (bounded) until `cond()` holds; rejects with `what` in the message on timeout or abort. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (signal?.aborted) throw new Error(`interrupted while waiting for ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
